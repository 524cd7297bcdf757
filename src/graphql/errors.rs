//! Gives every error a stable `extensions.code`, including those async-graphql raises itself
//! (parse and validation failures, limits, argument coercion), and marks request errors (the
//! document never ran) so the HTTP layer can answer 400.

use crate::error::ErrorCode;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when the request failed before execution (parse or validation error).
#[derive(Default, Clone)]
pub struct RequestErrorFlag(pub Arc<AtomicBool>);

impl RequestErrorFlag {
    /// Whether the document failed to parse or validate.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The extension factory registered on the schema.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

fn set_code(e: &mut ServerError, code: ErrorCode) {
    let ext = e.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code.as_str());
    }
}

fn mark(ctx: &ExtensionContext<'_>) {
    if let Some(flag) = ctx.data_opt::<RequestErrorFlag>() {
        flag.0.store(true, Ordering::Relaxed);
    }
}

fn is_limit(e: &ServerError) -> bool {
    e.message.contains("nested too deep")
        || e.message.contains("too complex")
        || e.message.contains("too many")
}

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut resp = next.run(ctx).await;
        for e in &mut resp.errors {
            set_code(e, ErrorCode::BadUserInput);
        }
        resp
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|mut e| {
            mark(ctx);
            set_code(&mut e, ErrorCode::BadUserInput);
            e
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            mark(ctx);
            for e in &mut errors {
                let code = if is_limit(e) {
                    ErrorCode::QueryTooComplex
                } else {
                    ErrorCode::BadUserInput
                };
                set_code(e, code);
            }
            errors
        })
    }
}
