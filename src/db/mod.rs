//! Persistence: thin async functions over `&impl ConnectionTrait` (the pool or a transaction).
//! The only layer that names `entity::` types and writes SQL.

pub mod audit;
pub mod bulk;
pub mod candidate;
pub mod consultation;
pub mod copy_binary;
pub mod counts;
pub mod idempotency;
pub mod indicators;
pub mod integrity;
pub mod lane;
pub mod letter;
pub mod local_rules;
pub mod nodelay;
pub mod organization;
pub mod person;
pub mod plan;
pub mod relation;
pub mod report;
pub mod setting;
pub mod step;
pub mod user;

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};

/// A number per organization, read from a grouped statement (`organization_id`, `n`).
#[derive(Debug, sea_orm::FromQueryResult)]
pub struct OrgCount {
    pub organization_id: i64,
    pub n: i64,
}

/// A keyset page: rows after a cursor in id order, and whether more follow.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next: bool,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u64) -> Self {
        let has_next = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        Page { rows, has_next }
    }

    /// The same page with each row turned by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(f).collect(),
            has_next: self.has_next,
        }
    }
}

/// A page of `query`'s rows in `id` order after `after_id`: one row more than `limit` is read
/// to tell whether more follow.
pub async fn page_in_id_order<E: sea_orm::EntityTrait>(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<E>,
    id: E::Column,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Page<E::Model>, sea_orm::DbErr> {
    let rows = page_query(query, id, after_id, limit).all(db).await?;
    Ok(Page::from_overfetch(rows, limit))
}

/// `query` cut to the page [`page_in_id_order`] reads (for callers that decode the rows
/// themselves, then hand them to [`Page::from_overfetch`]).
pub fn page_query<E: sea_orm::EntityTrait>(
    query: sea_orm::Select<E>,
    id: E::Column,
    after_id: Option<i64>,
    limit: u64,
) -> sea_orm::Select<E> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let query = match after_id {
        Some(after) => query.filter(id.gt(after)),
        None => query,
    };
    query.order_by_asc(id).limit(limit + 1)
}

/// Writes `row` over the row `id` if its `version` column still holds `expected_version`, moving
/// the version on; whether it did (a concurrent writer moved it otherwise). One statement, so two
/// writers never both win.
pub async fn update_at_version<E: sea_orm::EntityTrait>(
    db: &impl ConnectionTrait,
    row: E::ActiveModel,
    (id_column, version_column): (E::Column, E::Column),
    id: i64,
    expected_version: i32,
) -> Result<bool, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, ExprTrait, QueryFilter, sea_query::Expr};
    let res = E::update_many()
        .set(row)
        .col_expr(version_column, Expr::col(version_column).add(1))
        .filter(id_column.eq(id))
        .filter(version_column.eq(expected_version))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Rows by ids, in no particular order (for batch loaders).
pub async fn find_by_ids<E: sea_orm::EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    ids: &[i64],
) -> Result<Vec<E::Model>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    E::find()
        .filter(id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// A condition that `path` lies in the subtree at `under`, or `None` when `under` is the root's
/// path. The tree has one root (created at first start; every other organization has a parent),
/// so every row is under it, and leaving the range out gives PostgreSQL's prepared (generic)
/// plans a true estimate: it prices a range of parameters at 0.5 % of the rows, which turns a
/// province-wide list into a walk of the whole primary key.
pub fn subtree_condition(
    path: impl sea_orm::ColumnTrait,
    under: &str,
) -> Option<sea_orm::Condition> {
    use crate::domain::organization::{path_depth, subtree_upper_bound};
    (path_depth(under) > 0).then(|| {
        sea_orm::Condition::all()
            .add(path.gte(under.to_string()))
            .add(path.lt(subtree_upper_bound(under)))
    })
}

/// Starts a transaction that writes. On SQLite it takes the write lock at its `BEGIN`
/// (`IMMEDIATE`), so that concurrent writers wait their turn within the busy timeout: a deferred
/// transaction that read first cannot take the lock once another connection has written, and
/// SQLite refuses it at once, whatever the timeout ("database is locked"). PostgreSQL as usual.
pub async fn begin_write(
    db: &sea_orm::DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            db.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
        }
        _ => db.begin().await,
    }
}

/// `column` contains `text` as written: `%`, `_` and `\\` in a search match themselves, not any
/// run of characters or any one character (LIKE's wildcards), on both databases.
pub fn contains_literally(
    column: impl sea_orm::ColumnTrait,
    text: &str,
) -> sea_orm::sea_query::Expr {
    column.like(sea_orm::sea_query::LikeExpr::new(like_pattern(text)).escape('\\'))
}

/// `%text%` with LIKE's wildcards and its escape character escaped by `\\`.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// An enumeration value (an upper-case identifier such as `BRANCH`) written into the statement
/// instead of bound as a parameter, so a prepared plan knows how common the value is; anything
/// else is bound as usual.
pub fn enum_literal(value: &str) -> sea_orm::sea_query::SimpleExpr {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
        sea_orm::sea_query::Expr::cust(format!("'{value}'"))
    } else {
        sea_orm::sea_query::Expr::val(value.to_string())
    }
}

/// Periodic jobs that exactly one instance runs per tick.
pub const JOB_OVERDUE_SWEEP: i64 = 0x6661_7a68_0001;

/// Takes a job's lock for the transaction on PostgreSQL (`pg_try_advisory_xact_lock`): false when
/// another instance holds it. On SQLite (one process) always true.
pub async fn try_job_lock(db: &impl ConnectionTrait, job: i64) -> Result<bool, sea_orm::DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(true);
    }
    #[derive(sea_orm::FromQueryResult)]
    struct Locked {
        locked: bool,
    }
    let stmt = Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_try_advisory_xact_lock($1) AS locked",
        [job.into()],
    );
    Ok(
        <Locked as sea_orm::FromQueryResult>::find_by_statement(stmt)
            .one(db)
            .await?
            .is_some_and(|l| l.locked),
    )
}

/// The start-up recount of the counters (several instances starting at once recount once).
pub const JOB_COUNTS_UPGRADE: i64 = 0x6661_7a68_0002;

/// Waits for a job's lock for the transaction on PostgreSQL (`pg_advisory_xact_lock`); nothing
/// on SQLite.
pub async fn job_lock(db: &impl ConnectionTrait, job: i64) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [job.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The `n`th parameter of a raw PostgreSQL statement, written so the planner does not see its
/// value: `(SELECT $n)`, an uncorrelated scalar subquery, which PostgreSQL runs once per
/// execution as an InitPlan and plans without knowing what it returns.
///
/// PostgreSQL plans a prepared statement for the values of its first five executions, then
/// keeps one generic plan only if that plan is estimated no dearer than the plans it made for
/// the values. For a statement whose shape the service already chose (a subtree's lateral
/// page, a list of ids), the values only sharpen the estimates (a path range read from the
/// histogram, the number of ids in an array, a cursor of 0), the generic plan came out
/// dearer on paper, and the statement was planned again at every execution: 0.3–0.6 ms of
/// planning against 0.05–0.4 ms of execution (`pg_stat_statements`, the benchmark's mixed
/// load, docs/BENCHMARK.md round eight). With every parameter unseen both plans are estimated
/// alike, and from the sixth execution on a connection the generic plan is kept. Not for
/// statements whose best plan depends on the values (a city's list in id order). Elsewhere
/// (SQLite plans every statement once when it prepares it) the plain `$n`.
pub fn unseen(backend: DatabaseBackend, n: usize) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("(SELECT ${n})"),
        _ => format!("${n}"),
    }
}

/// The ids of a raw statement's list, as the next placeholder(s) of `values`: on PostgreSQL one
/// text parameter read as an array (`(SELECT CAST($n AS TEXT))::int8[]`, for `= ANY(…)` or
/// `unnest(…)`, [`unseen`] by the planner),
/// so the statement's text is the same whatever the number of ids; elsewhere a list
/// `$n, $n+1, …` for `IN (…)`. With a list on PostgreSQL each count of ids was another
/// statement: a loader's batches of 1 to 100 ids made 91 of the 145 distinct statements of the
/// benchmark's mixed load, more than the 100 each pooled connection keeps prepared, so the
/// connections kept preparing them again and holding their plans.
pub enum IdList {
    /// PostgreSQL: the array (`(SELECT CAST($n AS TEXT))::int8[]`; cast outside the subquery,
    /// else `= ANY((SELECT …))` compares with the subquery's rows, not the array's elements).
    Array(String),
    /// Others: the comma-separated placeholders.
    Placeholders(String),
}

impl IdList {
    /// Pushes `ids` onto `values` for `backend`.
    pub fn push(backend: DatabaseBackend, ids: &[i64], values: &mut Vec<Value>) -> IdList {
        use std::fmt::Write;
        if backend == DatabaseBackend::Postgres {
            let mut text = String::with_capacity(ids.len() * 8 + 2);
            text.push('{');
            for (i, id) in ids.iter().enumerate() {
                let _ = write!(text, "{}{id}", if i == 0 { "" } else { "," });
            }
            text.push('}');
            values.push(text.into());
            IdList::Array(format!("(SELECT CAST(${} AS TEXT))::int8[]", values.len()))
        } else {
            let list: Vec<String> = ids
                .iter()
                .map(|id| {
                    values.push((*id).into());
                    format!("${}", values.len())
                })
                .collect();
            IdList::Placeholders(list.join(", "))
        }
    }

    /// `column` is one of the ids: `column = ANY(…)` or `column IN (…)`.
    pub fn contains(&self, column: &str) -> String {
        match self {
            IdList::Array(a) => format!("{column} = ANY({a})"),
            IdList::Placeholders(l) => format!("{column} IN ({l})"),
        }
    }
}

/// A raw statement written with PostgreSQL placeholders (`$1`, `$2`, … each used once, in
/// order), rewritten to `?` for SQLite.
pub fn raw(backend: DatabaseBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DatabaseBackend::Sqlite => {
            let mut out = String::with_capacity(sql.len());
            let mut chars = sql.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                    while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                        chars.next();
                    }
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_pattern_escapes_like_wildcards() {
        assert_eq!(like_pattern("张三"), "%张三%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }

    #[test]
    fn an_id_list_is_one_array_parameter_on_postgresql_whatever_its_length() {
        let sql = |backend, ids: &[i64]| {
            let mut values: Vec<Value> = vec![7i64.into()];
            let list = IdList::push(backend, ids, &mut values);
            (list.contains("o.id"), values)
        };
        let (one, values) = sql(DatabaseBackend::Postgres, &[3]);
        let (three, more) = sql(DatabaseBackend::Postgres, &[3, 4, 5]);
        assert_eq!(one, "o.id = ANY((SELECT CAST($2 AS TEXT))::int8[])");
        assert_eq!(one, three);
        assert_eq!(values[1], Value::from("{3}"));
        assert_eq!(more[1], Value::from("{3,4,5}"));
        let (list, values) = sql(DatabaseBackend::Sqlite, &[3, 4]);
        assert_eq!(list, "o.id IN ($2, $3)");
        assert_eq!(values[1..], [Value::from(3i64), Value::from(4i64)]);
    }

    #[test]
    fn only_upper_case_identifiers_are_written_inline() {
        use sea_orm::sea_query::{PostgresQueryBuilder, Query};
        let build = |v: &str| {
            Query::select()
                .expr(enum_literal(v))
                .to_owned()
                .build(PostgresQueryBuilder)
        };
        let (sql, values) = build("BRANCH");
        assert_eq!((sql.as_str(), values.0.len()), ("SELECT 'BRANCH'", 0));
        let (sql, values) = build("x' OR 1=1");
        assert_eq!((sql.as_str(), values.0.len()), ("SELECT $1", 1));
    }

    #[test]
    fn placeholders_are_rewritten_for_sqlite_only() {
        let s = raw(DatabaseBackend::Sqlite, "a = $1 AND b < $12", vec![]);
        assert_eq!(s.sql, "a = ? AND b < ?");
        let p = raw(DatabaseBackend::Postgres, "a = $1", vec![]);
        assert_eq!(p.sql, "a = $1");
    }

    #[test]
    fn overfetch_tells_whether_more_rows_follow() {
        let p = Page::from_overfetch(vec![1, 2, 3], 2);
        assert_eq!(p.rows, vec![1, 2]);
        assert!(p.has_next);
        assert!(!Page::from_overfetch(vec![1, 2], 2).has_next);
    }
}
