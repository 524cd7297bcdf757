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

db_test!(
    a_document_sent_again_is_answered_as_a_new_one,
    fazhan::Config {
        max_complexity: 5_000,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        // The second time a signed-in caller sends a document its parsed form comes from the
        // document cache; every answer must equal the one a new document gets (the same
        // document with trailing spaces is new text, parsed and validated afresh).
        app.load_demo().await;
        let bearer = format!("Bearer {}", app.token_for("street.admin").await);
        let street = app.org_id("和平街道党工委").await;
        let doc = "query($id: ID!, $n: Int!, $s: String) { node(id: $id) { id ... on Organization { name } } organizations(first: $n, search: $s) { edges { node { children(first: $n) { edges { node { name } } } } } } }";
        let seen = app
            .post(Some(&bearer), doc, json!({ "id": street, "n": 3 }))
            .await;
        assert_eq!(seen.0, 200, "{:#}", seen.2);
        let without_request_id = |mut body: serde_json::Value| {
            for e in body["errors"].as_array_mut().into_iter().flatten() {
                e["extensions"]
                    .as_object_mut()
                    .map(|x| x.remove("requestId"));
            }
            body
        };
        // Each time a new text (the document with one more trailing space).
        let mut padding = String::new();
        let mut fresh_text = || {
            padding.push(' ');
            format!("{doc}{padding}")
        };
        // What each answer must be (`None`: however the executor answers a null or missing
        // value, as long as both answers are the same).
        let ok = Some((200, None));
        let refused = |code: &'static str| Some((400, Some(code)));
        for (variables, expected) in [
            (json!({ "id": street, "n": 3 }), ok),
            (json!({ "id": street, "n": 3, "s": "街道" }), ok),
            // Priced with this request's variables: too complex.
            (
                json!({ "id": street, "n": 100 }),
                refused("QUERY_TOO_COMPLEX"),
            ),
            (
                json!({ "id": street, "n": 2147483647 }),
                refused("QUERY_TOO_COMPLEX"),
            ),
            // Page sizes the resolver refuses.
            (
                json!({ "id": street, "n": 0 }),
                Some((200, Some("BAD_USER_INPUT"))),
            ),
            // Variables of the wrong kind: refused before execution.
            (
                json!({ "id": { "a": 1 }, "n": 3 }),
                refused("BAD_USER_INPUT"),
            ),
            (json!({ "id": street, "n": "3" }), refused("BAD_USER_INPUT")),
            (json!({ "id": street, "n": 3.5 }), refused("BAD_USER_INPUT")),
            (
                json!({ "id": street, "n": 3, "s": 7 }),
                refused("BAD_USER_INPUT"),
            ),
            // Null and missing values.
            (json!({ "id": street, "n": null }), None),
            (json!({ "n": 3 }), None),
            (json!(null), None),
        ] {
            let again = app.post(Some(&bearer), doc, variables.clone()).await;
            let fresh = app
                .post(Some(&bearer), &fresh_text(), variables.clone())
                .await;
            assert_eq!(again.0, fresh.0, "{variables}");
            assert_eq!(
                without_request_id(again.2.clone()),
                without_request_id(fresh.2),
                "{variables}"
            );
            let Some((status, code_expected)) = expected else {
                continue;
            };
            assert_eq!(again.0.as_u16(), status, "{variables}: {:#}", again.2);
            match code_expected {
                Some(c) => assert_eq!(code(&again.2), c, "{variables}: {:#}", again.2),
                None => assert!(
                    again.2.get("errors").is_none(),
                    "{variables}: {:#}",
                    again.2
                ),
            }
        }
        // A document that failed its validation is never let through afterwards.
        let bad = "query($id: ID!) { node(id: $id) { id nosuchfield } }";
        for _ in 0..2 {
            let (status, _, body) = app.post(Some(&bearer), bad, json!({ "id": street })).await;
            assert_eq!(status, 400, "{body:#}");
            assert_eq!(code(&body), "BAD_USER_INPUT");
        }
    }
);

db_test!(
    a_text_longer_than_the_limit_is_refused_before_anything_runs,
    |app| {
        app.load_demo().await;
        let token = format!("Bearer {}", app.token_for("street.organizer").await);
        let before = crate::fixtures::candidate_count(&app).await;
        let max = fazhan::graphql::text_limit::MAX_TEXT_CHARS;
        let note = "长".repeat(max + 1);
        // In a variable (a 50,001-character note on an application) and as a literal.
        let submit = "mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { candidate { id } } }";
        let branch = app.org_id("和平社区第一党支部").await;
        let input = json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-03", "note": note, "person": crate::fixtures::person("长文", &crate::fixtures::id_card("1990-01-01", 41), "1990-01-01") } });
        let (status, _, body) = app.post(Some(&token), submit, input).await;
        assert_eq!(status, 400, "{body:#}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(body["errors"][0]["extensions"]["field"], "$input");
        let inline = format!(r#"{{ candidates(search: "{note}", first: 1) {{ totalCount }} }}"#);
        let (status, _, body) = app.post(Some(&token), &inline, json!({})).await;
        assert_eq!(status, 400, "{body:#}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"],
            "candidates.search"
        );
        // A direction override hidden in a note, or a control character: refused the same way.
        for hidden in ["好\u{202e}评", "ok\u{7}"] {
            let person = crate::fixtures::person(
                "隐字",
                &crate::fixtures::id_card("1990-01-01", 42),
                "1990-01-01",
            );
            let input = json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-03", "note": hidden, "person": person } });
            let (status, _, body) = app.post(Some(&token), submit, input).await;
            assert_eq!(status, 400, "{body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "$input");
            assert!(
                body.to_string().contains("control or direction-override"),
                "{body:#}"
            );
        }
        assert_eq!(crate::fixtures::candidate_count(&app).await, before);
    }
);
