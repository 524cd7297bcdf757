//! HTTP: the router (GraphQL over HTTP, GraphiQL, health), body limits and request tracing.

pub mod exports;
pub mod graphiql;
pub mod graphql;
pub mod ws;

use crate::graphql::{AppSchema, build_schema};
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::ConnectionTrait;
use serde_json::json;
use tower_http::trace::TraceLayer;

/// What the handlers share.
#[derive(Clone)]
pub struct HttpState {
    pub app: AppState,
    pub schema: AppSchema,
    /// Parsed GraphQL documents by their text.
    pub documents: std::sync::Arc<graphql::DocumentCache>,
}

/// The service's router.
pub fn router(app: AppState) -> Router {
    let schema = build_schema(&app);
    let body_limit = app.config.max_body_bytes;
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(ws::handler))
        .route("/graphiql/{file}", get(graphiql::asset))
        .route("/exports/{file}", get(exports::indicator_table))
        .route("/exports/reports/{file}", get(exports::report))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TraceLayer::new_for_http())
        .with_state(HttpState {
            app,
            schema,
            documents: std::sync::Arc::new(graphql::DocumentCache::new(512)),
        })
}

/// The process is up.
async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Counters in the Prometheus text format.
async fn metrics(State(s): State<HttpState>) -> impl IntoResponse {
    let n = s
        .app
        .sql_statements
        .load(std::sync::atomic::Ordering::Relaxed);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        format!(
            "# HELP fazhan_sql_statements_total SQL statements executed.\n# TYPE fazhan_sql_statements_total counter\nfazhan_sql_statements_total {n}\n"
        ),
    )
}

/// The database answers.
async fn readyz(State(s): State<HttpState>) -> impl IntoResponse {
    match s.app.db.execute_unprepared("SELECT 1").await {
        Ok(_) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "database unavailable" })),
            )
        }
    }
}
