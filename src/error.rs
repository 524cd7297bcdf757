//! `AppError`: every failure a client can see, with a stable `extensions.code`. Internal errors
//! are logged with their cause chain and masked.

use crate::domain::{DomainError, RuleViolation};
use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};

/// The stable machine-readable codes in `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    RuleViolation,
    Conflict,
    QueryTooComplex,
    RateLimited,
    InternalServerError,
}

impl ErrorCode {
    /// The SCREAMING_SNAKE name sent to clients.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::RuleViolation => "RULE_VIOLATION",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// A failure of a request, as the client will see it. It deliberately has no `Display`: that
/// keeps async-graphql's blanket `From<T: Display>` (which drops the code) from applying, so `?`
/// in a resolver always goes through [`ErrorExtensions`].
#[derive(Debug)]
pub enum AppError {
    /// No valid token (bilingual message).
    Unauthenticated(String),
    /// The role may not do this.
    Forbidden(String),
    /// Used alike for what does not exist and what lies outside the viewer's subtree.
    NotFound(&'static str),
    /// Invalid input or a rule refusal.
    Domain(DomainError),
    /// The state of the data does not allow it (duplicate, still in use, stale version).
    Conflict(String),
    /// Too many attempts.
    RateLimited,
    /// Several rows of a bulk input are invalid (index, field, message each).
    Rows(Vec<RowError>),
    /// Anything unexpected; logged with its cause chain and masked.
    Internal(anyhow::Error),
}

/// One invalid row of a bulk input.
#[derive(Debug, Clone)]
pub struct RowError {
    /// Position in the input, from 0.
    pub index: usize,
    pub field: String,
    pub message: String,
}

impl From<RuleViolation> for AppError {
    fn from(e: RuleViolation) -> Self {
        AppError::Domain(DomainError::Rule(e))
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::Domain(e)
    }
}

/// Results of service and resolver code.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The message sent to the client (Chinese / English).
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated(m) => m.clone(),
            AppError::Forbidden(m) => format!("无权执行此操作 / Forbidden: {m}"),
            AppError::NotFound(what) => format!("未找到 / Not found: {what}"),
            AppError::Domain(e) => e.to_string(),
            AppError::Conflict(m) => format!("冲突 / Conflict: {m}"),
            AppError::RateLimited => {
                "请求过于频繁，请稍后再试 / Too many attempts, try again later".into()
            }
            AppError::Rows(rows) => format!(
                "{}行数据有误，未导入任何数据 / {} rows are invalid; nothing was imported",
                rows.len(),
                rows.len()
            ),
            AppError::Internal(_) => "内部错误 / Internal server error".into(),
        }
    }

    /// The code this error carries.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::Domain(DomainError::InvalidInput { .. }) => ErrorCode::BadUserInput,
            AppError::Domain(DomainError::Rule(_)) => ErrorCode::RuleViolation,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::RateLimited => ErrorCode::RateLimited,
            AppError::Rows(_) => ErrorCode::BadUserInput,
            AppError::Internal(_) => ErrorCode::InternalServerError,
        }
    }

    /// Bad input on one field.
    pub fn bad_input(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Domain(DomainError::invalid(field, zh, en))
    }

    /// Wraps any unexpected failure.
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<DbErr> for AppError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            // The database's own wording (table and column names) stays in the log.
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                tracing::info!(%detail, "unique constraint");
                AppError::Conflict("已存在 / already exists".into())
            }
            _ if e.to_string().contains("database is locked") => {
                AppError::Conflict("并发写入冲突，请重试 / a concurrent write won; retry".into())
            }
            _ => AppError::Internal(e.into()),
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        e.extend()
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        async_graphql::Error::new(self.message()).extend_with(|_, ext| {
            ext.set("code", self.code().as_str());
            match self {
                AppError::Domain(DomainError::InvalidInput { field, .. }) => {
                    ext.set("field", *field);
                }
                AppError::Domain(DomainError::Rule(RuleViolation {
                    rule,
                    source,
                    details,
                    ..
                })) => {
                    ext.set("rule", *rule);
                    ext.set("source", *source);
                    if let Ok(v) = async_graphql::Value::from_json(details.clone()) {
                        ext.set("details", v);
                    }
                }
                AppError::Rows(rows) => {
                    let list: Vec<serde_json::Value> = rows
                        .iter()
                        .map(|r| serde_json::json!({ "index": r.index, "field": r.field, "message": r.message }))
                        .collect();
                    if let Ok(v) = async_graphql::Value::from_json(serde_json::Value::Array(list)) {
                        ext.set("rows", v);
                    }
                }
                _ => {}
            }
        })
    }
}
