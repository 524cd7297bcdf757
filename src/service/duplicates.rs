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

/// Per user and hour: duplicates revealed, and numbers checked at all (a bulk check that
/// finds little still spends its numbers).
pub struct DuplicateChecks {
    found: DefaultKeyedRateLimiter<i64>,
    checked: DefaultKeyedRateLimiter<i64>,
}

fn per_hour(n: u32) -> DefaultKeyedRateLimiter<i64> {
    RateLimiter::keyed(Quota::per_hour(
        NonZeroU32::new(n.max(1)).expect("non-zero"),
    ))
}

fn spend(limiter: &DefaultKeyedRateLimiter<i64>, user: i64, n: usize) -> bool {
    match NonZeroU32::new(u32::try_from(n).unwrap_or(u32::MAX)) {
        None => true,
        Some(n) => matches!(limiter.check_key_n(&user, n), Ok(Ok(()))),
    }
}

impl DuplicateChecks {
    /// At most `found_per_hour` duplicates revealed to, and `checked_per_hour` numbers checked
    /// for, one user per hour.
    pub fn new(found_per_hour: u32, checked_per_hour: u32) -> Self {
        DuplicateChecks {
            found: per_hour(found_per_hour),
            checked: per_hour(checked_per_hour),
        }
    }
}

/// The numbers of `numbers` already on record. Every check is audited (how many were checked
/// and found, never the numbers); the numbers checked and the duplicates found count against
/// the user's hourly allowances, and past either the whole request is `RATE_LIMITED` and
/// reveals nothing.
pub async fn find(
    db: &DatabaseConnection,
    checks: &DuplicateChecks,
    actor: &Actor,
    numbers: &[String],
) -> AppResult<Vec<String>> {
    let mut tally = Tally::default();
    let found = look_up(db, checks, actor, numbers, &mut tally).await;
    if let Err(e) = &found
        && !matches!(e, AppError::RateLimited)
    {
        return found;
    }
    audit_tally(db, actor, tally).await?;
    found
}

/// What one or more duplicate checks added up to, audited in one row: per request for
/// [`find`], once when it ends for an import (whose open transaction holds SQLite's write lock,
/// so its checks cannot be audited as they happen).
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub checked: usize,
    /// Duplicates found (`None` until a lookup ran: refused before looking).
    pub found: Option<usize>,
    pub refused: bool,
}

/// The numbers of `numbers` on record, looked up through `lookup` (an import's open
/// transaction, which also sees the rows it has written), spending the same allowances as
/// [`find`] and adding to `tally` instead of writing an audit row; past an allowance it is
/// `RATE_LIMITED` and reveals nothing.
pub async fn look_up(
    lookup: &impl sea_orm::ConnectionTrait,
    checks: &DuplicateChecks,
    actor: &Actor,
    numbers: &[String],
    tally: &mut Tally,
) -> AppResult<Vec<String>> {
    if numbers.is_empty() {
        return Ok(vec![]);
    }
    tally.checked += numbers.len();
    if !spend(&checks.checked, actor.user_id, numbers.len()) {
        tally.refused = true;
        return Err(AppError::RateLimited);
    }
    let found = db::person::existing_id_cards(lookup, numbers).await?;
    tally.found = Some(tally.found.unwrap_or(0) + found.len());
    if !spend(&checks.found, actor.user_id, found.len()) {
        tally.refused = true;
        return Err(AppError::RateLimited);
    }
    Ok(found)
}

/// The one audit row of an import's checks (written on its own, after the import's
/// transaction has ended).
pub async fn audit_tally(db: &DatabaseConnection, actor: &Actor, tally: Tally) -> AppResult<()> {
    if tally.checked == 0 {
        return Ok(());
    }
    let outcome = match (tally.refused, tally.found.unwrap_or(0)) {
        (true, _) => "RATE_LIMITED",
        (false, 0) => "OK",
        (false, _) => "DUPLICATE",
    };
    audit(db, actor, tally.checked, tally.found, outcome).await
}

/// One audit row per check: how many numbers were checked and found, never the numbers.
async fn audit(
    db: &DatabaseConnection,
    actor: &Actor,
    checked: usize,
    found: Option<usize>,
    outcome: &str,
) -> AppResult<()> {
    super::audit::record_alone(
        db,
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: Some(actor.organization_id),
            action: "person.duplicate_check",
            subject_type: "person",
            subject_id: None,
            detail: json!({ "checked": checked, "found": found }),
        },
        outcome,
    )
    .await
}
