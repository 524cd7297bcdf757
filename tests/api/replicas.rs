//! Several instances of the service on one PostgreSQL database (#14): each with its own caches,
//! limits and event bus, as replicas behind a load balancer. On SQLite (one process) there is
//! nothing to share, and these tests end early.

use crate::fixtures::{admitted, case_at_meeting_for, deactivate, id_card, person};
use crate::helpers::{code, content_type};
use crate::letters::{RECEIVE, migrant, sent_letter, village};
use fazhan::Config;
use fazhan::domain::letter::LetterEventKind;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// A long viewer cache: only an invalidation (never the cache running out) can explain a
/// refusal seen within the test.
fn long_cache() -> Config {
    Config {
        viewer_cache_ms: 600_000,
        ..Config::for_tests(String::new())
    }
}

db_test!(
    a_user_deactivated_through_one_instance_is_refused_by_the_other_at_once,
    long_cache(),
    |app| {
        app.load_demo().await;
        let Some(b) = app.another_instance(long_cache()).await else {
            return;
        };
        let header = format!("Bearer {}", app.token_for("branch.viewer").await);
        let me = "{ me { username } }";
        let (status, _, _) = b.post(Some(&header), me, json!({})).await;
        assert_eq!(status, 200, "B knows the user (and caches it)");
        deactivate(&app, "admin", "branch.viewer").await;
        let mut refused = false;
        for _ in 0..100 {
            let (status, _, _) = b.post(Some(&header), me, json!({})).await;
            if status == 401 {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(refused, "B still accepts a user deactivated through A");
        b.cleanup().await;
    }
);

db_test!(
    a_subscriber_on_one_instance_hears_a_letter_received_through_another,
    |app| {
        app.load_demo().await;
        let Some(b) = app.another_instance(Config::for_tests(String::new())).await else {
            return;
        };
        let village = village(&app).await;
        let case = case_at_meeting_for(&app, migrant("陈立", 71, &village), 71)
            .await
            .0
            .id;
        let (letter, v) = sent_letter(&app, "DEVELOPMENT_OPINION", &case, &village).await;
        let mut on_b = b.state.letter_events.subscribe_letters();
        // Received through A.
        app.ok(
            Some("town.organizer"),
            RECEIVE,
            json!({ "input": { "id": letter, "expectedVersion": v, "on": "2023-11-20" } }),
        )
        .await;
        let e = tokio::time::timeout(Duration::from_secs(5), on_b.recv())
            .await
            .expect("B hears it within 5 s")
            .unwrap();
        assert_eq!(e.kind, LetterEventKind::Received);
        let (_, id) = fazhan::graphql::ids::decode_any(&letter).unwrap();
        assert_eq!(e.letter_id, id);
        // Three instances sweeping together announce the overdue letter once.
        let Some(c) = app.another_instance(Config::for_tests(String::new())).await else {
            return;
        };
        let mut on_c = c.state.letter_events.subscribe_letters();
        let today = fazhan::clock::today();
        let sweeps = futures_util::future::join_all([&app, &b, &c].map(|i| {
            fazhan::service::letter::sweep_overdue(&i.state.db, &i.state.letter_events, today)
        }))
        .await;
        let swept: usize = sweeps.into_iter().map(|r| r.unwrap()).sum();
        assert_eq!(swept, 1);
        let first = tokio::time::timeout(Duration::from_secs(5), on_c.recv())
            .await
            .expect("C hears the overdue letter")
            .unwrap();
        assert_eq!(first.kind, LetterEventKind::Overdue);
        // And only once.
        assert!(
            tokio::time::timeout(Duration::from_millis(500), on_c.recv())
                .await
                .is_err()
        );
        c.cleanup().await;
        b.cleanup().await;
    }
);

db_test!(
    a_burst_of_events_reaches_another_instance_complete_and_in_order,
    |app| {
        app.load_demo().await;
        let Some(b) = app.another_instance(Config::for_tests(String::new())).await else {
            return;
        };
        let village = village(&app).await;
        let case = case_at_meeting_for(&app, migrant("吴越", 73, &village), 73)
            .await
            .0
            .id;
        let (letter, _) = sent_letter(&app, "DEVELOPMENT_OPINION", &case, &village).await;
        let (_, id) = fazhan::graphql::ids::decode_any(&letter).unwrap();
        let mut on_b = b.state.letter_events.subscribe_letters();
        // Announced back to back through A (one task sends them, batched).
        let kinds = [
            LetterEventKind::Received,
            LetterEventKind::Replied,
            LetterEventKind::Overdue,
            LetterEventKind::Withdrawn,
        ];
        for kind in kinds {
            app.state.letter_events.letter(fazhan::events::LetterEvent {
                kind,
                letter_id: id,
                sender_path: String::new(),
                receiver_path: String::new(),
            });
        }
        for kind in kinds {
            let e = tokio::time::timeout(Duration::from_secs(5), on_b.recv())
                .await
                .expect("B hears every event within 5 s")
                .unwrap();
            assert_eq!((e.kind, e.letter_id), (kind, id), "in the order announced");
            // B reloaded the letter: the paths come from the database, not the payload.
            assert!(!e.sender_path.is_empty() && !e.receiver_path.is_empty());
        }
        b.cleanup().await;
    }
);

db_test!(
    an_instance_reads_announced_letters_back_only_for_its_subscribers,
    |app| {
        let Some(b) = app.another_instance(Config::for_tests(String::new())).await else {
            return;
        };
        let (on_a, on_b) = (&app.state, &b.state);
        let bus = &on_b.letter_events;
        // Announces 40 distinct events through A (ids no letter has: a reload finds nothing but
        // still costs its statement) and one more; B handles received events one after another,
        // so once it has begun on the 41st the 40 before are done. B's statements meanwhile.
        let burst = |first: i64| async move {
            let received = bus.received.load(Ordering::SeqCst);
            let statements = on_b.sql_statements.load(Ordering::SeqCst);
            for id in first..first + 41 {
                on_a.letter_events.letter(fazhan::events::LetterEvent {
                    kind: LetterEventKind::Overdue,
                    letter_id: id,
                    sender_path: String::new(),
                    receiver_path: String::new(),
                });
            }
            let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
            while bus.received.load(Ordering::SeqCst) < received + 41 {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "B hears 41 events within 5 s"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            on_b.sql_statements.load(Ordering::SeqCst) - statements
        };
        // Nobody subscribed on B: the events are dropped unread.
        let unread = burst(1_000_000).await;
        // (Before: one statement per event, 40 or more.)
        assert!(
            unread < 10,
            "{unread} statements for 41 events nobody listens to"
        );
        // A subscription listens: each event is read back (the paths come from the database).
        let _listening = bus.subscribe_letters();
        let read_back = burst(2_000_000).await;
        assert!(
            read_back >= 40,
            "{read_back} statements for 41 events read back"
        );
        b.cleanup().await;
    }
);

db_test!(
    a_step_tried_through_two_instances_at_once_applies_once,
    |app| {
        app.load_demo().await;
        let Some(b) = app.another_instance(Config::for_tests(String::new())).await else {
            return;
        };
        let (case, _) = case_at_meeting_for(
            &app,
            person("吴刚", &id_card("1995-02-03", 72), "1995-02-03"),
            72,
        )
        .await;
        let meeting = json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 11, "no": 1 } } });
        let (ra, rb) = tokio::join!(
            case.step(&app, "2023-11-21", meeting.clone()),
            case.step(&b, "2023-11-21", meeting.clone()),
        );
        let ok = [&ra, &rb]
            .iter()
            .filter(|r| r.get("errors").is_none())
            .count();
        assert_eq!(ok, 1, "{ra:#} {rb:#}");
        let refused = if ra.get("errors").is_some() { &ra } else { &rb };
        assert_eq!(code(refused), "CONFLICT");
        app.assert_counts_consistent().await;
        b.cleanup().await;
    }
);

db_test!(every_error_names_its_request, |app| {
    use axum::body::Body;
    use axum::http::Request;
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .header("x-request-id", "probe-7f3a")
        .body(Body::from(
            json!({ "query": "{ organization(id: \"nope\") { name } }" }).to_string(),
        ))
        .unwrap();
    let (_, headers, body) = app.http(req).await;
    assert_eq!(headers["x-request-id"], "probe-7f3a");
    assert_eq!(
        body["errors"][0]["extensions"]["requestId"], "probe-7f3a",
        "{body:#}"
    );
});

db_test!(
    the_operator_sees_requests_errors_latency_and_the_pool,
    |app| {
        app.load_demo().await;
        let header = format!("Bearer {}", app.token_for("street.organizer").await);
        for _ in 0..2 {
            let (status, _, _) = app
                .post(Some(&header), "query Probe { me { username } }", json!({}))
                .await;
            assert_eq!(status, 200);
        }
        app.post(
            Some(&header),
            "query Broken { organization(id: \"nope\") { name } }",
            json!({}),
        )
        .await;
        let (status, headers, body) = app.get("/metrics").await;
        assert_eq!(status, 200);
        assert!(content_type(&headers).contains("openmetrics"));
        let text = body.as_str().unwrap();
        for line in [
            r#"fazhan_graphql_requests_total{operation="Probe",outcome="ok"} 2"#,
            r#"fazhan_graphql_requests_total{operation="Broken",outcome="error"} 1"#,
            r#"fazhan_graphql_errors_total{code="BAD_USER_INPUT"} 1"#,
            r#"fazhan_graphql_request_duration_seconds_count{operation="Probe"} 2"#,
            "fazhan_subscriptions_open 0",
            r#"fazhan_db_pool_connections{state="max"} 4"#,
            r#"fazhan_viewer_cache_lookups_total{result="hit"}"#,
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        assert!(text.contains("fazhan_sql_statements_total"));
    }
);

db_test!(
    indicators_are_read_from_the_replica_and_everything_else_from_the_primary,
    |app| {
        app.load_demo().await;
        // A "replica" that differs from the primary: three admissions only it has.
        let replica = crate::helpers::TestApp::spawn(app.backend, Config::for_tests(String::new()))
            .await
            .expect("a second database");
        replica.load_demo().await;
        let admissions = "
            和平社区第一党支部 3 F 1999-01-01 UNDERGRADUATE 2025-05-10
        ";
        admitted(&replica, admissions).await;
        let via = app.reading_from(&replica);
        let street = app.org_id("和平街道党工委").await;
        let q = "query($o: ID!) { indicators(organizationId: $o, year: 2025) { admitted } indicatorTable(organizationId: $o, year: 2025) { isTotal admitted } }";
        let d = via
            .ok(Some("street.organizer"), q, json!({ "o": street }))
            .await;
        assert_eq!(d["indicators"]["admitted"], 3);
        let total = d["indicatorTable"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(
            (total["isTotal"].as_bool(), total["admitted"].as_i64()),
            (Some(true), Some(3))
        );
        // The primary's own figures, and a read right after a write, come from the primary.
        let d = app
            .ok(Some("street.organizer"), q, json!({ "o": street }))
            .await;
        assert_eq!(d["indicators"]["admitted"], 0);
        let cases = via
            .ok(
                Some("street.organizer"),
                "{ candidates(first: 5) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(cases["candidates"]["totalCount"], 0);
        replica.cleanup().await;
    }
);

db_test!(
    a_report_returned_through_one_instance_is_heard_on_another,
    |app| {
        app.load_demo().await;
        crate::fixtures::organizer_at(&app, "示例区委组织部", "district.organizer").await;
        let b = app.another_instance(Config::for_tests(String::new())).await;
        // On SQLite (one process) the same instance hears it.
        let listener = b.as_ref().unwrap_or(&app);
        let mut rx = listener.state.letter_events.subscribe_reports();
        let street = app.org_id("和平街道党工委").await;
        let d = app.ok(Some("street.organizer"), "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { id version } } }", json!({ "input": { "organizationId": street, "year": 2025, "period": "H1", "submittedOn": "2025-06-25" } })).await;
        let id = d["submitReport"]["report"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let v = d["submitReport"]["report"]["version"].as_i64().unwrap();
        app.ok(Some("district.organizer"), "mutation($input: ReviewReportInput!) { returnReport(input: $input) { report { status } } }", json!({ "input": { "id": id, "expectedVersion": v, "reason": "数字有误" } })).await;
        let e = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("the return is heard")
            .unwrap();
        assert_eq!(e.kind, fazhan::events::ReportEventKind::Returned);
        let (_, n) = fazhan::graphql::ids::decode_any(&id).unwrap();
        assert_eq!(e.report_id, n);
        if let Some(b) = b {
            b.cleanup().await;
        }
    }
);
