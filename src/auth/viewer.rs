//! The viewer of a request: anonymous (no token) or a signed-in user. A present but bad token is
//! an error, never silently anonymous.

use super::jwt::JwtKeys;
use crate::db;
use crate::domain::{Actor, Role};
use crate::error::{AppError, AppResult};
use sea_orm::DatabaseConnection;

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Viewer {
    Anonymous,
    User(Actor),
}

impl Viewer {
    /// The acting user, or `UNAUTHENTICATED`.
    pub fn actor(&self) -> AppResult<&Actor> {
        match self {
            Viewer::User(a) => Ok(a),
            Viewer::Anonymous => Err(AppError::Unauthenticated(
                "请先登录 / sign in first (Authorization: Bearer <token>)".into(),
            )),
        }
    }
}

/// Resolves the `Authorization` header into a viewer: missing → anonymous; malformed, tampered,
/// expired, or the user deactivated → `UNAUTHENTICATED`.
pub async fn resolve(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    authorization: Option<&str>,
) -> AppResult<Viewer> {
    let Some(header) = authorization else {
        return Ok(Viewer::Anonymous);
    };
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| {
            AppError::Unauthenticated(
                "认证头格式错误 / the Authorization header must be `Bearer <token>`".into(),
            )
        })?
        .trim();
    let claims = keys.verify(token).map_err(|e| {
        AppError::Unauthenticated(format!("令牌无效或已过期 / invalid or expired token: {e}"))
    })?;
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| AppError::Unauthenticated("令牌无效 / invalid token subject".into()))?;
    let (user, org) = db::user::find_with_organization(db, user_id)
        .await?
        .filter(|(u, o)| u.active && o.active)
        .ok_or_else(|| {
            AppError::Unauthenticated("账号已停用或不存在 / the account is inactive or gone".into())
        })?;
    let role: Role = user
        .role
        .parse()
        .map_err(|e: String| AppError::internal(anyhow::anyhow!(e)))?;
    Ok(Viewer::User(Actor {
        user_id: user.id,
        role,
        organization_id: org.id,
        scope_path: org.path,
    }))
}
