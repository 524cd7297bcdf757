//! Signing in: limited per client address, per username and by a process-wide budget of
//! password checks (`auth::limits`); same answer and timing for unknown users.

use crate::auth::limits::LoginRefusal;
use crate::auth::{TokenKind, password};
use crate::db::{self, audit::AuditRecord};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use entity::user::Model;
use serde_json::json;

/// A successful login.
pub struct LoginResult {
    pub token: String,
    pub expires_at: i64,
    pub user: Model,
}

/// Checks a username and password and issues a login token.
pub async fn login(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    username: &str,
    password_text: String,
) -> AppResult<LoginResult> {
    let username = username.trim().to_ascii_lowercase();
    match state.login_limits.admit(address, &username) {
        Ok(()) => {}
        Err(LoginRefusal::RateLimited) => return Err(AppError::RateLimited),
        Err(LoginRefusal::UsernameTooLong) => {
            return Err(AppError::Unauthenticated(
                "用户名或密码错误 / wrong username or password".into(),
            ));
        }
    }
    let user = db::user::find_by_username(&state.db, &username).await?;
    let ok = password::verify(
        password_text,
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await
    .map_err(AppError::internal)?;
    let succeeded = ok && user.as_ref().is_some_and(|u| u.active);
    super::audit::record_alone(
        &state.db,
        AuditRecord {
            actor_user_id: user.as_ref().filter(|_| succeeded).map(|u| u.id),
            organization_id: user.as_ref().map(|u| u.organization_id),
            action: "auth.login",
            subject_type: "user",
            subject_id: user.as_ref().map(|u| u.id),
            // An unknown name is not kept: it is often a password typed in the wrong field.
            detail: json!({
                "username": user.as_ref().map(|u| u.username.clone()),
                "role": user.as_ref().map(|u| u.role.clone()),
            }),
        },
        if succeeded { "OK" } else { "FAILED" },
    )
    .await?;
    let user = match user {
        Some(u) if succeeded => u,
        _ => {
            tracing::info!(?username, "failed login");
            return Err(AppError::Unauthenticated(
                "用户名或密码错误 / wrong username or password".into(),
            ));
        }
    };
    let ttl = chrono::Duration::hours(i64::from(state.config.jwt_ttl_hours));
    let (token, expires_at) = state
        .jwt
        .issue(user.id, user.token_generation, TokenKind::Login, ttl)
        .map_err(AppError::internal)?;
    Ok(LoginResult {
        token,
        expires_at,
        user,
    })
}
