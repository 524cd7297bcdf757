//! User rows.

use super::Page;
use crate::domain::organization::subtree_upper_bound;
use entity::{
    organization,
    user::{ActiveModel, Column, Entity, Model},
};
use sea_orm::prelude::*;
use sea_orm::sea_query::Query;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

/// One user by id.
pub async fn find_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

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
                .add(super::contains_literally(Column::Username, s))
                .add(super::contains_literally(Column::DisplayName, s)),
        );
    }
    if !f.include_inactive {
        q = q.filter(Column::Active.eq(true));
    }
    q
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

/// A page of the users matching `filter`, in id order, after `after_id`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &UserFilter,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    super::page_in_id_order(db, filtered(filter), Column::Id, after_id, limit).await
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

/// A user row with its token generation moved on: every token issued before stops working.
fn with_tokens_revoked(user: Model) -> ActiveModel {
    let generation = user.token_generation;
    let mut row: ActiveModel = user.into();
    row.token_generation = Set(generation + 1);
    row.updated_at = Set(chrono::Utc::now());
    row
}

/// Stores a new password hash; the user's earlier tokens (service tokens included) stop working.
pub async fn set_password(
    db: &impl ConnectionTrait,
    user: Model,
    hash: String,
) -> Result<Model, DbErr> {
    let mut row = with_tokens_revoked(user);
    row.password_hash = Set(hash);
    row.update(db).await
}

/// Deactivates a user; their tokens stop working at once.
pub async fn deactivate(db: &impl ConnectionTrait, user: Model) -> Result<Model, DbErr> {
    let mut row = with_tokens_revoked(user);
    row.active = Set(false);
    row.update(db).await
}
