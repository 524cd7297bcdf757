//! The generator: a small deterministic province on both databases, whose counters verify clean
//! and whose indicators read back.

use serde_json::json;

db_test!(
    a_seeded_province_verifies_clean_and_answers_queries,
    |app| {
        let opts = fazhan::seed::SeedOptions {
            organizations: 120,
            candidates: 1_500,
            seed: 7,
        };
        let r = fazhan::seed::run(&app.state.db, &opts).await.unwrap();
        assert_eq!((r.organizations, r.candidates), (119, 1_500));
        assert!(r.events >= 3_000 && r.counters > 0, "{r:?}");
        app.assert_counts_consistent().await;
        let d = app.ok(Some("admin"), "{ organizations { totalCount } candidates { totalCount } indicators(year: 2025) { applications { total } pipeline { stage count } } }", json!({})).await;
        assert_eq!(d["organizations"]["totalCount"], 120);
        assert_eq!(d["candidates"]["totalCount"], 1_500);
        let in_pipeline: i64 = d["indicators"]["pipeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["count"].as_i64().unwrap())
            .sum();
        assert_eq!(in_pipeline, 1_500);
        // A step on a seeded case keeps the counters right.
        let q = "{ candidates(stage: APPLICANT, first: 1) { edges { node { id version } } } }";
        let c = app.ok(Some("admin"), q, json!({})).await;
        assert!(
            c["candidates"]["edges"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
        );
    }
);
