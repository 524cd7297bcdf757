//! Relay cursor connections: `first` (1–max, default 20) and `after`, keyset-paged on the row
//! id; `totalCount` is computed only when selected.

use super::ids;
use crate::db::Page;
use crate::error::{AppError, AppResult};

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

/// Information to aid in pagination.
#[derive(async_graphql::SimpleObject, Clone)]
pub struct PageInfo {
    /// Whether a page precedes this one (an `after` cursor was given).
    pub has_previous_page: bool,
    /// Whether more rows follow this page.
    pub has_next_page: bool,
    /// Cursor of the first edge.
    pub start_cursor: Option<String>,
    /// Cursor of the last edge: pass it as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// Edges and page info of a page of rows. `node` turns a row into a node, or `None` for a row
/// the viewer may not see (a gated type such as `Organization` is only built through its check,
/// so a page can never carry what lies outside the viewer's scope).
pub fn edges<R, N>(
    page: Page<R>,
    args: &PageArgs,
    row_id: impl Fn(&R) -> i64,
    node: impl Fn(R) -> Option<N>,
) -> (Vec<(String, N)>, PageInfo) {
    let edges: Vec<(String, N)> = page
        .rows
        .into_iter()
        .filter_map(|r| {
            let cursor = ids::cursor(row_id(&r));
            node(r).map(|n| (cursor, n))
        })
        .collect();
    let info = PageInfo {
        has_previous_page: args.after_id.is_some(),
        has_next_page: page.has_next,
        start_cursor: edges.first().map(|e| e.0.clone()),
        end_cursor: edges.last().map(|e| e.0.clone()),
    };
    (edges, info)
}

/// Declares a documented connection type and its edge type for a node type. `$counter` is a
/// type with `async fn total_count(&self, ctx) -> Result<i64>`.
macro_rules! connection_type {
    ($conn:ident, $edge:ident, $node:ty, $counter:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ", with cursors (Relay connection).")]
        pub struct $conn {
            edges: Vec<$edge>,
            page_info: $crate::graphql::pagination::PageInfo,
            counter: $counter,
        }

        impl $conn {
            /// Builds the connection from a page of rows.
            pub fn new<R>(
                page: $crate::db::Page<R>,
                args: &$crate::graphql::pagination::PageArgs,
                row_id: impl Fn(&R) -> i64,
                node: impl Fn(R) -> Option<$node>,
                counter: $counter,
            ) -> Self {
                let (edges, page_info) =
                    $crate::graphql::pagination::edges(page, args, row_id, node);
                $conn {
                    edges: edges
                        .into_iter()
                        .map(|(cursor, node)| $edge { cursor, node })
                        .collect(),
                    page_info,
                    counter,
                }
            }
        }

        #[doc = concat!("A page of ", $what, ", with cursors (Relay connection).")]
        #[async_graphql::Object]
        impl $conn {
            /// The edges of this page, each with its cursor.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }

            /// The nodes of this page, without cursors.
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|e| &e.node).collect()
            }

            /// Information to aid in pagination.
            async fn page_info(&self) -> &$crate::graphql::pagination::PageInfo {
                &self.page_info
            }

            /// Number of rows across all pages (computed only when selected; a count costs
            /// like a page of rows in the complexity limit).
            #[graphql(complexity = "crate::graphql::weights::COUNT")]
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<i64> {
                self.counter.total_count(ctx).await
            }
        }

        #[doc = concat!("One of ", $what, " with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Cursor of this edge, for `after`.
            pub cursor: String,
            /// The node.
            pub node: $node,
        }
    };
}

pub(crate) use connection_type;
