//! The audit log (ADMIN): every write, login, token issue and export, chained by hashes.

use super::context::ContextExt;
use super::organization::{Organization, load_visible};
use super::pagination::connection_type;
use async_graphql::{Context, ID, Json, Object, Response, Result};
use chrono::{DateTime, Utc};
use entity::audit_event::Model;

/// One audit row: who, in which role and organization, did what to which target, with what
/// outcome, in which request; `hash` chains it to the row before.
pub struct AuditEvent(Model);

/// One audit row: who, in which role and organization, did what to which target, with what
/// outcome, in which request; `hash` chains it to the row before.
#[Object]
impl AuditEvent {
    /// Position in the log (rows are numbered in the order they were written).
    async fn sequence(&self) -> i64 {
        self.0.id
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// The acting user's global id, when that user belongs to your subtree (null for a failed
    /// login, a command-line action, or an actor above you).
    async fn actor_user_id(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        match self.0.actor_user_id {
            Some(id) => super::user::visible_user_id(ctx, id).await,
            None => Ok(None),
        }
    }

    /// The actor's role when it acted.
    async fn actor_role(&self) -> Option<&str> {
        self.0.actor_role.as_deref()
    }

    /// The organization the row belongs to, when it is in your subtree.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => load_visible(ctx, id).await,
            None => Ok(None),
        }
    }

    /// What was done, e.g. `candidate.record_step`, `auth.login`, `export.report`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// The kind of the target, e.g. `candidate`, `user`, `report`.
    async fn subject_type(&self) -> &str {
        &self.0.subject_type
    }

    /// The target's numeric id.
    async fn subject_id(&self) -> Option<i64> {
        self.0.subject_id
    }

    /// What changed (JSON).
    async fn detail(&self) -> Json<serde_json::Value> {
        Json(serde_json::from_str(&self.0.detail).unwrap_or_default())
    }

    /// `OK`, or `FAILED` (a wrong password), `DUPLICATE` (a duplicate-person check that found a
    /// record outside the caller's subtree).
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }

    /// The request that wrote it (`x-request-id`).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// SHA-256 over this row's content and the previous row's hash (`fazhan audit verify`).
    async fn hash(&self) -> Option<&str> {
        self.0.hash.as_deref()
    }
}

/// Counts the rows of an audit connection.
pub struct AuditCounter(crate::service::list::Total<crate::db::audit::AuditFilter>);

impl AuditCounter {
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.0.count(&ctx.state().db).await?)
    }
}

connection_type!(
    AuditEventConnection,
    AuditEventEdge,
    AuditEvent,
    AuditCounter,
    "audit rows"
);

/// The audit-log query.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log of a subtree (ADMIN only), newest first; `after` continues towards older
    /// rows.
    #[graphql(complexity = "super::weights::page(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Root of the subtree; default: your organization.")] under: Option<ID>,
        #[graphql(desc = "From this instant (inclusive).")] from: Option<DateTime<Utc>>,
        #[graphql(desc = "Up to this instant (exclusive).")] to: Option<DateTime<Utc>>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> Result<AuditEventConnection> {
        let actor = ctx.actor()?;
        let only = crate::service::audit::AuditOnly {
            from: super::args::instant(from, "from")?,
            to: super::args::instant(to, "to")?,
        };
        let (query, args) = ctx.list_query(under, first, after.as_deref(), only)?;
        let listed = crate::service::audit::list(&ctx.state().db, actor, query).await?;
        Ok(AuditEventConnection::new(
            listed.page,
            &args,
            |r| r.id,
            |r| Some(AuditEvent(r)),
            AuditCounter(listed.total),
        ))
    }
}

/// Codes that mean a write was refused (a request error is not a write attempt).
const REFUSALS: [&str; 5] = [
    "FORBIDDEN",
    "NOT_FOUND",
    "RULE_VIOLATION",
    "CONFLICT",
    "RATE_LIMITED",
];

/// The audit context of an operation: who acts, in which role, in which request (each audit row
/// a resolver writes says so).
pub fn context_of(
    actor: Option<&crate::domain::Actor>,
    request_id: Option<String>,
) -> crate::db::audit::AuditContext {
    crate::db::audit::AuditContext {
        request_id,
        actor_role: actor.map(|a| a.role.as_str().to_string()),
    }
}

/// One audit row for the refused root fields of a signed-in user's mutation (at most 20 named),
/// so probing leaves a trace.
pub async fn record_refusals(
    state: &crate::state::AppState,
    actor: &crate::domain::Actor,
    resp: &Response,
) {
    let refused: Vec<(String, String)> = resp
        .errors
        .iter()
        .filter_map(|e| {
            let code = e.extensions.as_ref()?.get("code")?;
            let code = match code {
                async_graphql::Value::String(c) => c.clone(),
                _ => return None,
            };
            if !REFUSALS.contains(&code.as_str()) || e.path.len() != 1 {
                return None;
            }
            let field = match &e.path[0] {
                async_graphql::PathSegment::Field(f) => f.clone(),
                async_graphql::PathSegment::Index(i) => i.to_string(),
            };
            Some((field, code))
        })
        .take(20)
        .collect();
    let Some((_, first)) = refused.first() else {
        return;
    };
    let detail = serde_json::json!({
        "refused": refused.iter().map(|(f, c)| serde_json::json!({ "field": f, "code": c })).collect::<Vec<_>>(),
    });
    let outcome = first.clone();
    if let Err(e) = crate::service::audit::record_alone(
        &state.db,
        crate::db::audit::AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: Some(actor.organization_id),
            action: "mutation.refused",
            subject_type: "operation",
            subject_id: None,
            detail,
        },
        &outcome,
    )
    .await
    {
        tracing::warn!(error = %e.message(), "recording a refused mutation failed");
    }
}
