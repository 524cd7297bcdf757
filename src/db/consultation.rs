//! Consultations of external departments (I5).

use entity::consultation::{self, Column, Entity};
use sea_orm::prelude::*;
use sea_orm::{ConnectionTrait, FromQueryResult, QueryOrder};

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

/// Inserts one.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: consultation::ActiveModel,
) -> Result<consultation::Model, DbErr> {
    row.insert(db).await
}

/// Saves a change.
pub async fn update(
    db: &impl ConnectionTrait,
    row: consultation::ActiveModel,
) -> Result<consultation::Model, DbErr> {
    row.update(db).await
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
