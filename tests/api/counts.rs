//! Counts kept with every step: consistent after steps, transfers and moves; `verify` finds a
//! corrupted counter; `rebuild` repairs it.

use crate::pipeline::{SUBMIT, id_card, person, step};
use sea_orm::ConnectionTrait;
use serde_json::json;

db_test!(
    counters_follow_steps_and_moves_and_verify_finds_a_corrupted_one,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let community = app.org_id("和平社区党委").await;
        let district = app.org_id("示例区委组织部").await;
        for (i, name) in ["甲", "乙", "丙"].iter().enumerate() {
            let d = app.ok(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-01", "person": person(name, &id_card("1999-09-09", 70 + i as u32), "1999-09-09") } })).await;
            let id = d["submitApplication"]["candidate"]["id"]
                .as_str()
                .unwrap()
                .to_string();
            if i == 0 {
                step(
                    &app,
                    "street.organizer",
                    &id,
                    1,
                    "2025-03-10",
                    json!({ "applicationTalk": { "talker": "书记" } }),
                )
                .await;
                step(
                    &app,
                    "street.organizer",
                    &id,
                    2,
                    "2025-09-10",
                    json!({ "determineActivist": { "recommendation": "LEAGUE" } }),
                )
                .await;
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
