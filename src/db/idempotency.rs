//! Idempotency keys: a retried write returns what the first one produced.

use entity::idempotency_key::{ActiveModel, Entity, Model};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

/// The record of an earlier write with this key by this user.
pub async fn find(
    db: &impl ConnectionTrait,
    user_id: i64,
    key: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id((user_id, key.to_string())).one(db).await
}

/// Records a write's key, request hash and result.
pub async fn record(
    db: &impl ConnectionTrait,
    user_id: i64,
    key: &str,
    operation: &str,
    request_hash: &str,
    result_id: i64,
) -> Result<(), DbErr> {
    ActiveModel {
        user_id: Set(user_id),
        key: Set(key.to_string()),
        operation: Set(operation.to_string()),
        request_hash: Set(request_hash.to_string()),
        result_id: Set(result_id),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(db)
    .await
    .map(|_| ())
}
