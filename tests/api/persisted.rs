//! Automatic persisted queries, as Apollo's link runs them: the hash alone, the retry with the
//! document, then the hash alone again, over POST and GET.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn extension(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

db_test!(
    a_hash_alone_asks_for_the_document_once_then_answers,
    |app| {
        app.load_demo().await;
        let header = format!("Bearer {}", app.token_for("street.organizer").await);
        let document = "query Me { me { username } }";
        let hash = fazhan::http::apq::sha256_hex(document);
        let post = |body: Value| {
            let header = header.clone();
            let app = &app;
            async move {
                let req = Request::post("/graphql")
                    .header("content-type", "application/json")
                    .header("accept", "application/graphql-response+json")
                    .header("authorization", header)
                    .body(Body::from(body.to_string()))
                    .unwrap();
                app.http(req).await
            }
        };
        // 1. The hash alone: not known yet.
        let (status, _, body) = post(json!({ "extensions": extension(&hash) })).await;
        assert_eq!(status, 200);
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "PERSISTED_QUERY_NOT_FOUND"
        );
        assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
        assert!(
            body["errors"][0]["extensions"]["requestId"].is_string(),
            "{body:#}"
        );
        // 2. The retry with the document.
        let (status, _, body) =
            post(json!({ "query": document, "extensions": extension(&hash) })).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["me"]["username"], "street.organizer");
        // 3. The hash alone again, now over GET (cacheable by a proxy).
        let url = format!(
            "/graphql?extensions={}",
            encode(&extension(&hash).to_string())
        );
        let req = Request::get(url)
            .header("accept", "application/graphql-response+json")
            .header("authorization", header.clone())
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = app.http(req).await;
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(body["data"]["me"]["username"], "street.organizer");
        // A document that is not what its hash says is refused.
        let (status, _, body) =
            post(json!({ "query": "{ me { id } }", "extensions": extension(&hash) })).await;
        assert_eq!(status, 400);
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        // A persisted mutation still needs POST.
        let mutation = "mutation Out { changePassword(input: {currentPassword: \"x\", newPassword: \"yyyyyyyyyyyy\"}) { user { id } } }";
        let mhash = fazhan::http::apq::sha256_hex(mutation);
        post(json!({ "query": mutation, "extensions": extension(&mhash) })).await;
        let req = Request::get(format!(
            "/graphql?extensions={}",
            encode(&extension(&mhash).to_string())
        ))
        .header("accept", "application/graphql-response+json")
        .header("authorization", header.clone())
        .body(Body::empty())
        .unwrap();
        let (status, _, body) = app.http(req).await;
        assert_eq!(status, 405, "{body:#}");
        // Neither a query nor a hash: still a bad request.
        let (status, _, _) = post(json!({ "extensions": {} })).await;
        assert_eq!(status, 400);
    }
);
