//! Query depth, complexity, page size and body size limits, enforced before execution.

use crate::helpers::code;
use axum::body::Body;
use axum::http::Request;
use serde_json::json;

db_test!(
    a_query_nested_deeper_than_the_limit_is_refused_before_execution,
    fazhan::Config {
        max_depth: 5,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        let deep = "{ me { organization { parent { parent { parent { parent { name } } } } } } }";
        let r = app.exec(Some("admin"), deep, json!({})).await;
        assert_eq!(code(&r), "QUERY_TOO_COMPLEX");
        assert!(r["data"].is_null());
        let (status, _, body) = app
            .post(
                Some(&format!("Bearer {}", app.token_for("admin").await)),
                deep,
                json!({}),
            )
            .await;
        assert_eq!(status, 400);
        assert_eq!(code(&body), "QUERY_TOO_COMPLEX");
        app.ok(Some("admin"), "{ me { organization { name } } }", json!({}))
            .await;
    }
);

db_test!(
    a_query_over_the_complexity_limit_is_refused,
    fazhan::Config {
        max_complexity: 1_000,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        let wide = "{ organizations(first: 100) { edges { node { children(first: 100) { edges { node { name } } } } } } }";
        assert_eq!(
            code(&app.exec(Some("admin"), wide, json!({})).await),
            "QUERY_TOO_COMPLEX"
        );
        app.ok(Some("admin"), "{ organizations(first: 10) { edges { node { children(first: 10) { edges { node { name } } } } } } }", json!({})).await;
    }
);

db_test!(
    a_price_past_the_integers_is_refused_as_too_complex_not_a_crash,
    |app| {
        // Priced before `first` is checked: 2147483647³ once overflowed the price's
        // multiplication, and the request ended in a panic (500) for anyone, without a token.
        let huge = "{ organizations(first: 2147483647) { nodes { children(first: 2147483647) { nodes { children(first: 2147483647) { nodes { name } } } } } } }";
        for token in [
            None,
            Some(format!("Bearer {}", app.token_for("admin").await)),
        ] {
            let (status, _, body) = app.post(token.as_deref(), huge, json!({})).await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(code(&body), "QUERY_TOO_COMPLEX", "{body}");
        }
        let aggregate = "{ alerts(asOf: \"2026-01-01\", first: 2147483647) { candidate { organization { children(first: 2147483647) { nodes { children(first: 2147483647) { nodes { name } } } } } } } }";
        let r = app.exec(Some("admin"), aggregate, json!({})).await;
        assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");
    }
);

db_test!(page_sizes_outside_one_to_a_hundred_are_bad_input, |app| {
    for first in [0, -1, 101] {
        let r = app
            .exec(
                Some("admin"),
                "query($f: Int) { organizations(first: $f) { totalCount } }",
                json!({ "f": first }),
            )
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{first}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "first");
    }
    let r = app
        .exec(
            Some("admin"),
            "{ organizations(after: \"bogus\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "after");
    app.ok(
        Some("admin"),
        "{ organizations(first: 100) { totalCount } }",
        json!({}),
    )
    .await;
});

db_test!(
    a_body_over_the_limit_is_413,
    fazhan::Config {
        max_body_bytes: 2_000,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        let padding = " ".repeat(3_000);
        let body = json!({ "query": format!("{{ serviceInfo {{ name }} {padding}}}") }).to_string();
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let (status, _, _) = app.http(req).await;
        assert_eq!(status, 413);
    }
);

db_test!(
    the_standard_introspection_query_passes_the_default_limits,
    |app| {
        // The shape of graphql-js's getIntrospectionQuery (what GraphiQL and codegen tools send).
        let q = r#"query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name }
      types { ...FullType } directives { name description locations args { ...InputValue } } } }
      fragment FullType on __Type { kind name description
        fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
        inputFields { ...InputValue } interfaces { ...TypeRef }
        enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
      fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
      fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
        ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"#;
        let d = app.ok(None, q, json!({})).await;
        assert_eq!(d["__schema"]["queryType"]["name"], "QueryRoot");
    }
);

db_test!(
    operations_beyond_the_concurrency_limit_wait_their_turn_and_all_complete,
    fazhan::Config {
        max_concurrent_operations: 1,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        app.load_demo().await;
        let auth = format!("Bearer {}", app.token_for("street.organizer").await);
        // Twelve requests at once, one executing at a time: each is answered, in full.
        let q =
            "{ organizations(first: 5) { totalCount edges { node { name parent { name } } } } }";
        let answers =
            futures_util::future::join_all((0..12).map(|_| app.post(Some(&auth), q, json!({}))))
                .await;
        let first = &answers[0].2;
        assert!(
            first["data"]["organizations"]["totalCount"]
                .as_i64()
                .unwrap()
                > 1,
            "{first:#}"
        );
        for (status, _, body) in &answers {
            assert_eq!(*status, 200, "{body:#}");
            assert_eq!(body, first);
        }
    }
);
