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
