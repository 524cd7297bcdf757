//! The viewer of a request: anonymous (no token) or a signed-in user. A present but bad token is
//! an error, never silently anonymous.

use super::jwt::JwtKeys;
use crate::db;
use crate::domain::{Actor, Role};
use crate::error::{AppError, AppResult};
use sea_orm::DatabaseConnection;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// Signed-in actors by user id, reused for a short time so that a request does not re-read its
/// user and organization (two statements on every request otherwise). Every mutation that
/// changes a user or an organization clears it, so changes made through this instance apply to
/// the next request; changes made elsewhere apply within the time to live.
pub struct ViewerCache {
    entries: Mutex<lru::LruCache<i64, (Actor, i64, Instant)>>,
    ttl: Duration,
    /// Lookups that found the user (for `/metrics`).
    pub hits: std::sync::atomic::AtomicU64,
    /// Lookups that did not.
    pub misses: std::sync::atomic::AtomicU64,
}

impl ViewerCache {
    /// A cache of at most `capacity` users, each kept for `ttl` (zero disables it).
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        ViewerCache {
            entries: Mutex::new(lru::LruCache::new(
                NonZeroUsize::new(capacity.max(1)).expect("non-zero"),
            )),
            ttl,
            hits: Default::default(),
            misses: Default::default(),
        }
    }

    fn get(&self, user_id: i64) -> Option<(Actor, i64)> {
        let found = self.lookup(user_id);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        found
    }

    fn lookup(&self, user_id: i64) -> Option<(Actor, i64)> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(&user_id) {
            Some((actor, generation, at)) if at.elapsed() < self.ttl => {
                Some((actor.clone(), *generation))
            }
            Some(_) => {
                entries.pop(&user_id);
                None
            }
            None => None,
        }
    }

    fn put(&self, actor: &Actor, generation: i64) {
        if !self.ttl.is_zero() {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.put(actor.user_id, (actor.clone(), generation, Instant::now()));
        }
    }

    /// Forgets every cached user (after a change to users or organizations).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// Resolves the `Authorization` header into a viewer: missing → anonymous; malformed, tampered,
/// expired, or the user deactivated → `UNAUTHENTICATED`. The token is checked on every request;
/// the user's role and scope come from `cache` when it holds them.
pub async fn resolve(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    cache: &ViewerCache,
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
    let revoked = || {
        AppError::Unauthenticated(
            "令牌已被撤销（密码或账号已变更）/ the token was revoked (password or account changed)"
                .into(),
        )
    };
    if let Some((actor, generation)) = cache.get(user_id) {
        return if claims.tgen == generation {
            Ok(Viewer::User(actor))
        } else {
            Err(revoked())
        };
    }
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
    let actor = Actor {
        user_id: user.id,
        role,
        organization_id: org.id,
        scope_path: org.path,
    };
    cache.put(&actor, user.token_generation);
    if claims.tgen != user.token_generation {
        return Err(revoked());
    }
    Ok(Viewer::User(actor))
}
