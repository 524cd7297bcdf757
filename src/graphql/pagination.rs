//! Relay cursor connections: `first` (1–max, default 20) and `after`.

use super::ids;
use crate::db::Page;
use crate::error::{AppError, AppResult};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{ObjectType, OutputType};

/// Default page size.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// Validated paging arguments.
#[derive(Debug, Clone, Copy)]
pub struct PageArgs {
    pub limit: u64,
    pub after_id: Option<i64>,
}

/// Checks `first` against 1..=max and decodes `after`.
pub fn page_args(first: Option<i32>, after: Option<&str>, max: usize) -> AppResult<PageArgs> {
    let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
    if first < 1 || first as usize > max {
        return Err(AppError::bad_input(
            "first",
            format!("每页条数须在1至{max}之间，收到{first}"),
            format!("first must be between 1 and {max}, got {first}"),
        ));
    }
    Ok(PageArgs {
        limit: first as u64,
        after_id: ids::decode_cursor(after)?,
    })
}

/// Builds a connection from a page of rows.
pub fn connection<R, N, F>(
    page: Page<R>,
    args: &PageArgs,
    row_id: impl Fn(&R) -> i64,
    node: impl Fn(R) -> N,
    fields: F,
) -> Connection<String, N, F>
where
    N: OutputType,
    F: ObjectType,
{
    let mut c = Connection::with_additional_fields(args.after_id.is_some(), page.has_next, fields);
    c.edges = page
        .rows
        .into_iter()
        .map(|r| Edge::new(ids::cursor(row_id(&r)), node(r)))
        .collect();
    c
}
