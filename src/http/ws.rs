//! GraphQL subscriptions over WebSocket (graphql-transport-ws, and the legacy graphql-ws) at
//! `GET /graphql/ws`. The token comes in `connection_init`: `{"token": "…"}` or
//! `{"Authorization": "Bearer …"}`; a missing or bad token closes the connection.

use super::HttpState;
use crate::auth::{Viewer, viewer};
use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;

/// Upgrades to a GraphQL WebSocket.
pub async fn handler(
    State(s): State<HttpState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let schema = s.schema.clone();
    let app = s.app.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, schema, protocol)
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
                    match viewer::resolve(&app.db, &app.jwt, &app.viewers, Some(&header)).await {
                        Ok(v @ Viewer::User(_)) => {
                            let mut data = Data::default();
                            data.insert(v);
                            Ok(data)
                        }
                        _ => Err(async_graphql::Error::new(
                            "UNAUTHENTICATED: invalid or expired token",
                        )),
                    }
                })
                .serve()
        })
}
