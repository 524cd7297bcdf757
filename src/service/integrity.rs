//! The integrity registers: numbered application forms (入党志愿书, I6), one per person, issued
//! by a pre-reviewing committee, bound at pre-review, used when filled in, voided with a reason;
//! and the responsibility chain (I9) written with every step.

use super::require;
use crate::db::{self, audit::AuditRecord};
use crate::domain::integrity::{self as rules, FormStatus};
use crate::domain::pipeline::model::StepDetails;
use crate::domain::{Actor, Permission, RuleViolation};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::form_number;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

const SOURCE: &str = "local: town plan (预审即发展，一人一号); 细则 Art. 19";

fn refuse(zh: String, en: String, details: serde_json::Value) -> AppError {
    RuleViolation {
        rule: "I6",
        source: SOURCE,
        message_zh: zh,
        message_en: en,
        details,
    }
    .into()
}

/// A committee's register: counts per status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterCounts {
    pub issued: i64,
    pub bound: i64,
    pub used: i64,
    pub voided: i64,
}

async fn committee(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<entity::organization::Model> {
    let org = super::organization::get_visible(db, actor, id).await?;
    if !(org.can_pre_review || org.can_approve) {
        return Err(AppError::bad_input(
            "committeeOrganizationId",
            "该组织不负责预审，不发放入党志愿书",
            "this organization does not pre-review and issues no application forms",
        ));
    }
    Ok(org)
}

/// Registers a range of form numbers a committee has issued (ORGANIZER in its subtree).
pub async fn register(
    db: &DatabaseConnection,
    actor: &Actor,
    committee_id: i64,
    prefix: &str,
    from: u64,
    to: u64,
    width: u32,
) -> AppResult<RegisterCounts> {
    require(actor, Permission::ManagePipeline)?;
    let numbers = rules::form_numbers(prefix, from, to, width)?;
    let txn = crate::db::begin_write(db).await?;
    let org = committee(&txn, actor, committee_id).await?;
    if let Some(taken) = db::integrity::existing(&txn, org.id, &numbers)
        .await?
        .first()
    {
        return Err(AppError::bad_input(
            "range",
            format!("编号{taken}已登记过"),
            format!("the number {taken} is registered already"),
        ));
    }
    db::integrity::insert_numbers(&txn, org.id, &numbers, actor.user_id).await?;
    db::audit::record(
        &txn,
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: Some(org.id),
            action: "forms.register",
            subject_type: "organization",
            subject_id: Some(org.id),
            detail: json!({ "first": numbers.first(), "last": numbers.last(), "count": numbers.len() }),
        },
    )
    .await?;
    let counts = counts(&txn, org.id).await?;
    txn.commit().await?;
    Ok(counts)
}

async fn counts(db: &impl ConnectionTrait, committee_id: i64) -> AppResult<RegisterCounts> {
    let mut c = RegisterCounts::default();
    for (status, n) in db::integrity::counts(db, committee_id).await? {
        match FormStatus::parse(&status) {
            Some(FormStatus::Issued) => c.issued = n,
            Some(FormStatus::Bound) => c.bound = n,
            Some(FormStatus::Used) => c.used = n,
            Some(FormStatus::Voided) => c.voided = n,
            None => {}
        }
    }
    Ok(c)
}

/// Voids a number (spoilt, lost) with a reason; a used number stays on record.
pub async fn void(
    db: &DatabaseConnection,
    actor: &Actor,
    committee_id: Option<i64>,
    number: &str,
    reason: &str,
    on: NaiveDate,
) -> AppResult<form_number::Model> {
    require(actor, Permission::ManagePipeline)?;
    if reason.trim().is_empty() {
        return Err(AppError::bad_input(
            "reason",
            "作废须说明理由",
            "voiding a number needs a reason",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    // Each committee keeps its own numbers: the ones in the actor's scope (of the committee
    // named, if any). Out of scope reads as missing.
    let mut rows = vec![];
    for row in db::integrity::by_number(&txn, number.trim()).await? {
        if committee_id.is_none_or(|c| c == row.committee_organization_id)
            && super::organization::get_visible(&txn, actor, row.committee_organization_id)
                .await
                .is_ok()
        {
            rows.push(row);
        }
    }
    let row = match rows.len() {
        0 => return Err(AppError::NotFound("form number")),
        1 => rows.remove(0),
        _ => {
            return Err(AppError::bad_input(
                "committeeOrganizationId",
                "多个党委登记了该编号，请指明党委",
                "several committees registered this number: name the committee",
            ));
        }
    };
    let number = row.number.clone();
    let number = number.as_str();
    let status = FormStatus::parse(&row.status).unwrap_or(FormStatus::Used);
    if !status.voidable() {
        return Err(AppError::Conflict(format!(
            "编号{number}状态为{}，不能作废 / the number {number} is {} and cannot be voided",
            row.status, row.status
        )));
    }
    db::integrity::void(&txn, row.clone(), on, reason.trim().to_string()).await?;
    db::audit::record(
        &txn,
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: Some(row.committee_organization_id),
            action: "forms.void",
            subject_type: "form_number",
            subject_id: Some(row.id),
            detail: json!({ "number": number, "was": row.status, "reason": reason.trim() }),
        },
    )
    .await?;
    let row = db::integrity::find(&txn, row.committee_organization_id, number)
        .await?
        .ok_or(AppError::NotFound("form number"))?;
    txn.commit().await?;
    Ok(row)
}

/// A committee's register: counts and the numbers (of one status, at most `limit`).
pub async fn read(
    db: &DatabaseConnection,
    actor: &Actor,
    committee_id: i64,
    status: Option<FormStatus>,
    limit: u64,
) -> AppResult<(RegisterCounts, Vec<form_number::Model>)> {
    require(actor, Permission::ReadCandidates)?;
    let org = super::organization::get_visible(db, actor, committee_id).await?;
    let rows = db::integrity::numbers(db, org.id, status.map(FormStatus::as_str), limit).await?;
    Ok((counts(db, org.id).await?, rows))
}

/// The register's part of a step, in the step's transaction: pre-review binds the number to
/// the person (it must be ISSUED by the reviewing committee when that committee keeps a
/// register, and it is never bound twice); filling in the form uses it.
pub async fn on_step(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    case_id: i64,
    step: &StepDetails,
    on: NaiveDate,
) -> AppResult<()> {
    match step {
        StepDetails::PreReview {
            reviewer_organization_id,
            passed: true,
            form_number: Some(number),
        } => {
            let number = number.trim();
            let committee = *reviewer_organization_id;
            // A corrected pre-review: the number given before is voided (one form per person).
            for old in db::integrity::of_case(txn, case_id).await? {
                if old.status == FormStatus::Bound.as_str()
                    && !(old.number == number && old.committee_organization_id == committee)
                {
                    let replaced =
                        format!("更正预审，改用{number} / pre-review corrected to {number}");
                    db::integrity::void(txn, old, on, replaced).await?;
                }
            }
            match db::integrity::find(txn, committee, number).await? {
                Some(row) => {
                    let status = FormStatus::parse(&row.status).unwrap_or(FormStatus::Used);
                    if status == FormStatus::Bound && row.candidate_id == Some(case_id) {
                        return Ok(());
                    }
                    if !status.bindable() {
                        return Err(refuse(
                            format!("编号{number}状态为{}，不能再发给他人", row.status),
                            format!(
                                "the number {number} is {} and cannot be bound to this person",
                                row.status
                            ),
                            json!({ "formNumber": number, "status": row.status }),
                        ));
                    }
                    db::integrity::bind(txn, row, case_id, on).await?;
                }
                None => {
                    if db::integrity::has_register(txn, committee).await? {
                        return Err(refuse(
                            format!("编号{number}不在预审党委的编号登记中"),
                            format!(
                                "the number {number} is not in the pre-reviewing committee's register"
                            ),
                            json!({ "formNumber": number }),
                        ));
                    }
                    // A committee without a register: the number is still one per person.
                    let number = (committee, number);
                    db::integrity::insert_bound(txn, number, case_id, on, actor.user_id).await?;
                }
            }
        }
        StepDetails::FillApplicationForm { form_number } => {
            let number = form_number.trim();
            if let Some(row) = db::integrity::of_case(txn, case_id)
                .await?
                .into_iter()
                .find(|r| r.number == number)
            {
                if row.status == FormStatus::Voided.as_str() {
                    return Err(refuse(
                        format!("编号{number}已作废"),
                        format!("the number {number} was voided"),
                        json!({ "formNumber": number, "status": row.status }),
                    ));
                }
                db::integrity::mark_used(txn, row, on).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Writes who a step makes answerable (I9); a correction replaces the corrected event's.
pub async fn record_responsibilities(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    event: &entity::candidate_event::Model,
    step: &StepDetails,
) -> AppResult<()> {
    if let Some(corrected) = event.corrects_event_id {
        db::integrity::drop_responsibilities(txn, corrected).await?;
    }
    let (members, by_user) = rules::responsibilities(step);
    use db::integrity::Answerable;
    let mut carried: Vec<_> = members
        .into_iter()
        .map(|(r, p)| (r, Answerable::Person(p)))
        .collect();
    carried.extend(by_user.map(|r| (r, Answerable::User(actor.user_id))));
    Ok(db::integrity::add_responsibilities(txn, event, carried).await?)
}
