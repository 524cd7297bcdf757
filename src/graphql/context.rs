//! Typed access to what a resolver needs from the context.

use super::ids::{self, NodeType};
use super::loaders::LoaderError;
use super::pagination::{PageArgs, page_args};
use crate::auth::Viewer;
use crate::domain::Actor;
use crate::error::AppResult;
use crate::service::list::ListQuery;
use crate::state::AppState;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, ErrorExtensions, ID};
use std::hash::Hash;

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

    /// One key's value from a batch loader registered on the schema (loads of the same tick
    /// share one statement); a failed batch keeps its error code.
    fn load_one<L, K>(
        &self,
        key: K,
    ) -> impl Future<Output = async_graphql::Result<Option<L::Value>>> + Send
    where
        L: Loader<K, Error = LoaderError>,
        K: Send + Sync + Hash + Eq + Clone + 'static,
    {
        let loader = self.loader::<L>();
        async move { loader.load_one(key).await.map_err(|e| e.extend()) }
    }

    /// A page window (`first`, `after`) checked against the configured largest page.
    fn page_args(&self, first: Option<i32>, after: Option<&str>) -> AppResult<PageArgs> {
        page_args(first, after, self.state().config.max_page_size)
    }

    /// The subtree root a list was asked for (`under`, a global organization id; `None`: the
    /// viewer's own organization), checked for its type; its scope is checked by the service.
    fn list_query<C>(
        &self,
        under: Option<ID>,
        first: Option<i32>,
        after: Option<&str>,
        only: C,
    ) -> async_graphql::Result<(ListQuery<C>, PageArgs)> {
        let args = self.page_args(first, after)?;
        let under = under
            .map(|u| ids::decode(NodeType::Organization, &u, "under"))
            .transpose()?;
        let query = ListQuery {
            under,
            only,
            after_id: args.after_id,
            limit: args.limit,
        };
        Ok((query, args))
    }
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
