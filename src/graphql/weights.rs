//! Weights of the complexity limit (`GRAPHQL_MAX_COMPLEXITY`). Every field whose list grows with
//! the data carries one, so a query's cost grows with what it can return, and aliases of the
//! same field are each counted. Not weighted on their own: the `edges`/`nodes` of a connection
//! (priced at the connection field, `first` × selection), and lists whose length the domain
//! fixes (figures per category, stage or education; a plan's targets; a step's warnings).
//!
//! - paged lists (`first`): `first × selection + 1`;
//! - lists without paging: [`UNPAGED_LIST`] × selection (events of a case, findings, months);
//! - one row per child or per plan of a subtree: [`CHILD_ROWS`] × selection;
//! - fields computed over a whole subtree (indicator tables, alerts, findings): [`AGGREGATE`] on
//!   top, for the work they cost before they return anything.

/// What a list without paging is priced at, per selected field.
pub const UNPAGED_LIST: usize = 10;
/// What a list with one row per child organization (or per plan of a subtree) is priced at.
pub const CHILD_ROWS: usize = 50;
/// Work of a field computed over a whole subtree, before its rows.
pub const AGGREGATE: usize = 100;
/// A count over a subtree (`totalCount`, `candidateCount`).
pub const COUNT: usize = 5;

/// No field is priced above this: far beyond any limit one would configure, and low enough that
/// async-graphql's sums of the prices of a query's fields cannot overflow. A price is computed
/// before the arguments are checked (`first: 2147483647` is refused only when the field runs),
/// so every price below is saturating: three nested pages of `first: 2147483647` once overflowed
/// the multiplication and ended the request with a panic.
pub const CEILING: usize = 1 << 40;

/// `weight × selection`, saturating at [`CEILING`].
fn times(weight: usize, selection: usize) -> usize {
    weight.saturating_mul(selection).min(CEILING)
}

/// `rows × selection`, saturating at [`CEILING`]; fewer than one row is priced as one.
pub fn rows(rows: i32, selection: usize) -> usize {
    times(rows.max(1).unsigned_abs() as usize, selection)
}

/// A paged list: `first × selection + 1` (`first` defaults to the page size's default).
pub fn page(first: Option<i32>, selection: usize) -> usize {
    rows(
        first.unwrap_or(super::pagination::DEFAULT_PAGE_SIZE),
        selection,
    ) + 1
}

/// A list without paging.
pub fn unpaged(selection: usize) -> usize {
    times(UNPAGED_LIST, selection)
}

/// One row per child organization (or per plan of a subtree).
pub fn child_rows(selection: usize) -> usize {
    times(CHILD_ROWS, selection)
}

/// A field computed over a whole subtree, with what it returns.
pub fn aggregate(returned: usize) -> usize {
    AGGREGATE.saturating_add(returned).min(CEILING)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_saturate_instead_of_overflowing() {
        let three_deep = page(
            Some(i32::MAX),
            page(Some(i32::MAX), page(Some(i32::MAX), 1)),
        );
        assert_eq!(three_deep, CEILING + 1);
        assert_eq!(unpaged(usize::MAX), CEILING);
        assert_eq!(child_rows(usize::MAX), CEILING);
        assert_eq!(aggregate(usize::MAX), CEILING);
        assert_eq!(rows(i32::MIN, 7), 7);
    }

    #[test]
    fn prices_of_ordinary_queries_are_unchanged() {
        assert_eq!(page(None, 3), 61);
        assert_eq!(page(Some(100), 2), 201);
        assert_eq!(page(Some(0), 2), 3);
        assert_eq!(unpaged(4), 40);
        assert_eq!(child_rows(2), 100);
        assert_eq!(aggregate(child_rows(2)), 200);
        assert_eq!(aggregate(rows(500, 2)), 1100);
    }
}
