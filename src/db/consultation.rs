//! Consultations of external departments (I5).

use entity::consultation::{self, Column, Entity};
use sea_orm::prelude::*;
use sea_orm::{ConnectionTrait, QueryOrder};

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
