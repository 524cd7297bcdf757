//! Tokens: forged, stale and revoked tokens are refused over HTTP and WebSocket; a password
//! change or reset and a deactivation revoke every older token (service tokens included); an
//! open WebSocket closes when its token expires or is revoked.

use crate::fixtures::deactivate;
use crate::helpers::{TestApp, code};
use fazhan::auth::{Claims, TokenKind};
use futures_util::{SinkExt, StreamExt};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

const ME: &str = "{ me { username } }";
const SECRET: &[u8] = b"test-secret-test-secret-test-secret";
const RESET: &str = "mutation($id: ID!) { changePassword(input: {userId: $id, newPassword: \"a-new-password-1\"}) { user { username } } }";

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn claims(user_id: i64, generation: i64, exp_in: i64) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: user_id.to_string(),
        iat: now,
        exp: now + exp_in,
        iss: "fazhan".into(),
        kind: TokenKind::Login,
        tgen: generation,
    }
}

async fn user(app: &TestApp, name: &str) -> entity::user::Model {
    fazhan::db::user::find_by_username(&app.state.db, name)
        .await
        .unwrap()
        .unwrap()
}

/// Opens a graphql-transport-ws connection and sends `connection_init` with `token`; returns
/// the socket and whether it was acknowledged.
pub(crate) async fn open_ws(
    addr: std::net::SocketAddr,
    token: &str,
) -> (
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    bool,
) {
    let mut ws = connect_ws(addr).await;
    ws.send(Message::text(
        json!({ "type": "connection_init", "payload": { "token": token } }).to_string(),
    ))
    .await
    .unwrap();
    let reply = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .expect("a reply to connection_init");
    let acked = matches!(reply, Some(Ok(Message::Text(ref t))) if t.contains("connection_ack"));
    (ws, acked)
}

/// Opens a graphql-transport-ws connection to the server at `addr`, before `connection_init`.
pub(crate) async fn connect_ws(
    addr: std::net::SocketAddr,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut req = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// Waits until the server ends the socket (close frame, error or end of stream).
async fn closes_within(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    secs: u64,
) -> bool {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return false,
            Ok(Some(Ok(Message::Close(frame)))) => {
                // The server says why: 4401, the token expired or was revoked.
                return frame.is_some_and(|f| u16::from(f.code) == 4401);
            }
            Ok(None | Some(Err(_))) => return true,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

db_test!(
    forged_stale_and_revoked_tokens_are_refused_over_http_and_websocket,
    |app| {
        app.load_demo().await;
        let u = user(&app, "street.organizer").await;
        let good = app.token_for("street.organizer").await;
        let none = format!(
            "{}.{}.",
            b64(br#"{"alg":"none","typ":"JWT"}"#),
            b64(
                serde_json::to_string(&claims(u.id, u.token_generation, 3600))
                    .unwrap()
                    .as_bytes()
            )
        );
        let wrong_key = encode(
            &Header::new(Algorithm::HS256),
            &claims(u.id, u.token_generation, 3600),
            &EncodingKey::from_secret(b"another-secret-another-secret-xx"),
        )
        .unwrap();
        let wrong_alg = encode(
            &Header::new(Algorithm::HS512),
            &claims(u.id, u.token_generation, 3600),
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        let expired = encode(
            &Header::new(Algorithm::HS256),
            &claims(u.id, u.token_generation, -3600),
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        let mut early = serde_json::to_value(claims(u.id, u.token_generation, 7200)).unwrap();
        early["nbf"] = json!(chrono::Utc::now().timestamp() + 3600);
        let not_yet_valid = encode(
            &Header::new(Algorithm::HS256),
            &early,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        let mut tampered_claims = claims(u.id, u.token_generation, 3600);
        let (h, _, s) = {
            let parts: Vec<&str> = good.split('.').collect();
            (
                parts[0].to_string(),
                parts[1].to_string(),
                parts[2].to_string(),
            )
        };
        tampered_claims.sub = "1".into(); // the province admin
        let tampered = format!(
            "{h}.{}.{s}",
            b64(serde_json::to_string(&tampered_claims).unwrap().as_bytes())
        );
        let stale_generation = encode(
            &Header::new(Algorithm::HS256),
            &claims(u.id, u.token_generation + 7, 3600),
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(axum::serve(listener, app.router.clone()).into_future());
        for (what, token) in [
            ("alg none", &none),
            ("wrong key", &wrong_key),
            ("wrong algorithm", &wrong_alg),
            ("expired", &expired),
            ("not yet valid", &not_yet_valid),
            ("tampered", &tampered),
            ("another generation", &stale_generation),
        ] {
            let (status, _, body) = app
                .post(Some(&format!("Bearer {token}")), ME, json!({}))
                .await;
            assert_eq!(status, 401, "{what}: {body:#}");
            assert_eq!(code(&body), "UNAUTHENTICATED", "{what}");
            let (_, acked) = open_ws(addr, token).await;
            assert!(!acked, "{what} was accepted over WebSocket");
        }
        // The good token works on both; revoked by a reset, it works on neither.
        let (status, _, _) = app
            .post(Some(&format!("Bearer {good}")), ME, json!({}))
            .await;
        assert_eq!(status, 200);
        assert!(open_ws(addr, &good).await.1);
        let id = app.user_id("street.organizer").await;
        app.ok(Some("street.admin"), RESET, json!({ "id": id }))
            .await;
        let (status, _, body) = app
            .post(Some(&format!("Bearer {good}")), ME, json!({}))
            .await;
        assert_eq!(status, 401, "{body:#}");
        assert!(!open_ws(addr, &good).await.1);
        server.abort();
    }
);

db_test!(
    a_password_change_revokes_service_tokens_and_earlier_logins,
    |app| {
        app.load_demo().await;
        let u = user(&app, "partner.bot").await;
        let (service, _) = app
            .state
            .jwt
            .issue(
                u.id,
                u.token_generation,
                TokenKind::Service,
                chrono::Duration::days(365),
            )
            .unwrap();
        let bearer = format!("Bearer {service}");
        assert_eq!(app.post(Some(&bearer), ME, json!({})).await.0, 200);
        let id = app.user_id("partner.bot").await;
        app.ok(Some("city.admin"), RESET, json!({ "id": id })).await;
        assert_eq!(app.post(Some(&bearer), ME, json!({})).await.0, 401);
        // A token issued after the change works.
        let fresh = app.token_for("partner.bot").await;
        assert_eq!(
            app.post(Some(&format!("Bearer {fresh}")), ME, json!({}))
                .await
                .0,
            200
        );
        // One's own password change revokes one's own earlier tokens too.
        let own = app.token_for("branch.viewer").await;
        let r: Value = app.ok(Some("branch.viewer"), "mutation { changePassword(input: {currentPassword: \"demo-pass-2026\", newPassword: \"a-new-password-2\"}) { user { username } } }", json!({})).await;
        assert_eq!(r["changePassword"]["user"]["username"], "branch.viewer");
        assert_eq!(
            app.post(Some(&format!("Bearer {own}")), ME, json!({}))
                .await
                .0,
            401
        );
    }
);

db_test!(a_websocket_signs_no_one_in, |app| {
    app.load_demo().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, app.router.clone()).into_future());
    // One socket per guess would be a login outside the HTTP path's per-address limit.
    let token = app.token_for("branch.viewer").await;
    let (mut ws, acked) = open_ws(addr, &token).await;
    assert!(acked);
    let login = r#"mutation { login(input: {username: "street.approver", password: "demo-pass-2026"}) { token } }"#;
    ws.send(Message::text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": login } }).to_string(),
    ))
    .await
    .unwrap();
    let reply = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .expect("an answer")
        .unwrap()
        .unwrap();
    let text = reply.into_text().unwrap().to_string();
    assert!(text.contains("log in over HTTP"), "{text}");
    assert!(!text.contains("\"token\":\""), "{text}");
    // A socket's operations are held to the same text limits as HTTP's.
    let hidden = json!({ "id": "2", "type": "subscribe", "payload": { "query": "subscription($k: String) { letterEvents { kind } }", "variables": { "k": "好\u{202e}评" } } });
    ws.send(Message::text(hidden.to_string())).await.unwrap();
    let mut answers = vec![];
    let refused = loop {
        let reply = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("an answer")
            .unwrap()
            .unwrap();
        let text = reply.into_text().unwrap().to_string();
        if text.contains("\"id\":\"2\"") && text.contains("direction-override") {
            break true;
        }
        answers.push(text);
        if answers.len() == 5 {
            break false;
        }
    };
    assert!(refused, "{answers:?}");
    server.abort();
});

db_test!(
    an_open_websocket_closes_when_its_token_is_revoked_or_expires,
    |app| {
        app.load_demo().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(axum::serve(listener, app.router.clone()).into_future());
        // Revoked: the user is deactivated while the socket is open.
        let token = app.token_for("branch.viewer").await;
        let (mut ws, acked) = open_ws(addr, &token).await;
        assert!(acked);
        ws.send(Message::text(json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { letterEvents { kind } }" } }).to_string())).await.unwrap();
        deactivate(&app, "street.admin", "branch.viewer").await;
        assert!(
            closes_within(&mut ws, 10).await,
            "a revoked socket stayed open"
        );
        // Expired: a token with two seconds left (beyond the 30-second leeway) closes on its own.
        let u = user(&app, "street.organizer").await;
        let short = encode(
            &Header::new(Algorithm::HS256),
            &claims(u.id, u.token_generation, -28),
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        let (mut ws, acked) = open_ws(addr, &short).await;
        assert!(acked);
        assert!(
            closes_within(&mut ws, 12).await,
            "an expired socket stayed open"
        );
        server.abort();
    }
);
