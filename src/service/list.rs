//! Lists of a subtree: a resolver hands over a [`ListQuery`] (the subtree root it was asked for,
//! what to keep, the page window) and gets back the page with a [`Total`] — the filter the page
//! was read with, already inside the actor's scope, which answers `totalCount` when it is asked
//! for. No resolver builds a database filter or counts rows itself.

use crate::db::Page;

/// A page request: the subtree root (`None`: the actor's own organization), what to keep, and
/// the page window (the last id of the previous page, the page size).
#[derive(Debug, Clone)]
pub struct ListQuery<C> {
    /// Root of the subtree (itself included), checked against the actor's scope.
    pub under: Option<i64>,
    /// What to keep (kind, role, stage, search …), per list.
    pub only: C,
    /// Id of the last row of the previous page.
    pub after_id: Option<i64>,
    /// Rows per page.
    pub limit: u64,
}

/// A page and what its `totalCount` counts.
pub struct Listed<R, F> {
    /// The rows of the page.
    pub page: Page<R>,
    /// The count of every row the list matches, on demand.
    pub total: Total<F>,
}

/// The filter a list was read with, inside the actor's scope. Built only by the services' list
/// functions; counted by the `count` function each list defines on it.
#[derive(Debug, Clone)]
pub struct Total<F>(pub(super) F);
