//! The statements behind the indicators that are not read from the counters: date-dependent
//! process health, idle branches, students admitted late, kinship in two-new organizations,
//! and the direct children a table or a report collection lists.

use crate::domain::organization::subtree_upper_bound;
use chrono::NaiveDate;
use entity::organization;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};

/// The active direct children of an organization, by id (at most 10,000).
pub async fn children(
    db: &impl ConnectionTrait,
    parent_id: i64,
) -> Result<Vec<organization::Model>, DbErr> {
    let pages = super::organization::children_pages(
        db,
        &[super::organization::ChildrenPageKey {
            parent_id,
            after_id: 0,
            limit: 10_000,
            include_inactive: false,
        }],
    )
    .await?;
    Ok(pages.into_values().flat_map(|p| p.rows).collect())
}

#[derive(FromQueryResult)]
struct N {
    n: i64,
}

/// Process health as of a day: overdue talks, approvals, oaths, conversions (date-dependent, so
/// counted from the cases of the subtree when asked for).
pub async fn overdue(
    db: &impl ConnectionTrait,
    path: &str,
    as_of: NaiveDate,
) -> Result<[i64; 4], DbErr> {
    let back = |m: u32| {
        as_of
            .checked_sub_months(chrono::Months::new(m))
            .unwrap_or(as_of)
    };
    let (month_ago, three_months_ago) = (back(1), back(3));
    let base = "SELECT COUNT(*) AS n FROM candidates c JOIN organizations o ON o.id = c.organization_id WHERE o.path >= $1 AND o.path < $2 AND c.invalidated = $3 AND ";
    let queries: [(&str, NaiveDate); 4] = [
        (
            "c.stage = 'APPLICANT' AND c.talked_on IS NULL AND c.applied_on < $4",
            month_ago,
        ),
        (
            "c.stage = 'DEVELOPMENT_TARGET' AND c.admission_meeting_on IS NOT NULL AND c.admission_meeting_on < $4",
            three_months_ago,
        ),
        (
            "c.stage = 'PROBATIONARY' AND c.oath_on IS NULL AND c.approved_on < $4",
            month_ago,
        ),
        (
            "c.stage IN ('PROBATIONARY', 'EXTENDED_PROBATION') AND c.conversion_meeting_on IS NULL AND c.probation_end_on < $4",
            as_of,
        ),
    ];
    let mut out = [0; 4];
    for (i, (cond, date)) in queries.iter().enumerate() {
        let values: Vec<Value> = vec![
            path.into(),
            subtree_upper_bound(path).into(),
            false.into(),
            (*date).into(),
        ];
        let sql = format!("{base}{cond}");
        out[i] = N::find_by_statement(super::raw(db.get_database_backend(), &sql, values))
            .one(db)
            .await?
            .map_or(0, |r| r.n);
    }
    Ok(out)
}

/// Branches of a subtree with no admission in the year and the year before.
pub async fn idle_branches(
    db: &impl ConnectionTrait,
    path: &str,
    year: i32,
) -> Result<Vec<organization::Model>, DbErr> {
    let sql = "SELECT o.* FROM organizations o WHERE o.path >= $1 AND o.path < $2 AND o.kind = 'BRANCH' AND o.active = $3 \
               AND NOT EXISTS (SELECT 1 FROM org_counts c WHERE c.organization_id = o.id AND c.dimension = 'admitted' \
               AND c.year IN ($4, $5) AND c.n > 0) ORDER BY o.id LIMIT 500";
    let values: Vec<Value> = vec![
        path.into(),
        subtree_upper_bound(path).into(),
        true.into(),
        year.into(),
        (year - 1).into(),
    ];
    organization::Model::find_by_statement(super::raw(db.get_database_backend(), sql, values))
        .all(db)
        .await
}

/// Approval and expected-departure dates of the students of a subtree admitted in a year
/// (I12: admitted shortly before leaving school).
pub async fn students_admitted(
    db: &impl ConnectionTrait,
    path: &str,
    year: i32,
) -> Result<Vec<(NaiveDate, NaiveDate)>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        approved_on: NaiveDate,
        expected_departure_on: NaiveDate,
    }
    let sql = "SELECT c.approved_on AS approved_on, p.expected_departure_on AS expected_departure_on \
               FROM candidates c JOIN people p ON p.id = c.person_id JOIN organizations o ON o.id = c.organization_id \
               WHERE o.path >= $1 AND o.path < $2 AND c.invalidated = $3 AND c.approved_on >= $4 AND c.approved_on <= $5 \
               AND p.expected_departure_on IS NOT NULL AND p.occupations LIKE $6";
    let values: Vec<Value> = vec![
        path.into(),
        subtree_upper_bound(path).into(),
        false.into(),
        NaiveDate::from_ymd_opt(year, 1, 1).into(),
        NaiveDate::from_ymd_opt(year, 12, 31).into(),
        "%STUDENT%".into(),
    ];
    let rows = Row::find_by_statement(super::raw(db.get_database_backend(), sql, values))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.approved_on, r.expected_departure_on))
        .collect())
}

/// Two-new organizations of a subtree with members related to their owner within three
/// generations: (organization id, how many), at most 500, most related first.
pub async fn kinship_counts(
    db: &impl ConnectionTrait,
    path: &str,
) -> Result<Vec<(i64, i64)>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        organization_id: i64,
        n: i64,
    }
    let sql = "SELECT p.organization_id AS organization_id, CAST(COUNT(DISTINCT p.id) AS BIGINT) AS n \
               FROM people p JOIN person_relations r ON r.person_id = p.id JOIN organizations o ON o.id = p.organization_id \
               WHERE o.path >= $1 AND o.path < $2 AND o.is_two_new = $3 AND p.is_party_member AND r.relative_is_owner = $4 \
               AND r.generations >= 1 AND r.generations <= $5 GROUP BY p.organization_id ORDER BY n DESC, organization_id LIMIT 500";
    // Each placeholder once: SQLite binds them by position. Membership is written plainly,
    // not bound, so that the partial index of members applies (see `person::members_under`).
    let values: Vec<Value> = vec![
        path.into(),
        subtree_upper_bound(path).into(),
        true.into(),
        true.into(),
        (crate::domain::kinship::KINSHIP_GENERATIONS as i32).into(),
    ];
    let rows = Row::find_by_statement(super::raw(db.get_database_backend(), sql, values))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.organization_id, r.n)).collect())
}
