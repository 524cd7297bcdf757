//! GraphQL over HTTP: methods, media types, status codes; GraphiQL; health endpoints.

use crate::helpers::{code, content_type};
use axum::body::Body;
use axum::http::Request;
use serde_json::json;

fn get(uri: &str, accept: &str) -> Request<Body> {
    Request::get(uri)
        .header("accept", accept)
        .body(Body::empty())
        .unwrap()
}

db_test!(queries_work_over_get_and_mutations_only_over_post, |app| {
    let (status, headers, body) = app
        .http(get(
            "/graphql?query=%7BserviceInfo%7Bname%7D%7D",
            "application/graphql-response+json",
        ))
        .await;
    assert_eq!(status, 200);
    assert!(content_type(&headers).starts_with("application/graphql-response+json"));
    assert_eq!(body["data"]["serviceInfo"]["name"], "fazhan");
    let uri = "/graphql?query=mutation%7Blogin(input%3A%7Busername%3A%22admin%22%2Cpassword%3A%22admin-password-1%22%7D)%7Btoken%7D%7D";
    let (status, headers, _) = app
        .http(get(uri, "application/graphql-response+json"))
        .await;
    assert_eq!(status, 405);
    assert_eq!(headers["allow"], "POST");
    // `operationName` (the spec's spelling) picks the operation over GET: a query runs, a mutation
    // is refused.
    let two = "query%20A%7BserviceInfo%7Bname%7D%7D%20mutation%20B%7Blogin(input%3A%7Busername%3A%22admin%22%2Cpassword%3A%22admin-password-1%22%7D)%7Btoken%7D%7D";
    let (status, _, body) = app
        .http(get(
            &format!("/graphql?query={two}&operationName=A"),
            "application/graphql-response+json",
        ))
        .await;
    assert_eq!(
        (
            status.as_u16(),
            body["data"]["serviceInfo"]["name"].as_str()
        ),
        (200, Some("fazhan"))
    );
    let (status, _, _) = app
        .http(get(
            &format!("/graphql?query={two}&operationName=B"),
            "application/graphql-response+json",
        ))
        .await;
    assert_eq!(status, 405);
    // A named mutation without operationName is refused over GET too (it is the one it runs).
    let named = "/graphql?query=mutation%20Login%7Blogin(input%3A%7Busername%3A%22admin%22%2Cpassword%3A%22admin-password-1%22%7D)%7Btoken%7D%7D";
    let (status, _, _) = app
        .http(get(named, "application/graphql-response+json"))
        .await;
    assert_eq!(status, 405);
});

db_test!(media_types_and_status_codes_follow_the_spec, |app| {
    let req = Request::post("/graphql")
        .header("content-type", "text/plain")
        .body(Body::from("{ serviceInfo { name } }"))
        .unwrap();
    assert_eq!(app.http(req).await.0, 415);
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let (status, _, body) = app.http(req).await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "BAD_USER_INPUT");
    // A document that does not validate: 400 without data for graphql-response+json, 200 for json.
    let doc = json!({ "query": "{ noSuchField }" }).to_string();
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(Body::from(doc.clone()))
        .unwrap();
    let (status, _, body) = app.http(req).await;
    assert_eq!(status, 400);
    assert!(body.get("data").is_none());
    assert_eq!(code(&body), "BAD_USER_INPUT");
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(Body::from(doc))
        .unwrap();
    let (status, headers, _) = app.http(req).await;
    assert_eq!(status, 200);
    assert!(content_type(&headers).starts_with("application/json"));
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(app.http(req).await.0, 406);
});

db_test!(browsers_get_graphiql_and_probes_get_health, |app| {
    let (status, _, body) = app
        .http(get("/graphql", "text/html,application/xhtml+xml"))
        .await;
    assert_eq!(status, 200);
    let page = body.as_str().unwrap();
    assert!(
        page.contains("/graphiql/graphiql.min.js") && !page.contains("unpkg.com"),
        "served without a CDN"
    );
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
    ] {
        let (status, headers, _) = app.http(get(&format!("/graphiql/{asset}"), "*/*")).await;
        assert_eq!(status, 200, "{asset}");
        assert!(
            content_type(&headers).starts_with(if asset.ends_with(".css") {
                "text/css"
            } else {
                "application/javascript"
            })
        );
    }
    let (status, _, body) = app.http(get("/healthz", "*/*")).await;
    assert_eq!(
        (status.as_u16(), body["status"].as_str()),
        (200, Some("ok"))
    );
    let (status, _, body) = app.http(get("/readyz", "*/*")).await;
    assert_eq!(
        (status.as_u16(), body["status"].as_str()),
        (200, Some("ready"))
    );
});

db_test!(
    a_portal_on_an_allowed_origin_passes_the_preflight_and_others_do_not,
    fazhan::Config {
        cors_allowed_origins: vec!["https://portal.example.cn".into()],
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        let preflight = |origin: &str| {
            axum::http::Request::builder()
                .method("OPTIONS")
                .uri("/graphql")
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization, content-type",
                )
                .body(axum::body::Body::empty())
                .unwrap()
        };
        let (status, headers, _) = app.http(preflight("https://portal.example.cn")).await;
        assert!(status.is_success(), "{status}");
        assert_eq!(
            headers["access-control-allow-origin"],
            "https://portal.example.cn"
        );
        let allowed = headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_lowercase();
        assert!(
            allowed.contains("authorization") && allowed.contains("content-type"),
            "{allowed}"
        );
        assert!(headers.get("access-control-allow-credentials").is_none());
        let (_, headers, _) = app.http(preflight("https://evil.example")).await;
        assert!(
            headers.get("access-control-allow-origin").is_none(),
            "{headers:?}"
        );
        // An actual request from the portal can read the answer and its request id.
        let req = axum::http::Request::post("/graphql")
            .header("origin", "https://portal.example.cn")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                json!({ "query": "{ serviceInfo { name } }" }).to_string(),
            ))
            .unwrap();
        let (status, headers, _) = app.http(req).await;
        assert_eq!(status, 200);
        assert_eq!(
            headers["access-control-allow-origin"],
            "https://portal.example.cn"
        );
        assert!(
            headers["access-control-expose-headers"]
                .to_str()
                .unwrap()
                .contains("x-request-id")
        );
    }
);

db_test!(no_origin_is_allowed_by_default, |app| {
    let req = axum::http::Request::builder()
        .method("OPTIONS")
        .uri("/graphql")
        .header("origin", "https://portal.example.cn")
        .header("access-control-request-method", "POST")
        .body(axum::body::Body::empty())
        .unwrap();
    let (_, headers, _) = app.http(req).await;
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "{headers:?}"
    );
});

db_test!(
    refusals_the_framework_answers_carry_a_code_and_get_answers_name_who_may_keep_them,
    {
        let mut c = fazhan::Config::for_tests(String::new());
        c.max_body_bytes = 4096;
        c
    },
    |app| {
        let token = format!("Bearer {}", app.token_for("admin").await);
        // A body over the limit, a query string that does not decode: coded JSON errors with
        // the request's id, not the framework's plain text.
        let big = json!({ "query": format!("{{ serviceInfo {{ name }} }} #{}", "x".repeat(5000)) });
        let too_big = Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(big.to_string()))
            .unwrap();
        let bad_year = Request::get("/exports/indicator-table.csv?organizationId=x&year=abc")
            .header("authorization", &token)
            .body(Body::empty())
            .unwrap();
        for (request, status, message) in [
            (too_big, 413, "请求体过大 / the request body is too large"),
            (bad_year, 400, "请求格式错误 / malformed request"),
        ] {
            let (got, headers, body) = app.http(request).await;
            assert_eq!(got, status, "{body:#}");
            assert!(content_type(&headers).starts_with("application/json"));
            assert_eq!(code(&body), "BAD_USER_INPUT", "{body:#}");
            let error = &body["errors"][0];
            assert!(
                error["message"].as_str().unwrap().starts_with(message),
                "{body:#}"
            );
            assert_eq!(
                error["extensions"]["requestId"],
                headers["x-request-id"].to_str().unwrap()
            );
        }
        // GET answers depend on the token and the media type; one given to a token is private.
        let uri = "/graphql?query=%7BserviceInfo%7Bname%7D%7D";
        let (_, anonymous, _) = app.http(get(uri, "application/json")).await;
        assert_eq!(anonymous["vary"], "accept, authorization");
        assert!(anonymous.get("cache-control").is_none());
        let with_token = Request::get(uri)
            .header("authorization", &token)
            .body(Body::empty())
            .unwrap();
        let (status, headers, _) = app.http(with_token).await;
        assert_eq!(status, 200);
        assert_eq!(headers["vary"], "accept, authorization");
        assert_eq!(headers["cache-control"], "private");
    }
);
