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
fn is_request_error(response: &Response) -> bool {
    !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response
            .errors
            .iter()
            .all(|e| e.path.is_empty() && !is_operation_choice(e))
}

/// Gives every error of `response` a code: limits `QUERY_TOO_COMPLEX`, anything else the
/// executor raised itself (parse, validation, argument coercion) `BAD_USER_INPUT`; codes the
/// resolvers set stay. Returns whether the response is a request error.
pub fn code_errors(response: &mut Response) -> bool {
    let request_error = is_request_error(response);
    for e in &mut response.errors {
        if request_error && is_limit(e) {
            set_code(e, ErrorCode::QueryTooComplex);
        }
        set_code(e, ErrorCode::BadUserInput);
    }
    request_error
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Request, Schema};

    struct Query;

    #[Object]
    impl Query {
        async fn a(&self) -> i32 {
            1
        }
    }

    fn code(r: &Response) -> String {
        r.errors[0]
            .extensions
            .as_ref()
            .unwrap()
            .get("code")
            .unwrap()
            .to_string()
    }

    /// Pins the executor's wording this module relies on (async-graphql's messages).
    #[tokio::test]
    async fn request_errors_are_told_from_errors_that_choose_the_operation() {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription).finish();
        for (document, operation, request_error) in [
            ("{ a", None, true),
            ("{ b }", None, true),
            ("query x { a } query y { a }", None, false),
            ("query x { a }", Some("z"), false),
            ("subscription { a }", None, true),
            ("{ a }", None, false),
        ] {
            let mut request = Request::new(document);
            if let Some(name) = operation {
                request = request.operation_name(name);
            }
            let mut r = schema.execute(request).await;
            assert_eq!(is_request_error(&r), request_error, "{document}: {r:?}");
            assert_eq!(code_errors(&mut r), request_error);
            if !r.errors.is_empty() {
                assert_eq!(code(&r), "\"BAD_USER_INPUT\"", "{document}");
            }
        }
        let limited = Schema::build(Query, EmptyMutation, EmptySubscription)
            .limit_complexity(0)
            .finish();
        let mut r = limited.execute("{ a }").await;
        assert!(code_errors(&mut r));
        assert_eq!(code(&r), "\"QUERY_TOO_COMPLEX\"");
    }
}
