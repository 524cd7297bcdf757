//! Rows the pipeline writes: an applicant's person row and one event per recorded step of the
//! full-process record (全程纪实).

use crate::domain::pipeline::person::PersonRecord;
use chrono::NaiveDate;
use entity::{candidate_event, person};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};

/// An event to append to a case's record.
pub struct NewEvent<'a> {
    pub candidate_id: i64,
    pub organization_id: i64,
    pub occurred_on: NaiveDate,
    pub actor_user_id: i64,
    /// The role the actor recorded the step in (I9).
    pub actor_role: &'a str,
    /// The step's stored name and its number in the flow chart.
    pub step: String,
    pub step_number: i16,
    /// What the step records, as stored JSON.
    pub details: String,
    /// The warnings recorded with it, as stored JSON.
    pub warnings: String,
    /// A note; a blank one is not kept.
    pub note: Option<String>,
    /// The event it corrects.
    pub corrects: Option<i64>,
}

/// Appends an event, recorded now.
pub async fn append(
    db: &impl ConnectionTrait,
    e: NewEvent<'_>,
) -> Result<candidate_event::Model, DbErr> {
    let row = candidate_event::ActiveModel {
        candidate_id: Set(e.candidate_id),
        step: Set(e.step),
        step_number: Set(e.step_number),
        occurred_on: Set(e.occurred_on),
        recorded_at: Set(chrono::Utc::now()),
        actor_user_id: Set(e.actor_user_id),
        organization_id: Set(e.organization_id),
        details: Set(e.details),
        warnings: Set(e.warnings),
        corrects_event_id: Set(e.corrects),
        note: Set(e.note.filter(|n| !n.trim().is_empty())),
        actor_role: Set(Some(e.actor_role.to_string())),
        ..Default::default()
    };
    super::candidate::insert_event(db, row).await
}

/// Inserts the person row of a new applicant of `organization_id`.
pub async fn insert_applicant(
    db: &impl ConnectionTrait,
    organization_id: i64,
    p: &PersonRecord,
) -> Result<person::Model, DbErr> {
    super::person::new_row(organization_id, p, None)
        .insert(db)
        .await
}
