//! Plans and revisions; the admissions and pipeline counts that plans are checked against.

use super::raw;
use crate::domain::organization::subtree_upper_bound;
use chrono::NaiveDate;
use entity::{guidance_plan, plan_revision};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, FromQueryResult, QueryOrder, Value};
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

/// One admitted new member, with what the structure categories need.
#[derive(Debug, Clone, FromQueryResult)]
pub struct AdmissionRow {
    pub path: String,
    pub is_two_new: bool,
    pub approved_on: NaiveDate,
    pub admission_meeting_on: Option<NaiveDate>,
    pub birth_date: NaiveDate,
    pub gender: String,
    pub ethnicity: String,
    pub education: String,
    pub occupations: String,
    pub is_frontline: bool,
    pub is_high_level_talent: bool,
}

/// New probationary members approved in a subtree between two dates (both included), not
/// invalidated.
pub async fn admissions(
    db: &impl ConnectionTrait,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<AdmissionRow>, DbErr> {
    let sql = "SELECT o.path AS path, o.is_two_new AS is_two_new, c.approved_on AS approved_on, \
               c.admission_meeting_on AS admission_meeting_on, p.birth_date AS birth_date, p.gender AS gender, \
               p.ethnicity AS ethnicity, p.education AS education, p.occupations AS occupations, \
               p.is_frontline AS is_frontline, p.is_high_level_talent AS is_high_level_talent \
               FROM candidates c JOIN people p ON p.id = c.person_id JOIN organizations o ON o.id = c.organization_id \
               WHERE o.path >= $1 AND o.path < $2 AND c.approved_on >= $3 AND c.approved_on <= $4 AND c.invalidated = $5";
    let values: Vec<Value> = vec![
        path.into(),
        subtree_upper_bound(path).into(),
        from.into(),
        to.into(),
        false.into(),
    ];
    AdmissionRow::find_by_statement(raw(db.get_database_backend(), sql, values))
        .all(db)
        .await
}

#[derive(FromQueryResult)]
struct StageCount {
    stage: String,
    n: i64,
}

/// Current cases per stage in a subtree (not invalidated).
pub async fn stage_counts(
    db: &impl ConnectionTrait,
    path: &str,
) -> Result<HashMap<String, i64>, DbErr> {
    let sql = "SELECT c.stage AS stage, COUNT(*) AS n FROM candidates c JOIN organizations o ON o.id = c.organization_id \
               WHERE o.path >= $1 AND o.path < $2 AND c.invalidated = $3 GROUP BY c.stage";
    let values: Vec<Value> = vec![path.into(), subtree_upper_bound(path).into(), false.into()];
    let rows = StageCount::find_by_statement(raw(db.get_database_backend(), sql, values))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.stage, r.n)).collect())
}
