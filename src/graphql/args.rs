//! Arguments checked before they reach a service: years, day counts and search texts within
//! the ranges the domain knows, so no arithmetic or pattern downstream can overflow or explode.

use crate::error::{AppError, AppResult};

/// Years the service answers for (the first plans of the People's Republic to far ahead).
pub const YEARS: std::ops::RangeInclusive<i32> = 1949..=2100;

/// Longest search text.
pub const MAX_SEARCH_CHARS: usize = 100;

/// Most rows one `importCandidates` or `importMembers` request carries: the GraphQL mutations
/// are for small batches (their JSON, variables and arguments are held whole); files of any
/// size go to `POST /imports/candidates` and `/imports/members`, read as a stream.
pub const MAX_IMPORT_ROWS: usize = 1_000;

/// Longest look-ahead of `alerts`, in days.
pub const MAX_WITHIN_DAYS: u32 = 3660;

/// A year in [`YEARS`], else `BAD_USER_INPUT` on `field`.
pub fn year(y: i32, field: &'static str) -> AppResult<i32> {
    if YEARS.contains(&y) {
        Ok(y)
    } else {
        Err(AppError::bad_input(
            field,
            format!("年度须在{}至{}之间，收到{y}", YEARS.start(), YEARS.end()),
            format!(
                "the year must be between {} and {}, got {y}",
                YEARS.start(),
                YEARS.end()
            ),
        ))
    }
}

/// A search text of at most [`MAX_SEARCH_CHARS`] characters.
pub fn search(s: Option<String>) -> AppResult<Option<String>> {
    match s {
        Some(s) if s.chars().count() > MAX_SEARCH_CHARS => Err(AppError::bad_input(
            "search",
            format!("搜索内容最多{MAX_SEARCH_CHARS}个字符"),
            format!("search text is limited to {MAX_SEARCH_CHARS} characters"),
        )),
        other => Ok(other),
    }
}

/// At most [`MAX_IMPORT_ROWS`] rows.
pub fn import_rows(n: usize) -> AppResult<()> {
    if n <= MAX_IMPORT_ROWS {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "rows",
            format!("每次最多导入{MAX_IMPORT_ROWS}行，收到{n}行；更大的文件请用POST /imports/…"),
            format!(
                "at most {MAX_IMPORT_ROWS} rows per request, got {n}; send larger files to POST /imports/…"
            ),
        ))
    }
}

/// A look-ahead of at most [`MAX_WITHIN_DAYS`] days.
pub fn within_days(d: u32) -> AppResult<u32> {
    if d <= MAX_WITHIN_DAYS {
        Ok(d)
    } else {
        Err(AppError::bad_input(
            "withinDays",
            format!("提前天数最多{MAX_WITHIN_DAYS}天"),
            format!("withinDays is limited to {MAX_WITHIN_DAYS}"),
        ))
    }
}

/// An instant between the years 1900 and 9999 (so it compares correctly as stored text).
pub fn instant(
    t: Option<chrono::DateTime<chrono::Utc>>,
    field: &'static str,
) -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
    use chrono::Datelike;
    match t {
        Some(t) if !(1900..=9999).contains(&t.year()) => Err(AppError::bad_input(
            field,
            "时间须在1900年至9999年之间",
            "the instant must lie between the years 1900 and 9999",
        )),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_arguments_are_refused() {
        assert!(year(i32::MIN, "year").is_err());
        assert!(year(2025, "year").is_ok());
        assert!(within_days(u32::MAX).is_err());
        assert!(search(Some("a".repeat(100_000))).is_err());
        assert!(search(Some("和平".into())).is_ok());
        let far = chrono::DateTime::parse_from_rfc3339("+262142-12-31T00:00:00Z")
            .map(|t| t.with_timezone(&chrono::Utc));
        if let Ok(far) = far {
            assert!(instant(Some(far), "from").is_err());
        }
    }
}
