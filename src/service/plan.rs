//! Guidance plans: recorded as issued (every change a revision), read back as of any date, and
//! checked against the pipeline's admissions (findings, not refusals).

use super::period::Period;
use super::require;
use crate::clock::today;
use crate::db::{self, audit::AuditRecord};
use crate::domain::organization::path_contains;
use crate::domain::plan::{
    self as rules, Actuals, Category, ChildRow, Finding, PlanContent, PlanLine, progress,
};
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::{guidance_plan, organization, plan_revision};
use sea_orm::{ConnectionTrait, DatabaseConnection};
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
    // A plan is issued during the year before its year at the earliest, and within its year.
    let earliest = NaiveDate::from_ymd_opt(input.year - 1, 1, 1);
    let latest = NaiveDate::from_ymd_opt(input.year, 12, 31);
    if earliest.is_some_and(|e| input.effective_on < e)
        || latest.is_some_and(|l| input.effective_on > l)
    {
        return Err(AppError::bad_input(
            "effectiveOn",
            format!(
                "生效日期须在{}年1月1日至{}年12月31日之间",
                input.year - 1,
                input.year
            ),
            format!(
                "the plan takes effect between {}-01-01 and {}-12-31",
                input.year - 1,
                input.year
            ),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
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

/// Adopts the plan proposed with a year-end report as the reporting organization's plan for
/// the next year, issued by the actor's organization.
pub async fn adopt_proposal(
    db: &DatabaseConnection,
    actor: &Actor,
    report_id: i64,
    effective_on: NaiveDate,
    reason: String,
) -> AppResult<PlanView> {
    require(actor, Permission::ManagePipeline)?;
    let (report, org) = super::report::get_visible(db, actor, report_id).await?;
    if report.created_by == actor.user_id {
        return Err(AppError::Forbidden(
            "报告的计划建议不能由提交人本人采用 / the user who submitted a report cannot adopt its proposal".into(),
        ));
    }
    if !matches!(
        report.status.as_str(),
        "SUBMITTED" | "RESUBMITTED" | "ACCEPTED"
    ) {
        return Err(AppError::Conflict(format!(
            "{}状态的报告不能采用其计划建议 / the plan proposed with a {} report cannot be adopted",
            report.status, report.status
        )));
    }
    let content: PlanContent = report
        .proposed_plan
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(AppError::internal)?
        .ok_or_else(|| {
            AppError::bad_input(
                "reportId",
                "该报告没有下一年度计划建议",
                "the report proposes no plan for next year",
            )
        })?;
    // A replay (the proposal already in force as the latest revision) changes nothing.
    if let Some(p) = db::plan::find(db, org.id, report.year + 1, PlanLine::General.as_str()).await?
        && let Some(last) = db::plan::revisions(db, p.id).await?.last()
        && content_of(last)? == content
    {
        return Err(AppError::Conflict(
            "该计划建议已被采用，为现行计划 / the proposal is already the plan in force".into(),
        ));
    }
    let reason = if reason.trim().is_empty() {
        format!(
            "采用{}年度报告的计划建议 / adopted from the year-end report",
            report.year
        )
    } else {
        reason
    };
    set(
        db,
        actor,
        SetPlan {
            organization_id: org.id,
            year: report.year + 1,
            line: PlanLine::General,
            issuer_organization_id: actor.organization_id,
            effective_on,
            reason,
            content,
        },
    )
    .await
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

/// What a plan is judged against, from the counters: admissions of the plan year up to the
/// plan's date by category and by month, and the current reserve pools, for the plan's
/// organization and each of the given organizations below it.
pub async fn actuals(
    db: &impl ConnectionTrait,
    view: &PlanView,
    others: &[i64],
) -> AppResult<HashMap<i64, Actuals>> {
    let year = view.plan.year;
    let mut orgs = vec![view.organization.id];
    orgs.extend(
        others
            .iter()
            .copied()
            .filter(|o| *o != view.organization.id),
    );
    let path = &view.organization.path;
    let period = Period::year(year, view.as_of);
    let counters = super::period::counters(db, path, &orgs, &period, today()).await?;
    let mut monthly = super::period::monthly_admitted(db, path, &orgs, year, view.as_of).await?;
    Ok(orgs
        .iter()
        .map(|o| {
            let k = counters.get(o).cloned().unwrap_or_default();
            let n = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
            let a = Actuals {
                admitted: n(k.get(year, "admitted", "ALL")),
                talent_exempt: n(k.get(year, "admitted", "TALENT")),
                by_category: Category::ALL
                    .iter()
                    .map(|c| (*c, n(k.get(year, "category", c.as_str()))))
                    .collect(),
                monthly: monthly.remove(o).unwrap_or_default(),
                applicants: n(k.get(0, "stage", "APPLICANT")),
                activists: n(k.get(0, "stage", "ACTIVIST")),
                targets: n(k.get(0, "stage", "DEVELOPMENT_TARGET")),
                applicants_two_new: n(k.get(0, "stage_two_new", "APPLICANT")),
                activists_two_new: n(k.get(0, "stage_two_new", "ACTIVIST")),
            };
            (*o, a)
        })
        .collect())
}

/// The findings Q1–Q12 of a plan as of its date.
pub async fn findings(db: &impl ConnectionTrait, view: &PlanView) -> AppResult<Vec<Finding>> {
    let year = view.plan.year;
    let allocations = allocations(db, view).await?;
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
    let children_orgs: Vec<organization::Model> =
        org_children.into_values().flat_map(|p| p.rows).collect();
    let ids: Vec<i64> = children_orgs.iter().map(|c| c.id).collect();
    let mut actuals = actuals(db, view, &ids).await?;
    let own = actuals.remove(&view.organization.id).unwrap_or_default();
    let children: Vec<ChildRow> = allocations
        .iter()
        .map(|a| ChildRow {
            organization_id: a.organization.id,
            name: a.organization.name.clone(),
            content: a.content.clone(),
            actuals: actuals.get(&a.organization.id).cloned().unwrap_or_default(),
        })
        .collect();
    let mut out = rules::findings(
        &view.content,
        &children,
        &own,
        progress::months_ended(year, view.as_of),
    );
    if !allocations.is_empty() {
        for child in &children_orgs {
            if !allocations.iter().any(|a| a.organization.id == child.id)
                && let Some(f) = rules::outside_plan(
                    &child.name,
                    child.id,
                    actuals.get(&child.id).map_or(0, |a| a.admitted),
                )
            {
                out.push(f);
            }
        }
    }
    Ok(out)
}
