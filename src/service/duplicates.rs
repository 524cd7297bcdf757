//! Duplicate-person checks (an ID-card number already on record): the answer a new application
//! or an import needs, and no more. A duplicate is refused with the same coded message wherever
//! the existing record lies (never where or whose); each check that finds one is an audit row;
//! and each user may learn only so many duplicates an hour, so the check cannot be used to
//! test a province's numbers one by one.

use crate::db::{self, audit::AuditRecord};
use crate::domain::Actor;
use crate::error::{AppError, AppResult};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sea_orm::DatabaseConnection;
use serde_json::json;
use std::num::NonZeroU32;

/// The message of a duplicate row (the same inside and outside the caller's subtree).
pub const DUPLICATE_MESSAGE: &str = "该身份证号已有档案（DUPLICATE_PERSON）/ a record with this ID-card number exists (DUPLICATE_PERSON)";

/// Duplicates each user may be told about per hour.
pub struct DuplicateChecks(DefaultKeyedRateLimiter<i64>);

impl DuplicateChecks {
    /// At most `per_hour` duplicates revealed to one user per hour.
    pub fn new(per_hour: u32) -> Self {
        DuplicateChecks(RateLimiter::keyed(Quota::per_hour(
            NonZeroU32::new(per_hour.max(1)).expect("non-zero"),
        )))
    }
}

/// The numbers of `numbers` already on record. Finding any is audited (how many were checked
/// and found, never the numbers) and counts against the user's hourly allowance; past it the
/// whole request is `RATE_LIMITED` and reveals nothing.
pub async fn find(
    db: &DatabaseConnection,
    checks: &DuplicateChecks,
    actor: &Actor,
    numbers: &[String],
) -> AppResult<Vec<String>> {
    let mut found = vec![];
    for chunk in numbers.chunks(1000) {
        found.extend(db::person::existing_id_cards(db, chunk).await?);
    }
    if found.is_empty() {
        return Ok(found);
    }
    let n = NonZeroU32::new(u32::try_from(found.len()).unwrap_or(u32::MAX)).expect("non-empty");
    let allowed = matches!(checks.0.check_key_n(&actor.user_id, n), Ok(Ok(())));
    super::audit::record_alone(
        db,
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: Some(actor.organization_id),
            action: "person.duplicate_check",
            subject_type: "person",
            subject_id: None,
            detail: json!({ "checked": numbers.len(), "found": found.len() }),
        },
        if allowed { "DUPLICATE" } else { "RATE_LIMITED" },
    )
    .await?;
    if !allowed {
        return Err(AppError::RateLimited);
    }
    Ok(found)
}
