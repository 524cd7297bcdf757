//! Service-wide settings.

use entity::setting::{ActiveModel, Entity};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

/// Reads a setting.
pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>, DbErr> {
    Ok(Entity::find_by_id(key.to_string())
        .one(db)
        .await?
        .map(|m| m.value))
}

/// Inserts a setting (fails if it exists).
pub async fn insert(db: &impl ConnectionTrait, key: &str, value: &str) -> Result<(), DbErr> {
    ActiveModel {
        key: Set(key.into()),
        value: Set(value.into()),
        updated_at: Set(chrono::Utc::now()),
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Sets a setting, creating it if needed.
pub async fn put(db: &impl ConnectionTrait, key: &str, value: &str) -> Result<(), DbErr> {
    match Entity::find_by_id(key.to_string()).one(db).await? {
        Some(m) => {
            let mut a: ActiveModel = m.into();
            a.value = Set(value.into());
            a.updated_at = Set(chrono::Utc::now());
            a.update(db).await.map(|_| ())
        }
        None => insert(db, key, value).await,
    }
}
