//! No N+1: nested queries execute at most their relation depth + 1 SQL statements, however
//! many rows each level returns (every relation goes through a batch loader).

use crate::fixtures::{SUBMIT, id_card, person};
use serde_json::json;
use std::sync::atomic::Ordering;

async fn statements(app: &crate::helpers::TestApp, user: &str, query: &str) -> u64 {
    // Resolve the viewer first so that only the execution is counted.
    let header = format!("Bearer {}", app.token_for(user).await);
    let viewer = fazhan::auth::viewer::resolve(
        &app.state.db,
        &app.state.jwt,
        &app.state.viewers,
        Some(&header),
    )
    .await
    .unwrap();
    let before = app.state.sql_statements.load(Ordering::SeqCst);
    let r = app
        .schema
        .execute(async_graphql::Request::new(query).data(viewer))
        .await;
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    app.state.sql_statements.load(Ordering::SeqCst) - before
}

db_test!(
    nested_queries_issue_at_most_depth_plus_one_statements,
    // A batch window that a thread descheduled on a loaded machine (the whole suite on two
    // cores) cannot outlast mid-resolution: the count is about batching, not timing.
    fazhan::Config {
        loader_delay_ms: 100,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        app.load_demo().await;
        // More rows at every level: 8 more branches under the community committee, applications in
        // several branches.
        let community = app.org_id("和平社区党委").await;
        let create = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }";
        for i in 0..8 {
            app.ok(Some("street.admin"), create, json!({ "input": { "parentId": community, "name": format!("社区第{i}网格党支部"), "kind": "BRANCH", "sector": "COMMUNITY" } })).await;
        }
        for (i, branch) in [
            "和平社区第一党支部",
            "和平社区第二党支部",
            "星火科技有限公司党支部",
            "明达物流有限公司党支部",
        ]
        .iter()
        .enumerate()
        {
            let org = app.org_id(branch).await;
            for j in 0..3 {
                let seq = 100 + (i * 3 + j) as u32;
                app.ok(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": org, "appliedOn": "2025-03-01", "person": person("某某", &id_card("1999-09-09", seq), "1999-09-09") } })).await;
            }
        }
        // Depth 3: organizations → children → children (with counts at the last level).
        let q = "{ organizations(first: 20) { edges { node { name children(first: 20) { edges { node { name children(first: 5) { totalCount edges { node { name } } } } } } } } } }";
        let n = statements(&app, "street.admin", q).await;
        assert!(n <= 4, "depth 3 ran {n} statements");
        // Depth 3: candidates → organization → parent (person fields are one batched read).
        let q = "{ candidates(first: 20) { edges { node { name idCardNumber stage organization { name parent { name } } } } } }";
        let n = statements(&app, "street.organizer", q).await;
        assert!(n <= 4, "depth 3 ran {n} statements");
        // Depth 3: a street → its branches → each branch's own cases (with person fields).
        let street = app.org_id("和平街道党工委").await;
        let q = format!(
            "{{ organization(id: \"{street}\") {{ children(first: 20) {{ edges {{ node {{ name candidates(first: 20) {{ totalCount edges {{ node {{ name stage }} }} }} }} }} }} }} }}"
        );
        let n = statements(&app, "street.organizer", &q).await;
        assert!(n <= 5, "depth 3 with counts ran {n} statements");
        // A case by id, with its person and the scope check, and a page with names: one
        // statement each (the person is joined, not loaded afterwards).
        let q = "{ candidates(first: 1) { edges { node { id } } } }";
        let r = app.ok(Some("street.organizer"), q, json!({})).await;
        let case = r["candidates"]["edges"][0]["node"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let q = format!(
            "{{ node(id: \"{case}\") {{ ... on Candidate {{ name idCardNumber stage }} }} }}"
        );
        assert_eq!(statements(&app, "street.organizer", &q).await, 1);
        if app.backend == crate::helpers::Backend::Postgres {
            // On PostgreSQL that statement ran on the hot-read lane, whose connection went
            // back to the lane (not closed) when the statement had run to the end; the next
            // lookup reuses it.
            assert_eq!(app.state.lane.idle(), 1);
            assert_eq!(statements(&app, "street.organizer", &q).await, 1);
            assert_eq!(app.state.lane.idle(), 1);
            // The server ends that connection while it is idle (a restart, an idle-connection
            // killer): the next lookup fails on it once, is tried again on a new connection, and
            // answers as before.
            let before = app.exec(Some("street.organizer"), &q, json!({})).await;
            let pids = app.state.lane.idle_backend_pids().await.unwrap();
            assert_eq!(pids.len(), 1);
            use sea_orm::ConnectionTrait;
            app.state
                .db
                .execute_unprepared(&format!("SELECT pg_terminate_backend({})", pids[0]))
                .await
                .unwrap();
            let after = app.exec(Some("street.organizer"), &q, json!({})).await;
            assert_eq!(after, before);
            assert!(before["errors"].is_null(), "{before:#}");
            let now = app.state.lane.idle_backend_pids().await.unwrap();
            assert_eq!(now.len(), 1);
            assert_ne!(
                now[0], pids[0],
                "a new connection took the ended one's place"
            );
        }
        let q = "{ candidates(first: 20) { edges { node { name gender stage } } } }";
        assert_eq!(statements(&app, "street.organizer", q).await, 1);
        // Depth 2: users → organization → ancestors.
        let q = "{ users(first: 20) { edges { node { username organization { name ancestors { name } } } } } }";
        let n = statements(&app, "admin", q).await;
        assert!(n <= 3, "depth 2 ran {n} statements");
    }
);

/// Every column of a case and of its person that the API shows.
const CASE_FIELDS: &str = "id version stage appliedOn talkedOn activistOn lastExaminationOn \
    targetOn admissionMeetingOn approvedOn oathOn probationEndOn conversionMeetingOn convertedOn \
    archivedOn extended invalidated name gender ethnicity birthDate idCardNumber phone education \
    occupations isFrontline isLeagueMember householdRegistration isMigrant \
    outflowOrganizationName expectedDepartureOn isHighLevelTalent hasPoliticalViolation \
    organization { id }";

/// The fields of a case that a lookup answers with the person's name alone.
const CASE_ONLY_FIELDS: &str = "id version stage name appliedOn talkedOn activistOn \
    lastExaminationOn targetOn admissionMeetingOn approvedOn oathOn probationEndOn \
    conversionMeetingOn convertedOn archivedOn extended invalidated organization { id }";

db_test!(a_case_reads_the_same_in_lists_pages_and_by_id, |app| {
    use fazhan::db::candidate::{
        PersonPart, PersonRead, find_in_subtree_with_person, find_in_subtree_with_person_on_lane,
    };
    // Lists, branch pages and `node` read a case and its person by column position (in
    // statements written by hand): a column out of place shows up as a field that differs.
    let opts = fazhan::seed::SeedOptions {
        organizations: 120,
        candidates: 1_500,
        seed: 7,
    };
    fazhan::seed::run(&app.state.db, &opts).await.unwrap();
    let read = async |query: String| app.ok(Some("admin"), &query, json!({})).await;
    let list = read(format!(
        "{{ candidates(first: 100) {{ edges {{ node {{ {CASE_FIELDS} }} }} }} }}"
    ))
    .await;
    let cases: Vec<serde_json::Value> = list["candidates"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(cases.len(), 100, "{list:#}");
    // Set and unset dates both occur, so a shifted column cannot go unnoticed.
    for field in ["activistOn", "targetOn", "approvedOn"] {
        assert!(
            cases.iter().any(|c| c[field].is_null()),
            "{field} never null"
        );
        assert!(
            cases.iter().any(|c| !c[field].is_null()),
            "{field} always null"
        );
    }
    // The by-position reads against SeaORM's by-name read of the same rows, every column.
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let rows = entity::candidate::Entity::find()
        .find_also_related(entity::person::Entity)
        .order_by_asc(entity::candidate::Column::Id)
        .limit(100)
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 100);
    for row in rows {
        let id = row.0.id;
        let own = entity::organization::Entity::find_by_id(row.0.organization_id)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
            .path;
        // Anywhere (the root's scope) and inside the case's own organization's subtree.
        let (case, person) = (row.0.clone(), row.1.clone().unwrap());
        let whole = Some((
            case.clone(),
            PersonRead::Whole(std::sync::Arc::new(person.clone())),
        ));
        let name_only = Some((case, PersonRead::NameOnly(person.name)));
        for scope in ["/1/", own.as_str()] {
            let db = &app.state.db;
            let lane = &app.state.lane;
            for (part, expected) in [
                (PersonPart::Whole, &whole),
                (PersonPart::NameOnly, &name_only),
            ] {
                let plain = find_in_subtree_with_person(db, id, scope, part);
                assert_eq!(plain.await.unwrap(), *expected);
                let on_lane = find_in_subtree_with_person_on_lane(db, lane, id, scope, part);
                assert_eq!(on_lane.await.unwrap(), *expected);
            }
        }
    }
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let by_id = read(format!(
            "{{ node(id: \"{id}\") {{ ... on Candidate {{ {CASE_FIELDS} }} }} }}"
        ))
        .await;
        assert_eq!(by_id["node"], *case);
        // A selection without the person's other fields reads the name alone (22 columns): the
        // same values, by `node` and by `candidate`, and the person's other fields still answer
        // when a fragment asks for them beside such a selection.
        let by_name = read(format!(
            "{{ node(id: \"{id}\") {{ ... on Candidate {{ {CASE_ONLY_FIELDS} }} }} \
               candidate(id: \"{id}\") {{ {CASE_ONLY_FIELDS} }} }}"
        ))
        .await;
        for field in CASE_ONLY_FIELDS
            .split_whitespace()
            .filter(|f| f.ends_with(|c: char| c.is_alphabetic()))
        {
            assert_eq!(by_name["node"][field], case[field], "{field}");
            assert_eq!(by_name["candidate"][field], case[field], "{field}");
        }
        let mixed = read(format!(
            "{{ node(id: \"{id}\") {{ ... on Candidate {{ name stage }} ...P }} }} \
             fragment P on Candidate {{ gender birthDate }}"
        ))
        .await;
        for field in ["name", "stage", "gender", "birthDate"] {
            assert_eq!(mixed["node"][field], case[field], "{field}");
        }
    }
    // Either way one statement: the name alone, or the whole person when more is asked for.
    let id = cases[0]["id"].as_str().unwrap();
    for fields in [
        "name stage",
        "name stage gender idCardNumber",
        "...on Candidate { phone }",
    ] {
        let q = format!("{{ node(id: \"{id}\") {{ id ... on Candidate {{ {fields} }} }} }}");
        assert_eq!(statements(&app, "admin", &q).await, 1, "{q}");
    }
    let mut orgs: Vec<&str> = cases
        .iter()
        .map(|c| c["organization"]["id"].as_str().unwrap())
        .collect();
    orgs.sort();
    orgs.dedup();
    let mut seen = 0;
    for org in orgs {
        // The organization's own page (the per-organization loader) and the list of its
        // subtree (a lateral read per organization on PostgreSQL) hold the same cases.
        let page = read(format!("{{ organization(id: \"{org}\") {{ candidates(first: 100) {{ edges {{ node {{ {CASE_FIELDS} }} }} }} }} candidates(under: \"{org}\", first: 100) {{ edges {{ node {{ {CASE_FIELDS} }} }} }} }}")).await;
        let own = page["organization"]["candidates"]["edges"]
            .as_array()
            .unwrap();
        assert_eq!(own, page["candidates"]["edges"].as_array().unwrap());
        for e in own {
            if let Some(listed) = cases.iter().find(|c| c["id"] == e["node"]["id"]) {
                assert_eq!(e["node"], *listed);
                seen += 1;
            }
        }
    }
    assert_eq!(seen, cases.len());
});

db_test!(organizations_read_the_same_by_position, |app| {
    // Organizations are read by column position (lookups, lists, loaders, children pages): a
    // column out of place shows up as a field that differs from SeaORM's by-name read.
    let opts = fazhan::seed::SeedOptions {
        organizations: 60,
        candidates: 0,
        seed: 11,
    };
    fazhan::seed::run(&app.state.db, &opts).await.unwrap();
    use fazhan::db::organization as orgs;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder};
    let db = &app.state.db;
    // Every column takes more than one value: codes set and unset, flags on and off.
    let all = entity::organization::Entity::find().all(db).await.unwrap();
    for o in all.iter().filter(|o| o.id % 3 == 0) {
        let mut m: entity::organization::ActiveModel = o.clone().into();
        m.code = Set(Some(format!("C{}", o.id)));
        m.is_two_new = Set(!o.is_two_new);
        m.can_approve = Set(!o.can_approve);
        // Each column apart from its neighbours: the seed writes both flags alike and both
        // timestamps alike.
        m.can_pre_review = Set(o.can_approve);
        m.updated_at = Set(o.updated_at + chrono::Duration::seconds(o.id + 3600));
        m.member_count = Set(i32::try_from(o.id).unwrap() * 7);
        m.active = Set(o.id % 2 == 0 || o.parent_id.is_none());
        m.update(db).await.unwrap();
    }
    let by_name = entity::organization::Entity::find()
        .order_by_asc(entity::organization::Column::Id)
        .all(db)
        .await
        .unwrap();
    assert!(by_name.len() >= 60, "{}", by_name.len());
    let varied: [fn(&entity::organization::Model) -> bool; 7] = [
        |o| o.code.is_some(),
        |o| o.is_two_new,
        |o| o.can_approve,
        |o| o.can_approve != o.can_pre_review,
        |o| o.created_at != o.updated_at,
        |o| o.active,
        |o| o.parent_id.is_some(),
    ];
    for field in varied {
        assert!(by_name.iter().any(field) && !by_name.iter().all(field));
    }
    for o in &by_name {
        assert_eq!(orgs::find_by_id(db, o.id).await.unwrap().as_ref(), Some(o));
    }
    let ids: Vec<i64> = by_name.iter().map(|o| o.id).collect();
    let mut many = orgs::find_by_ids(db, &ids).await.unwrap();
    many.sort_by_key(|o| o.id);
    assert_eq!(many, by_name);
    let filter = orgs::OrganizationFilter {
        under_path: "/1/".into(),
        include_inactive: true,
        ..Default::default()
    };
    let mut listed = Vec::new();
    let mut after = None;
    loop {
        let page = orgs::list(db, &filter, after, 25).await.unwrap();
        after = page.rows.last().map(|o| o.id);
        listed.extend(page.rows);
        if !page.has_next {
            break;
        }
    }
    assert_eq!(listed, by_name);
    let keys: Vec<orgs::ChildrenPageKey> = by_name
        .iter()
        .map(|o| orgs::ChildrenPageKey {
            parent_id: o.id,
            after_id: 0,
            limit: 1000,
            include_inactive: true,
        })
        .collect();
    let pages = orgs::children_pages(db, &keys).await.unwrap();
    let mut children: Vec<entity::organization::Model> =
        pages.into_values().flat_map(|p| p.rows).collect();
    children.sort_by_key(|o| o.id);
    let not_root: Vec<_> = by_name
        .iter()
        .filter(|o| o.parent_id.is_some())
        .cloned()
        .collect();
    assert_eq!(children, not_root);
});

/// A seeded PostgreSQL province large enough that a street's path range is estimated from the
/// histogram (a few rows) far below the generic plan's default share of the organizations;
/// `None` without `TEST_DATABASE_URL`.
async fn seeded_postgres_province() -> Option<crate::helpers::TestApp> {
    let app = crate::helpers::TestApp::spawn(
        crate::helpers::Backend::Postgres,
        fazhan::Config::for_tests(String::new()),
    )
    .await?;
    let opts = fazhan::seed::SeedOptions {
        organizations: 2_000,
        candidates: 20_000,
        seed: 7,
    };
    fazhan::seed::run(&app.state.db, &opts).await.unwrap();
    Some(app)
}

/// The plan PostgreSQL prints for `explain` (an `EXPLAIN …` statement), one line per node.
async fn plan(db: &impl sea_orm::ConnectionTrait, explain: String) -> String {
    db.query_all_raw(sea_orm::Statement::from_string(
        sea_orm::DatabaseBackend::Postgres,
        explain,
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get_by_index::<String>(0).unwrap())
    .collect::<Vec<_>>()
    .join("\n")
}

/// PostgreSQL keeps a prepared statement's generic plan only when it is estimated no dearer
/// than the plans it made for the first five executions' values; a street's page of cases
/// (estimated from the path range's histogram) was planned again at every execution, 0.6 ms of
/// planning for 0.3 ms of work. With its parameters unseen by the planner, the sixth execution
/// on a connection uses the generic plan: the plan no longer holds the values. PostgreSQL only
/// (SQLite plans a statement once when it prepares it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subtree_page_is_planned_once_per_connection_on_postgresql() {
    use sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};
    let Some(app) = seeded_postgres_province().await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let street = entity::organization::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.kind == "STREET_WORKING_COMMITTEE")
        .unwrap();
    let filter = fazhan::db::candidate::CandidateFilter {
        under_path: street.path.clone(),
        stage: Some("APPLICANT".into()),
        year: Some(2025),
        ..Default::default()
    };
    let (sql, values) = fazhan::db::candidate::subtree_page_statement(&filter, 0, 20);
    assert_eq!(values.len(), 6);
    // The same statement with its parameters written plainly: the control, which PostgreSQL
    // keeps planning for its values (else this test could not tell the two apart).
    let mut plain = sql.clone();
    for n in 1..=values.len() {
        plain = plain.replace(&format!("(SELECT ${n})"), &format!("${n}"));
    }
    assert_ne!(plain, sql);
    let tx = app.state.db.begin().await.unwrap();
    // PostgreSQL's own choice, whatever the server or database sets.
    tx.execute_unprepared("SET LOCAL plan_cache_mode = auto")
        .await
        .unwrap();
    // Statistics, as autovacuum keeps them: the path range is then estimated from the histogram.
    tx.execute_unprepared("ANALYZE organizations, candidates, people")
        .await
        .unwrap();
    let path = &street.path;
    let mut seventh_plans = vec![];
    for (name, text) in [("unseen", &sql), ("plain", &plain)] {
        tx.execute_unprepared(&format!(
            "PREPARE {name}(text, text, int8, text, date, date) AS {text}"
        ))
        .await
        .unwrap();
        let execute = format!(
            "EXECUTE {name}('{path}', '{path}~', 0, 'APPLICANT', '2025-01-01', '2026-01-01')"
        );
        for _ in 0..6 {
            tx.execute_unprepared(&execute).await.unwrap();
        }
        seventh_plans.push(plan(&tx, format!("EXPLAIN (VERBOSE) {execute}")).await);
    }
    let holds_values = |plan: &str| plan.contains(path.as_str()) || plan.contains("APPLICANT");
    assert!(
        !holds_values(&seventh_plans[0]),
        "the seventh execution was planned for its values:\n{}",
        seventh_plans[0]
    );
    assert!(
        holds_values(&seventh_plans[1]),
        "the control (plain parameters) kept a generic plan too; this province no longer shows \
         the difference:\n{}",
        seventh_plans[1]
    );
    // Prepared statements belong to the session, not the transaction.
    tx.execute_unprepared("DEALLOCATE unseen").await.unwrap();
    tx.execute_unprepared("DEALLOCATE plain").await.unwrap();
    tx.rollback().await.unwrap();
    app.cleanup().await;
}

/// The same through the API: after forty street pages and forty street → branches → cases
/// reads, no pooled connection planned the lateral pages or the children pages for their values
/// more than the five times PostgreSQL tries before keeping a generic plan
/// (`pg_prepared_statements` of each connection, held at once). PostgreSQL only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_statements_keep_their_generic_plan_through_the_api_on_postgresql() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};
    let Some(app) = seeded_postgres_province().await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    app.state
        .db
        .execute_unprepared("ANALYZE organizations, candidates, people")
        .await
        .unwrap();
    let street = app
        .ok(
            Some("admin"),
            "{ organizations(kind: STREET_WORKING_COMMITTEE, first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await["organizations"]["edges"][0]["node"]["id"]
        .clone();
    let page = "query($u: ID) { candidates(under: $u, first: 20) { edges { node { id organization { name } } } } }";
    let tree = "query($u: ID!) { organization(id: $u) { children(first: 20) { edges { node { name candidates(first: 20) { edges { node { id } } } } } } } }";
    for _ in 0..40 {
        app.ok(Some("admin"), page, json!({ "u": street })).await;
        app.ok(Some("admin"), tree, json!({ "u": street })).await;
    }
    // The pooled connections that serve queries, held at once, each asked for its own prepared
    // statements (the pool's fourth holds the event bus's LISTEN).
    let mut held = vec![];
    for _ in 0..3 {
        held.push(app.state.db.begin().await.unwrap());
    }
    let mut generic = 0;
    let mut seen = 0;
    for tx in &held {
        let rows = tx
            .query_all_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements \
                 WHERE statement LIKE '%CROSS JOIN LATERAL%' \
                 OR statement LIKE '%PARTITION BY o.parent_id%'",
            ))
            .await
            .unwrap();
        for r in rows {
            let statement: String = r.try_get_by_index(0).unwrap();
            let (generic_plans, custom_plans): (i64, i64) = (
                r.try_get_by_index(1).unwrap(),
                r.try_get_by_index(2).unwrap(),
            );
            assert!(
                custom_plans <= 5,
                "planned {custom_plans} times for its values on one connection: {statement}"
            );
            seen += 1;
            generic += generic_plans;
        }
    }
    for tx in held {
        tx.rollback().await.unwrap();
    }
    assert!(seen >= 3, "the lateral and children pages ran: {seen}");
    assert!(generic > 0, "no generic plan was used");
    app.cleanup().await;
}

/// A subtree's members are read through the index of members (`ix_people_party_members`,
/// which holds members only, so that applicants — a file import adds 100,000 — are not entries
/// of it) in the generic plan a pooled connection keeps: the query states membership plainly.
/// The control binds it as a parameter, as SeaORM's `eq(true)` did, and cannot use the index.
/// PostgreSQL only (SQLite plans each statement for its values).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_read_through_the_index_of_members_on_postgresql() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, QueryTrait, TransactionTrait};
    let Some(app) = seeded_postgres_province().await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let stated = fazhan::db::person::members_page("/1/", None, 20)
        .build(DatabaseBackend::Postgres)
        .sql;
    let bound = stated.replace(
        r#""people"."is_party_member" AND"#,
        r#""people"."is_party_member" = $4 AND"#,
    );
    assert_ne!(bound, stated, "the statement states membership: {stated}");
    let tx = app.state.db.begin().await.unwrap();
    tx.execute_unprepared("ANALYZE people, organizations")
        .await
        .unwrap();
    tx.execute_unprepared("SET LOCAL plan_cache_mode = force_generic_plan")
        .await
        .unwrap();
    let mut plans = vec![];
    for (name, text, args) in [
        ("stated", &stated, "'/1/', '/1/~', 21"),
        ("bound", &bound, "'/1/', '/1/~', 21, true"),
    ] {
        tx.execute_unprepared(&format!("PREPARE {name} AS {text}"))
            .await
            .unwrap();
        plans.push(plan(&tx, format!("EXPLAIN EXECUTE {name}({args})")).await);
        tx.execute_unprepared(&format!("DEALLOCATE {name}"))
            .await
            .unwrap();
    }
    tx.rollback().await.unwrap();
    assert!(
        plans[0].contains("ix_people_party_members"),
        "the members' page does not read the index of members:\n{}",
        plans[0]
    );
    assert!(
        !plans[1].contains("ix_people_party_members"),
        "the control (membership bound) used the partial index too; the test no longer tells \
         the two apart:\n{}",
        plans[1]
    );
    app.cleanup().await;
}

/// The service's connections to PostgreSQL send each message at once (`TCP_NODELAY`, which
/// sqlx 0.9.0 no longer sets: a file import's `COPY` waited 40 ms on the server's delayed
/// acknowledgement again and again). The connection is found by its local port, which the
/// server reports; PostgreSQL over TCP only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_connections_send_without_delay_on_postgresql() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let config = fazhan::Config::for_tests(String::new());
    let Some(app) = crate::helpers::TestApp::spawn(crate::helpers::Backend::Postgres, config).await
    else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT inet_client_port() AS port, current_schema() AS schema",
        ))
        .await
        .unwrap()
        .unwrap();
    let schema: String = row.try_get("", "schema").unwrap();
    // The callback that sets the option also sets the test's own schema.
    assert!(schema.starts_with("t_"), "{schema}");
    match row.try_get::<Option<i32>>("", "port").unwrap() {
        None => eprintln!("skipped: TEST_DATABASE_URL is not a TCP address"),
        Some(port) => {
            let port = u16::try_from(port).unwrap();
            assert_eq!(
                fazhan::db::nodelay::nodelay_of_local_port(port),
                Some(true),
                "the connection on local port {port}"
            );
        }
    }
    app.cleanup().await;
}

/// After the database server dropped the pool's connections (a restart, a proxy's timeout),
/// the next request is answered: the dead connections are tested, closed and replaced on
/// their way out of the pool, not handed to the request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_after_the_server_dropped_idle_connections_are_answered_on_postgresql() {
    use sea_orm::sqlx::{self, Connection as _};
    let config = fazhan::Config::for_tests(String::new());
    let Some(app) = crate::helpers::TestApp::spawn(crate::helpers::Backend::Postgres, config).await
    else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let q = "{ organizations { totalCount } }";
    app.ok(Some("admin"), q, json!({})).await;
    // Every idle connection of the pool, held at once so none is missed; then dropped by the
    // server while they sit idle again.
    let pool = app.state.db.get_postgres_connection_pool();
    // (A connection goes back to the pool a moment after its request is answered.)
    let mut held = vec![];
    for _ in 0..100 {
        while let Some(conn) = pool.try_acquire() {
            held.push(conn);
        }
        if !held.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!held.is_empty());
    let mut pids: Vec<i32> = vec![];
    for conn in &mut held {
        pids.push(
            sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&mut **conn)
                .await
                .unwrap(),
        );
    }
    drop(held);
    let url = std::env::var("TEST_DATABASE_URL").unwrap();
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    let ended: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1)) t",
    )
    .bind(&pids)
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(ended as usize, pids.len());
    admin.close().await.ok();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for _ in 0..pids.len() + 1 {
        let r = app.exec(Some("admin"), q, json!({})).await;
        assert!(r.get("errors").is_none(), "{r:#}");
        assert!(r["data"]["organizations"]["totalCount"].as_i64().unwrap() >= 1);
    }
    app.cleanup().await;
}
