//! GraphQL over HTTP (the GraphQL-over-HTTP spec): queries over GET and POST, mutations only over
//! POST, `application/graphql-response+json` or `application/json` by the `Accept` header, and
//! GraphiQL for browsers at `GET /graphql`.

use super::HttpState;
use crate::auth::viewer;
use crate::error::AppError;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::Mutex;

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

/// Parsed documents by their text: clients send the same few documents over and over, and
/// parsing is a good part of a small request's cost. Documents are still validated against
/// the schema on every request (validation depends on the variables). Memory is bounded by
/// the text it keeps (a parsed document is about a hundred times its text at worst), and only
/// signed-in callers add documents.
pub struct DocumentCache(Mutex<(lru::LruCache<String, ExecutableDocument>, usize)>);

/// The largest document kept.
const LARGEST_CACHED: usize = 8 * 1024;
/// The text kept in all (parsed: tens of megabytes at worst).
const CACHED_TEXT_BUDGET: usize = 512 * 1024;

impl DocumentCache {
    /// A cache of at most `capacity` documents.
    pub fn new(capacity: usize) -> Self {
        DocumentCache(Mutex::new((
            lru::LruCache::new(NonZeroUsize::new(capacity.max(1)).expect("non-zero")),
            0,
        )))
    }

    fn keep(&self, text: String, doc: ExecutableDocument) {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (cache, bytes) = &mut *guard;
        *bytes += text.len();
        if let Some((old, _)) = cache.push(text, doc) {
            *bytes -= old.len();
        }
        while *bytes > CACHED_TEXT_BUDGET {
            match cache.pop_lru() {
                Some((old, _)) => *bytes -= old.len(),
                None => break,
            }
        }
    }

    /// Text kept now (tests).
    pub fn cached_bytes(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    /// Hands the request its parsed document: from the cache, or parsed now and kept. A
    /// document that does not parse is left to the executor, which reports the error.
    pub fn prepare(&self, request: &mut async_graphql::Request, signed_in: bool) {
        if request.query.len() > LARGEST_CACHED {
            return;
        }
        let cached = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .get(&request.query)
            .cloned();
        let doc = match cached {
            Some(doc) => doc,
            None => match async_graphql::parser::parse_query(&request.query) {
                Ok(doc) => {
                    if signed_in {
                        self.keep(request.query.clone(), doc.clone());
                    }
                    doc
                }
                Err(_) => return,
            },
        };
        request.set_parsed_query(doc);
    }
}

/// An error answered without executing, naming the request like every other error.
pub(super) fn error_body(code: &str, message: &str) -> Value {
    match super::current_request_id() {
        Some(id) => {
            json!({ "errors": [{ "message": message, "extensions": { "code": code, "requestId": id } }] })
        }
        None => json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }),
    }
}

fn respond(status: StatusCode, media: MediaType, body: Value) -> Response {
    respond_text(status, media, body.to_string())
}

fn respond_text(status: StatusCode, media: MediaType, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.as_str()),
    );
    resp
}

/// A persisted-query request that cannot run as sent: 200 with the code Apollo's link retries on
/// (`PERSISTED_QUERY_NOT_FOUND`: send the document).
fn persisted_refusal(media: MediaType, refusal: super::apq::Refusal) -> Response {
    let (code, message) = refusal.code_and_message();
    let status = if refusal == super::apq::Refusal::Mismatch {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    respond(status, media, error_body(code, message))
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
    Extension(request_id): Extension<super::RequestId>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if s.app.config.graphiql_enabled() && wants_graphiql(&headers, &query) {
        return super::graphiql::page().into_response();
    }
    let with_token = headers.contains_key(header::AUTHORIZATION);
    let mut resp = answer_get(s, Caller::new(request_id, peer), headers, query).await;
    // The answer depends on the token and the media type asked for; one given to a token (the
    // viewer's own data) is for the viewer's cache alone, never a shared proxy's.
    let h = resp.headers_mut();
    h.insert(
        header::VARY,
        HeaderValue::from_static("accept, authorization"),
    );
    if with_token {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    }
    resp
}

/// `GET /graphql`'s answer, before its caching headers.
async fn answer_get(
    s: HttpState,
    caller: Caller,
    headers: HeaderMap,
    query: Option<String>,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return StatusCode::NOT_ACCEPTABLE.into_response();
    };
    let mut request = match async_graphql::http::parse_query_string(query.as_deref().unwrap_or(""))
    {
        Ok(r) => r,
        Err(e) => {
            return bad_request(media, &format!("请求无效 / invalid GraphQL request: {e}"));
        }
    };
    // The spec's name is `operationName` (async-graphql reads `operation_name`).
    if request.operation_name.is_none() {
        request.operation_name = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "operationName")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty());
    }
    if let Err(refusal) = s.persisted.resolve(&mut request) {
        return persisted_refusal(media, refusal);
    }
    if request.query.trim().is_empty() {
        return bad_request(media, "缺少 query 参数 / missing query");
    }
    if selects_mutation(&mut request) {
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
    execute(&s, caller, &headers, media, request).await
}

/// Who sent a request: its id and the client's address.
struct Caller {
    request_id: super::RequestId,
    /// The TCP peer (known when the server runs with connect info; tests that call the router
    /// directly have none).
    address: Option<std::net::IpAddr>,
}

impl Caller {
    fn new(request_id: super::RequestId, peer: Option<Extension<ConnectInfo<SocketAddr>>>) -> Self {
        Caller {
            request_id,
            address: peer.map(|Extension(ConnectInfo(a))| a.ip()),
        }
    }
}

/// `POST /graphql` with a JSON body.
pub async fn post(
    State(s): State<HttpState>,
    Extension(request_id): Extension<super::RequestId>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
    let mut request = match parse_body(&body) {
        Ok(r) => r,
        Err(msg) => return bad_request(media, &msg),
    };
    if let Err(refusal) = s.persisted.resolve(&mut request) {
        return persisted_refusal(media, refusal);
    }
    execute(&s, Caller::new(request_id, peer), &headers, media, request).await
}

/// The JSON type of a member of the body, read without keeping its contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonKind {
    String,
    Object,
    Other,
}

impl<'de> serde::Deserialize<'de> for JsonKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KindOf;
        impl<'de> serde::de::Visitor<'de> for KindOf {
            type Value = JsonKind;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, _: &str) -> Result<JsonKind, E> {
                Ok(JsonKind::String)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<JsonKind, A::Error> {
                while m
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(JsonKind::Object)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<JsonKind, A::Error> {
                while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(JsonKind::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<JsonKind, E> {
                Ok(JsonKind::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<JsonKind, E> {
                Ok(JsonKind::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<JsonKind, E> {
                Ok(JsonKind::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<JsonKind, E> {
                Ok(JsonKind::Other)
            }
        }
        d.deserialize_any(KindOf)
    }
}

/// The members of a request body by type (`null` reads as absent).
#[derive(serde::Deserialize)]
struct BodyShape {
    query: Option<JsonKind>,
    #[serde(rename = "operationName")]
    operation_name: Option<JsonKind>,
    variables: Option<JsonKind>,
    extensions: Option<JsonKind>,
}

/// Reads a JSON body into a request, checking the shape the spec requires. The shape is read
/// first without building a tree, so a large body (a bulk import) is held once, not twice.
fn parse_body(body: &[u8]) -> Result<async_graphql::Request, String> {
    let start = body.trim_ascii_start();
    if !start.is_empty() && !start.starts_with(b"{") {
        return Err("请求体须为JSON对象 / the body must be a JSON object".into());
    }
    let shape: BodyShape = match serde_json::from_slice(body) {
        Ok(shape) => shape,
        Err(e) if e.is_data() => {
            return Err("请求体须为JSON对象 / the body must be a JSON object".into());
        }
        Err(e) => {
            return Err(format!(
                "请求体不是有效的JSON / the body is not valid JSON: {e}"
            ));
        }
    };
    // A persisted-query request may carry its hash alone (`extensions.persistedQuery`).
    let may_omit_query = shape.query.is_none() && shape.extensions == Some(JsonKind::Object);
    if shape.query != Some(JsonKind::String) && !may_omit_query {
        return Err("query 须为非空字符串 / query must be a non-empty string".into());
    }
    for (key, kind, want) in [
        ("operationName", shape.operation_name, JsonKind::String),
        ("variables", shape.variables, JsonKind::Object),
        ("extensions", shape.extensions, JsonKind::Object),
    ] {
        if kind.is_some_and(|k| k != want) {
            return Err(format!("{key} 的类型不正确 / {key} has the wrong type"));
        }
    }
    let request: async_graphql::Request = serde_json::from_slice(body)
        .map_err(|e| format!("请求无效 / invalid GraphQL request: {e}"))?;
    if request.query.trim().is_empty() && !request.extensions.contains_key("persistedQuery") {
        return Err("query 须为非空字符串 / query must be a non-empty string".into());
    }
    Ok(request)
}

/// Whether the operation the request selects is a mutation (refused over GET).
fn selects_mutation(request: &mut async_graphql::Request) -> bool {
    crate::graphql::run::operation_kind(request) == Some(OperationType::Mutation)
}

async fn execute(
    s: &HttpState,
    Caller {
        request_id,
        address: client_address,
    }: Caller,
    headers: &HeaderMap,
    media: MediaType,
    request: async_graphql::Request,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let viewer = match viewer::resolve(&s.app.db, &s.app.jwt, &s.app.viewers, authorization).await {
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
    let mut request = request;
    s.documents
        .prepare(&mut request, matches!(viewer, crate::auth::Viewer::User(_)));
    let info = crate::graphql::context::RequestInfo::new(client_address)
        .with_request_id(request_id.0.clone());
    let started = std::time::Instant::now();
    let operation = request
        .operation_name
        .clone()
        .or_else(|| crate::metrics::first_operation_name(&request.query).map(str::to_string));
    // Never closed, so a turn always comes.
    let turn = s.operations.acquire().await;
    let crate::graphql::run::Executed {
        mut response,
        request_error,
    } = crate::graphql::run::execute(&s.schema, &s.app, request.data(viewer).data(info)).await;
    drop(turn);
    let codes: Vec<String> = response
        .errors
        .iter()
        .map(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .map_or_else(
                    || "UNKNOWN".to_string(),
                    |v| v.to_string().trim_matches('"').to_string(),
                )
        })
        .collect();
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    s.app.metrics.request(
        operation.as_deref(),
        started.elapsed().as_secs_f64(),
        &codes,
    );
    // Every error names the request, as the `x-request-id` header and the log lines do.
    for e in &mut response.errors {
        e.extensions
            .get_or_insert_with(Default::default)
            .set("requestId", request_id.0.clone());
    }
    if !request_error {
        // The usual case: serialized straight to text.
        return match serde_json::to_string(&response) {
            Ok(text) => respond_text(StatusCode::OK, media, text),
            Err(_) => respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                error_body("INTERNAL_SERVER_ERROR", "serialization failed"),
            ),
        };
    }
    // A request error: no `data` member, and 400 under graphql-response+json.
    let mut body = serde_json::to_value(&response)
        .unwrap_or_else(|_| error_body("INTERNAL_SERVER_ERROR", "serialization failed"));
    if let Value::Object(map) = &mut body {
        map.remove("data");
    }
    let status = match media {
        MediaType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
        MediaType::Json => StatusCode::OK,
    };
    respond(status, media, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_cache_keeps_signed_in_documents_within_its_text_budget() {
        let cache = DocumentCache::new(512);
        let doc = |i: usize| {
            let mut q = format!("{{ f{i}");
            while q.len() < 8000 {
                q.push_str(" a");
            }
            q.push('}');
            async_graphql::Request::new(q)
        };
        cache.prepare(&mut doc(0), false);
        assert_eq!(cache.cached_bytes(), 0, "anonymous callers add nothing");
        for i in 0..200 {
            cache.prepare(&mut doc(i), true);
        }
        assert!(cache.cached_bytes() <= CACHED_TEXT_BUDGET);
        assert!(cache.cached_bytes() > CACHED_TEXT_BUDGET - 9000);
    }

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
        assert!(parse_body(br#"["{ a }"]"#).is_err());
        assert!(parse_body(br#"{"query":"   "}"#).is_err());
        assert!(parse_body(br#"{"query":"{a}","variables":null,"operationName":null}"#).is_ok());
        assert!(parse_body(br#"{"query":"{a}","variables":{"x":[1,{"y":2}]}}"#).is_ok());
        assert!(parse_body(br#"{"query":"{a}","operationName":1}"#).is_err());
        assert!(parse_body(br#"{"query":"{a}","extensions":[]}"#).is_err());
        assert!(parse_body(b"{").is_err());
    }

    #[test]
    fn mutations_are_recognised_by_operation_name() {
        let q = "query A { a } mutation B { b }";
        let r = |name: &str| async_graphql::Request::new(q).operation_name(name);
        assert!(selects_mutation(&mut r("B")));
        assert!(!selects_mutation(&mut r("A")));
        assert!(selects_mutation(&mut async_graphql::Request::new(
            "mutation { x }"
        )));
    }
}
