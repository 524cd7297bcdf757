//! User rows.

use super::Page;
use crate::domain::organization::subtree_upper_bound;
use entity::{
    organization,
    user::{self, ActiveModel, Column, Entity, Model},
};
use sea_orm::prelude::*;
use sea_orm::sea_query::Query;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder, QuerySelect};

/// Filters of a user list. `under_path` is always inside the viewer's scope.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub under_path: String,
    pub role: Option<String>,
    pub search: Option<String>,
    pub include_inactive: bool,
}

fn filtered(f: &UserFilter) -> Select<Entity> {
    let orgs_in_subtree = Query::select()
        .column(organization::Column::Id)
        .from(organization::Entity)
        .and_where(organization::Column::Path.gte(f.under_path.clone()))
        .and_where(organization::Column::Path.lt(subtree_upper_bound(&f.under_path)))
        .to_owned();
    let mut q = Entity::find().filter(Column::OrganizationId.in_subquery(orgs_in_subtree));
    if let Some(role) = &f.role {
        q = q.filter(Column::Role.eq(role.clone()));
    }
    if let Some(s) = f.search.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(
            sea_orm::Condition::any()
                .add(Column::Username.contains(s))
                .add(Column::DisplayName.contains(s)),
        );
    }
    if !f.include_inactive {
        q = q.filter(Column::Active.eq(true));
    }
    q
}

/// One user by id.
pub async fn find_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Users by ids (for batch loaders).
pub async fn find_by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// One user by username.
pub async fn find_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Username.eq(username))
        .one(db)
        .await
}

/// A user with their organization, in one statement (used on every authenticated request).
pub async fn find_with_organization(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<(Model, organization::Model)>, DbErr> {
    let Some(user) = find_by_id(db, id).await? else {
        return Ok(None);
    };
    let org = organization::Entity::find_by_id(user.organization_id)
        .one(db)
        .await?;
    Ok(org.map(|o| (user, o)))
}

/// A page of users matching `filter`, in id order.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &UserFilter,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let mut q = filtered(filter);
    if let Some(after) = after_id {
        q = q.filter(Column::Id.gt(after));
    }
    let rows = q.order_by_asc(Column::Id).limit(limit + 1).all(db).await?;
    Ok(Page::from_overfetch(rows, limit))
}

/// How many users match `filter`.
pub async fn count(db: &impl ConnectionTrait, filter: &UserFilter) -> Result<u64, DbErr> {
    filtered(filter).count(db).await
}

/// How many active users belong to the organization.
pub async fn count_active_in_organization(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::Active.eq(true))
        .count(db)
        .await
}

/// The fields of a new user.
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub organization_id: i64,
    pub role: String,
    pub is_service_account: bool,
}

/// Inserts a user.
pub async fn insert(db: &impl ConnectionTrait, new: NewUser) -> Result<Model, DbErr> {
    let now = chrono::Utc::now();
    ActiveModel {
        username: Set(new.username),
        display_name: Set(new.display_name),
        password_hash: Set(new.password_hash),
        organization_id: Set(new.organization_id),
        role: Set(new.role),
        is_service_account: Set(new.is_service_account),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Saves changed columns of a user.
pub async fn update(db: &impl ConnectionTrait, row: user::ActiveModel) -> Result<Model, DbErr> {
    row.update(db).await
}
