//! Integrity gates (DOMAIN.md §7) through GraphQL: the political negative list (I8) and public
//! notices per decision with their objections (N18, PN1, PN2).

use crate::helpers::{TestApp, code};
use crate::pipeline::{case_at_meeting_for, id_card, members, person, step};
use serde_json::{Value, json};

const RULES: &str = "mutation($input: SetLocalRulesInput!) { setLocalRules(input: $input) { localRules { publicNoticeAtAdmission politicalReviewChecklistRequired } } }";

async fn set_rules(app: &TestApp, org: &str, rules: Value) {
    let org = app.org_id(org).await;
    app.ok(
        Some("street.admin"),
        RULES,
        json!({ "input": { "organizationId": org, "rules": rules } }),
    )
    .await;
}

/// A case in 星火科技有限公司党支部 with steps 1–9 done (introducers assigned).
async fn case_at_review(app: &TestApp, seq: u32) -> (String, i64) {
    let branch = app.org_id("星火科技有限公司党支部").await;
    let m = members(app, &branch).await;
    let submit = "mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { candidate { id version } } }";
    let p = person("赵敏", &id_card("1996-05-06", seq), "1996-05-06");
    let d = app.ok(Some("street.organizer"), submit, json!({ "input": { "organizationId": branch, "appliedOn": "2022-03-07", "person": p } })).await;
    let id = d["submitApplication"]["candidate"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut version = d["submitApplication"]["candidate"]["version"]
        .as_i64()
        .unwrap();
    let steps = [
        (
            "2022-03-25",
            json!({ "applicationTalk": { "talker": "支部书记" } }),
        ),
        (
            "2022-09-13",
            json!({ "determineActivist": { "recommendation": "BOTH" } }),
        ),
        (
            "2022-09-20",
            json!({ "fileActivist": { "filedWith": "街道" } }),
        ),
        (
            "2022-09-21",
            json!({ "assignContacts": { "memberIds": [m[0]] } }),
        ),
        (
            "2023-03-10",
            json!({ "activistExamination": { "summary": "好" } }),
        ),
        (
            "2023-09-08",
            json!({ "activistExamination": { "summary": "好" } }),
        ),
        ("2023-09-13", json!({ "determineTarget": {} })),
        (
            "2023-09-22",
            json!({ "fileTarget": { "filedWith": "街道" } }),
        ),
        (
            "2023-09-25",
            json!({ "assignIntroducers": { "memberIds": [m[0], m[1]] } }),
        ),
    ];
    for (on, s) in steps {
        let r = step(app, "street.organizer", &id, version, on, s.clone()).await;
        assert!(r.get("errors").is_none(), "{s}: {r:#}");
        version += 1;
    }
    (id, version)
}

db_test!(
    the_negative_list_fails_a_review_with_the_item_named,
    |app| {
        app.load_demo().await;
        let (id, version) = case_at_review(&app, 81).await;
        let review = |list: Option<Value>| {
            let mut r = json!({ "politicalReview": { "passed": true, "conclusion": "合格", "householdOpinion": true, "residenceOpinion": true } });
            if let Some(l) = list {
                r["politicalReview"]["negativeList"] = l;
            }
            r
        };
        let clean = json!({ "doubleDealer": false, "profiteer": false, "cultOrSuperstition": false, "underInvestigation": false });
        let mut yes = clean.clone();
        yes["cultOrSuperstition"] = json!(true);
        let r = step(
            &app,
            "street.organizer",
            &id,
            version,
            "2023-10-20",
            review(Some(yes)),
        )
        .await;
        assert_eq!(code(&r), "RULE_VIOLATION");
        let ext = &r["errors"][0]["extensions"];
        assert_eq!(ext["rule"], "I8");
        assert_eq!(ext["details"]["items"], json!(["CULT_OR_SUPERSTITION"]));
        // Where the street requires the checklist, a review without it is refused too.
        set_rules(
            &app,
            "和平街道党工委",
            json!({ "politicalReviewChecklistRequired": true }),
        )
        .await;
        let r = step(
            &app,
            "street.organizer",
            &id,
            version,
            "2023-10-20",
            review(None),
        )
        .await;
        assert_eq!(r["errors"][0]["extensions"]["rule"], "I8");
        let r = step(
            &app,
            "street.organizer",
            &id,
            version,
            "2023-10-20",
            review(Some(clean)),
        )
        .await;
        assert!(r.get("errors").is_none(), "{r:#}");
        let t = app
            .ok(
                Some("street.organizer"),
                "query($id: ID!) { candidate(id: $id) { timeline { step details } } }",
                json!({ "id": id }),
            )
            .await;
        let last = t["candidate"]["timeline"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(
            last["details"]["negativeList"]["underInvestigation"], false,
            "{last:#}"
        );
    }
);

db_test!(
    a_notice_required_at_admission_holds_the_meeting_until_objections_are_resolved,
    |app| {
        app.load_demo().await;
        let p = person("钱进", &id_card("1995-02-03", 82), "1995-02-03");
        let (id, version, _) = case_at_meeting_for(&app, p, 82).await;
        set_rules(
            &app,
            "和平街道党工委",
            json!({ "publicNoticeAtAdmission": true }),
        )
        .await;
        let meeting = |notice: Option<Value>| {
            let mut s = json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 11, "no": 1 } } });
            if let Some(n) = notice {
                s["admissionMeeting"]["publicNotice"] = n;
            }
            s
        };
        let r = step(
            &app,
            "street.organizer",
            &id,
            version,
            "2023-11-21",
            meeting(None),
        )
        .await;
        let ext = &r["errors"][0]["extensions"];
        assert_eq!(
            (ext["rule"].as_str(), ext["details"]["decision"].as_str()),
            (Some("N18"), Some("ADMISSION"))
        );
        // Five working days, 13–17 November, one objection still open on the meeting day.
        let notice = |resolved: Option<&str>| json!({ "startOn": "2023-11-13", "endOn": "2023-11-17", "objectionRecords": [{ "summary": "反映其邻里纠纷", "resolvedOn": resolved, "handling": "经核实已调解" }] });
        let r = step(
            &app,
            "street.organizer",
            &id,
            version,
            "2023-11-21",
            meeting(Some(notice(None))),
        )
        .await;
        assert_eq!(r["errors"][0]["extensions"]["rule"], "PN1", "{r:#}");
        let r = step(
            &app,
            "street.organizer",
            &id,
            version,
            "2023-11-21",
            meeting(Some(notice(Some("2023-11-22")))),
        )
        .await;
        assert_eq!(r["errors"][0]["extensions"]["rule"], "PN1", "{r:#}");
        let r = step(
            &app,
            "street.organizer",
            &id,
            version,
            "2023-11-21",
            meeting(Some(notice(Some("2023-11-21")))),
        )
        .await;
        assert!(r.get("errors").is_none(), "{r:#}");
    }
);

db_test!(a_december_rush_and_late_graduates_are_flagged, |app| {
    use sea_orm::ConnectionTrait;
    app.load_demo().await;
    let street = app.org_id("和平街道党工委").await;
    // 7 admitted in the year, 3 of them in December (42.9 %).
    crate::plans::admitted(
        &app,
        "和平社区第一党支部",
        4,
        true,
        "1999-01-01",
        "UNDERGRADUATE",
        false,
        "2025-05-10",
    )
    .await;
    crate::plans::admitted(
        &app,
        "和平社区第一党支部",
        3,
        false,
        "2003-01-01",
        "UNDERGRADUATE",
        false,
        "2025-12-10",
    )
    .await;
    // The last of them is a student leaving school on 2026-01-31: within two months.
    app.state
            .db
            .execute_unprepared("UPDATE people SET occupations = 'STUDENT', expected_departure_on = '2026-01-31' WHERE id = (SELECT MAX(id) FROM people)")
            .await
            .unwrap();
    fazhan::service::counts::rebuild(&app.state.db)
        .await
        .unwrap();
    let q = "query($org: ID!) { indicators(organizationId: $org, year: 2025, asOf: \"2025-12-31\") { rush { decemberAdmitted yearAdmitted decemberSharePercent thresholdPercent flagged graduatingStudentsAdmittedLate } } }";
    let r = app
        .ok(Some("street.organizer"), q, json!({ "org": street }))
        .await["indicators"]["rush"]
        .clone();
    assert_eq!(
        (r["decemberAdmitted"].as_i64(), r["yearAdmitted"].as_i64()),
        (Some(3), Some(7))
    );
    assert_eq!(r["decemberSharePercent"], 42.9);
    assert_eq!(
        (r["flagged"].as_bool(), r["thresholdPercent"].is_null()),
        (Some(false), true)
    );
    assert_eq!(r["graduatingStudentsAdmittedLate"], 1);
    // The street sets 40 %: flagged; 43 %: not.
    set_rules(&app, "和平街道党工委", json!({ "yearEndRushPercent": 40 })).await;
    let r = app
        .ok(Some("street.organizer"), q, json!({ "org": street }))
        .await["indicators"]["rush"]
        .clone();
    assert_eq!(r["flagged"], true);
    set_rules(&app, "和平街道党工委", json!({ "yearEndRushPercent": 43 })).await;
    let r = app
        .ok(Some("street.organizer"), q, json!({ "org": street }))
        .await["indicators"]["rush"]
        .clone();
    assert_eq!(r["flagged"], false);
    app.assert_counts_consistent().await;
});
