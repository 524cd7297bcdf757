//! Plans and revisions (what plans are checked against is read from the counters).

use crate::domain::organization::subtree_upper_bound;
use chrono::NaiveDate;
use entity::{guidance_plan, plan_revision};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};
use std::collections::HashMap;

/// The plan of (organization, year, line), if any.
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: i64,
    year: i32,
    line: &str,
) -> Result<Option<guidance_plan::Model>, DbErr> {
    guidance_plan::Entity::find()
        .filter(guidance_plan::Column::OrganizationId.eq(organization_id))
        .filter(guidance_plan::Column::Year.eq(year))
        .filter(guidance_plan::Column::Line.eq(line))
        .one(db)
        .await
}

/// Creates the plan row.
pub async fn insert(
    db: &impl ConnectionTrait,
    organization_id: i64,
    year: i32,
    line: &str,
    issuer: i64,
) -> Result<guidance_plan::Model, DbErr> {
    guidance_plan::ActiveModel {
        organization_id: Set(organization_id),
        year: Set(year),
        line: Set(line.into()),
        issuer_organization_id: Set(issuer),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// All revisions of a plan, oldest first.
pub async fn revisions(
    db: &impl ConnectionTrait,
    plan_id: i64,
) -> Result<Vec<plan_revision::Model>, DbErr> {
    plan_revision::Entity::find()
        .filter(plan_revision::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_revision::Column::Revision)
        .all(db)
        .await
}

/// Appends a revision.
pub async fn add_revision(
    db: &impl ConnectionTrait,
    plan_id: i64,
    revision: i32,
    effective_on: NaiveDate,
    actor: i64,
    reason: &str,
    content: &str,
) -> Result<plan_revision::Model, DbErr> {
    plan_revision::ActiveModel {
        plan_id: Set(plan_id),
        revision: Set(revision),
        effective_on: Set(effective_on),
        recorded_at: Set(chrono::Utc::now()),
        actor_user_id: Set(actor),
        reason: Set(reason.into()),
        content: Set(content.into()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The plans of the direct children of an organization for (year, line), with their latest
/// revision effective on `as_of`.
pub async fn children_plans(
    db: &impl ConnectionTrait,
    parent_id: i64,
    year: i32,
    line: &str,
    as_of: NaiveDate,
) -> Result<
    Vec<(
        entity::organization::Model,
        guidance_plan::Model,
        plan_revision::Model,
    )>,
    DbErr,
> {
    let children = entity::organization::Entity::find()
        .filter(entity::organization::Column::ParentId.eq(parent_id))
        .order_by_asc(entity::organization::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let plans = guidance_plan::Entity::find()
        .filter(guidance_plan::Column::OrganizationId.is_in(ids))
        .filter(guidance_plan::Column::Year.eq(year))
        .filter(guidance_plan::Column::Line.eq(line))
        .all(db)
        .await?;
    let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    let revs = plan_revision::Entity::find()
        .filter(plan_revision::Column::PlanId.is_in(plan_ids))
        .filter(plan_revision::Column::EffectiveOn.lte(as_of))
        .order_by_asc(plan_revision::Column::Revision)
        .all(db)
        .await?;
    let mut latest: HashMap<i64, plan_revision::Model> = HashMap::new();
    for r in revs {
        latest.insert(r.plan_id, r);
    }
    let mut out = vec![];
    for c in children {
        if let Some(p) = plans.iter().find(|p| p.organization_id == c.id)
            && let Some(r) = latest.get(&p.id)
        {
            out.push((c.clone(), p.clone(), r.clone()));
        }
    }
    Ok(out)
}

/// Plans of a subtree for a year (all lines).
pub async fn under(
    db: &impl ConnectionTrait,
    path: &str,
    year: i32,
) -> Result<Vec<guidance_plan::Model>, DbErr> {
    let orgs = sea_orm::sea_query::Query::select()
        .column(entity::organization::Column::Id)
        .from(entity::organization::Entity)
        .and_where(entity::organization::Column::Path.gte(path.to_string()))
        .and_where(entity::organization::Column::Path.lt(subtree_upper_bound(path)))
        .to_owned();
    guidance_plan::Entity::find()
        .filter(guidance_plan::Column::OrganizationId.in_subquery(orgs))
        .filter(guidance_plan::Column::Year.eq(year))
        .order_by_asc(guidance_plan::Column::Id)
        .all(db)
        .await
}
