//! The counters table: batched upserts of deltas, reads per organization.

use super::raw;
use crate::domain::counts::{CaseFacts, CountKey};
use sea_orm::prelude::*;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use std::collections::HashMap;

/// Adds `delta` to each counter, creating it at 0 first: one statement per 200 counters.
pub async fn apply(
    db: &impl ConnectionTrait,
    deltas: &[(i64, CountKey, i64)],
) -> Result<(), DbErr> {
    for chunk in deltas.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO org_counts (organization_id, year, dimension, value, n) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 5);
        for (i, (org, k, d)) in chunk.iter().enumerate() {
            let b = i * 5;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5
            ));
            values.extend([
                Value::from(*org),
                Value::from(k.year),
                Value::from(k.dimension),
                Value::from(k.value.clone()),
                Value::from(*d),
            ]);
        }
        sql.push_str(" ON CONFLICT (organization_id, year, dimension, value) DO UPDATE SET n = org_counts.n + excluded.n");
        db.execute_raw(raw(db.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(())
}

/// One counter row.
#[derive(Debug, Clone, FromQueryResult, PartialEq, Eq)]
pub struct CountRow {
    pub organization_id: i64,
    pub year: i32,
    pub dimension: String,
    pub value: String,
    pub n: i64,
}

/// The counters of some organizations for some years (0 = the current stock).
pub async fn for_orgs(
    db: &impl ConnectionTrait,
    orgs: &[i64],
    years: &[i32],
) -> Result<Vec<CountRow>, DbErr> {
    if orgs.is_empty() {
        return Ok(vec![]);
    }
    let mut sql = String::from(
        "SELECT organization_id, year, dimension, value, n FROM org_counts WHERE organization_id IN (",
    );
    let mut values: Vec<Value> = vec![];
    for (i, o) in orgs.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("${}", values.len() + 1));
        values.push((*o).into());
    }
    sql.push_str(") AND year IN (");
    for (i, y) in years.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("${}", values.len() + 1));
        values.push((*y).into());
    }
    sql.push_str(") AND n <> 0");
    CountRow::find_by_statement(raw(db.get_database_backend(), &sql, values))
        .all(db)
        .await
}

/// Cases in the pipeline now (the stock of every stage) of each organization's subtree: one
/// grouped read of the year-0 `stage` counters.
pub async fn stage_totals(
    db: &impl ConnectionTrait,
    orgs: &[i64],
) -> Result<HashMap<i64, i64>, DbErr> {
    let mut out: HashMap<i64, i64> = orgs.iter().map(|o| (*o, 0)).collect();
    if orgs.is_empty() {
        return Ok(out);
    }
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = vec![];
    let list = super::IdList::push(backend, orgs, &mut values);
    let sql = format!(
        "SELECT organization_id, CAST(SUM(n) AS BIGINT) AS n FROM org_counts \
         WHERE {} AND year = 0 AND dimension = 'stage' GROUP BY organization_id",
        list.contains("organization_id")
    );
    for r in super::OrgCount::find_by_statement(raw(backend, &sql, values))
        .all(db)
        .await?
    {
        out.insert(r.organization_id, r.n);
    }
    Ok(out)
}

/// Every counter row (for verification).
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<CountRow>, DbErr> {
    CountRow::find_by_statement(raw(
        db.get_database_backend(),
        "SELECT organization_id, year, dimension, value, n FROM org_counts WHERE n <> 0",
        vec![],
    ))
    .all(db)
    .await
}

/// Replaces every counter (after a rebuild).
pub async fn replace_all(
    db: &impl ConnectionTrait,
    rows: &[(i64, CountKey, i64)],
) -> Result<(), DbErr> {
    db.execute_unprepared("DELETE FROM org_counts").await?;
    apply(db, rows).await
}

#[derive(Debug, FromQueryResult)]
struct FactsRow {
    id: i64,
    path: String,
    stage: String,
    applied_on: Date,
    approved_on: Option<Date>,
    admission_meeting_on: Option<Date>,
    extended: bool,
    invalidated: bool,
    gender: String,
    birth_date: Date,
    ethnicity: String,
    education: String,
    occupations: String,
    is_frontline: bool,
    is_high_level_talent: bool,
    is_two_new: bool,
}

const FACTS_SQL: &str = "SELECT c.id AS id, o.path AS path, c.stage AS stage, c.applied_on AS applied_on, c.approved_on AS approved_on, \
    c.admission_meeting_on AS admission_meeting_on, c.extended AS extended, c.invalidated AS invalidated, p.gender AS gender, \
    p.birth_date AS birth_date, p.ethnicity AS ethnicity, p.education AS education, p.occupations AS occupations, \
    p.is_frontline AS is_frontline, p.is_high_level_talent AS is_high_level_talent, o.is_two_new AS is_two_new \
    FROM candidates c JOIN people p ON p.id = c.person_id JOIN organizations o ON o.id = c.organization_id";

fn into_facts(r: FactsRow) -> (i64, String, CaseFacts) {
    (
        r.id,
        r.path,
        CaseFacts {
            stage: r.stage,
            applied_on: r.applied_on,
            approved_on: r.approved_on,
            admission_meeting_on: r.admission_meeting_on,
            extended: r.extended,
            invalidated: r.invalidated,
            gender: r.gender,
            birth_date: r.birth_date,
            ethnicity: r.ethnicity,
            education: r.education,
            occupations: r
                .occupations
                .split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            is_frontline: r.is_frontline,
            is_high_level_talent: r.is_high_level_talent,
            is_two_new: r.is_two_new,
        },
    )
}

/// The counting facts of some cases, with their organization's path.
pub async fn facts(
    db: &impl ConnectionTrait,
    case_ids: &[i64],
) -> Result<HashMap<i64, (String, CaseFacts)>, DbErr> {
    let mut out = HashMap::new();
    let backend = db.get_database_backend();
    for chunk in case_ids.chunks(500) {
        let mut values: Vec<Value> = vec![];
        let list = super::IdList::push(backend, chunk, &mut values);
        let sql = format!("{FACTS_SQL} WHERE {}", list.contains("c.id"));
        for r in FactsRow::find_by_statement(raw(backend, &sql, values))
            .all(db)
            .await?
        {
            let (id, path, f) = into_facts(r);
            out.insert(id, (path, f));
        }
    }
    Ok(out)
}

/// The counting facts of cases with ids after `after_id`, `limit` at a time (verification).
pub async fn facts_page(
    db: &impl ConnectionTrait,
    after_id: i64,
    limit: u64,
) -> Result<Vec<(i64, String, CaseFacts)>, DbErr> {
    let sql = format!("{FACTS_SQL} WHERE c.id > $1 ORDER BY c.id LIMIT {limit}");
    let rows =
        FactsRow::find_by_statement(raw(db.get_database_backend(), &sql, vec![after_id.into()]))
            .all(db)
            .await?;
    Ok(rows.into_iter().map(into_facts).collect())
}

/// The counting facts of every invalidated case (a few: the counters' upgrade to version 3).
pub async fn facts_invalidated(
    db: &impl ConnectionTrait,
) -> Result<Vec<(i64, String, CaseFacts)>, DbErr> {
    let sql = format!("{FACTS_SQL} WHERE c.invalidated = $1 ORDER BY c.id");
    let rows = FactsRow::find_by_statement(raw(db.get_database_backend(), &sql, vec![true.into()]))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(into_facts).collect())
}

/// Every counter of one organization.
pub async fn all_for(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<CountRow>, DbErr> {
    let sql = "SELECT organization_id, year, dimension, value, n FROM org_counts WHERE organization_id = $1 AND n <> 0";
    CountRow::find_by_statement(raw(db.get_database_backend(), sql, vec![org_id.into()]))
        .all(db)
        .await
}

/// The counting facts of the cases of a subtree approved or applied in `(after, until]`: what a
/// figure cut at `after` must leave out of counters that run to `until`.
pub async fn facts_dated_within(
    db: &impl ConnectionTrait,
    path: &str,
    after: Date,
    until: Date,
) -> Result<Vec<(i64, String, CaseFacts)>, DbErr> {
    let sql = format!(
        "{FACTS_SQL} WHERE o.path >= $1 AND o.path < $2 AND \
         ((c.approved_on > $3 AND c.approved_on <= $4) OR (c.applied_on > $5 AND c.applied_on <= $6))"
    );
    // Each placeholder once: SQLite binds them by position.
    let values: Vec<Value> = vec![
        path.into(),
        crate::domain::organization::subtree_upper_bound(path).into(),
        after.into(),
        until.into(),
        after.into(),
        until.into(),
    ];
    let rows = FactsRow::find_by_statement(raw(db.get_database_backend(), &sql, values))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(into_facts).collect())
}

/// A case list's total from one organization's counters ([`ListCount`]): the live cases'
/// counter and the invalidated cases' counter of the same filter, summed.
pub async fn list_total(
    db: &impl ConnectionTrait,
    org_id: i64,
    which: &crate::domain::counts::ListCount,
) -> Result<i64, DbErr> {
    // The values are numbered in the order they appear (SQLite binds `?` by position).
    let mut values: Vec<Value> = vec![org_id.into()];
    let mut push = |v: Value| {
        values.push(v);
        format!("${}", values.len())
    };
    let (dim, year, value) = &which.live;
    let mut live = format!(
        "(dimension = {} AND year = {}",
        push((*dim).into()),
        push((*year).into())
    );
    if let Some(v) = value {
        live.push_str(&format!(" AND value = {}", push(v.clone().into())));
    }
    let (dim, year, value) = &which.invalidated;
    let mut gone = format!("(dimension = {}", push((*dim).into()));
    if let Some(y) = year {
        gone.push_str(&format!(" AND year = {}", push((*y).into())));
    }
    if let Some(v) = value {
        gone.push_str(&format!(" AND value = {}", push(v.clone().into())));
    }
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM org_counts \
         WHERE organization_id = $1 AND ({live}) OR {gone}))"
    );
    let row = db
        .query_one_raw(raw(db.get_database_backend(), &sql, values))
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    })
}
