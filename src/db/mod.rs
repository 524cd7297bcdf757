//! Persistence: thin async functions over `&impl ConnectionTrait` (the pool or a transaction).
//! The only layer that names `entity::` types and writes SQL.

pub mod audit;
pub mod candidate;
pub mod counts;
pub mod idempotency;
pub mod letter;
pub mod local_rules;
pub mod organization;
pub mod person;
pub mod plan;
pub mod report;
pub mod setting;
pub mod user;

use sea_orm::{DatabaseBackend, Statement, Value};

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
