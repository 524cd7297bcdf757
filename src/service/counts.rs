//! Keeping the counters right: each case change applies the difference of its contributions
//! along its path, in the change's transaction; `verify` recomputes everything from the cases.

use crate::db;
use crate::domain::counts::{CountKey, contributions, deltas};
use crate::domain::organization::path_ids;
use crate::error::AppResult;
use sea_orm::ConnectionTrait;
use std::collections::BTreeMap;

/// A case's contributions and the organizations they count at.
pub type Snapshot = (Vec<i64>, Vec<CountKey>);

/// The current contributions of some cases (before a change, or after it).
pub async fn snapshot(db: &impl ConnectionTrait, case_ids: &[i64]) -> AppResult<Vec<Snapshot>> {
    Ok(db::counts::facts(db, case_ids)
        .await?
        .into_values()
        .map(|(path, f)| (path_ids(&path), contributions(&f)))
        .collect())
}

/// Applies the difference between two snapshots of the same cases.
pub async fn apply_change(
    db: &impl ConnectionTrait,
    before: &[Snapshot],
    after: &[Snapshot],
) -> AppResult<()> {
    let ds = deltas(before, after);
    if !ds.is_empty() {
        db::counts::apply(db, &ds).await?;
    }
    Ok(())
}

/// Moves an organization's subtree counters from its old ancestors to its new ones.
pub async fn move_subtree(
    db: &impl ConnectionTrait,
    org_id: i64,
    old_ancestors: &[i64],
    new_ancestors: &[i64],
) -> AppResult<()> {
    let rows = db::counts::all_for(db, org_id).await?;
    // Common ancestors cancel out; each counter appears once in the upsert.
    let mut m: BTreeMap<(i64, CountKey), i64> = BTreeMap::new();
    for r in rows {
        let key = CountKey {
            year: r.year,
            dimension: crate::domain::counts::intern(&r.dimension),
            value: r.value.clone(),
        };
        for a in old_ancestors {
            *m.entry((*a, key.clone())).or_default() -= r.n;
        }
        for a in new_ancestors {
            *m.entry((*a, key.clone())).or_default() += r.n;
        }
    }
    let ds: Vec<(i64, CountKey, i64)> = m
        .into_iter()
        .filter(|(_, d)| *d != 0)
        .map(|((o, k), d)| (o, k, d))
        .collect();
    db::counts::apply(db, &ds).await?;
    Ok(())
}

/// Everything the counters should hold, recomputed from the cases.
pub async fn expected(db: &impl ConnectionTrait) -> AppResult<BTreeMap<(i64, CountKey), i64>> {
    let mut m: BTreeMap<(i64, CountKey), i64> = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = db::counts::facts_page(db, after, 5_000).await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (_, path, f) in page {
            let ids = path_ids(&path);
            for k in contributions(&f) {
                for o in &ids {
                    *m.entry((*o, k.clone())).or_default() += 1;
                }
            }
        }
    }
    Ok(m)
}

/// One difference between the counters and the cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub organization_id: i64,
    pub key: CountKey,
    pub stored: i64,
    pub expected: i64,
}

/// Recomputes the counters from the cases and lists every difference.
pub async fn verify(db: &impl ConnectionTrait) -> AppResult<Vec<Difference>> {
    let expected = expected(db).await?;
    let mut stored: BTreeMap<(i64, CountKey), i64> = BTreeMap::new();
    for r in db::counts::all(db).await? {
        let key = CountKey {
            year: r.year,
            dimension: crate::domain::counts::intern(&r.dimension),
            value: r.value,
        };
        stored.insert((r.organization_id, key), r.n);
    }
    let mut out = vec![];
    for (k, e) in &expected {
        let s = stored.get(k).copied().unwrap_or(0);
        if s != *e {
            out.push(Difference {
                organization_id: k.0,
                key: k.1.clone(),
                stored: s,
                expected: *e,
            });
        }
    }
    for (k, s) in &stored {
        if !expected.contains_key(k) {
            out.push(Difference {
                organization_id: k.0,
                key: k.1.clone(),
                stored: *s,
                expected: 0,
            });
        }
    }
    Ok(out)
}

/// Rebuilds every counter from the cases.
pub async fn rebuild(db: &impl ConnectionTrait) -> AppResult<usize> {
    let expected = expected(db).await?;
    let rows: Vec<(i64, CountKey, i64)> =
        expected.into_iter().map(|((o, k), n)| (o, k, n)).collect();
    db::counts::replace_all(db, &rows).await?;
    Ok(rows.len())
}

/// Version 2 → 3: the invalidated cases' counters by stage, rolled up to every ancestor.
async fn add_invalidated_by_stage(db: &impl ConnectionTrait) -> AppResult<usize> {
    let mut deltas: BTreeMap<(i64, CountKey), i64> = BTreeMap::new();
    for (_, path, f) in db::counts::facts_invalidated(db).await? {
        for k in contributions(&f)
            .into_iter()
            .filter(|k| matches!(k.dimension, "invalidated_stage" | "invalidated_app_stage"))
        {
            for o in path_ids(&path) {
                *deltas.entry((o, k.clone())).or_default() += 1;
            }
        }
    }
    let rows: Vec<(i64, CountKey, i64)> = deltas.into_iter().map(|((o, k), n)| (o, k, n)).collect();
    db::counts::apply(db, &rows).await?;
    Ok(rows.len())
}

/// The shape of the counters this build keeps; a database counted by an older build is
/// recounted once (version 2 added the monthly `YYYYMM` counters and `stage_two_new`; version 3
/// the invalidated cases by stage, for list totals).
pub const COUNTS_VERSION: &str = "3";

/// Recounts every counter, in one transaction, when the database was counted by an older build.
pub async fn ensure_current(db: &sea_orm::DatabaseConnection) -> AppResult<Option<usize>> {
    if db::setting::get(db, "counts_version").await?.as_deref() == Some(COUNTS_VERSION) {
        return Ok(None);
    }
    let txn = crate::db::begin_write(db).await?;
    // Instances starting together: one recounts, the others wait and find it done.
    db::job_lock(&txn, db::JOB_COUNTS_UPGRADE).await?;
    if db::setting::get(&txn, "counts_version").await?.as_deref() == Some(COUNTS_VERSION) {
        txn.commit().await?;
        return Ok(None);
    }
    let n = match db::setting::get(&txn, "counts_version").await?.as_deref() {
        // From version 2 only the invalidated cases' new counters are missing: added from
        // those cases alone (a full recount holds every counter in memory at once).
        Some("2") => add_invalidated_by_stage(&txn).await?,
        _ => rebuild(&txn).await?,
    };
    db::setting::put(&txn, "counts_version", COUNTS_VERSION).await?;
    txn.commit().await?;
    Ok(Some(n))
}
