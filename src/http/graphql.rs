//! GraphQL over HTTP (the GraphQL-over-HTTP spec): queries over GET and POST, mutations only over
//! POST, `application/graphql-response+json` or `application/json` by the `Accept` header, and
//! GraphiQL for browsers at `GET /graphql`.

use super::HttpState;
use crate::auth::viewer;
use crate::error::AppError;
use crate::graphql::errors::RequestErrorFlag;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type the client accepts for the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    GraphqlResponseJson,
    Json,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            MediaType::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response type: graphql-response+json when the client asks for it, plain JSON for
/// `application/json`, `*/*` or no Accept header (legacy clients); `None` when neither is
/// acceptable.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    let types: Vec<&str> = accept
        .split(',')
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .collect();
    if types.contains(&GRAPHQL_RESPONSE_JSON) {
        Some(MediaType::GraphqlResponseJson)
    } else if types
        .iter()
        .any(|t| *t == JSON || *t == "*/*" || *t == "application/*")
    {
        Some(MediaType::Json)
    } else {
        None
    }
}

fn error_body(code: &str, message: &str) -> Value {
    json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
}

fn respond(status: StatusCode, media: MediaType, body: Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.as_str()),
    );
    resp
}

/// A request that could not be read as a GraphQL request at all.
fn bad_request(media: MediaType, message: &str) -> Response {
    respond(
        StatusCode::BAD_REQUEST,
        media,
        error_body("BAD_USER_INPUT", message),
    )
}

fn wants_graphiql(headers: &HeaderMap, query: &Option<String>) -> bool {
    let html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    html && query.as_deref().is_none_or(|q| !q.contains("query="))
}

/// `GET /graphql`: GraphiQL for browsers, otherwise a query from the URL.
pub async fn get(
    State(s): State<HttpState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if wants_graphiql(&headers, &query) {
        return super::graphiql::page().into_response();
    }
    let Some(media) = negotiate(&headers) else {
        return StatusCode::NOT_ACCEPTABLE.into_response();
    };
    let request = match async_graphql::http::parse_query_string(query.as_deref().unwrap_or("")) {
        Ok(r) => r,
        Err(e) => return bad_request(media, &format!("请求无效 / invalid GraphQL request: {e}")),
    };
    if request.query.trim().is_empty() {
        return bad_request(media, "缺少 query 参数 / missing query");
    }
    if selects_mutation(&request) {
        let mut resp = respond(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            error_body(
                "BAD_USER_INPUT",
                "变更操作只能用 POST / mutations are only allowed over POST",
            ),
        );
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return resp;
    }
    execute(&s, &headers, media, request).await
}

/// `POST /graphql` with a JSON body.
pub async fn post(State(s): State<HttpState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(media) = negotiate(&headers) else {
        return StatusCode::NOT_ACCEPTABLE.into_response();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(JSON))
    {
        return respond(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            error_body(
                "BAD_USER_INPUT",
                "请求须为 application/json / the request body must be application/json",
            ),
        );
    }
    let request = match parse_body(&body) {
        Ok(r) => r,
        Err(msg) => return bad_request(media, &msg),
    };
    execute(&s, &headers, media, request).await
}

/// Reads a JSON body into a request, checking the shape the spec requires.
fn parse_body(body: &[u8]) -> Result<async_graphql::Request, String> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| format!("请求体不是有效的JSON / the body is not valid JSON: {e}"))?;
    let Value::Object(map) = &value else {
        return Err("请求体须为JSON对象 / the body must be a JSON object".into());
    };
    match map.get("query") {
        Some(Value::String(q)) if !q.trim().is_empty() => {}
        _ => return Err("query 须为非空字符串 / query must be a non-empty string".into()),
    }
    for (key, ok) in [
        (
            "operationName",
            map.get("operationName")
                .is_none_or(|v| v.is_null() || v.is_string()),
        ),
        (
            "variables",
            map.get("variables")
                .is_none_or(|v| v.is_null() || v.is_object()),
        ),
        (
            "extensions",
            map.get("extensions")
                .is_none_or(|v| v.is_null() || v.is_object()),
        ),
    ] {
        if !ok {
            return Err(format!("{key} 的类型不正确 / {key} has the wrong type"));
        }
    }
    serde_json::from_value(value).map_err(|e| format!("请求无效 / invalid GraphQL request: {e}"))
}

/// Whether the operation the request selects is a mutation (refused over GET).
fn selects_mutation(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let op = match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(_), None) => None,
    };
    op.is_some_and(|op| op.node.ty == OperationType::Mutation)
}

async fn execute(
    s: &HttpState,
    headers: &HeaderMap,
    media: MediaType,
    request: async_graphql::Request,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let viewer = match viewer::resolve(&s.app.db, &s.app.jwt, authorization).await {
        Ok(v) => v,
        Err(e @ AppError::Unauthenticated(_)) => {
            let mut resp = respond(
                StatusCode::UNAUTHORIZED,
                media,
                error_body("UNAUTHENTICATED", &e.message()),
            );
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return resp;
        }
        Err(e) => {
            tracing::error!(error = ?e, "resolving the viewer failed");
            return respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                error_body("INTERNAL_SERVER_ERROR", "内部错误 / Internal server error"),
            );
        }
    };
    let flag = RequestErrorFlag::default();
    let response = s
        .schema
        .execute(request.data(viewer).data(flag.clone()))
        .await;
    let mut body = serde_json::to_value(&response)
        .unwrap_or_else(|_| error_body("INTERNAL_SERVER_ERROR", "serialization failed"));
    let status = if flag.is_set() {
        if let Value::Object(map) = &mut body {
            map.remove("data");
        }
        match media {
            MediaType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
            MediaType::Json => StatusCode::OK,
        }
    } else {
        StatusCode::OK
    };
    respond(status, media, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn negotiation_prefers_graphql_response_json() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(
            negotiate(&accept("application/json")),
            Some(MediaType::Json)
        );
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(MediaType::GraphqlResponseJson)
        );
        assert_eq!(negotiate(&accept("*/*")), Some(MediaType::Json));
        assert_eq!(negotiate(&accept("text/plain")), None);
    }

    #[test]
    fn body_shape_is_checked() {
        assert!(parse_body(br#"{"query":"{ __typename }"}"#).is_ok());
        assert!(parse_body(br#"{"query":1}"#).is_err());
        assert!(parse_body(br#"{"query":"{a}","variables":"x"}"#).is_err());
        assert!(parse_body(b"[]").is_err());
        assert!(parse_body(b"{").is_err());
    }

    #[test]
    fn mutations_are_recognised_by_operation_name() {
        let q = "query A { a } mutation B { b }";
        let r = |name: &str| async_graphql::Request::new(q).operation_name(name);
        assert!(selects_mutation(&r("B")));
        assert!(!selects_mutation(&r("A")));
        assert!(selects_mutation(&async_graphql::Request::new(
            "mutation { x }"
        )));
    }
}
