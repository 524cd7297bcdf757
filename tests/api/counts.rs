//! Counts kept with every step: consistent after steps, transfers and moves; `verify` finds a
//! corrupted counter; `rebuild` repairs it.

use crate::fixtures::{Case, id_card, person, to_activist};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

db_test!(
    counters_follow_steps_and_moves_and_verify_finds_a_corrupted_one,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let community = app.org_id("和平社区党委").await;
        let district = app.org_id("示例区委组织部").await;
        for (i, name) in ["甲", "乙", "丙"].iter().enumerate() {
            let p = person(name, &id_card("1999-09-09", 70 + i as u32), "1999-09-09");
            let mut case = Case::submit(&app, &branch, p, "2025-03-01").await;
            if i == 0 {
                to_activist(&app, &mut case, "2025-03-10", "2025-09-10").await;
            }
        }
        app.assert_counts_consistent().await;
        let mv = "mutation($id: ID!, $to: ID!) { moveOrganization(input: {id: $id, newParentId: $to}) { organization { id } } }";
        app.ok(
            Some("city.admin"),
            mv,
            json!({ "id": community, "to": district }),
        )
        .await;
        app.assert_counts_consistent().await;
        // The street lost the community's counts, the district kept them.
        let street_id = fazhan::graphql::ids::decode_any(&app.org_id("和平街道党工委").await)
            .unwrap()
            .1;
        let district_id = fazhan::graphql::ids::decode_any(&district).unwrap().1;
        let rows = fazhan::db::counts::for_orgs(&app.state.db, &[street_id, district_id], &[0])
            .await
            .unwrap();
        let n = |org: i64, v: &str| {
            rows.iter()
                .find(|r| r.organization_id == org && r.dimension == "stage" && r.value == v)
                .map_or(0, |r| r.n)
        };
        assert_eq!(
            (
                n(street_id, "APPLICANT"),
                n(district_id, "APPLICANT"),
                n(district_id, "ACTIVIST")
            ),
            (0, 2, 1)
        );
        // Corrupt one counter: verify reports exactly it; rebuild repairs it.
        app.state.db.execute_unprepared(&format!("UPDATE org_counts SET n = n + 1 WHERE organization_id = {district_id} AND year = 0 AND dimension = 'stage' AND value = 'ACTIVIST'")).await.unwrap();
        let diffs = fazhan::service::counts::verify(&app.state.db)
            .await
            .unwrap();
        assert_eq!(diffs.len(), 1);
        assert_eq!(
            (diffs[0].organization_id, diffs[0].stored, diffs[0].expected),
            (district_id, 2, 1)
        );
        assert_eq!(diffs[0].key.value, "ACTIVIST");
        fazhan::service::counts::rebuild(&app.state.db)
            .await
            .unwrap();
        app.assert_counts_consistent().await;
    }
);

db_test!(
    list_totals_come_from_the_counters_and_equal_the_rows,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let street = app.org_id("和平街道党工委").await;
        let mut cases = vec![];
        for (i, applied) in ["2025-03-01", "2025-04-01", "2025-05-01", "2024-06-01"]
            .iter()
            .enumerate()
        {
            let p = person(
                &format!("计数{i}"),
                &id_card("1998-08-08", 80 + i as u32),
                "1998-08-08",
            );
            cases.push(Case::submit(&app, &branch, p, applied).await);
        }
        let talk = json!({ "applicationTalk": { "talker": "书记" } });
        cases[0].advance(&app, "2025-03-10", talk).await;
        let q = "query($u: ID, $s: Stage, $y: Int, $a: String) { candidates(under: $u, stage: $s, year: $y, first: 100, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }";
        let rows_and_total = |stage: Option<&'static str>, year: Option<i32>| {
            let app = &app;
            let street = street.clone();
            async move {
                let (mut n, mut after, mut total) = (0usize, Value::Null, -1);
                loop {
                    let d = app
                        .ok(
                            Some("street.organizer"),
                            q,
                            json!({ "u": street, "s": stage, "y": year, "a": after }),
                        )
                        .await;
                    let c = &d["candidates"];
                    total = c["totalCount"].as_i64().unwrap_or(total);
                    n += c["edges"].as_array().unwrap().len();
                    if c["pageInfo"]["hasNextPage"] != true {
                        return (n as i64, total);
                    }
                    after = c["pageInfo"]["endCursor"].clone();
                }
            }
        };
        let filters: [(Option<&str>, Option<i32>); 6] = [
            (None, None),
            (Some("APPLICANT"), None),
            (Some("APPLICANT"), Some(2025)),
            (None, Some(2025)),
            (None, Some(2024)),
            (Some("ACTIVIST"), Some(2025)),
        ];
        let check = |phase: &'static str| {
            let rows_and_total = &rows_and_total;
            async move {
                for (stage, year) in filters {
                    let (rows, total) = rows_and_total(stage, year).await;
                    assert_eq!(total, rows, "{phase}: stage {stage:?} year {year:?}");
                }
            }
        };
        check("live cases only").await;
        // An invalidated case is still listed: the totals keep it (counted apart by the counters).
        let invalidate = json!({ "invalidate": { "reason": "材料造假" } });
        cases[1].advance(&app, "2025-06-01", invalidate).await;
        check("with an invalidated case").await;
        // The year's total is read from the counters: a corrupted counter shows through.
        let street_id = fazhan::graphql::ids::decode_any(&street).unwrap().1;
        let corrupt = |delta: i64| {
            format!(
                "UPDATE org_counts SET n = n + ({delta}) WHERE organization_id = {street_id} AND year = 2025 AND dimension = 'app_total' AND value = 'ALL'"
            )
        };
        app.state
            .db
            .execute_unprepared(&corrupt(1000))
            .await
            .unwrap();
        let (rows, total) = rows_and_total(None, Some(2025)).await;
        assert_eq!(total, rows + 1000, "totalCount comes from org_counts");
        app.state
            .db
            .execute_unprepared(&corrupt(-1000))
            .await
            .unwrap();
        // A search is counted row by row.
        let d = app
            .ok(
                Some("street.organizer"),
                "query($u: ID) { candidates(under: $u, search: \"计数\") { totalCount } }",
                json!({ "u": street }),
            )
            .await;
        assert_eq!(d["candidates"]["totalCount"], 4);
        app.assert_counts_consistent().await;
        // A database counted by version 2 lacks the invalidated cases' stage counters: the
        // start-up upgrade adds exactly those.
        app.state.db.execute_unprepared("DELETE FROM org_counts WHERE dimension IN ('invalidated_stage', 'invalidated_app_stage')").await.unwrap();
        fazhan::db::setting::put(&app.state.db, "counts_version", "2")
            .await
            .unwrap();
        assert!(
            fazhan::service::counts::verify(&app.state.db)
                .await
                .unwrap()
                .len()
                >= 2
        );
        assert!(
            fazhan::service::counts::ensure_current(&app.state.db)
                .await
                .unwrap()
                .is_some()
        );
        app.assert_counts_consistent().await;
        check("after the upgrade").await;
    }
);

db_test!(
    every_subtree_lists_exactly_its_cases_however_it_is_read,
    |app| {
        // Cases on both sides of the demo tree, so each subtree has cases outside it. Listed
        // page by page (two a page) under subtrees of every depth: the root levels and the
        // depth-2 ones (the city, the education committee) are read in id order (on PostgreSQL
        // the depth-2 ones against their organization ids read once), deeper ones organization
        // by organization. Each must list exactly the cases whose organization lies under it,
        // with and without a stage and year filter.
        app.load_demo().await;
        let city_branch = app.org_id("和平社区第一党支部").await;
        let univ_branch = app.org_id("计算机学院本科生第一党支部").await;
        let mut seq = 90;
        for (user, branch) in [
            ("street.organizer", &city_branch),
            ("univ.organizer", &univ_branch),
        ] {
            for _ in 0..3 {
                seq += 1;
                let p = person(
                    &format!("树{seq}"),
                    &id_card("1999-01-01", seq),
                    "1999-01-01",
                );
                let applied = if seq % 2 == 0 {
                    "2024-03-01"
                } else {
                    "2025-03-01"
                };
                let input = json!({ "input": { "organizationId": branch, "appliedOn": applied, "person": p } });
                app.ok(Some(user), crate::fixtures::SUBMIT, input).await;
            }
        }
        let q = "query($u: ID, $s: Stage, $y: Int, $a: String) { candidates(under: $u, stage: $s, year: $y, first: 2, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }";
        use sea_orm::EntityTrait;
        let orgs = entity::organization::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap();
        let root = orgs.iter().find(|o| o.parent_id.is_none()).unwrap();
        let mut depths = vec![];
        for name in [
            root.name.as_str(),
            "示例市委组织部",
            "省委教育工委",
            "示例区委组织部",
            "和平街道党工委",
            "和平社区第一党支部",
            "示例大学党委",
            "计算机学院党委",
        ] {
            let o = orgs.iter().find(|o| o.name == name).unwrap();
            let (org, path) = (app.org_id(name).await, &o.path);
            depths.push(fazhan::domain::organization::path_ids(path).len());
            for (stage, year, condition) in [
                (None, None, ""),
                (
                    Some("APPLICANT"),
                    Some(2025),
                    " AND c.stage = 'APPLICANT' AND c.applied_on >= '2025-01-01' AND c.applied_on < '2026-01-01'",
                ),
            ] {
                let expected: Vec<i64> = app
                    .state
                    .db
                    .query_all_raw(sea_orm::Statement::from_string(
                        app.state.db.get_database_backend(),
                        format!(
                            "SELECT c.id FROM candidates c JOIN organizations o ON o.id = c.organization_id \
                             WHERE o.path LIKE '{path}%'{condition} ORDER BY c.id"
                        ),
                    ))
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<i64>("", "id").unwrap())
                    .collect();
                assert!(
                    !expected.is_empty(),
                    "{name} has cases ({stage:?} {year:?})"
                );
                let (mut listed, mut after) = (vec![], Value::Null);
                loop {
                    let d = app
                        .ok(
                            Some("admin"),
                            q,
                            json!({ "u": org, "s": stage, "y": year, "a": after }),
                        )
                        .await;
                    let c = &d["candidates"];
                    assert_eq!(
                        c["totalCount"].as_u64(),
                        Some(expected.len() as u64),
                        "{name}"
                    );
                    for e in c["edges"].as_array().unwrap() {
                        let id = e["node"]["id"].as_str().unwrap();
                        listed.push(fazhan::graphql::ids::decode_any(id).unwrap().1);
                    }
                    if c["pageInfo"]["hasNextPage"] != true {
                        break;
                    }
                    after = c["pageInfo"]["endCursor"].clone();
                }
                assert_eq!(
                    listed,
                    expected,
                    "{name} (depth {}, {stage:?} {year:?})",
                    depths.last().unwrap()
                );
            }
        }
        // The subtrees cover the depths whose pages are read differently.
        for depth in [1, 2, 3] {
            assert!(
                depths.contains(&depth),
                "a subtree of depth {depth} in {depths:?}"
            );
        }
    }
);
