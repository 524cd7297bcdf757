//! User use cases: read within scope, create, change password, deactivate.

use super::list::{ListQuery, Listed, Total};
use super::organization::{get_visible as get_visible_org, resolve_under};
use super::require;
use crate::auth::password;
use crate::db::{
    self,
    audit::AuditRecord,
    user::{NewUser, UserFilter},
};
use crate::domain::user::{check_password, parse_display_name, parse_username};
use crate::domain::{Actor, Permission, Role};
use crate::error::{AppError, AppResult};
use entity::user::Model;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

/// Loads a user the actor may see (ADMIN in scope, or the actor themself), else `NOT_FOUND`.
pub async fn get_visible(db: &impl ConnectionTrait, actor: &Actor, id: i64) -> AppResult<Model> {
    if id == actor.user_id {
        return db::user::find_by_id(db, id)
            .await?
            .ok_or(AppError::NotFound("user"));
    }
    require(actor, Permission::ReadUsers)?;
    let Some(user) = db::user::find_by_id(db, id).await? else {
        return Err(AppError::NotFound("user"));
    };
    match db::organization::find_by_id(db, user.organization_id).await? {
        Some(org) if actor.can_see(&org.path) => Ok(user),
        _ => Err(AppError::NotFound("user")),
    }
}

/// What a user list keeps.
#[derive(Debug, Clone, Default)]
pub struct UsersOnly {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only usernames or display names containing this text.
    pub search: Option<String>,
    /// Deactivated users too.
    pub include_inactive: bool,
}

/// Lists users under a subtree root in the actor's scope.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    query: ListQuery<UsersOnly>,
) -> AppResult<Listed<Model, UserFilter>> {
    require(actor, Permission::ReadUsers)?;
    let filter = UserFilter {
        under_path: resolve_under(db, actor, query.under).await?,
        role: query.only.role.map(|r| r.as_str().to_string()),
        search: query.only.search,
        include_inactive: query.only.include_inactive,
    };
    let page = db::user::list(db, &filter, query.after_id, query.limit).await?;
    Ok(Listed {
        page,
        total: Total(filter),
    })
}

impl Total<UserFilter> {
    /// The number of users the list matches.
    pub async fn count(&self, db: &DatabaseConnection) -> AppResult<i64> {
        Ok(db::user::count(db, &self.0).await? as i64)
    }
}

/// Input of `createUser` (and of `fazhan user create`).
pub struct CreateUser {
    pub organization_id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub password: String,
    pub role: Role,
    pub is_service_account: bool,
}

/// Creates a user in an organization of the actor's subtree.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: CreateUser) -> AppResult<Model> {
    require(actor, Permission::ManageUsers)?;
    let org = get_visible_org(db, actor, input.organization_id).await?;
    create_in(db, Some(actor.user_id), org, input).await
}

/// Creates a user without an acting user (the command line and first start).
pub async fn create_in(
    db: &DatabaseConnection,
    actor_user_id: Option<i64>,
    org: entity::organization::Model,
    input: CreateUser,
) -> AppResult<Model> {
    if !org.active {
        return Err(AppError::Conflict(
            "组织已撤销 / the organization is deactivated".into(),
        ));
    }
    let username = parse_username(&input.username)?;
    let display_name = parse_display_name(input.display_name.as_deref().unwrap_or(&username))?;
    check_password(&input.password).map_err(|_| {
        AppError::bad_input(
            "password",
            "密码长度须为10至256个字符",
            "the password must be 10 to 256 characters long",
        )
    })?;
    let hash = password::hash(input.password)
        .await
        .map_err(AppError::internal)?;
    let txn = crate::db::begin_write(db).await?;
    if db::user::find_by_username(&txn, &username).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "用户名已存在 / the username {username:?} is taken"
        )));
    }
    let user = db::user::insert(
        &txn,
        NewUser {
            username,
            display_name,
            password_hash: hash,
            organization_id: org.id,
            role: input.role.as_str().into(),
            is_service_account: input.is_service_account,
        },
    )
    .await?;
    audit(&txn, actor_user_id, "user.create", &user, json!({ "username": user.username, "role": user.role, "organizationId": org.id, "serviceAccount": user.is_service_account })).await?;
    txn.commit().await?;
    Ok(user)
}

/// What limits the checks of a current password: the login limits, and who is asking.
pub struct CurrentPasswordChecks<'a> {
    pub limits: &'a crate::auth::limits::LoginLimits,
    pub address: Option<std::net::IpAddr>,
}

/// Changes a password: one's own with the current password (a check counted as a login
/// attempt), or (ADMIN) another's in scope.
pub async fn change_password(
    db: &DatabaseConnection,
    actor: &Actor,
    checks: CurrentPasswordChecks<'_>,
    user_id: Option<i64>,
    current_password: Option<String>,
    new_password: String,
) -> AppResult<Model> {
    check_password(&new_password)?;
    let target_id = user_id.unwrap_or(actor.user_id);
    let own = target_id == actor.user_id;
    if !own {
        require(actor, Permission::ManageUsers)?;
    }
    let user = get_visible(db, actor, target_id).await?;
    if own {
        let current = current_password.ok_or_else(|| {
            AppError::bad_input(
                "currentPassword",
                "修改本人密码须提供当前密码",
                "changing your own password needs the current password",
            )
        })?;
        // A guess of the current password is a login attempt: the same limits, the same count.
        if checks.limits.admit(checks.address, &user.username).is_err() {
            return Err(AppError::RateLimited);
        }
        if !password::verify(current, Some(user.password_hash.clone()))
            .await
            .map_err(AppError::internal)?
        {
            return Err(AppError::bad_input(
                "currentPassword",
                "当前密码不正确",
                "the current password is wrong",
            ));
        }
    }
    let hash = password::hash(new_password)
        .await
        .map_err(AppError::internal)?;
    let txn = crate::db::begin_write(db).await?;
    // Every token issued before the change stops working (service tokens included).
    let user = db::user::set_password(&txn, user, hash).await?;
    audit(
        &txn,
        Some(actor.user_id),
        "user.change_password",
        &user,
        json!({ "byAdmin": !own }),
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

/// Deactivates a user in the actor's scope (never oneself). Their tokens stop working at once.
pub async fn deactivate(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<Model> {
    require(actor, Permission::ManageUsers)?;
    if id == actor.user_id {
        return Err(AppError::Conflict(
            "不能停用本人账号 / you cannot deactivate your own account".into(),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let user = get_visible(&txn, actor, id).await?;
    if !user.active {
        txn.commit().await?;
        return Ok(user);
    }
    let user = db::user::deactivate(&txn, user).await?;
    audit(
        &txn,
        Some(actor.user_id),
        "user.deactivate",
        &user,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

async fn audit(
    db: &impl ConnectionTrait,
    actor_user_id: Option<i64>,
    action: &str,
    user: &Model,
    detail: serde_json::Value,
) -> AppResult<()> {
    db::audit::record(
        db,
        AuditRecord {
            actor_user_id,
            organization_id: Some(user.organization_id),
            action,
            subject_type: "user",
            subject_id: Some(user.id),
            detail,
        },
    )
    .await?;
    Ok(())
}
