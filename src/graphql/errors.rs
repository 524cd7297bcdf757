//! Gives every error a stable `extensions.code`, including those async-graphql raises itself
//! (parse and validation failures, limits, argument coercion), and tells request errors (the
//! document never ran) so the HTTP layer can answer 400. Applied by [`super::run`] to every
//! response, whatever the transport.

use crate::error::ErrorCode;
use async_graphql::{Response, ServerError};

fn set_code(e: &mut ServerError, code: ErrorCode) {
    let ext = e.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code.as_str());
    }
}

fn is_limit(e: &ServerError) -> bool {
    e.message.contains("nested too deep")
        || e.message.contains("too complex")
        || e.message.contains("too many")
}

/// Errors the executor raises while choosing the operation: answered like any other error
/// (200), not as a request error.
fn is_operation_choice(e: &ServerError) -> bool {
    e.message.starts_with("Unknown operation named")
        || e.message.starts_with("Operation name required")
        || e.message.starts_with("Subscriptions are not supported")
}

/// Whether `response` is a request error: the document did not parse or validate (or went over
/// a limit), so nothing ran — no data, and no error has a path.
pub fn is_request_error(response: &Response) -> bool {
    !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response
            .errors
            .iter()
            .all(|e| e.path.is_empty() && !is_operation_choice(e))
}

/// Gives every error of `response` a code: limits `QUERY_TOO_COMPLEX`, anything else the
/// executor raised itself (parse, validation, argument coercion) `BAD_USER_INPUT`; codes the
/// resolvers set stay.
pub fn code_errors(response: &mut Response, request_error: bool) {
    for e in &mut response.errors {
        if request_error && is_limit(e) {
            set_code(e, ErrorCode::QueryTooComplex);
        }
        set_code(e, ErrorCode::BadUserInput);
    }
}
