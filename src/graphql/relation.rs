//! Relations between people in the API (I1 kinship to a two-new organization's owner, I2 near
//! relatives).

use super::context::ContextExt;
use super::ids::{self, NodeType};
use super::member::Member;
use crate::domain::kinship::{self, RelationKind as DomainKind};
use crate::error::AppError;
use crate::service::relation::{self as service, NewRelation, PersonRef};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use entity::person_relation;

super::enums::mirror_enum! {
    /// How one person is related to another.
    RelationKind => DomainKind {
        /// 配偶 (near relative).
        Spouse,
        /// 父母 (near relative).
        Parent,
        /// 子女 (near relative).
        Child,
        /// 兄弟姐妹 (near relative).
        Sibling,
        /// (外)祖父母 (near relative).
        Grandparent,
        /// (外)孙子女 (near relative).
        Grandchild,
        /// 伯叔姑舅姨.
        UncleAunt,
        /// 侄甥.
        NephewNiece,
        /// 堂表兄弟姐妹.
        Cousin,
        /// 姻亲.
        InLaw,
        /// Other blood relation.
        OtherBlood,
        /// Other relation by marriage.
        OtherMarriage,
    }
}

/// A recorded relation of a person: to another person on record, or to the owner of the
/// person's two-new organization.
pub struct PersonRelation(pub person_relation::Model);

/// A recorded relation of a person: to another person on record, or to the owner of the
/// person's two-new organization.
#[Object]
impl PersonRelation {
    /// Global id (pass it to `removeRelation`).
    async fn id(&self) -> ID {
        ids::encode(NodeType::PersonRelation, self.0.id)
    }

    /// How they are related.
    async fn kind(&self) -> Option<RelationKind> {
        DomainKind::parse(&self.0.kind).map(Into::into)
    }

    /// Generations apart as the plans count them (1: parents, children, siblings, spouse; 2:
    /// grandparents, grandchildren, uncles, aunts, nephews, nieces; 3: cousins …).
    async fn generations(&self) -> i32 {
        self.0.generations
    }

    /// The relative is the owner (业主) of the person's two-new organization (I1).
    async fn relative_is_owner(&self) -> bool {
        self.0.relative_is_owner
    }

    /// Within three generations: counts for the kinship cap when the relative is the owner.
    async fn within_three_generations(&self) -> bool {
        kinship::within_three_generations(u32::try_from(self.0.generations).unwrap_or(0))
    }

    /// A near relative (近亲属): recuses from the person's case where the local rules say so (I2).
    async fn near_relative(&self) -> bool {
        DomainKind::parse(&self.0.kind).is_some_and(DomainKind::is_near)
    }

    /// The relative, when a Party member of your subtree.
    async fn relative_member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        let Some(id) = self.0.relative_person_id else {
            return Ok(None);
        };
        let Some(p) = crate::db::person::find_by_id(&ctx.state().db, id)
            .await
            .map_err(AppError::from)?
        else {
            return Ok(None);
        };
        if !p.is_party_member {
            return Ok(None);
        }
        Ok(super::organization::load_visible(ctx, p.organization_id)
            .await?
            .map(|_| Member(p)))
    }
}

/// Input of `recordRelation`: the person (a case or a member) and either the relative (a case
/// or a member) or the owner.
#[derive(InputObject)]
pub struct RecordRelationInput {
    /// The person, as a case.
    pub candidate_id: Option<ID>,
    /// The person, as a Party member.
    pub member_id: Option<ID>,
    /// The relative, as a case.
    pub relative_candidate_id: Option<ID>,
    /// The relative, as a Party member.
    pub relative_member_id: Option<ID>,
    /// The relative is the owner (业主) of the person's two-new organization.
    #[graphql(default)]
    pub relative_is_owner: bool,
    /// How they are related.
    pub kind: RelationKind,
    /// Generations apart (1–10; 1–3 is "within three generations").
    pub generations: i32,
}

fn person_ref(
    candidate: Option<ID>,
    member: Option<ID>,
    field: &'static str,
) -> async_graphql::Result<Option<PersonRef>> {
    Ok(match (candidate, member) {
        (Some(c), None) => Some(PersonRef::Candidate(ids::decode(
            NodeType::Candidate,
            &c,
            field,
        )?)),
        (None, Some(m)) => Some(PersonRef::Member(ids::decode(NodeType::Member, &m, field)?)),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(AppError::bad_input(
                field,
                "案件与党员只能给出其一",
                "give a case or a member, not both",
            )
            .into());
        }
    })
}

/// Result of `recordRelation`.
#[derive(SimpleObject)]
pub struct RecordRelationPayload {
    /// The relation recorded.
    pub relation: PersonRelation,
}

/// Result of `removeRelation`.
#[derive(SimpleObject)]
pub struct RemoveRelationPayload {
    /// The relation removed.
    pub removed_id: ID,
}

/// Relation mutations (ORGANIZER).
#[derive(Default)]
pub struct RelationMutation;

#[Object]
impl RelationMutation {
    /// Records a relation of a person on record (kinship to the owner, I1; near relatives, I2).
    async fn record_relation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relation.")] input: RecordRelationInput,
    ) -> Result<RecordRelationPayload> {
        let actor = ctx.actor()?;
        crate::service::require(actor, crate::domain::Permission::ManagePipeline)?;
        let person =
            person_ref(input.candidate_id, input.member_id, "candidateId")?.ok_or_else(|| {
                AppError::bad_input(
                    "candidateId",
                    "须给出案件或党员",
                    "give the person as a case or a member",
                )
            })?;
        let relative = person_ref(
            input.relative_candidate_id,
            input.relative_member_id,
            "relativeMemberId",
        )?;
        let row = service::record(
            &ctx.state().db,
            actor,
            NewRelation {
                person,
                relative,
                relative_is_owner: input.relative_is_owner,
                kind: input.kind.into(),
                generations: u32::try_from(input.generations).unwrap_or(0),
            },
        )
        .await?;
        Ok(RecordRelationPayload {
            relation: PersonRelation(row),
        })
    }

    /// Removes a relation recorded by mistake.
    async fn remove_relation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relation.")] id: ID,
    ) -> Result<RemoveRelationPayload> {
        let actor = ctx.actor()?;
        crate::service::require(actor, crate::domain::Permission::ManagePipeline)?;
        let n = ids::decode(NodeType::PersonRelation, &id, "id")?;
        service::remove(&ctx.state().db, actor, n).await?;
        Ok(RemoveRelationPayload { removed_id: id })
    }
}

/// The relations of a person (for `Candidate.relations` and `Member.relations`).
pub async fn relations_of(ctx: &Context<'_>, r: PersonRef) -> Result<Vec<PersonRelation>> {
    Ok(service::of(&ctx.state().db, ctx.actor()?, r)
        .await?
        .into_iter()
        .map(PersonRelation)
        .collect())
}
