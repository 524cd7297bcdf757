//! Organizations: the `Organization` type, its queries and the ADMIN mutations.

use super::context::ContextExt;
use super::enums::{OrganizationKind, Sector};
use super::ids::{self, NodeType};
use super::pagination::connection_type;
use crate::db::organization::{ChildrenPageKey, OrganizationFilter};
use crate::domain::Actor;
use crate::domain::organization::{self as rules};
use crate::error::AppError;
use crate::service::list::Total;
use crate::service::organization as service;
use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::organization::Model;

/// A Party organization (党组织) in the tree: province → city or education committee →
/// district or university → street or college → community or enterprise committee → branch.
///
/// The field is private: an `Organization` is only ever built by [`Organization::visible`], which
/// checks the viewer's scope, so every field that returns one (a case's branch, a letter's
/// receiver, a parent, a page of children) is safe by construction, and everything reached from
/// it (`children`, `candidates`, `candidateCount`) lies inside the viewer's subtree.
#[derive(Clone)]
pub struct Organization(Model);

impl Organization {
    /// The organization if the actor may see it (it lies in the actor's subtree), else `None`,
    /// exactly like a missing one.
    pub fn visible(actor: &Actor, model: Model) -> Option<Self> {
        actor.can_see(&model.path).then_some(Organization(model))
    }

    /// The organization if it is visible, else `NOT_FOUND` (for payloads and direct lookups).
    pub fn visible_or_not_found(actor: &Actor, model: Model) -> Result<Self> {
        Self::visible(actor, model).ok_or_else(|| AppError::NotFound("organization").extend())
    }
}

/// The scoped organization loader every organization-bearing field goes through: the
/// organization with this id if the viewer may see it; `None` when it is missing or outside the
/// viewer's subtree (the two are indistinguishable).
pub async fn load_visible(ctx: &Context<'_>, id: i64) -> Result<Option<Organization>> {
    let actor = ctx.actor()?;
    Ok(ctx
        .load_one::<super::loaders::OrganizationByIdLoader, _>(id)
        .await?
        .and_then(|o| Organization::visible(actor, o)))
}

/// [`load_visible`] for several ids, in the order given, leaving out what the viewer may not see.
pub async fn load_visible_many(ctx: &Context<'_>, ids: &[i64]) -> Result<Vec<Organization>> {
    let actor = ctx.actor()?;
    let loaded = ctx
        .loader::<super::loaders::OrganizationByIdLoader>()
        .load_many(ids.iter().copied())
        .await
        .map_err(loader_error)?;
    Ok(ids
        .iter()
        .filter_map(|id| loaded.get(id).cloned())
        .filter_map(|o| Organization::visible(actor, o))
        .collect())
}

fn loader_error(e: std::sync::Arc<AppError>) -> async_graphql::Error {
    e.extend()
}

/// A Party organization (党组织) in the tree: province → city or education committee →
/// district or university → street or college → community or enterprise committee → branch.
#[Object]
impl Organization {
    /// Global id, for `node(id)`.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Organization, self.0.id)
    }

    /// Full name, e.g. 和平街道党工委.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The organization's own code in its home system, if any.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// Kind of organization.
    async fn kind(&self) -> Option<OrganizationKind> {
        rules::OrganizationKind::parse(&self.0.kind).map(Into::into)
    }

    /// Sector it works in.
    async fn sector(&self) -> Option<Sector> {
        rules::Sector::parse(&self.0.sector).map(Into::into)
    }

    /// Whether it is a "two new" organization (两新组织: non-public enterprise or social
    /// organization), derived from the sector.
    async fn is_two_new(&self) -> bool {
        self.0.is_two_new
    }

    /// Whether it may approve admissions and conversions (审批权限, 细则 Art. 23).
    async fn can_approve(&self) -> bool {
        self.0.can_approve
    }

    /// Whether it pre-reviews (预审) development targets (细则 Art. 19).
    async fn can_pre_review(&self) -> bool {
        self.0.can_pre_review
    }

    /// Number of Party members (党员人数), the basis of meeting quorums.
    async fn member_count(&self) -> i32 {
        self.0.member_count
    }

    /// Depth in the tree: 0 for the root.
    async fn depth(&self) -> i32 {
        self.0.depth
    }

    /// False once deactivated (撤销); deactivated organizations are left out of lists unless
    /// asked for.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// The cases this organization handles itself (a branch's own cases), in creation order.
    /// Personal data: roles that may read candidates only.
    #[graphql(complexity = "super::weights::page(first, child_complexity)")]
    async fn candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> Result<super::candidate::CandidateConnection> {
        let actor = ctx.actor()?;
        if !actor.may(crate::domain::Permission::ReadCandidates) {
            return Err(AppError::Forbidden(format!(
                "role {} may not read candidates (personal data)",
                actor.role
            ))
            .extend());
        }
        let args = ctx.page_args(first, after.as_deref())?;
        let key = crate::db::candidate::CasesPageKey {
            organization_id: self.0.id,
            after_id: args.after_id.unwrap_or(0),
            limit: args.limit,
        };
        let page = ctx
            .load_one::<super::loaders::CasesByOrganizationLoader, _>(key)
            .await?
            .unwrap_or(crate::db::Page {
                rows: vec![],
                has_next: false,
            });
        Ok(super::candidate::CandidateConnection::new(
            page,
            &args,
            |c| c.0.id,
            |c| Some(super::candidate::Candidate::shared(c)),
            super::candidate::CandidateCounter::Organization(self.0.id),
        ))
    }

    /// Cases in the pipeline now (every stage) in this organization's whole subtree, read from
    /// the counters kept with every step. Not personal data, but an indicator: roles that read
    /// indicators only (PARTNER gets `FORBIDDEN`).
    #[graphql(complexity = "super::weights::COUNT")]
    async fn candidate_count(&self, ctx: &Context<'_>) -> Result<i64> {
        crate::service::require(ctx.actor()?, crate::domain::Permission::ReadIndicators)?;
        Ok(ctx
            .load_one::<super::loaders::CandidateCountLoader, _>(self.0.id)
            .await?
            .unwrap_or(0))
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The parent organization; null for the root and for the root of your own subtree (what
    /// lies above your subtree is not shown).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        match self.0.parent_id {
            Some(pid) => load_visible(ctx, pid).await,
            None => Ok(None),
        }
    }

    /// Ancestors inside your subtree, from the root of your subtree down to the parent.
    #[graphql(complexity = "super::weights::unpaged(child_complexity)")]
    async fn ancestors(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        let mut ids = rules::path_ids(&self.0.path);
        ids.pop();
        load_visible_many(ctx, &ids).await
    }

    /// Direct children, in creation order.
    #[graphql(complexity = "super::weights::page(first, child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
        #[graphql(desc = "Include deactivated children.", default = false)] include_inactive: bool,
    ) -> Result<OrganizationConnection> {
        let actor = ctx.actor()?;
        let args = ctx.page_args(first, after.as_deref())?;
        let key = ChildrenPageKey {
            parent_id: self.0.id,
            after_id: args.after_id.unwrap_or(0),
            limit: args.limit,
            include_inactive,
        };
        let page = ctx
            .load_one::<super::loaders::ChildrenPageLoader, _>(key)
            .await?
            .unwrap_or(crate::db::Page {
                rows: vec![],
                has_next: false,
            });
        let fields = OrganizationCounter(CountSource::Children(self.0.id, include_inactive));
        Ok(OrganizationConnection::new(
            page,
            &args,
            |o| o.id,
            |o| Organization::visible(actor, o),
            fields,
        ))
    }
}

/// What a connection's `totalCount` counts.
#[derive(Clone)]
enum CountSource {
    Filter(Total<OrganizationFilter>),
    Children(i64, bool),
}

/// Counts the rows of an organization connection.
pub struct OrganizationCounter(CountSource);

connection_type!(
    OrganizationConnection,
    OrganizationEdge,
    Organization,
    OrganizationCounter,
    "organizations"
);

impl OrganizationCounter {
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        match &self.0 {
            CountSource::Filter(total) => Ok(total.count(&ctx.state().db).await?),
            CountSource::Children(id, inactive) => Ok(ctx
                .load_one::<super::loaders::ChildCountLoader, _>((*id, *inactive))
                .await?
                .unwrap_or(0)),
        }
    }
}

/// Organization queries.
#[derive(Default)]
pub struct OrganizationQuery;

#[Object]
impl OrganizationQuery {
    /// One organization of your subtree. Anything outside it is `NOT_FOUND`, exactly as if it
    /// did not exist.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the organization.")] id: ID,
    ) -> Result<Option<Organization>> {
        let actor = ctx.actor()?;
        let id = ids::decode(NodeType::Organization, &id, "id")?;
        let org = service::get_visible(&ctx.state().db, actor, id).await?;
        Ok(Some(Organization::visible_or_not_found(actor, org)?))
    }

    /// Organizations of a subtree (yours by default), in creation order.
    #[graphql(complexity = "super::weights::page(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Root of the subtree (itself included); default: your organization.")]
        under: Option<ID>,
        #[graphql(desc = "Only organizations of this kind.")] kind: Option<OrganizationKind>,
        #[graphql(
            desc = "Only names containing this text as written (`%` and `_` are not wildcards)."
        )]
        search: Option<String>,
        #[graphql(desc = "Include deactivated organizations.", default = false)]
        include_inactive: bool,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> Result<OrganizationConnection> {
        let actor = ctx.actor()?;
        let only = service::OrganizationsOnly {
            kind: kind.map(Into::into),
            search: super::args::search(search)?,
            include_inactive,
        };
        let (query, args) = ctx.list_query(under, first, after.as_deref(), only)?;
        let listed = service::list(&ctx.state().db, actor, query).await?;
        Ok(OrganizationConnection::new(
            listed.page,
            &args,
            |o| o.id,
            |o| Organization::visible(actor, o),
            OrganizationCounter(CountSource::Filter(listed.total)),
        ))
    }
}

/// Input of `createOrganization`.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// The parent, inside your subtree.
    pub parent_id: ID,
    /// Full name, 1–100 characters.
    pub name: String,
    /// The organization's own code in its home system.
    pub code: Option<String>,
    /// Kind of organization.
    pub kind: OrganizationKind,
    /// Sector it works in.
    pub sector: Sector,
    /// Approval authority; default from the kind and position. Setting true where the Rules
    /// never allow it is `RULE_VIOLATION` (rule `A1`).
    pub can_approve: Option<bool>,
    /// Pre-review authority; default: same as `canApprove` (rule `A2`).
    pub can_pre_review: Option<bool>,
    /// Number of Party members (default 0).
    pub member_count: Option<i32>,
}

/// Result of `createOrganization`.
#[derive(SimpleObject)]
pub struct CreateOrganizationPayload {
    /// The new organization.
    pub organization: Organization,
}

/// Input of `updateOrganization`: only the given fields change.
#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    /// The organization, inside your subtree.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// New code (empty string clears it).
    pub code: Option<String>,
    /// New kind (approval authority is re-checked).
    pub kind: Option<OrganizationKind>,
    /// New sector.
    pub sector: Option<Sector>,
    /// New approval authority (rule `A1`).
    pub can_approve: Option<bool>,
    /// New pre-review authority (rule `A2`).
    pub can_pre_review: Option<bool>,
    /// New member count.
    pub member_count: Option<i32>,
}

/// Result of `updateOrganization`.
#[derive(SimpleObject)]
pub struct UpdateOrganizationPayload {
    /// The organization as changed.
    pub organization: Organization,
}

/// Input of `moveOrganization`.
#[derive(InputObject)]
pub struct MoveOrganizationInput {
    /// The organization to move with its whole subtree (not the root of your own subtree).
    pub id: ID,
    /// The new parent, inside your subtree and not inside the moved subtree.
    pub new_parent_id: ID,
}

/// Result of `moveOrganization`.
#[derive(SimpleObject)]
pub struct MoveOrganizationPayload {
    /// The organization in its new place.
    pub organization: Organization,
}

/// Input of `deactivateOrganization`.
#[derive(InputObject)]
pub struct DeactivateOrganizationInput {
    /// The organization; it must have no active descendants and no active users.
    pub id: ID,
    /// Why (kept in the audit trail).
    pub reason: Option<String>,
}

/// Result of `deactivateOrganization`.
#[derive(SimpleObject)]
pub struct DeactivateOrganizationPayload {
    /// The deactivated organization.
    pub organization: Organization,
}

/// Organization mutations (ADMIN, inside their subtree).
#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// Creates an organization under a parent in your subtree.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new organization.")] input: CreateOrganizationInput,
    ) -> Result<CreateOrganizationPayload> {
        let actor = ctx.actor()?;
        let org = service::create(
            &ctx.state().db,
            actor,
            service::CreateOrganization {
                parent_id: ids::decode(NodeType::Organization, &input.parent_id, "parentId")?,
                name: input.name,
                code: input.code,
                kind: input.kind.into(),
                sector: input.sector.into(),
                can_approve: input.can_approve,
                can_pre_review: input.can_pre_review,
                member_count: input.member_count,
            },
        )
        .await?;
        Ok(CreateOrganizationPayload {
            organization: Organization::visible_or_not_found(actor, org)?,
        })
    }

    /// Changes an organization of your subtree.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields to change.")] input: UpdateOrganizationInput,
    ) -> Result<UpdateOrganizationPayload> {
        let actor = ctx.actor()?;
        let org = service::update(
            &ctx.state().db,
            actor,
            service::UpdateOrganization {
                id: ids::decode(NodeType::Organization, &input.id, "id")?,
                name: input.name,
                code: input.code,
                kind: input.kind.map(Into::into),
                sector: input.sector.map(Into::into),
                can_approve: input.can_approve,
                can_pre_review: input.can_pre_review,
                member_count: input.member_count,
            },
        )
        .await?;
        Ok(UpdateOrganizationPayload {
            organization: Organization::visible_or_not_found(actor, org)?,
        })
    }

    /// Moves an organization and its whole subtree under a new parent.
    async fn move_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to move, and where.")] input: MoveOrganizationInput,
    ) -> Result<MoveOrganizationPayload> {
        let actor = ctx.actor()?;
        let id = ids::decode(NodeType::Organization, &input.id, "id")?;
        let parent = ids::decode(NodeType::Organization, &input.new_parent_id, "newParentId")?;
        let org = service::move_to(&ctx.state().db, actor, id, parent).await?;
        ctx.state().users_changed();
        Ok(MoveOrganizationPayload {
            organization: Organization::visible_or_not_found(actor, org)?,
        })
    }

    /// Deactivates (撤销) an organization with no active descendants and no active users.
    async fn deactivate_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to deactivate, and why.")] input: DeactivateOrganizationInput,
    ) -> Result<DeactivateOrganizationPayload> {
        let actor = ctx.actor()?;
        let id = ids::decode(NodeType::Organization, &input.id, "id")?;
        let org = service::deactivate(&ctx.state().db, actor, id, input.reason).await?;
        ctx.state().users_changed();
        Ok(DeactivateOrganizationPayload {
            organization: Organization::visible_or_not_found(actor, org)?,
        })
    }
}
