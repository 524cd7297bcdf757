//! Reports to higher levels: draft → submitted → returned (with a reason) → resubmitted →
//! accepted (locked). A submission snapshots the computed indicators; declared figures that
//! differ are findings. Partner submission is idempotent by key.

use super::require;
use crate::db::{self, audit::AuditRecord};
use crate::domain::organization::path_ids;
use crate::domain::report::{Locked, ReportPeriod, ReportStatus, next_status};
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::{organization, report};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// Input of `submitReport`.
pub struct Submission {
    pub organization_id: i64,
    pub year: i32,
    pub period: String,
    pub declared: Map<String, Value>,
    pub narrative: String,
    pub attachments: Vec<(String, String)>,
    pub submitted_on: NaiveDate,
    pub draft: bool,
    pub idempotency_key: Option<String>,
    /// The next year's proposed plan (ANNUAL reports: the year-end package).
    pub proposed_plan: Option<crate::domain::plan::PlanContent>,
}

/// What a submission produced.
pub struct Submitted {
    pub report: report::Model,
    pub replayed: bool,
}

/// Loads a report whose organization is in the actor's subtree; else `NOT_FOUND`.
pub async fn get_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<(report::Model, organization::Model)> {
    let r = db::report::find_by_id(db, id)
        .await?
        .ok_or(AppError::NotFound("report"))?;
    let org = db::organization::find_by_id(db, r.organization_id)
        .await?
        .ok_or(AppError::NotFound("report"))?;
    if actor.can_see(&org.path) {
        Ok((r, org))
    } else {
        Err(AppError::NotFound("report"))
    }
}

fn hash(s: &Submission) -> String {
    let mut h = Sha256::new();
    h.update(json!({ "o": s.organization_id, "y": s.year, "p": s.period, "d": s.declared, "n": s.narrative, "a": s.attachments, "on": s.submitted_on, "draft": s.draft, "plan": s.proposed_plan }).to_string());
    format!("{:x}", h.finalize())
}

/// Refuses a submission that is invalid in itself: an unknown period, a proposed plan other
/// than with an ANNUAL report (or invalid), declared figures that are not numbers.
fn check(s: &Submission) -> AppResult<()> {
    if ReportPeriod::parse(&s.period).is_none() {
        return Err(AppError::bad_input(
            "period",
            "未知的报告期",
            "unknown period",
        ));
    }
    if let Some(plan) = &s.proposed_plan {
        if s.period != ReportPeriod::Annual.as_str() {
            return Err(AppError::bad_input(
                "proposedPlan",
                "下一年度计划建议只随年度报告提交",
                "a proposed plan for the next year goes with an ANNUAL report only",
            ));
        }
        if s.year + 1 > 2100 {
            return Err(AppError::bad_input(
                "proposedPlan",
                "计划年度超出范围",
                "the proposed plan's year is out of range",
            ));
        }
        crate::domain::plan::validate(plan, s.year + 1)?;
    }
    if s.declared.values().any(|v| !v.is_number() && !v.is_null()) {
        return Err(AppError::bad_input(
            "declared",
            "申报数须为数字",
            "declared figures must be numbers",
        ));
    }
    Ok(())
}

/// Saves a draft or submits (or resubmits after a return).
pub async fn submit(db: &DatabaseConnection, actor: &Actor, s: Submission) -> AppResult<Submitted> {
    require(actor, Permission::SubmitReports)?;
    check(&s)?;
    let request_hash = hash(&s);
    let txn = crate::db::begin_write(db).await?;
    if let Some(key) = &s.idempotency_key
        && let Some(prev) = db::idempotency::find(&txn, actor.user_id, key).await?
    {
        if prev.request_hash != request_hash {
            return Err(AppError::Conflict(format!(
                "幂等键{key}已用于另一请求 / the idempotency key {key:?} was used for a different payload"
            )));
        }
        // A replay is authorized like a fresh call: the report must still be in scope.
        let (report, _) = get_visible(&txn, actor, prev.result_id).await?;
        return Ok(Submitted {
            report,
            replayed: true,
        });
    }
    let org = super::organization::get_visible(&txn, actor, s.organization_id).await?;
    let snapshot = if s.draft {
        Value::Object(Map::new())
    } else {
        // The report's own period, cut at the submission day: an H1 report filed in July holds
        // January–June exactly.
        let period = super::period::Period::named(s.year, &s.period, s.submitted_on)
            .unwrap_or_else(|| super::period::Period::year(s.year, s.submitted_on));
        let ind = super::indicators::of_organization(db, actor, org.clone(), period).await?;
        Value::Object(super::indicators::figures(&ind))
    };
    let report = write(&txn, actor, &org, &s, snapshot).await?;
    let action = if s.draft {
        "report.save_draft"
    } else {
        "report.submit"
    };
    audit(&txn, actor, action, &report).await?;
    if let Some(key) = &s.idempotency_key {
        db::idempotency::record(
            &txn,
            actor.user_id,
            key,
            "submitReport",
            &request_hash,
            report.id,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Submitted {
        report,
        replayed: false,
    })
}

/// Inserts the report, or updates the organization's report of the period (guarded by its
/// version), with the status the submission leads to.
async fn write(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    org: &organization::Model,
    s: &Submission,
    snapshot: Value,
) -> AppResult<report::Model> {
    let proposed_plan = s
        .proposed_plan
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(AppError::internal)?;
    let attachments = Value::Array(
        s.attachments
            .iter()
            .map(|(n, t)| json!({ "name": n, "text": t }))
            .collect(),
    )
    .to_string();
    let now = chrono::Utc::now();
    let existing = db::report::find(txn, org.id, s.year, &s.period).await?;
    let next = next_status(
        existing
            .as_ref()
            .and_then(|r| ReportStatus::parse(&r.status)),
        s.draft,
    )
    .map_err(|locked| {
        AppError::Conflict(
            match locked {
                Locked::Accepted => "报告已被接收并锁定 / the report was accepted and is locked",
                Locked::AwaitingReview => {
                    "报告已提交，待审核 / the report is submitted and awaits review"
                }
            }
            .into(),
        )
    })?;
    let row = report::ActiveModel {
        status: Set(next.as_str().into()),
        snapshot: Set(snapshot.to_string()),
        declared: Set(Value::Object(s.declared.clone()).to_string()),
        narrative: Set(s.narrative.clone()),
        attachments: Set(attachments),
        proposed_plan: Set(proposed_plan),
        submitted_on: Set(if s.draft {
            existing.as_ref().and_then(|r| r.submitted_on)
        } else {
            Some(s.submitted_on)
        }),
        updated_at: Set(now),
        ..Default::default()
    };
    let Some(r) = existing else {
        return Ok(db::report::insert(
            txn,
            report::ActiveModel {
                organization_id: Set(org.id),
                year: Set(s.year),
                period: Set(s.period.clone()),
                return_reason: Set(None),
                accepted_on: Set(None),
                version: Set(1),
                created_by: Set(actor.user_id),
                created_at: Set(now),
                ..row
            },
        )
        .await?);
    };
    if !db::report::update_if_version(txn, r.id, r.version, row).await? {
        return Err(AppError::Conflict(
            "报告已被并发修改 / the report changed concurrently".into(),
        ));
    }
    db::report::find_by_id(txn, r.id)
        .await?
        .ok_or(AppError::NotFound("report"))
}

async fn audit(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    r: &report::Model,
) -> AppResult<()> {
    db::audit::record(
        db,
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: Some(r.organization_id),
            action,
            subject_type: "report",
            subject_id: Some(r.id),
            detail: json!({ "status": r.status, "year": r.year, "period": r.period }),
        },
    )
    .await?;
    Ok(())
}

/// The collecting level returns (with a reason) or accepts a submitted report.
pub async fn review(
    db: &DatabaseConnection,
    events: &crate::events::Bus,
    actor: &Actor,
    id: i64,
    version: i32,
    accept: Option<NaiveDate>,
    reason: Option<String>,
) -> AppResult<report::Model> {
    require(actor, Permission::ManagePipeline)?;
    let txn = crate::db::begin_write(db).await?;
    let (r, org) = get_visible(&txn, actor, id).await?;
    if org.path == actor.scope_path {
        return Err(AppError::Forbidden(
            "a report is reviewed by a higher level".into(),
        ));
    }
    if r.created_by == actor.user_id {
        return Err(AppError::Forbidden(
            "报告不能由提交人本人审核 / the user who submitted a report cannot review it".into(),
        ));
    }
    if r.version != version {
        return Err(AppError::Conflict(format!(
            "报告已被修改（当前版本{}）/ the report changed: version {} is current",
            r.version, r.version
        )));
    }
    if !ReportStatus::parse(&r.status).is_some_and(ReportStatus::awaits_review) {
        return Err(AppError::Conflict(format!(
            "{}状态的报告不能审核 / a {} report cannot be reviewed",
            r.status, r.status
        )));
    }
    let row = match accept {
        Some(on) => report::ActiveModel {
            status: Set(ReportStatus::Accepted.as_str().into()),
            accepted_on: Set(Some(on)),
            updated_at: Set(chrono::Utc::now()),
            ..Default::default()
        },
        None => {
            let reason = reason
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .ok_or_else(|| {
                    AppError::bad_input("reason", "退回须说明理由", "a return needs a reason")
                })?;
            report::ActiveModel {
                status: Set(ReportStatus::Returned.as_str().into()),
                return_reason: Set(Some(reason)),
                updated_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
        }
    };
    if !db::report::update_if_version(&txn, r.id, r.version, row).await? {
        return Err(AppError::Conflict(
            "报告已被并发修改 / the report changed concurrently".into(),
        ));
    }
    let r = db::report::find_by_id(&txn, r.id)
        .await?
        .ok_or(AppError::NotFound("report"))?;
    audit(
        &txn,
        actor,
        if accept.is_some() {
            "report.accept"
        } else {
            "report.return"
        },
        &r,
    )
    .await?;
    txn.commit().await?;
    events.report(crate::events::ReportEvent {
        kind: if accept.is_some() {
            crate::events::ReportEventKind::Accepted
        } else {
            crate::events::ReportEventKind::Returned
        },
        report_id: r.id,
        organization_path: org.path.clone(),
    });
    Ok(r)
}

/// Sets the due date of a period at a collecting organization (ORGANIZER).
pub async fn set_schedule(
    db: &DatabaseConnection,
    actor: &Actor,
    collector: i64,
    year: i32,
    period: &str,
    due_on: NaiveDate,
) -> AppResult<()> {
    require(actor, Permission::ManagePipeline)?;
    if ReportPeriod::parse(period).is_none() {
        return Err(AppError::bad_input(
            "period",
            "未知的报告期",
            "unknown period",
        ));
    }
    let org = super::organization::get_visible(db, actor, collector).await?;
    db::report::set_schedule(db, org.id, year, period, due_on).await?;
    Ok(())
}

/// The due date of a report: set by the nearest ancestor that collects the period.
pub async fn due_on(
    db: &impl ConnectionTrait,
    org: &organization::Model,
    year: i32,
    period: &str,
) -> AppResult<Option<NaiveDate>> {
    let mut ancestors = path_ids(&org.path);
    ancestors.pop();
    let schedules = db::report::schedules(db, &ancestors, year, period).await?;
    Ok(ancestors
        .iter()
        .rev()
        .find_map(|a| schedules.iter().find(|s| s.collector_organization_id == *a))
        .map(|s| s.due_on))
}

/// Declared figures that differ from the computed snapshot.
pub fn reconcile(r: &report::Model) -> Vec<(String, Value, Value)> {
    let snapshot: Map<String, Value> = serde_json::from_str(&r.snapshot).unwrap_or_default();
    let declared: Map<String, Value> = serde_json::from_str(&r.declared).unwrap_or_default();
    let mut out = vec![];
    for (k, v) in &declared {
        if let Some(c) = snapshot.get(k)
            && c.as_f64() != v.as_f64()
        {
            out.push((k.clone(), v.clone(), c.clone()));
        }
    }
    out
}

/// Who under a collecting organization has submitted for a period: one row per direct child.
pub async fn submissions(
    db: &DatabaseConnection,
    actor: &Actor,
    collector: i64,
    year: i32,
    period: &str,
) -> AppResult<(
    Option<NaiveDate>,
    Vec<(organization::Model, Option<report::Model>)>,
)> {
    let org = super::organization::get_visible(db, actor, collector).await?;
    let due = db::report::schedules(db, &[org.id], year, period)
        .await?
        .first()
        .map(|s| s.due_on);
    let children = db::indicators::children(db, org.id).await?;
    let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let reports = db::report::of_orgs(db, &ids, year, period).await?;
    Ok((
        due,
        children
            .into_iter()
            .map(|c| {
                let r = reports.iter().find(|r| r.organization_id == c.id).cloned();
                (c, r)
            })
            .collect(),
    ))
}
