//! Consultations of external departments (I5): the organizer records the request (body,
//! question, date; in writing or not) and the answer; a request runs the letters' reply window
//! from the local rules and is overdue past it.

use super::require;
use crate::db::{self, audit::AuditRecord};
use crate::domain::consultation::{ConsultationFacts, ConsultationStage, Department};
use crate::domain::letter::due_date;
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::consultation;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

/// A request to record.
pub struct NewConsultation {
    pub candidate_id: i64,
    pub department: Department,
    pub stage: ConsultationStage,
    pub question: String,
    pub sent_on: NaiveDate,
    pub written: bool,
}

async fn audit(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &'static str,
    row: &consultation::Model,
) -> AppResult<()> {
    let detail = json!({ "candidateId": row.candidate_id, "department": row.department, "stage": row.stage, "concern": row.concern });
    AuditRecord::by(actor, action, "consultation", Some(row.id))
        .with(detail)
        .write(db)
        .await?;
    Ok(())
}

/// Records a request to an external department about a case of the actor's subtree.
pub async fn record(
    db: &DatabaseConnection,
    actor: &Actor,
    c: NewConsultation,
) -> AppResult<consultation::Model> {
    require(actor, Permission::ManagePipeline)?;
    let question = c.question.trim();
    if question.is_empty() || question.chars().count() > 2000 {
        return Err(AppError::bad_input(
            "question",
            "须填写征求意见的内容（2000字以内）",
            "the question is required (at most 2,000 characters)",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let case = super::pipeline::get_visible(&txn, actor, c.candidate_id).await?;
    let org = db::organization::find_by_id(&txn, case.organization_id)
        .await?
        .ok_or(AppError::NotFound("candidate"))?;
    let rules = db::local_rules::effective(&txn, &org.path).await?;
    let request = db::consultation::ConsultationRequest {
        candidate_id: case.id,
        department: c.department,
        stage: c.stage,
        question,
        sent_on: c.sent_on,
        due_on: due_date(
            c.sent_on,
            rules.letter_reply_days,
            rules.letter_reply_working_days,
        ),
        written: c.written,
        created_by: actor.user_id,
    };
    let row = db::consultation::insert(&txn, request).await?;
    audit(&txn, actor, "consultation.record", &row).await?;
    txn.commit().await?;
    Ok(row)
}

/// Records a department's answer (once).
pub async fn answer(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    answered_on: NaiveDate,
    text: String,
    concern: bool,
) -> AppResult<consultation::Model> {
    require(actor, Permission::ManagePipeline)?;
    let txn = crate::db::begin_write(db).await?;
    let row = db::consultation::find(&txn, id)
        .await?
        .ok_or(AppError::NotFound("consultation"))?;
    super::pipeline::get_visible(&txn, actor, row.candidate_id)
        .await
        .map_err(|_| AppError::NotFound("consultation"))?;
    if row.answered_on.is_some() {
        return Err(AppError::Conflict(
            "该征求意见已有回复 / the consultation is answered already".into(),
        ));
    }
    if answered_on < row.sent_on {
        return Err(AppError::bad_input(
            "answeredOn",
            "回复日期不能早于发出日期",
            "the answer cannot predate the request",
        ));
    }
    let text = text.trim().to_string();
    let row = db::consultation::answer(&txn, row, answered_on, text, concern).await?;
    audit(&txn, actor, "consultation.answer", &row).await?;
    txn.commit().await?;
    Ok(row)
}

/// A case's consultations as the gate sees them.
pub async fn facts(
    db: &impl ConnectionTrait,
    candidate_id: i64,
) -> AppResult<Vec<ConsultationFacts>> {
    Ok(db::consultation::of_case(db, candidate_id)
        .await?
        .into_iter()
        .filter_map(|c| {
            Some(ConsultationFacts {
                department: Department::parse(&c.department)?,
                stage: ConsultationStage::parse(&c.stage)?,
                answered_on: c.answered_on,
                concern: c.concern,
                written: c.written,
            })
        })
        .collect())
}
