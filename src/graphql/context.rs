//! Typed access to what a resolver needs from the context.

use crate::auth::Viewer;
use crate::domain::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

/// What the transport knows about one GraphQL request (put in the request's data by the HTTP
/// and WebSocket handlers).
#[derive(Debug, Default)]
pub struct RequestInfo {
    /// The client's address (the TCP peer), when known.
    pub client_address: Option<std::net::IpAddr>,
    /// The request's id (`x-request-id`), recorded on its audit rows.
    pub request_id: Option<String>,
    /// `login` fields executed so far in this request: one is allowed per operation.
    pub logins: std::sync::atomic::AtomicU32,
}

impl RequestInfo {
    /// Info for a request from `client_address`.
    pub fn new(client_address: Option<std::net::IpAddr>) -> Self {
        RequestInfo {
            client_address,
            request_id: None,
            logins: Default::default(),
        }
    }

    /// The same, with the request's id.
    pub fn with_request_id(mut self, request_id: String) -> Self {
        self.request_id = Some(request_id);
        self
    }
}

/// The `Authorization` value a WebSocket connection was opened with: subscriptions check it
/// again before every event they deliver.
#[derive(Debug, Clone)]
pub struct SocketToken(pub String);

/// Ends a subscription's stream at the first event after the connection's token stopped
/// standing (expired, revoked, the user deactivated).
pub fn while_token_stands<S: futures_util::Stream>(
    ctx: &async_graphql::Context<'_>,
    stream: S,
) -> impl futures_util::Stream<Item = S::Item> {
    use futures_util::StreamExt;
    let token = ctx.data_opt::<SocketToken>().cloned();
    let state = ctx.state().clone();
    stream.take_while(move |_| {
        let (state, token) = (state.clone(), token.clone());
        async move {
            match token {
                Some(SocketToken(header)) => state.token_stands(&header).await,
                None => true,
            }
        }
    })
}

/// Typed accessors: one `expect` per item instead of `data().unwrap()` in resolvers.
pub trait ContextExt {
    /// The service state.
    fn state(&self) -> &AppState;
    /// Who is asking.
    fn viewer(&self) -> &Viewer;
    /// The signed-in actor, or `UNAUTHENTICATED`.
    fn actor(&self) -> AppResult<&Actor> {
        self.viewer().actor()
    }
    /// A batch loader registered on the schema.
    fn loader<L: Send + Sync + 'static>(&self) -> &DataLoader<L>;
}

impl ContextExt for Context<'_> {
    fn state(&self) -> &AppState {
        self.data::<AppState>()
            .expect("AppState is stored in the schema")
    }

    fn viewer(&self) -> &Viewer {
        self.data_opt::<Viewer>().unwrap_or(&Viewer::Anonymous)
    }

    fn loader<L: Send + Sync + 'static>(&self) -> &DataLoader<L> {
        self.data::<DataLoader<L>>()
            .expect("loader is stored in the schema")
    }
}
