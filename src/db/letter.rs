//! Letter rows.

use super::Page;
use crate::domain::organization::subtree_upper_bound;
use entity::letter::{ActiveModel, Column, Entity, Model};
use entity::organization;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ConnectionTrait, ExprTrait, FromQueryResult, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Which side of the exchange a list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Box {
    /// Letters received by organizations in the subtree (never drafts).
    Inbox,
    /// Letters sent from organizations in the subtree.
    Outbox,
}

/// Filters of a letter list.
#[derive(Debug, Clone)]
pub struct LetterFilter {
    pub under_path: String,
    pub mailbox: Box,
    pub status: Option<String>,
    /// Only received letters past their due date on this day (the derived OVERDUE status).
    pub overdue_on: Option<Date>,
    pub kind: Option<String>,
}

fn orgs_under(path: &str) -> SelectStatement {
    Query::select()
        .column(organization::Column::Id)
        .from(organization::Entity)
        .and_where(organization::Column::Path.gte(path.to_string()))
        .and_where(organization::Column::Path.lt(subtree_upper_bound(path)))
        .to_owned()
}

fn filtered(f: &LetterFilter) -> Select<Entity> {
    let mut q = match f.mailbox {
        Box::Inbox => Entity::find()
            .filter(Column::ReceiverOrganizationId.in_subquery(orgs_under(&f.under_path)))
            .filter(Column::Status.ne("DRAFT")),
        Box::Outbox => Entity::find()
            .filter(Column::SenderOrganizationId.in_subquery(orgs_under(&f.under_path))),
    };
    if let Some(s) = &f.status {
        q = q.filter(Column::Status.eq(s.clone()));
    }
    if let Some(on) = f.overdue_on {
        q = q
            .filter(Column::Status.eq("RECEIVED"))
            .filter(Column::DueOn.lt(on));
    }
    if let Some(k) = &f.kind {
        q = q.filter(Column::Kind.eq(k.clone()));
    }
    q
}

/// A page of letters.
pub async fn list(
    db: &impl ConnectionTrait,
    f: &LetterFilter,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let mut q = filtered(f);
    if let Some(a) = after_id {
        q = q.filter(Column::Id.gt(a));
    }
    let rows = q.order_by_asc(Column::Id).limit(limit + 1).all(db).await?;
    Ok(Page::from_overfetch(rows, limit))
}

/// Number of letters matching.
pub async fn count(db: &impl ConnectionTrait, f: &LetterFilter) -> Result<u64, DbErr> {
    filtered(f).count(db).await
}

#[derive(FromQueryResult)]
struct StatusCount {
    status: String,
    n: i64,
}

/// Letters per stored status, in one grouped statement.
pub async fn counts_by_status(
    db: &impl ConnectionTrait,
    f: &LetterFilter,
) -> Result<HashMap<String, i64>, DbErr> {
    let rows = filtered(f)
        .select_only()
        .column(Column::Status)
        .column_as(Expr::col(Column::Id).count(), "n")
        .group_by(Column::Status)
        .into_model::<StatusCount>()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.status, r.n)).collect())
}

/// One letter.
pub async fn find_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Inserts a letter.
pub async fn insert(db: &impl ConnectionTrait, row: ActiveModel) -> Result<Model, DbErr> {
    row.insert(db).await
}

/// Saves a letter if its version is unchanged (bumping it); false when another change won.
pub async fn update_if_version(
    db: &impl ConnectionTrait,
    mut row: ActiveModel,
    expected_version: i32,
) -> Result<bool, DbErr> {
    let id = match &row.id {
        sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => *v,
        _ => return Ok(false),
    };
    row.id = sea_orm::ActiveValue::NotSet;
    row.version = sea_orm::ActiveValue::NotSet;
    let columns = (Column::Id, Column::Version);
    super::update_at_version::<Entity>(db, row, columns, id, expected_version).await
}

/// Whether a letter of `kind` about a case was answered AGREED by one of `receivers`.
pub async fn has_agreed_from(
    db: &impl ConnectionTrait,
    candidate_id: i64,
    kind: &str,
    receivers: &[i64],
) -> Result<bool, DbErr> {
    if receivers.is_empty() {
        return Ok(false);
    }
    Ok(Entity::find()
        .filter(Column::CandidateId.eq(candidate_id))
        .filter(Column::ReceiverOrganizationId.is_in(receivers.iter().copied()))
        .filter(Column::Kind.eq(kind))
        .filter(Column::Status.eq("REPLIED"))
        .filter(Column::Decision.eq("AGREED"))
        .count(db)
        .await?
        > 0)
}

/// Received letters past due on `as_of` not yet announced as overdue, the first `limit` by id.
pub async fn newly_overdue(
    db: &impl ConnectionTrait,
    as_of: Date,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Status.eq("RECEIVED"))
        .filter(Column::DueOn.lt(as_of))
        .filter(Column::OverdueNotified.eq(false))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Marks letters as announced overdue.
pub async fn mark_overdue_notified(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::OverdueNotified, Expr::value(true))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await
        .map(|_| ())
}

/// Received, unanswered letters of a subtree's inbox due by `horizon`.
pub async fn inbox_due_by(
    db: &impl ConnectionTrait,
    path: &str,
    horizon: Date,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::ReceiverOrganizationId.in_subquery(orgs_under(path)))
        .filter(Column::Status.eq("RECEIVED"))
        .filter(Column::DueOn.lte(horizon))
        .order_by_asc(Column::DueOn)
        .limit(limit)
        .all(db)
        .await
}
