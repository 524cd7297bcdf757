//! Organization use cases: read within scope, create, update, move, deactivate.

use super::list::{ListQuery, Listed, Total};
use super::require;
use crate::db::{
    self,
    audit::AuditRecord,
    organization::{NewOrganization, OrganizationFilter},
};
use crate::domain::organization::{
    self as rules, OrganizationKind, Sector, check_parent, decide_can_approve,
    decide_can_pre_review,
};
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};
use entity::organization::Model;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

/// Loads an organization the actor may see; anything else, existing or not, is `NOT_FOUND`.
pub async fn get_visible(db: &impl ConnectionTrait, actor: &Actor, id: i64) -> AppResult<Model> {
    require(actor, Permission::ReadOrganizations)?;
    match db::organization::find_by_id(db, id).await? {
        Some(org) if actor.can_see(&org.path) => Ok(org),
        _ => Err(AppError::NotFound("organization")),
    }
}

/// The subtree root to list under: the given organization (visible) or the actor's own.
pub async fn resolve_under(
    db: &impl ConnectionTrait,
    actor: &Actor,
    under: Option<i64>,
) -> AppResult<String> {
    match under {
        Some(id) => Ok(get_visible(db, actor, id).await?.path),
        None => Ok(actor.scope_path.clone()),
    }
}

/// What an organization list keeps.
#[derive(Debug, Clone, Default)]
pub struct OrganizationsOnly {
    /// Only organizations of this kind.
    pub kind: Option<OrganizationKind>,
    /// Only names containing this text.
    pub search: Option<String>,
    /// Deactivated organizations too.
    pub include_inactive: bool,
}

/// Lists organizations under a subtree root in the actor's scope.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    query: ListQuery<OrganizationsOnly>,
) -> AppResult<Listed<Model, OrganizationFilter>> {
    let filter = OrganizationFilter {
        under_path: resolve_under(db, actor, query.under).await?,
        kind: query.only.kind.map(|k| k.as_str().to_string()),
        search: query.only.search,
        include_inactive: query.only.include_inactive,
    };
    let page = db::organization::list(db, &filter, query.after_id, query.limit).await?;
    Ok(Listed {
        page,
        total: Total(filter),
    })
}

impl Total<OrganizationFilter> {
    /// The number of organizations the list matches.
    pub async fn count(&self, db: &DatabaseConnection) -> AppResult<i64> {
        Ok(db::organization::count(db, &self.0).await? as i64)
    }
}

fn parse_kind(s: &str) -> AppResult<OrganizationKind> {
    OrganizationKind::parse(s)
        .ok_or_else(|| AppError::bad_input("kind", "未知的组织类型", "unknown organization kind"))
}

fn parse_sector(s: &str) -> AppResult<Sector> {
    Sector::parse(s).ok_or_else(|| AppError::bad_input("sector", "未知的领域", "unknown sector"))
}

/// Input of `createOrganization`.
pub struct CreateOrganization {
    pub parent_id: i64,
    pub name: String,
    pub code: Option<String>,
    pub kind: OrganizationKind,
    pub sector: Sector,
    pub can_approve: Option<bool>,
    pub can_pre_review: Option<bool>,
    pub member_count: Option<i32>,
}

/// Creates an organization under a parent in the actor's subtree.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: CreateOrganization,
) -> AppResult<Model> {
    require(actor, Permission::ManageOrganizations)?;
    let txn = crate::db::begin_write(db).await?;
    let parent = get_visible(&txn, actor, input.parent_id).await?;
    if !parent.active {
        return Err(AppError::Conflict(
            "上级组织已撤销 / the parent organization is deactivated".into(),
        ));
    }
    let parent_kind = parse_kind(&parent.kind)?;
    check_parent(parent_kind)?;
    let name = rules::parse_name(&input.name)?;
    let member_count = rules::parse_member_count(input.member_count.unwrap_or(0))?;
    let can_approve = decide_can_approve(input.kind, Some(parent_kind), input.can_approve)?;
    let can_pre_review = decide_can_pre_review(input.kind, can_approve, input.can_pre_review)?;
    let org = db::organization::insert(
        &txn,
        NewOrganization {
            parent: Some(parent),
            name,
            code: input
                .code
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty()),
            kind: input.kind.as_str().into(),
            sector: input.sector.as_str().into(),
            is_two_new: input.sector.is_two_new(),
            can_approve,
            can_pre_review,
            member_count,
        },
    )
    .await?;
    audit(
        &txn,
        actor,
        "organization.create",
        &org,
        json!({ "name": org.name, "kind": org.kind, "parentId": org.parent_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(org)
}

/// Input of `updateOrganization`: only the given fields change.
#[derive(Default)]
pub struct UpdateOrganization {
    pub id: i64,
    pub name: Option<String>,
    pub code: Option<String>,
    pub kind: Option<OrganizationKind>,
    pub sector: Option<Sector>,
    pub can_approve: Option<bool>,
    pub can_pre_review: Option<bool>,
    pub member_count: Option<i32>,
}

/// Updates an organization in the actor's subtree, re-checking the approval rules.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    input: UpdateOrganization,
) -> AppResult<Model> {
    require(actor, Permission::ManageOrganizations)?;
    if input.id == actor.organization_id {
        // Its kind and authority are set from above, like its place in the tree.
        return Err(AppError::Forbidden(
            "不能修改本级组织，须由上级办理 / your own organization is changed by the level above"
                .into(),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let org = get_visible(&txn, actor, input.id).await?;
    let parent_kind = match org.parent_id {
        Some(pid) => db::organization::find_by_id(&txn, pid)
            .await?
            .map(|p| parse_kind(&p.kind))
            .transpose()?,
        None => None,
    };
    let kind = match input.kind {
        Some(k) => k,
        None => parse_kind(&org.kind)?,
    };
    let sector = match input.sector {
        Some(s) => s,
        None => parse_sector(&org.sector)?,
    };
    // An unchanged kind keeps its stored authority; a new kind starts from its default.
    let requested_approve = input
        .can_approve
        .or(input.kind.is_none().then_some(org.can_approve));
    let can_approve = decide_can_approve(kind, parent_kind, requested_approve)?;
    // The stored pre-review flag stays unless it is no longer allowed (then the default applies).
    let keep_pre_review = !org.can_pre_review
        || can_approve
        || kind == OrganizationKind::CountyOrganizationDepartment;
    let requested_pre_review = input
        .can_pre_review
        .or(keep_pre_review.then_some(org.can_pre_review));
    let can_pre_review = decide_can_pre_review(kind, can_approve, requested_pre_review)?;
    if input.kind.is_some()
        && !kind.may_have_children()
        && db::organization::count_active_descendants(&txn, &org.path).await? > 0
    {
        return Err(AppError::bad_input(
            "kind",
            "该组织有下级组织，不能改为党支部",
            "an organization with children cannot become a leaf kind",
        ));
    }
    // Cases are kept where applications are received: a branch with open cases stays such a
    // kind until they are transferred (else they would sit in a committee).
    if input.kind.is_some()
        && !kind.receives_applications()
        && db::candidate::has_open_cases(&txn, org.id).await?
    {
        return Err(AppError::bad_input(
            "kind",
            "该组织有在培养的案件，须先转接才能改为不接收入党申请的组织类型",
            "an organization with open cases cannot become a kind that does not keep cases; transfer them first",
        ));
    }
    let before = json!({ "name": org.name, "kind": org.kind, "sector": org.sector, "canApprove": org.can_approve, "canPreReview": org.can_pre_review, "memberCount": org.member_count, "code": org.code });
    let two_new_changed = sector.is_two_new() != org.is_two_new;
    let details = db::organization::OrganizationDetails {
        name: input.name.as_deref().map(rules::parse_name).transpose()?,
        code: input.code.map(|code| {
            let code = code.trim().to_string();
            (!code.is_empty()).then_some(code)
        }),
        member_count: input
            .member_count
            .map(rules::parse_member_count)
            .transpose()?,
        kind,
        sector,
        can_approve,
        can_pre_review,
    };
    // A change of the two-new flag changes what this organization's admissions count as.
    let cases = if two_new_changed {
        db::candidate::ids_in_organization(&txn, org.id).await?
    } else {
        vec![]
    };
    let counted_before = super::counts::snapshot(&txn, &cases).await?;
    let org = db::organization::update_details(&txn, org, details).await?;
    let counted_after = super::counts::snapshot(&txn, &cases).await?;
    super::counts::apply_change(&txn, &counted_before, &counted_after).await?;
    audit(
        &txn,
        actor,
        "organization.update",
        &org,
        json!({ "before": before }),
    )
    .await?;
    txn.commit().await?;
    Ok(org)
}

/// Moves an organization (with its whole subtree) under a new parent; paths stay consistent.
pub async fn move_to(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    new_parent_id: i64,
) -> AppResult<Model> {
    require(actor, Permission::ManageOrganizations)?;
    let txn = crate::db::begin_write(db).await?;
    let org = get_visible(&txn, actor, id).await?;
    if org.path == actor.scope_path {
        return Err(AppError::Forbidden(
            "cannot move your own organization (the root of your scope)".into(),
        ));
    }
    let parent = get_visible(&txn, actor, new_parent_id).await?;
    if rules::path_contains(&org.path, &parent.path) {
        return Err(AppError::bad_input(
            "newParentId",
            "不能移到自身或其下级组织之下",
            "cannot move an organization under itself or its own descendant",
        ));
    }
    if !parent.active {
        return Err(AppError::Conflict(
            "上级组织已撤销 / the new parent organization is deactivated".into(),
        ));
    }
    let parent_kind = parse_kind(&parent.kind)?;
    check_parent(parent_kind)?;
    decide_can_approve(
        parse_kind(&org.kind)?,
        Some(parent_kind),
        Some(org.can_approve).filter(|v| *v),
    )?;
    if org.parent_id == Some(parent.id) {
        txn.commit().await?;
        return Ok(org);
    }
    let old_path = org.path.clone();
    let new_path = rules::child_path(Some(&parent.path), org.id);
    let depth_delta = parent.depth + 1 - org.depth;
    let old_parent_id = org.parent_id;
    db::organization::set_parent(&txn, org, parent.id).await?;
    let moved = db::organization::move_subtree(&txn, &old_path, &new_path, depth_delta).await?;
    let mut old_ancestors = rules::path_ids(&old_path);
    old_ancestors.pop();
    let new_ancestors = rules::path_ids(&parent.path);
    super::counts::move_subtree(&txn, id, &old_ancestors, &new_ancestors).await?;
    let org = db::organization::find_by_id(&txn, id)
        .await?
        .ok_or(AppError::NotFound("organization"))?;
    audit(&txn, actor, "organization.move", &org, json!({ "fromParentId": old_parent_id, "toParentId": parent.id, "oldPath": old_path, "newPath": new_path, "organizationsMoved": moved })).await?;
    txn.commit().await?;
    Ok(org)
}

/// Deactivates an organization with no active descendants and no active users.
pub async fn deactivate(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    reason: Option<String>,
) -> AppResult<Model> {
    require(actor, Permission::ManageOrganizations)?;
    let txn = crate::db::begin_write(db).await?;
    let org = get_visible(&txn, actor, id).await?;
    if org.path == actor.scope_path {
        return Err(AppError::Forbidden(
            "cannot deactivate your own organization (the root of your scope)".into(),
        ));
    }
    if !org.active {
        txn.commit().await?;
        return Ok(org);
    }
    let children = db::organization::count_active_descendants(&txn, &org.path).await?;
    let users = db::user::count_active_in_organization(&txn, org.id).await?;
    if children > 0 || users > 0 {
        return Err(AppError::Conflict(format!(
            "该组织仍有{children}个下级组织和{users}个用户 / the organization still has {children} active descendant organizations and {users} active users"
        )));
    }
    let org = db::organization::deactivate(&txn, org).await?;
    audit(
        &txn,
        actor,
        "organization.deactivate",
        &org,
        json!({ "reason": reason }),
    )
    .await?;
    txn.commit().await?;
    Ok(org)
}

async fn audit(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    org: &Model,
    detail: serde_json::Value,
) -> AppResult<()> {
    AuditRecord::by(actor, action, "organization", Some(org.id))
        .in_organization(org.id)
        .with(detail)
        .write(db)
        .await?;
    Ok(())
}
