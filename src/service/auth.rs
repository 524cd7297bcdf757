//! Signing in: limited per client address, per username and by a process-wide budget of
//! password checks (`auth::limits`); same answer and timing for unknown users.

use crate::auth::limits::LoginRefusal;
use crate::auth::{TokenKind, password};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use entity::user::Model;

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
    let username = username.trim().to_string();
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
    let user = match user {
        Some(u) if ok && u.active => u,
        _ => {
            tracing::info!(%username, "failed login");
            return Err(AppError::Unauthenticated(
                "用户名或密码错误 / wrong username or password".into(),
            ));
        }
    };
    let ttl = chrono::Duration::hours(i64::from(state.config.jwt_ttl_hours));
    let (token, expires_at) = state
        .jwt
        .issue(user.id, TokenKind::Login, ttl)
        .map_err(AppError::internal)?;
    Ok(LoginResult {
        token,
        expires_at,
        user,
    })
}
