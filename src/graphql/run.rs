//! Running an operation, the way every transport does (HTTP, WebSocket, tests in process): error
//! codes for the executor's own errors, request errors told apart, the audit context set around
//! the execution, and refused mutations of signed-in users recorded.
//!
//! This is done around the executor rather than as schema extensions: with any extension
//! registered, async-graphql sends every field of every response through the extension chain
//! (a registry lookup by name and a resolve-info per field) — measured, that was a fifth of a
//! nested list's throughput (op c of the benchmark: 851 req/s with the extensions, 1,069
//! without).

use super::AppSchema;
use super::context::RequestInfo;
use crate::auth::Viewer;
use crate::db::audit::AUDIT_CONTEXT;
use crate::domain::Actor;
use crate::state::AppState;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{Data, Request, Response};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::any::{Any, TypeId};
use std::sync::Arc;

/// An executed operation.
pub struct Executed {
    pub response: Response,
    /// The document did not parse or validate: nothing ran (HTTP answers 400 under
    /// `application/graphql-response+json`).
    pub request_error: bool,
}

/// Executes `request` (its viewer and request info in its data) against `schema`.
pub async fn execute(schema: &AppSchema, state: &AppState, mut request: Request) -> Executed {
    let kind = operation_kind(&mut request);
    let actor = actor_in(&request.data);
    let request_id = find::<RequestInfo>(&request.data).and_then(|i| i.request_id.clone());
    // A refused text is answered through the same path as the executor's own refusals.
    if let Some(refusal) = refused_text(&mut request) {
        return audited(state, kind, actor, request_id, async { refusal }).await;
    }
    audited(state, kind, actor, request_id, schema.execute(request)).await
}

/// The refusal of a request carrying a text value [`super::text_limit`] refuses, if it does:
/// nothing runs.
fn refused_text(request: &mut Request) -> Option<Response> {
    use super::text_limit::{Fault, MAX_TEXT_CHARS};
    let (at, fault) = super::text_limit::refused(request)?;
    let message = match fault {
        Fault::TooLong => format!(
            "文本过长（{at}超过{MAX_TEXT_CHARS}个字符）/ a text value is too long ({at}: over {MAX_TEXT_CHARS} characters)"
        ),
        Fault::Control => format!(
            "文本含控制字符或方向控制符（{at}）/ a text value holds a control or direction-override character ({at})"
        ),
    };
    let mut error = async_graphql::ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "BAD_USER_INPUT");
    extensions.set("field", at);
    error.extensions = Some(extensions);
    Some(Response::from_errors(vec![error]))
}

/// Runs `execution` in the audit context of `actor` and `request_id`, records a signed-in
/// user's refused mutation, and codes the errors.
async fn audited(
    state: &AppState,
    kind: Option<OperationType>,
    actor: Option<Actor>,
    request_id: Option<String>,
    execution: impl Future<Output = Response>,
) -> Executed {
    let context = super::audit::context_of(actor.as_ref(), request_id);
    let mut response = AUDIT_CONTEXT
        .scope(context, async {
            let response = execution.await;
            if let (Some(OperationType::Mutation), Some(actor)) = (kind, &actor) {
                super::audit::record_refusals(state, actor, &response).await;
            }
            response
        })
        .await;
    let request_error = super::errors::code_errors(&mut response);
    Executed {
        response,
        request_error,
    }
}

/// The signed-in actor of request or session data.
fn actor_in(data: &Data) -> Option<Actor> {
    find::<Viewer>(data).and_then(|v| v.actor().ok()).cloned()
}

/// The kind of operation the request selects (as the executor picks it: the only operation, or
/// the one named), if its document parses.
pub fn operation_kind(request: &mut Request) -> Option<OperationType> {
    let name = request.operation_name.clone();
    let doc = request.parsed_query().ok()?;
    let op = match (&doc.operations, name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    };
    op.map(|op| op.node.ty)
}

/// A value of type `T` in request or session data.
fn find<T: Any>(data: &Data) -> Option<&T> {
    data.get(&TypeId::of::<T>())
        .and_then(|d| d.downcast_ref::<T>())
}

/// The executor the GraphQL WebSocket runs: queries and mutations as [`execute`] runs them
/// (with the connection's viewer from its session data), subscriptions with their errors coded.
#[derive(Clone)]
pub struct Runner {
    pub schema: AppSchema,
    pub state: AppState,
}

impl async_graphql::Executor for Runner {
    async fn execute(&self, request: Request) -> Response {
        execute(&self.schema, &self.state, request).await.response
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let kind = operation_kind(&mut request);
        let mut refusal = refused_text(&mut request);
        if kind == Some(OperationType::Subscription)
            && let Some(refused) = refusal.take()
        {
            return futures_util::stream::once(std::future::ready(refused)).boxed();
        }
        let schema = self.schema.clone();
        if kind == Some(OperationType::Subscription) {
            return schema
                .execute_stream_with_session_data(request, session_data.unwrap_or_default())
                .map(|mut response| {
                    super::errors::code_errors(&mut response);
                    response
                })
                .boxed();
        }
        let state = self.state.clone();
        futures_util::stream::once(async move {
            let session = session_data.unwrap_or_default();
            let actor = actor_in(&session);
            let execution = async {
                match refusal {
                    Some(refused) => refused,
                    None => schema
                        .execute_stream_with_session_data(request, session)
                        .next()
                        .await
                        .unwrap_or_default(),
                }
            };
            audited(&state, kind, actor, None, execution).await.response
        })
        .boxed()
    }
}
