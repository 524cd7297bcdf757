//! Guidance plans: recorded as issued (every change a revision), read back as of any date, and
//! checked against the pipeline's admissions (findings, not refusals).

use super::require;
use crate::db::{self, audit::AuditRecord};
use crate::domain::organization::{path_contains, path_ids};
use crate::domain::pipeline::dates::years_between;
use crate::domain::plan::{
    self as rules, Actuals, AdmissionFacts, ChildRow, Finding, PlanContent, PlanLine,
};
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};
use chrono::{Datelike, NaiveDate};
use entity::{guidance_plan, organization, plan_revision};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use serde_json::json;
use std::collections::HashMap;

/// A plan as of a date: the plan, its organization and the revision in force.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: guidance_plan::Model,
    pub organization: organization::Model,
    pub revision: plan_revision::Model,
    pub content: PlanContent,
    pub as_of: NaiveDate,
}

/// Input of `setGuidancePlan`.
pub struct SetPlan {
    pub organization_id: i64,
    pub year: i32,
    pub line: PlanLine,
    pub issuer_organization_id: i64,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub content: PlanContent,
}

/// Records a plan as issued, or a new revision of it (mid-year dispatch, re-allocation).
pub async fn set(db: &DatabaseConnection, actor: &Actor, input: SetPlan) -> AppResult<PlanView> {
    require(actor, Permission::ManagePipeline)?;
    if !(2000..=2100).contains(&input.year) {
        return Err(AppError::bad_input(
            "year",
            "年度无效",
            "the year is out of range",
        ));
    }
    rules::validate(&input.content, input.year)?;
    let txn = db.begin().await?;
    let issuer =
        super::organization::get_visible(&txn, actor, input.issuer_organization_id).await?;
    let org = super::organization::get_visible(&txn, actor, input.organization_id).await?;
    if !path_contains(&issuer.path, &org.path) || issuer.id == org.id {
        return Err(AppError::bad_input(
            "organizationId",
            "计划对象须在下达计划的组织之下（不能给本级下达计划）",
            "the plan's organization must lie below the issuer (a level does not issue its own plan)",
        ));
    }
    let plan = match db::plan::find(&txn, org.id, input.year, input.line.as_str()).await? {
        // A plan issued from above the actor's organization is not the actor's to revise.
        Some(p) => {
            let original = db::organization::find_by_id(&txn, p.issuer_organization_id).await?;
            if !original.is_some_and(|o| actor.can_see(&o.path)) {
                return Err(AppError::Forbidden(
                    "该计划由上级下达，本级不能修改 / the plan was issued above your organization; only that level revises it".into(),
                ));
            }
            p
        }
        None => db::plan::insert(&txn, org.id, input.year, input.line.as_str(), issuer.id).await?,
    };
    let revisions = db::plan::revisions(&txn, plan.id).await?;
    let next = revisions.last().map_or(1, |r| r.revision + 1);
    let reason = if input.reason.trim().is_empty() && next > 1 {
        return Err(AppError::bad_input(
            "reason",
            "修改计划须说明理由",
            "a revision needs a reason",
        ));
    } else {
        input.reason.trim().to_string()
    };
    let content = serde_json::to_string(&input.content).map_err(AppError::internal)?;
    let revision = db::plan::add_revision(
        &txn,
        plan.id,
        next,
        input.effective_on,
        actor.user_id,
        &reason,
        &content,
    )
    .await?;
    db::audit::record(
        &txn,
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: Some(org.id),
            action: "plan.set",
            subject_type: "guidance_plan",
            subject_id: Some(plan.id),
            detail: json!({ "revision": next, "total": input.content.total, "reason": reason }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(PlanView {
        plan,
        organization: org,
        revision,
        content: input.content,
        as_of: input.effective_on,
    })
}

fn content_of(r: &plan_revision::Model) -> AppResult<PlanContent> {
    serde_json::from_str(&r.content).map_err(AppError::internal)
}

/// The plan of an organization of the actor's subtree as of a date (the latest revision
/// effective on or before it); `NOT_FOUND` when there is none.
/// Plans carry admissions so far and findings (indicators): the roles that read indicators.
pub fn may_read(actor: &Actor) -> AppResult<()> {
    super::require(actor, crate::domain::Permission::ReadIndicators)
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    organization_id: i64,
    year: i32,
    line: PlanLine,
    as_of: NaiveDate,
) -> AppResult<PlanView> {
    let org = super::organization::get_visible(db, actor, organization_id).await?;
    let plan = db::plan::find(db, org.id, year, line.as_str())
        .await?
        .ok_or(AppError::NotFound("guidance plan"))?;
    let revision = db::plan::revisions(db, plan.id)
        .await?
        .into_iter()
        .rfind(|r| r.effective_on <= as_of)
        .ok_or(AppError::NotFound(
            "guidance plan (not yet in force on that date)",
        ))?;
    let content = content_of(&revision)?;
    Ok(PlanView {
        plan,
        organization: org,
        revision,
        content,
        as_of,
    })
}

/// All revisions of a plan.
pub async fn revisions(
    db: &impl ConnectionTrait,
    plan_id: i64,
) -> AppResult<Vec<plan_revision::Model>> {
    Ok(db::plan::revisions(db, plan_id).await?)
}

/// The children's plans (the allocation rows) as of the plan's date.
pub async fn allocations(db: &impl ConnectionTrait, view: &PlanView) -> AppResult<Vec<PlanView>> {
    let rows = db::plan::children_plans(
        db,
        view.organization.id,
        view.plan.year,
        &view.plan.line,
        view.as_of,
    )
    .await?;
    rows.into_iter()
        .map(|(org, plan, revision)| {
            Ok(PlanView {
                content: content_of(&revision)?,
                plan,
                organization: org,
                revision,
                as_of: view.as_of,
            })
        })
        .collect()
}

/// Admissions (new probationary members approved) of a subtree in the plan year up to `as_of`.
pub async fn admissions(
    db: &impl ConnectionTrait,
    path: &str,
    year: i32,
    as_of: NaiveDate,
) -> AppResult<Vec<db::plan::AdmissionRow>> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year, 12, 31)
        .unwrap_or_default()
        .min(as_of);
    Ok(db::plan::admissions(db, path, from, to).await?)
}

/// The structure facts of one admission.
pub fn facts(r: &db::plan::AdmissionRow) -> AdmissionFacts {
    AdmissionFacts {
        age: years_between(
            r.birth_date,
            r.admission_meeting_on.unwrap_or(r.approved_on),
        ),
        female: r.gender == "FEMALE",
        ethnicity: r.ethnicity.clone(),
        education: r.education.clone(),
        occupations: r.occupations.split(',').map(String::from).collect(),
        is_frontline: r.is_frontline,
        is_two_new: r.is_two_new,
    }
}

/// Admissions and pipeline counts of a subtree.
pub async fn actuals(
    db: &impl ConnectionTrait,
    path: &str,
    year: i32,
    as_of: NaiveDate,
) -> AppResult<(Actuals, Vec<db::plan::AdmissionRow>)> {
    let rows = admissions(db, path, year, as_of).await?;
    let mut a = Actuals::default();
    for r in &rows {
        if r.is_high_level_talent {
            a.talent_exempt += 1;
            continue;
        }
        a.admitted += 1;
        for c in rules::categories_of(&facts(r)) {
            *a.by_category.entry(c.as_str().to_string()).or_default() += 1;
        }
    }
    let stages = db::plan::stage_counts(db, path).await?;
    let n = |s: &str| stages.get(s).copied().unwrap_or(0) as u32;
    a.applicants = n("APPLICANT");
    a.activists = n("ACTIVIST");
    a.targets = n("DEVELOPMENT_TARGET");
    Ok((a, rows))
}

/// Admissions (not talent-exempt) per direct child of the organization at `path`.
pub fn per_child(rows: &[db::plan::AdmissionRow], depth: usize) -> HashMap<i64, u32> {
    let mut out = HashMap::new();
    for r in rows.iter().filter(|r| !r.is_high_level_talent) {
        if let Some(child) = path_ids(&r.path).get(depth + 1) {
            *out.entry(*child).or_default() += 1;
        }
    }
    out
}

/// The findings Q1–Q10 of a plan as of a date.
pub async fn findings(db: &impl ConnectionTrait, view: &PlanView) -> AppResult<Vec<Finding>> {
    let year = view.plan.year;
    let (actuals, rows) = actuals(db, &view.organization.path, year, view.as_of).await?;
    let by_child = per_child(&rows, view.organization.depth as usize);
    let allocations = allocations(db, view).await?;
    let children: Vec<ChildRow> = allocations
        .iter()
        .map(|a| ChildRow {
            organization_id: a.organization.id,
            name: a.organization.name.clone(),
            content: a.content.clone(),
            admitted: by_child.get(&a.organization.id).copied().unwrap_or(0),
        })
        .collect();
    let months_passed = if view.as_of.year() > year {
        12
    } else if view.as_of.year() < year {
        0
    } else {
        view.as_of.month() - 1
    };
    let period_end_month = view
        .content
        .completion_month
        .as_deref()
        .and_then(rules::parse_month)
        .map(|(_, m)| m)
        .unwrap_or(12);
    let period_over = months_passed >= period_end_month;
    let mut out = rules::findings(
        &view.content,
        &children,
        &actuals,
        period_over,
        months_passed,
        year,
    );
    if !allocations.is_empty() {
        let org_children = db::organization::children_pages(
            db,
            &[db::organization::ChildrenPageKey {
                parent_id: view.organization.id,
                after_id: 0,
                limit: 1000,
                include_inactive: true,
            }],
        )
        .await?;
        for page in org_children.values() {
            for child in &page.rows {
                if !allocations.iter().any(|a| a.organization.id == child.id)
                    && let Some(f) = rules::outside_plan(
                        &child.name,
                        child.id,
                        by_child.get(&child.id).copied().unwrap_or(0),
                    )
                {
                    out.push(f);
                }
            }
        }
    }
    Ok(out)
}
