//! Organization rows: lookups, subtree ranges, per-parent pages, path rewrites on a move.

use super::{Page, raw};
use crate::domain::organization::subtree_upper_bound;
use entity::organization::{ActiveModel, Column, Entity, Model};
use sea_orm::prelude::*;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, ExprTrait, FromQueryResult, QuerySelect, QueryTrait, Value,
};
use std::collections::HashMap;

/// An organization from a row of [`COLUMNS`], read by position with `$row.$get(i)`: sqlx's
/// `try_get_unchecked` for PostgreSQL rows, SeaORM's `try_get_by_index` for SQLite's. By
/// position, not by name, for the reason [`super::candidate`]'s cases are: SeaORM's by-name read
/// formats `prefix + column` for every column and an error message for every NULL (`parent_id`,
/// `code`), and sqlx's checked read compares each column's type first; both were a fifth of the
/// service's instructions on a page of 100 organizations (docs/BENCHMARK.md round ten).
macro_rules! organization_at {
    ($row:ident, $get:ident) => {
        Model {
            id: $row.$get(0)?,
            parent_id: $row.$get(1)?,
            path: $row.$get(2)?,
            depth: $row.$get(3)?,
            name: $row.$get(4)?,
            code: $row.$get(5)?,
            kind: $row.$get(6)?,
            sector: $row.$get(7)?,
            is_two_new: $row.$get(8)?,
            can_approve: $row.$get(9)?,
            can_pre_review: $row.$get(10)?,
            member_count: $row.$get(11)?,
            active: $row.$get(12)?,
            created_at: $row.$get(13)?,
            updated_at: $row.$get(14)?,
        }
    };
}

/// The columns of an organization in the order [`organization_at`] reads them: the model's
/// field order, which is also the order `Entity::find()` selects them in.
const COLUMNS: &str = "id, parent_id, path, depth, name, code, kind, sector, is_two_new, \
     can_approve, can_pre_review, member_count, active, created_at, updated_at";

/// An organization read by position from a row of [`COLUMNS`] (or of `Entity::find()`).
fn from_row(row: &sea_orm::QueryResult) -> Result<Model, DbErr> {
    match row.try_as_pg_row() {
        // Unchecked, as a case's columns are (`super::candidate::case_with_person`): the model's
        // types are the migration's, and `statements::organizations_read_the_same_by_position`
        // compares every column with SeaORM's by-name read on both databases.
        Some(pg) => {
            use sqlx::Row;
            let read =
                || -> Result<Model, sqlx::Error> { Ok(organization_at!(pg, try_get_unchecked)) };
            read().map_err(super::lane::sqlx_err)
        }
        None => Ok(organization_at!(row, try_get_by_index)),
    }
}

/// The organizations a query selects (`Entity::find()` with filters, order and limit; no
/// joined columns), read by position.
async fn all(db: &impl ConnectionTrait, query: Select<Entity>) -> Result<Vec<Model>, DbErr> {
    let rows = db
        .query_all_raw(query.build(db.get_database_backend()))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(from_row(row)?);
    }
    Ok(out)
}

/// Filters of an organization list. `under_path` is always inside the viewer's scope.
#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    pub under_path: String,
    pub kind: Option<String>,
    pub search: Option<String>,
    pub include_inactive: bool,
}

fn filtered(f: &OrganizationFilter) -> Select<Entity> {
    let mut q = Entity::find();
    if let Some(range) = super::subtree_condition(Column::Path, &f.under_path) {
        q = q.filter(range);
    }
    if let Some(kind) = &f.kind {
        q = q.filter(Expr::col((Entity, Column::Kind)).eq(super::enum_literal(kind)));
    }
    if let Some(s) = f.search.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(super::contains_literally(Column::Name, s));
    }
    if !f.include_inactive {
        q = q.filter(Column::Active.eq(true));
    }
    q
}

/// One organization by id.
pub async fn find_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<Model>, DbErr> {
    Ok(all(db, Entity::find_by_id(id)).await?.pop())
}

/// Organizations by ids, in no particular order (for batch loaders).
pub async fn find_by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Model>, DbErr> {
    all(
        db,
        Entity::find().filter(Column::Id.is_in(ids.iter().copied())),
    )
    .await
}

/// The organizations of `ids` (repeats allowed) by id, in one statement.
pub async fn map_by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, Model>, DbErr> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(find_by_ids(db, &ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect())
}

/// A page of the organizations matching `filter`, in id order, after `after_id`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &OrganizationFilter,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let query = super::page_query(filtered(filter), Column::Id, after_id, limit);
    Ok(Page::from_overfetch(all(db, query).await?, limit))
}

/// How many organizations match `filter`.
pub async fn count(db: &impl ConnectionTrait, filter: &OrganizationFilter) -> Result<u64, DbErr> {
    filtered(filter).count(db).await
}

/// The key of one page of children: parent, cursor, size, whether inactive ones count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChildrenPageKey {
    pub parent_id: i64,
    pub after_id: i64,
    pub limit: u64,
    pub include_inactive: bool,
}

/// Pages of children of many parents in one statement per (cursor, size) group: a window
/// function numbers each parent's children so the page is cut in SQL, not in memory.
pub async fn children_pages(
    db: &impl ConnectionTrait,
    keys: &[ChildrenPageKey],
) -> Result<HashMap<ChildrenPageKey, Page<Model>>, DbErr> {
    let mut groups: HashMap<(i64, u64, bool), Vec<i64>> = HashMap::new();
    for k in keys {
        groups
            .entry((k.after_id, k.limit, k.include_inactive))
            .or_default()
            .push(k.parent_id);
    }
    let backend = db.get_database_backend();
    let mut out = HashMap::new();
    for ((after_id, limit, include_inactive), parents) in groups {
        let mut values: Vec<Value> = vec![after_id.into(), include_inactive.into()];
        let list = super::IdList::push(backend, &parents, &mut values);
        let sql = format!(
            "SELECT {COLUMNS} FROM (SELECT o.*, ROW_NUMBER() OVER (PARTITION BY o.parent_id ORDER BY o.id) AS rn \
             FROM organizations o WHERE o.id > {} AND (o.active OR {}) AND {}) t \
             WHERE t.rn <= {} ORDER BY t.parent_id, t.id",
            super::unseen(backend, 1),
            super::unseen(backend, 2),
            list.contains("o.parent_id"),
            limit + 1
        );
        let rows = db.query_all_raw(raw(backend, &sql, values)).await?;
        let mut by_parent: HashMap<i64, Vec<Model>> = HashMap::new();
        for row in &rows {
            let row = from_row(row)?;
            by_parent
                .entry(row.parent_id.unwrap_or_default())
                .or_default()
                .push(row);
        }
        for parent_id in parents {
            let rows = by_parent.remove(&parent_id).unwrap_or_default();
            let key = ChildrenPageKey {
                parent_id,
                after_id,
                limit,
                include_inactive,
            };
            out.insert(key, Page::from_overfetch(rows, limit));
        }
    }
    Ok(out)
}

#[derive(Debug, FromQueryResult)]
struct ParentCount {
    parent_id: i64,
    n: i64,
}

/// Number of children of each parent (active only unless `include_inactive`).
pub async fn child_counts(
    db: &impl ConnectionTrait,
    parent_ids: &[i64],
    include_inactive: bool,
) -> Result<HashMap<i64, i64>, DbErr> {
    let mut q = Entity::find()
        .select_only()
        .column(Column::ParentId)
        .column_as(Column::Id.count(), "n")
        .filter(Column::ParentId.is_in(parent_ids.iter().copied()))
        .group_by(Column::ParentId);
    if !include_inactive {
        q = q.filter(Column::Active.eq(true));
    }
    let rows = q.into_model::<ParentCount>().all(db).await?;
    Ok(rows.into_iter().map(|r| (r.parent_id, r.n)).collect())
}

/// Number of active organizations strictly below the one at `path`.
pub async fn count_active_descendants(db: &impl ConnectionTrait, path: &str) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::Path.gt(path.to_string()))
        .filter(Column::Path.lt(subtree_upper_bound(path)))
        .filter(Column::Active.eq(true))
        .count(db)
        .await
}

/// The fields of a new organization; the path is set from the generated id.
pub struct NewOrganization {
    pub parent: Option<Model>,
    pub name: String,
    pub code: Option<String>,
    pub kind: String,
    pub sector: String,
    pub is_two_new: bool,
    pub can_approve: bool,
    pub can_pre_review: bool,
    pub member_count: i32,
}

/// Inserts an organization and sets its path from its id (call inside a transaction).
pub async fn insert(db: &impl ConnectionTrait, new: NewOrganization) -> Result<Model, DbErr> {
    let now = chrono::Utc::now();
    let parent_path = new.parent.as_ref().map(|p| p.path.clone());
    let pending = ActiveModel {
        parent_id: Set(new.parent.as_ref().map(|p| p.id)),
        // A unique placeholder until the id is known.
        path: Set(format!("~{}", uuid_like())),
        depth: Set(new.parent.as_ref().map_or(0, |p| p.depth + 1)),
        name: Set(new.name),
        code: Set(new.code),
        kind: Set(new.kind),
        sector: Set(new.sector),
        is_two_new: Set(new.is_two_new),
        can_approve: Set(new.can_approve),
        can_pre_review: Set(new.can_pre_review),
        member_count: Set(new.member_count),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let mut row: ActiveModel = pending.into();
    let id = *row.id.as_ref();
    row.path = Set(crate::domain::organization::child_path(
        parent_path.as_deref(),
        id,
    ));
    row.update(db).await
}

fn uuid_like() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    format!("{:032x}", rng.random::<u128>())
}

/// The details `updateOrganization` may change; `None` keeps the stored value.
#[derive(Debug, Clone)]
pub struct OrganizationDetails {
    pub name: Option<String>,
    /// `Some(None)` clears the code.
    pub code: Option<Option<String>>,
    pub member_count: Option<i32>,
    pub kind: crate::domain::organization::OrganizationKind,
    pub sector: crate::domain::organization::Sector,
    pub can_approve: bool,
    pub can_pre_review: bool,
}

/// Writes an organization's new details (and its two-new flag, from the sector).
pub async fn update_details(
    db: &impl ConnectionTrait,
    org: Model,
    details: OrganizationDetails,
) -> Result<Model, DbErr> {
    let mut row: ActiveModel = org.into();
    if let Some(name) = details.name {
        row.name = Set(name);
    }
    if let Some(code) = details.code {
        row.code = Set(code);
    }
    if let Some(n) = details.member_count {
        row.member_count = Set(n);
    }
    row.kind = Set(details.kind.as_str().into());
    row.sector = Set(details.sector.as_str().into());
    row.is_two_new = Set(details.sector.is_two_new());
    row.can_approve = Set(details.can_approve);
    row.can_pre_review = Set(details.can_pre_review);
    row.updated_at = Set(chrono::Utc::now());
    row.update(db).await
}

/// Gives an organization a new parent (its path is rewritten by [`move_subtree`]).
pub async fn set_parent(
    db: &impl ConnectionTrait,
    org: Model,
    parent_id: i64,
) -> Result<Model, DbErr> {
    let mut row: ActiveModel = org.into();
    row.parent_id = Set(Some(parent_id));
    row.updated_at = Set(chrono::Utc::now());
    row.update(db).await
}

/// Marks an organization deactivated.
pub async fn deactivate(db: &impl ConnectionTrait, org: Model) -> Result<Model, DbErr> {
    let mut row: ActiveModel = org.into();
    row.active = Set(false);
    row.updated_at = Set(chrono::Utc::now());
    row.update(db).await
}

/// Rewrites the paths and depths of a whole subtree after a move: one statement.
pub async fn move_subtree(
    db: &impl ConnectionTrait,
    old_path: &str,
    new_path: &str,
    depth_delta: i32,
) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let sql = "UPDATE organizations SET path = CAST($1 AS TEXT) || substr(path, CAST($2 AS INTEGER)), depth = depth + $3 \
               WHERE path >= $4 AND path < $5";
    let values: Vec<Value> = vec![
        new_path.into(),
        (old_path.len() as i32 + 1).into(),
        depth_delta.into(),
        old_path.into(),
        subtree_upper_bound(old_path).into(),
    ];
    Ok(db
        .execute_raw(raw(backend, sql, values))
        .await?
        .rows_affected())
}
