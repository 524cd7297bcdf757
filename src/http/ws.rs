//! GraphQL subscriptions over WebSocket (graphql-transport-ws, and the legacy graphql-ws) at
//! `GET /graphql/ws`. The token comes in `connection_init`: `{"token": "…"}` or
//! `{"Authorization": "Bearer …"}`; a missing or bad token closes the connection.
//!
//! The token is checked again on every message the client sends and every
//! [`RECHECK_EVERY`] while the socket is open: once it expires (after the usual leeway) or is
//! revoked (password change, reset, deactivation), the socket is closed with code 4401.

use super::HttpState;
use crate::auth::{Viewer, viewer};
use crate::state::AppState;
use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The close code sent when the token stops standing (graphql-transport-ws: 4401 Unauthorized).
pub const CLOSE_UNAUTHORIZED: u16 = 4401;

/// How often an open socket's token is checked when the client sends nothing.
pub const RECHECK_EVERY: Duration = Duration::from_secs(2);

/// The `Authorization` value the connection was opened with (set by `connection_init`).
type TokenCell = Arc<Mutex<Option<String>>>;

fn token_of(cell: &TokenCell) -> Option<String> {
    cell.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Resolves when the connection's token stops standing.
async fn revoked(app: AppState, cell: TokenCell) {
    loop {
        tokio::time::sleep(RECHECK_EVERY).await;
        if let Some(header) = token_of(&cell)
            && !app.token_stands(&header).await
        {
            return;
        }
    }
}

/// Upgrades to a GraphQL WebSocket.
pub async fn handler(
    State(s): State<HttpState>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let app = s.app.clone();
    let address = peer.map(|axum::Extension(axum::extract::ConnectInfo(a))| a.ip());
    let runner = crate::graphql::run::Runner {
        schema: s.schema.clone(),
        state: app.clone(),
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            let cell: TokenCell = Arc::default();
            let (mut socket_sink, stream) = socket.split();
            // Outgoing messages go through a channel, so that a close frame can be sent when the
            // token stops standing, whatever the GraphQL side is doing.
            let (sink, mut outgoing) = futures_channel::mpsc::channel::<Message>(64);
            let mut closer = sink.clone();
            let forward = tokio::spawn(async move {
                while let Some(m) = outgoing.next().await {
                    if socket_sink.send(m).await.is_err() {
                        break;
                    }
                }
                let _ = socket_sink.close().await;
            });
            // Every client message re-checks the token; a failed check ends the input, and
            // with it the connection.
            let (check_app, check_cell) = (app.clone(), cell.clone());
            let stream = stream.then(move |msg| {
                let (app, cell) = (check_app.clone(), check_cell.clone());
                async move {
                    match token_of(&cell) {
                        Some(header) if !app.token_stands(&header).await => {
                            Err(axum::Error::new("the token expired or was revoked"))
                        }
                        _ => msg,
                    }
                }
            });
            let (init_app, init_cell) = (app.clone(), cell.clone());
            let connection = GraphQLWebSocket::new_with_pair(sink, stream, runner, protocol)
                .on_connection_init(move |payload| async move {
                    let header = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(|v| v.as_str())
                        .map(String::from)
                        .or_else(|| {
                            payload
                                .get("token")
                                .and_then(|v| v.as_str())
                                .map(|t| format!("Bearer {t}"))
                        });
                    let Some(header) = header else {
                        return Err(async_graphql::Error::new(
                            "UNAUTHENTICATED: connection_init needs a token",
                        ));
                    };
                    match viewer::resolve(
                        &init_app.db,
                        &init_app.jwt,
                        &init_app.viewers,
                        Some(&header),
                    )
                    .await
                    {
                        Ok(v @ Viewer::User(_)) => {
                            *init_cell.lock().unwrap_or_else(|e| e.into_inner()) =
                                Some(header.clone());
                            let mut data = Data::default();
                            data.insert(v);
                            data.insert(crate::graphql::context::RequestInfo::new(address));
                            data.insert(crate::graphql::context::SocketToken(header.clone()));
                            Ok(data)
                        }
                        _ => Err(async_graphql::Error::new(
                            "UNAUTHENTICATED: invalid or expired token",
                        )),
                    }
                })
                .serve();
            tokio::select! {
                _ = connection => {}
                _ = revoked(app, cell) => {
                    tracing::info!("closing a WebSocket whose token expired or was revoked");
                    let _ = closer
                        .send(Message::Close(Some(CloseFrame {
                            code: CLOSE_UNAUTHORIZED,
                            reason: "token expired or revoked".into(),
                        })))
                        .await;
                }
            }
            drop(closer);
            let _ = tokio::time::timeout(Duration::from_secs(5), forward).await;
        })
}
