//! Local rules: read what is in force anywhere in scope; ADMIN sets them on an organization.

use super::require;
use crate::db::{self, audit::AuditRecord};
use crate::domain::pipeline::rules::LocalRules;
use crate::domain::{Actor, DomainError, Permission};
use crate::error::{AppError, AppResult};
use sea_orm::DatabaseConnection;
use serde_json::json;

/// The rules in force at an organization, and what it sets itself.
pub async fn get(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: i64,
) -> AppResult<(LocalRules, serde_json::Value)> {
    let org = super::organization::get_visible(db, actor, organization_id).await?;
    Ok((
        db::local_rules::effective(db, &org.path).await?,
        db::local_rules::own(db, org.id).await?,
    ))
}

/// Merges `changes` (some fields; JSON null clears a field) into what the organization sets.
pub async fn set(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: i64,
    changes: serde_json::Map<String, serde_json::Value>,
) -> AppResult<LocalRules> {
    require(actor, Permission::ManageLocalRules)?;
    let txn = crate::db::begin_write(db).await?;
    let org = super::organization::get_visible(&txn, actor, organization_id).await?;
    // The values this call sets (removals aside), for the floor check below.
    let given: serde_json::Map<String, serde_json::Value> = changes
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut own = db::local_rules::own(&txn, org.id).await?;
    let obj = own
        .as_object_mut()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("settings are not an object")))?;
    for (k, v) in changes {
        if v.is_null() && k != "minPoints" {
            obj.remove(&k);
        } else {
            obj.insert(k, v);
        }
    }
    let mut parent_rules = db::local_rules::effective(&txn, &org.path).await?;
    parent_rules.overlay(&own);
    // What the levels above the actor's own organization have in force is a floor: the actor
    // may tighten it for its subtree, never loosen it (the root's ADMIN has no level above).
    if let Some(superior_path) = crate::domain::organization::parent_path(&actor.scope_path) {
        let superior = db::local_rules::effective(&txn, superior_path).await?;
        let mut asked = superior.clone();
        asked.overlay(&serde_json::Value::Object(given));
        if let Some((field, was, now)) = asked.loosened_from(&superior) {
            return Err(crate::domain::RuleViolation {
                rule: "LR1",
                source: "local rules: a level tightens, never loosens, what the levels above set",
                message_zh: format!("{field}不能放宽：上级为{was}，本次为{now}"),
                message_en: format!("{field} cannot be loosened: {was} from above, {now} given"),
                details: json!({ "field": field, "fromAbove": was, "given": now }),
            }
            .into());
        }
    }
    parent_rules.validate().map_err(|(field, msg)| {
        DomainError::invalid(
            field,
            format!("本地规则取值不合理：{msg}"),
            format!("unreasonable local rule: {msg}"),
        )
    })?;
    db::local_rules::save(&txn, org.id, &own).await?;
    db::audit::record(
        &txn,
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: Some(org.id),
            action: "organization.set_local_rules",
            subject_type: "organization",
            subject_id: Some(org.id),
            detail: json!({ "settings": own }),
        },
    )
    .await?;
    let rules = db::local_rules::effective(&txn, &org.path).await?;
    txn.commit().await?;
    Ok(rules)
}
