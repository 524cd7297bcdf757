//! Consultations of external departments (I5).

use crate::domain::consultation::{ConsultationStage, Department};
use entity::consultation::{self, Column, Entity};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, FromQueryResult, QueryOrder};

/// A case's consultations, oldest first.
pub async fn of_case(
    db: &impl ConnectionTrait,
    candidate_id: i64,
) -> Result<Vec<consultation::Model>, DbErr> {
    Entity::find()
        .filter(Column::CandidateId.eq(candidate_id))
        .order_by_asc(Column::SentOn)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// One consultation.
pub async fn find(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<consultation::Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// A request to a department, as stored.
pub struct ConsultationRequest<'a> {
    pub candidate_id: i64,
    pub department: Department,
    pub stage: ConsultationStage,
    pub question: &'a str,
    pub sent_on: Date,
    /// The reply window's end (the letters' window from the local rules).
    pub due_on: Date,
    pub written: bool,
    pub created_by: i64,
}

/// Inserts a request.
pub async fn insert(
    db: &impl ConnectionTrait,
    r: ConsultationRequest<'_>,
) -> Result<consultation::Model, DbErr> {
    consultation::ActiveModel {
        candidate_id: Set(r.candidate_id),
        department: Set(r.department.as_str().into()),
        stage: Set(r.stage.as_str().into()),
        question: Set(r.question.to_string()),
        sent_on: Set(r.sent_on),
        due_on: Set(r.due_on),
        written: Set(r.written),
        answered_on: Set(None),
        answer: Set(None),
        concern: Set(false),
        created_by: Set(r.created_by),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Records the department's answer.
pub async fn answer(
    db: &impl ConnectionTrait,
    row: consultation::Model,
    answered_on: Date,
    text: String,
    concern: bool,
) -> Result<consultation::Model, DbErr> {
    let mut a: consultation::ActiveModel = row.into();
    a.answered_on = Set(Some(answered_on));
    a.answer = Set(Some(text));
    a.concern = Set(concern);
    a.update(db).await
}

/// Unanswered consultations of a subtree's cases due by `horizon` (at most `limit`).
pub async fn unanswered_due_by(
    db: &impl ConnectionTrait,
    path: &str,
    horizon: Date,
    limit: u64,
) -> Result<Vec<consultation::Model>, DbErr> {
    let sql = format!(
        "SELECT k.* FROM consultations k JOIN candidates c ON c.id = k.candidate_id JOIN organizations o ON o.id = c.organization_id \
         WHERE o.path >= $1 AND o.path < $2 AND k.answered_on IS NULL AND k.due_on <= $3 ORDER BY k.due_on, k.id LIMIT {limit}"
    );
    let values: Vec<sea_orm::Value> = vec![
        path.into(),
        crate::domain::organization::subtree_upper_bound(path).into(),
        horizon.into(),
    ];
    consultation::Model::find_by_statement(super::raw(db.get_database_backend(), &sql, values))
        .all(db)
        .await
}
