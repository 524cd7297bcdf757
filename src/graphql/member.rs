//! Party members: the people who can be cultivation contacts and introducers.

use super::context::ContextExt;
use super::enums::Gender;
use super::ids::{self, NodeType};
use super::organization::Organization;
use super::pagination::connection_type;
use super::pipeline::PersonInput;
use super::scalars::Date;
use crate::service::list::Total;
use crate::service::member::{self as service, MembersUnder};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::person::Model;

/// A Party member on record (正式党员 or imported history).
#[derive(Clone)]
pub struct Member(pub Model);

/// A Party member on record (正式党员 or imported history).
#[Object]
impl Member {
    /// Global id (use it to name contacts and introducers).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Member, self.0.id)
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Gender.
    async fn gender(&self) -> Option<Gender> {
        crate::domain::pipeline::person::Gender::parse(&self.0.gender).map(Into::into)
    }

    /// Member since (入党时间).
    async fn member_since(&self) -> Option<Date> {
        self.0.party_member_since.map(Date)
    }

    /// Under probation within the Party (留党察看) with rights not restored: cannot introduce.
    async fn under_party_probation(&self) -> bool {
        self.0.under_party_probation
    }

    /// The member's organization.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        super::organization::load_visible(ctx, self.0.organization_id).await
    }

    /// Relations recorded for the member (to the owner of a two-new organization, to others on
    /// record): I1 and I2.
    #[graphql(complexity = "super::weights::unpaged(child_complexity)")]
    async fn relations(&self, ctx: &Context<'_>) -> Result<Vec<super::relation::PersonRelation>> {
        super::relation::relations_of(ctx, crate::service::relation::PersonRef::Member(self.0.id))
            .await
    }
}

/// Counts the rows of a member connection.
pub struct MemberCounter(Total<MembersUnder>);

connection_type!(
    MemberConnection,
    MemberEdge,
    Member,
    MemberCounter,
    "Party members"
);

impl MemberCounter {
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.0.count(&ctx.state().db).await?)
    }
}

/// Member queries.
#[derive(Default)]
pub struct MemberQuery;

#[Object]
impl MemberQuery {
    /// Party members of a subtree (yours by default).
    #[graphql(complexity = "super::weights::page(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Root of the subtree; default: your organization.")] under: Option<ID>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> Result<MemberConnection> {
        let actor = ctx.actor()?;
        let (query, args) = ctx.list_query(under, first, after.as_deref(), ())?;
        let listed = service::list(&ctx.state().db, actor, query).await?;
        Ok(MemberConnection::new(
            listed.page,
            &args,
            |m| m.id,
            |m| Some(Member(m)),
            MemberCounter(listed.total),
        ))
    }
}

/// One member to import.
#[derive(InputObject)]
pub struct ImportMemberRowInput {
    /// The member's organization, in your subtree.
    pub organization_id: ID,
    /// The person (ID-card number optional for members).
    pub person: PersonInput,
    /// Member since.
    pub member_since: Option<Date>,
    /// Under probation within the Party (留党察看) with rights not restored.
    #[graphql(default)]
    pub under_party_probation: bool,
}

/// Input of `importMembers`.
#[derive(InputObject)]
pub struct ImportMembersInput {
    /// The members; all are imported or none.
    pub rows: Vec<ImportMemberRowInput>,
}

/// Result of `importMembers`.
#[derive(SimpleObject)]
pub struct ImportMembersPayload {
    /// The imported members, in input order.
    pub members: Vec<Member>,
}

/// Member mutations.
#[derive(Default)]
pub struct MemberMutation;

#[Object]
impl MemberMutation {
    /// Imports existing Party members (ORGANIZER, PARTNER): all rows or none.
    async fn import_members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The rows.")] input: ImportMembersInput,
    ) -> Result<ImportMembersPayload> {
        let actor = ctx.actor()?;
        let mut rows = vec![];
        super::args::import_rows(input.rows.len())?;
        for r in input.rows {
            rows.push(service::MemberRow {
                organization_id: ids::decode(
                    NodeType::Organization,
                    &r.organization_id,
                    "organizationId",
                )?,
                person: r.person.into_draft()?,
                member_since: r.member_since.map(|d| d.0),
                under_party_probation: r.under_party_probation,
            });
        }
        let members =
            service::import(&ctx.state().db, &ctx.state().duplicate_checks, actor, rows).await?;
        Ok(ImportMembersPayload {
            members: members.into_iter().map(Member).collect(),
        })
    }
}
