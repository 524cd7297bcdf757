//! The audit chain: writes, logins, exports and duplicate checks are rows with who, role,
//! organization, operation, target, outcome and request id; `auditLog` shows an ADMIN its
//! subtree's rows; `audit verify` names the first row edited or removed behind the service's back.

use crate::fixtures::{SUBMIT, id_card, person};
use crate::helpers::{TestApp, code};
use crate::indicators::download;
use axum::body::Body;
use axum::http::Request;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const LOG: &str = "query($u: ID) { auditLog(under: $u, first: 100) { totalCount edges { node { sequence action actorRole outcome requestId subjectType detail organization { name } hash } } } }";

fn rows(d: &Value) -> Vec<Value> {
    d["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn login(app: &TestApp, user: &str, password: &str, request_id: &str) -> Value {
    let body = json!({ "query": "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }", "variables": { "u": user, "p": password } }).to_string();
    let (_, headers, body) = app
        .http(
            Request::post("/graphql")
                .header("content-type", "application/json")
                .header("x-request-id", request_id)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(headers["x-request-id"], request_id);
    body
}

/// The first row `audit verify` finds edited or removed, if any.
async fn first_break(app: &TestApp) -> Option<fazhan::db::audit::ChainBreak> {
    fazhan::service::audit::verify(&app.state.db)
        .await
        .unwrap()
        .1
}

db_test!(
    writes_logins_and_exports_are_chained_audit_rows_and_verify_names_a_tampered_row,
    |app| {
        app.load_demo().await;
        login(&app, "street.organizer", "demo-pass-2026", "req-login-ok").await;
        login(
            &app,
            "street.organizer",
            "wrong-password-1",
            "req-login-bad",
        )
        .await;
        // A password typed into the username field is not kept anywhere.
        login(&app, "my-Secret-Pass-1", "x", "req-login-unknown").await;
        let branch = app.org_id("和平社区第一党支部").await;
        app.ok(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-03", "person": person("审计", &id_card("2001-02-03", 41), "2001-02-03") } })).await;
        let street = app.org_id("和平街道党工委").await;
        let (status, _) = download(
            &app,
            Some("street.organizer"),
            &format!("/exports/indicator-table.csv?organizationId={street}&year=2025"),
        )
        .await;
        assert_eq!(status, 200);
        let d = app.ok(Some("street.admin"), LOG, json!({})).await;
        let log = rows(&d);
        let find = |action: &str, outcome: &str| {
            log.iter()
                .find(|r| r["action"] == action && r["outcome"] == outcome)
                .unwrap_or_else(|| panic!("{action}/{outcome} in {log:#?}"))
                .clone()
        };
        let ok = find("auth.login", "OK");
        assert_eq!(ok["requestId"], "req-login-ok");
        assert_eq!(find("auth.login", "FAILED")["requestId"], "req-login-bad");
        let step = find("candidate.submit_application", "OK");
        assert_eq!(step["actorRole"], "ORGANIZER");
        assert_eq!(step["organization"]["name"], "和平社区第一党支部");
        assert_eq!(
            find("export.indicator_table", "OK")["actorRole"],
            "ORGANIZER"
        );
        let root = app.ok(Some("admin"), LOG, json!({})).await;
        let unknown = rows(&root)
            .into_iter()
            .find(|r| r["requestId"] == "req-login-unknown")
            .expect("the failed login is audited");
        assert_eq!(unknown["outcome"], "FAILED");
        assert!(
            !root.to_string().to_lowercase().contains("my-secret-pass-1"),
            "{unknown:#}"
        );
        // Newest first, each with a hash.
        let seqs: Vec<i64> = log
            .iter()
            .map(|r| r["sequence"].as_i64().unwrap())
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] > w[1]));
        assert!(
            log.iter()
                .all(|r| r["hash"].as_str().is_some_and(|h| h.len() == 64))
        );
        // The chain is intact; an edited row is named, then a removed one.
        assert_eq!(first_break(&app).await, None);
        let target = step["sequence"].as_i64().unwrap();
        app.state
            .db
            .execute_unprepared(&format!(
                "UPDATE audit_events SET detail = '{{\"edited\":true}}' WHERE id = {target}"
            ))
            .await
            .unwrap();
        let broken = first_break(&app).await.expect("a break");
        assert_eq!(broken.id, target);
        app.state
            .db
            .execute_unprepared(&format!("DELETE FROM audit_events WHERE id = {target}"))
            .await
            .unwrap();
        let broken = first_break(&app).await.expect("a break");
        assert!(
            broken.id > target,
            "the row after the removed one: {broken:?}"
        );
    }
);

db_test!(
    the_audit_log_is_for_admins_and_stays_in_their_subtree,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        app.ok(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-03", "person": person("范围", &id_card("2001-02-04", 42), "2001-02-04") } })).await;
        for user in [
            "street.organizer",
            "street.approver",
            "branch.viewer",
            "partner.bot",
            "edu.analyst",
        ] {
            let r = app.exec(Some(user), LOG, json!({})).await;
            assert_eq!(code(&r), "FORBIDDEN", "{user}");
        }
        // The university's admin sees none of the street's rows, and cannot ask for them.
        let d = app.ok(Some("univ.admin"), LOG, json!({})).await;
        assert!(
            rows(&d)
                .iter()
                .all(|r| r["action"] != "candidate.submit_application")
        );
        let street = app.org_id("和平街道党工委").await;
        let r = app
            .exec(Some("univ.admin"), LOG, json!({ "u": street }))
            .await;
        assert_eq!(code(&r), "NOT_FOUND");
        let d = app.ok(Some("street.admin"), LOG, json!({})).await;
        assert!(
            rows(&d)
                .iter()
                .any(|r| r["action"] == "candidate.submit_application")
        );
    }
);

db_test!(
    duplicate_person_checks_say_no_more_than_needed_are_audited_and_limited,
    fazhan::Config {
        duplicate_checks_per_hour: 2,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        app.load_demo().await;
        // A number on record in the university's subtree.
        let univ_branch = app.org_id("计算机学院本科生第一党支部").await;
        let number = id_card("2001-02-05", 43);
        app.ok(Some("univ.organizer"), SUBMIT, json!({ "input": { "organizationId": univ_branch, "appliedOn": "2025-03-03", "person": person("异地", &number, "2001-02-05") } })).await;
        let branch = app.org_id("和平社区第一党支部").await;
        let import = "mutation($input: ImportCandidatesInput!) { importCandidates(input: $input) { imported } }";
        let row = json!({ "organizationId": branch, "appliedOn": "2025-03-04", "person": person("重复", &number, "2001-02-05") });
        let r = app
            .exec(
                Some("partner.bot"),
                import,
                json!({ "input": { "rows": [row] } }),
            )
            .await;
        let message = r["errors"][0]["extensions"]["rows"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.contains("DUPLICATE_PERSON"), "{r:#}");
        for secret in ["计算机", "大学", "异地", "univ"] {
            assert!(!r.to_string().contains(secret), "{secret} leaked: {r:#}");
        }
        // The second duplicate answer is still allowed; the third is refused before it says anything.
        let r = app.exec(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-04", "person": person("重复", &number, "2001-02-05") } })).await;
        assert_eq!(code(&r), "CONFLICT");
        let r = app.exec(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-04", "person": person("重复", &number, "2001-02-05") } })).await;
        assert_eq!(code(&r), "CONFLICT", "limits are per user: {r:#}");
        let r = app.exec(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-04", "person": person("重复", &number, "2001-02-05") } })).await;
        assert_eq!(code(&r), "RATE_LIMITED", "{r:#}");
        // Each check is an audit row, with counts and no numbers.
        let d = app.ok(Some("admin"), LOG, json!({})).await;
        let all: Vec<Value> = rows(&d)
            .into_iter()
            .filter(|r| r["action"] == "person.duplicate_check")
            .collect();
        // Every check is a row (the university's own clean application included); four found
        // a duplicate or were refused.
        assert!(all.iter().any(|r| r["outcome"] == "OK"), "{all:#?}");
        let checks: Vec<Value> = all.into_iter().filter(|r| r["outcome"] != "OK").collect();
        assert_eq!(checks.len(), 4, "{checks:#?}");
        assert_eq!(
            checks
                .iter()
                .filter(|r| r["outcome"] == "RATE_LIMITED")
                .count(),
            1
        );
        assert!(
            checks
                .iter()
                .all(|r| !r["detail"].to_string().contains(&number))
        );
    }
);

db_test!(
    metrics_need_their_token_when_one_is_set,
    fazhan::Config {
        metrics_token: Some("metrics-secret".into()),
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        let get = |auth: Option<&str>| {
            let mut r = Request::get("/metrics");
            if let Some(a) = auth {
                r = r.header("authorization", a);
            }
            r.body(Body::empty()).unwrap()
        };
        assert_eq!(app.http(get(None)).await.0, 401);
        assert_eq!(app.http(get(Some("Bearer wrong"))).await.0, 401);
        let (status, _, body) = app.http(get(Some("Bearer metrics-secret"))).await;
        assert_eq!(status, 200);
        assert!(
            body.as_str()
                .unwrap()
                .contains("fazhan_sql_statements_total")
        );
    }
);

db_test!(
    production_serves_neither_open_metrics_nor_graphiql,
    fazhan::Config {
        environment: fazhan::config::Environment::Production,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        assert_eq!(app.get("/metrics").await.0, 404);
        let (status, _, body) = app
            .http(
                Request::get("/graphql")
                    .header("accept", "text/html")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(!body.to_string().contains("graphiql"), "{status} {body}");
    }
);

db_test!(
    an_approver_cannot_name_a_committee_above_its_own_organization,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let d = app.ok(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-03", "person": person("上级", &id_card("2001-02-06", 44), "2001-02-06") } })).await;
        let id = d["submitApplication"]["candidate"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let district = app.org_id("示例区委组织部").await;
        let r = app.exec(Some("street.approver"), crate::fixtures::STEP, json!({ "input": { "candidateId": id, "expectedVersion": 1, "occurredOn": "2025-04-01", "step": { "admissionApproval": { "approverOrganizationId": district } } } })).await;
        assert_eq!(code(&r), "NOT_FOUND", "{r:#}");
    }
);

db_test!(a_refused_mutation_leaves_a_trace, |app| {
    app.load_demo().await;
    let univ = app.org_id("示例大学党委").await;
    let r = app.exec(Some("street.admin"), "mutation($input: SetLocalRulesInput!) { setLocalRules(input: $input) { localRules { minPoints } } }", json!({ "input": { "organizationId": univ, "rules": { "minPoints": 10 } } })).await;
    assert_eq!(code(&r), "NOT_FOUND");
    let r = app.exec(Some("street.organizer"), "mutation($input: SetLocalRulesInput!) { setLocalRules(input: $input) { localRules { minPoints } } }", json!({ "input": { "organizationId": univ, "rules": { "minPoints": 10 } } })).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let d = app.ok(Some("admin"), LOG, json!({})).await;
    let refused: Vec<Value> = rows(&d)
        .into_iter()
        .filter(|r| r["action"] == "mutation.refused")
        .collect();
    let outcomes: Vec<&str> = refused
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert!(
        outcomes.contains(&"NOT_FOUND") && outcomes.contains(&"FORBIDDEN"),
        "{refused:#?}"
    );
    assert!(
        refused
            .iter()
            .all(|r| r["detail"]["refused"][0]["field"] == "setLocalRules")
    );
    // Queries are not audited, refused or not.
    let before = rows(&app.ok(Some("admin"), LOG, json!({})).await).len();
    let _ = app
        .exec(
            Some("street.admin"),
            "query($id: ID!) { organization(id: $id) { name } }",
            json!({ "id": univ }),
        )
        .await;
    assert_eq!(
        rows(&app.ok(Some("admin"), LOG, json!({})).await).len(),
        before
    );
});

/// The number a one-row, one-column (`n`) statement answers.
async fn number(app: &crate::helpers::TestApp, sql: &str) -> i64 {
    let db = &app.state.db;
    db.query_one_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql,
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

/// Appends `n` rows, each in a transaction that stays open a moment after its row (so that on
/// PostgreSQL the next writers queue on the chain's head).
async fn append_slowly(db: &sea_orm::DatabaseConnection, tag: &'static str, n: usize) {
    use sea_orm::TransactionTrait;
    for i in 0..n {
        let txn = db.begin().await.unwrap();
        fazhan::db::audit::record(
            &txn,
            fazhan::db::audit::AuditRecord {
                actor_user_id: None,
                organization_id: None,
                action: tag,
                subject_type: "test",
                subject_id: Some(i as i64),
                detail: json!({ "i": i }),
            },
        )
        .await
        .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        txn.commit().await.unwrap();
    }
}

db_test!(appends_from_two_instances_at_once_stay_one_chain, |app| {
    app.load_demo().await;
    const COUNT: &str = "SELECT COUNT(*) AS n FROM audit_events";
    const LAST: &str = "SELECT MAX(id) AS n FROM audit_events";
    let before = number(&app, COUNT).await;
    match app
        .another_instance(fazhan::Config::for_tests(String::new()))
        .await
    {
        // PostgreSQL: eight writers on two instances at once, each waiting on the others.
        Some(b) => {
            let (a, bdb) = (&app.state.db, &b.state.db);
            futures_util::future::join_all((0..8).map(|w| {
                let db = if w % 2 == 0 { a } else { bdb };
                append_slowly(db, "test.concurrent", 10)
            }))
            .await;
            // The head holds the last row's hash: the next append links to it.
            let row = app
                .state
                .db
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    "SELECT (SELECT hash FROM audit_chain_head) = \
                     (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1) AS same",
                ))
                .await
                .unwrap()
                .unwrap();
            assert!(row.try_get::<bool>("", "same").unwrap());
            b.cleanup().await;
        }
        // SQLite: one writer at a time.
        None => append_slowly(&app.state.db, "test.concurrent", 80).await,
    }
    assert_eq!(number(&app, COUNT).await, before + 80);
    // Every row links to the one before it in id order, and its hash matches its content.
    assert_eq!(first_break(&app).await, None);
    // A last row removed behind the service's back: on PostgreSQL the head no longer matches
    // the chain's end (SQLite keeps no head and cannot tell).
    let removed = number(&app, LAST).await;
    app.state
        .db
        .execute_unprepared(&format!("DELETE FROM audit_events WHERE id = {removed}"))
        .await
        .unwrap();
    let found = first_break(&app).await;
    if app.backend == crate::helpers::Backend::Postgres {
        let found = found.expect("the removed last row is seen");
        assert_eq!(found.id, number(&app, LAST).await);
        assert!(found.reason.contains("head"), "{found:?}");
        // Nor may the head itself go: without it a cut end would pass.
        app.state
            .db
            .execute_unprepared("DELETE FROM audit_chain_head")
            .await
            .unwrap();
        let found = first_break(&app).await.expect("the missing head is seen");
        assert!(found.reason.contains("missing"), "{found:?}");
    } else {
        assert_eq!(found, None);
    }
    // The chain still notices an edit made behind the service's back.
    app.state
        .db
        .execute_unprepared(
            "UPDATE audit_events SET detail = '{}' WHERE id = (SELECT MAX(id) FROM audit_events WHERE action = 'test.concurrent')",
        )
        .await
        .unwrap();
    assert!(first_break(&app).await.is_some());
});
