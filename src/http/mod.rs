//! HTTP: the router (GraphQL over HTTP, GraphiQL, health), body limits and request tracing.

pub mod apq;
pub mod exports;
pub mod graphiql;
pub mod graphql;
pub mod imports;
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

/// What the handlers share: one allocation, so that handing it to a request (axum clones the
/// state for each) is one reference count, not one per part (that was 3 % of a `node`
/// request's time).
#[derive(Clone)]
pub struct HttpState(std::sync::Arc<Shared>);

impl std::ops::Deref for HttpState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`HttpState`].
pub struct Shared {
    pub app: AppState,
    pub schema: AppSchema,
    /// Parsed GraphQL documents by their text.
    pub documents: std::sync::Arc<graphql::DocumentCache>,
    /// Automatic persisted queries: documents by their SHA-256.
    pub persisted: std::sync::Arc<apq::PersistedQueries>,
    /// Turns to execute a GraphQL operation (`MAX_CONCURRENT_OPERATIONS`), given in arrival
    /// order.
    pub operations: tokio::sync::Semaphore,
}

/// The service's router.
pub fn router(app: AppState) -> Router {
    let schema = build_schema(&app);
    let body_limit = app.config.max_body_bytes;
    let operations = app.config.concurrent_operations();
    let cors = cors_layer(&app.config.cors_allowed_origins);
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(ws::handler))
        .route("/graphiql/{file}", get(graphiql::asset))
        .route("/exports/{file}", get(exports::indicator_table))
        .route("/exports/reports/{file}", get(exports::report))
        .route(
            "/imports/{kind}",
            axum::routing::post(imports::import)
                .layer(DefaultBodyLimit::max(app.config.max_import_bytes)),
        )
        .route("/imports/templates/{file}", get(imports::template))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(request_id))
        // A panic anywhere below is answered as a 500 with a coded error, never a dropped
        // connection (input validation is meant to make this unreachable).
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .layer(cors)
        .with_state(HttpState(std::sync::Arc::new(Shared {
            app,
            schema,
            documents: std::sync::Arc::new(graphql::DocumentCache::new(512)),
            persisted: std::sync::Arc::new(apq::PersistedQueries::new(1024)),
            operations: tokio::sync::Semaphore::new(operations),
        })))
}

/// The id of one HTTP request: the client's `x-request-id` when it is a plain token of at most
/// 128 characters, otherwise a generated UUID. Returned in the `x-request-id` response header,
/// recorded on every audit row the request writes and on its log lines.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The id of the request being served (errors answered before execution name it too).
    pub static CURRENT_REQUEST_ID: String;
}

/// The id of the request being served, when called while serving one.
fn current_request_id() -> Option<String> {
    CURRENT_REQUEST_ID.try_with(|id| id.clone()).ok()
}

fn acceptable_request_id(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 128
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

async fn request_id(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use tracing::Instrument;
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map(String::from)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id);
    let mut resp = CURRENT_REQUEST_ID
        .scope(id.clone(), next.run(req).instrument(span))
        .await;
    if is_plain_text_error(&resp) {
        resp = CURRENT_REQUEST_ID.scope(id.clone(), coded(resp)).await;
    }
    if let Ok(v) = axum::http::HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// An error the framework answered itself, as plain text (a body over the limit, a query
/// string or path that does not decode): every error the service gives carries a code.
fn is_plain_text_error(resp: &axum::response::Response) -> bool {
    (resp.status().is_client_error() || resp.status().is_server_error())
        && resp
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/plain"))
}

/// The framework's plain-text refusal as the service's JSON error, with the same status: a body
/// over the limit is "请求体过大", anything else "请求格式错误" with the framework's reason.
async fn coded(resp: axum::response::Response) -> axum::response::Response {
    let (parts, body) = resp.into_parts();
    let message = if parts.status == StatusCode::PAYLOAD_TOO_LARGE {
        "请求体过大 / the request body is too large".to_string()
    } else {
        let reason = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
        format!(
            "请求格式错误 / malformed request: {}",
            String::from_utf8_lossy(&reason)
        )
    };
    let body = graphql::error_body("BAD_USER_INPUT", &message);
    (parts.status, Json(body)).into_response()
}

/// Browsers on the configured origins may call the API: preflights are answered with the
/// methods and headers the API uses; other origins get no CORS headers (the browser refuses).
fn cors_layer(origins: &[String]) -> tower_http::cors::CorsLayer {
    use axum::http::{HeaderName, HeaderValue, Method, header};
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty() && *o != "*")
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    tower_http::cors::CorsLayer::new()
        .allow_origin(allowed)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .max_age(std::time::Duration::from_secs(600))
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    tracing::error!("a request panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json!({ "errors": [{ "message": "内部错误 / Internal server error", "extensions": { "code": "INTERNAL_SERVER_ERROR" } }] })
            .to_string(),
    )
        .into_response()
}

/// The process is up.
async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Counters in the Prometheus text format, behind `METRICS_TOKEN` when it is set (and not
/// served in production without one).
async fn metrics(
    State(s): State<HttpState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match (&s.app.config.metrics_token, presented) {
        (Some(token), Some(p)) if constant_time_eq(token.as_bytes(), p.as_bytes()) => {}
        (Some(_), _) => return StatusCode::UNAUTHORIZED.into_response(),
        (None, _) if s.app.config.environment == crate::config::Environment::Production => {
            return StatusCode::NOT_FOUND.into_response();
        }
        (None, _) => {}
    }
    use std::sync::atomic::Ordering::Relaxed;
    let app = &s.app;
    let pool = match app.db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            let p = app.db.get_postgres_connection_pool();
            Some((
                p.size(),
                p.num_idle() as u32,
                p.options().get_max_connections(),
            ))
        }
        sea_orm::DatabaseBackend::Sqlite => {
            let p = app.db.get_sqlite_connection_pool();
            Some((
                p.size(),
                p.num_idle() as u32,
                p.options().get_max_connections(),
            ))
        }
        _ => None,
    };
    for (hit, n) in [
        (true, app.viewers.hits.swap(0, Relaxed)),
        (false, app.viewers.misses.swap(0, Relaxed)),
    ] {
        if n > 0 {
            app.metrics
                .viewer_cache
                .get_or_create(&crate::metrics::CacheLabels {
                    result: if hit { "hit" } else { "miss" }.into(),
                })
                .inc_by(n);
        }
    }
    let text = app.metrics.render(
        pool,
        app.sql_statements.load(Relaxed),
        app.letter_events.received.load(Relaxed),
    );
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// Compares two secrets without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
