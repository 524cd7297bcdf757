//! Local rules stored per organization, resolved along the path.

use crate::domain::organization::path_ids;
use crate::domain::pipeline::rules::LocalRules;
use entity::organization_setting::{ActiveModel, Column, Entity};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

/// The rules in force at the organization with `path`: defaults, then the root's settings, then
/// each lower level's from the root down, the organization's own last — a lower level's setting
/// counts only where it tightens what is in force above it (LR1).
pub async fn effective(db: &impl ConnectionTrait, path: &str) -> Result<LocalRules, DbErr> {
    let ids = path_ids(path);
    let rows = Entity::find()
        .filter(Column::OrganizationId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut rules = LocalRules::default();
    for (depth, id) in ids.into_iter().enumerate() {
        if let Some(row) = rows.iter().find(|r| r.organization_id == id)
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&row.rules)
        {
            if depth == 0 {
                rules.overlay(&v);
            } else {
                rules.overlay_tightening(&v);
            }
        }
    }
    Ok(rules)
}

/// What one organization itself sets (a JSON object, possibly empty).
pub async fn own(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<serde_json::Value, DbErr> {
    Ok(Entity::find_by_id(organization_id)
        .one(db)
        .await?
        .and_then(|r| serde_json::from_str(&r.rules).ok())
        .unwrap_or_else(|| serde_json::json!({})))
}

/// Stores what one organization sets.
pub async fn save(
    db: &impl ConnectionTrait,
    organization_id: i64,
    rules: &serde_json::Value,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        organization_id: Set(organization_id),
        rules: Set(rules.to_string()),
        updated_at: Set(chrono::Utc::now()),
    };
    match Entity::find_by_id(organization_id).one(db).await? {
        Some(_) => row.update(db).await.map(|_| ()),
        None => row.insert(db).await.map(|_| ()),
    }
}
