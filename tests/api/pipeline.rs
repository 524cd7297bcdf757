//! The candidate pipeline through the GraphQL API: a whole case through all 25 steps, refusals
//! with rule ids, concurrency, idempotency, personal data, import, local rules, alerts.

use crate::fixtures::{
    Case, ORGANIZER, STEP, SUBMIT, applicant, candidate_count, case_at_meeting_for, cultivation,
    id_card, members, person, submit, to_activist, version_and_steps,
};
use crate::helpers::{JsonPath, TestApp, code, ext};
use serde_json::{Value, json};

db_test!(one_person_goes_through_all_25_steps, |app| {
    app.load_demo().await;
    let branch = app.org_id("和平社区第一党支部").await;
    let community = app.org_id("和平社区党委").await;
    let street = app.org_id("和平街道党工委").await;
    let m = members(&app, &branch).await;
    let mut case = submit(&app, &branch, "陈小红", "2001-05-20", 1, "2022-03-07").await;
    let form = "440100-2023-000123";
    let vote = |expected: u32, present: u32, yes: u32| json!({ "expected": expected, "present": present, "yes": yes, "no": present - yes });
    let (o, a) = ("street.organizer", "street.approver");
    let steps = json!([
        [o, "2022-03-25", { "applicationTalk": { "talker": "支部书记" } }],
        [o, "2022-09-13", { "determineActivist": { "recommendation": "LEAGUE" } }],
        [o, "2022-09-20", { "fileActivist": { "filedWith": "和平街道党工委" } }],
        [o, "2022-09-21", { "assignContacts": { "memberIds": [m[0], m[1]] } }],
        [o, "2023-03-10", { "activistExamination": { "summary": "表现良好" } }],
        [o, "2023-09-08", { "activistExamination": { "summary": "表现良好" } }],
        [o, "2023-09-13", { "determineTarget": {} }],
        [o, "2023-09-22", { "fileTarget": { "filedWith": "和平街道党工委" } }],
        [o, "2023-09-25", { "assignIntroducers": { "memberIds": [m[0], m[1]] } }],
        [o, "2023-10-20", { "politicalReview": { "passed": true, "conclusion": "政治审查合格" } }],
        [o, "2023-10-27", { "training": { "days": 3, "hours": 24, "organizer": "区委党校" } }],
        [o, "2023-11-03", { "branchCommitteeReview": { "opinion": "同意" } }],
        [o, "2023-11-10", { "preReview": { "reviewerOrganizationId": street, "passed": true, "formNumber": form } }],
        [o, "2023-11-14", { "fillApplicationForm": { "formNumber": form } }],
        [o, "2023-11-21", { "admissionMeeting": { "vote": vote(16, 12, 11) } }],
        [o, "2023-11-24", { "intermediateReview": { "reviewerOrganizationId": community, "agreed": true } }],
        [o, "2023-12-01", { "preApprovalTalk": { "talker": "街道党工委组织员" } }],
        [a, "2023-12-15", { "admissionApproval": { "approverOrganizationId": street } }],
        [o, "2023-12-16", { "placeInBranch": { "partyGroup": "第一党小组" } }],
        [o, "2023-12-20", { "fileAdmission": { "filedWith": "示例区委组织部" } }],
        [o, "2023-12-26", { "oath": { "presidedBy": "街道党工委书记" } }],
        [o, "2024-03-29", { "probationReport": { "summary": "一季度思想汇报" } }],
        [o, "2024-10-21", { "conversionApplication": {} }],
        [o, "2024-11-21", { "conversionMeeting": { "vote": vote(16, 13, 12), "outcome": "CONVERT" } }],
        [a, "2024-12-05", { "conversionApproval": { "approverOrganizationId": street } }],
        [o, "2024-12-10", { "archive": { "location": "街道党工委档案室" } }],
    ]);
    let mut numbers = std::collections::BTreeSet::from([1]);
    for row in steps.as_array().unwrap() {
        let (user, on, s) = (row.string_at("0"), row.string_at("1"), &row[2]);
        let r = case.step_as(&app, &user, &on, s.clone()).await;
        assert!(r.get("errors").is_none(), "{s}: {r:#}");
        let p = r.at("data.recordPipelineStep");
        assert_eq!(
            p.at("candidate.version").as_i64().unwrap(),
            case.version + 1
        );
        assert!(p.array_at("warnings").is_empty(), "{s}: {p:#}");
        case.version += 1;
        numbers.insert(p.at("event.stepNumber").as_i64().unwrap());
    }
    assert_eq!(numbers, (1..=25).collect());
    let q = "query($id: ID!) { candidate(id: $id) { stage activistOn admissionMeetingOn probationEndOn convertedOn archivedOn timeline { stepNumber step occurredOn } } }";
    let d = app
        .ok(Some("street.organizer"), q, json!({ "id": case.id }))
        .await;
    let c = &d["candidate"];
    assert_eq!(c["stage"], "FULL_MEMBER");
    assert_eq!(c["probationEndOn"], "2024-11-21");
    assert_eq!(c["convertedOn"], "2024-11-21");
    assert_eq!(c["archivedOn"], "2024-12-10");
    let timeline = c["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 27);
    assert_eq!(timeline[0]["step"], "SUBMIT_APPLICATION");
    assert_eq!(timeline[26]["step"], "ARCHIVE");
    app.assert_counts_consistent().await;
});

/// A case at the admission meeting in the street's non-public enterprise branch (no
/// intermediate review), with the street's id.
async fn case_at_meeting(app: &TestApp, seq: u32) -> (Case, String) {
    let p = person("周明", &id_card("1995-02-03", seq), "1995-02-03");
    case_at_meeting_for(app, p, seq).await
}

db_test!(refusals_name_the_rule_the_source_and_the_numbers, |app| {
    app.load_demo().await;
    let (mut case, street) = case_at_meeting(&app, 7).await;
    // One vote short: expected 16, 8 yes.
    let r = case.step(&app, "2023-11-21", json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 8, "no": 4 } } })).await;
    assert_eq!(code(&r), "RULE_VIOLATION");
    let ext = ext(&r);
    assert_eq!(ext["rule"], "N11");
    assert_eq!(ext["source"], "细则 Art. 21");
    assert_eq!(ext.at("details.yes"), 8);
    assert_eq!(ext.at("details.required"), 9);
    // 9 yes passes.
    let r = case.step(&app, "2023-11-21", json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 9, "no": 3 } } })).await;
    assert!(r.get("errors").is_none(), "{r:#}");
    case.version += 1;
    let talk = json!({ "preApprovalTalk": { "talker": "组织员" } });
    case.step(&app, "2023-12-01", talk).await;
    case.version += 1;
    // The approver names a general branch: A1.
    let approval = |org: &str| json!({ "admissionApproval": { "approverOrganizationId": org } });
    let gb = app.org_id("外国语学院党总支").await;
    let approver = "street.approver";
    let r = case
        .step_as(&app, approver, "2023-12-15", approval(&gb))
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let community = app.org_id("和平社区党委").await;
    let r = case
        .step_as(&app, approver, "2023-12-15", approval(&community))
        .await;
    assert_eq!(r.at("errors.0.extensions.rule"), "A1");
    // An organizer may not approve; an approver approves, late: a warning, not a refusal.
    let r = case.step(&app, "2024-02-22", approval(&street)).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = case
        .step_as(&app, approver, "2024-02-22", approval(&street))
        .await;
    let p = r.at("data.recordPipelineStep");
    assert_eq!(p.at("candidate.stage"), "PROBATIONARY");
    assert_eq!(p.at("candidate.probationEndOn"), "2024-11-21");
    assert_eq!(p.at("warnings.0.rule"), "N12");
    assert_eq!(p.at("warnings.0.details.daysLate"), 1);
    let q = "query($id: ID!) { candidate(id: $id) { timeline { warnings { rule } } } }";
    let d = app
        .ok(Some("street.organizer"), q, json!({ "id": case.id }))
        .await;
    let timeline = d.array_at("candidate.timeline");
    assert_eq!(timeline.last().unwrap().at("warnings.0.rule"), "N12");
});

db_test!(early_steps_refuse_off_by_one_inputs, |app| {
    app.load_demo().await;
    let branch = app.org_id("星火科技有限公司党支部").await;
    // N1: the day before the 18th birthday.
    let r = app.exec(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2022-03-06", "person": person("未成年", &id_card("2004-03-07", 5), "2004-03-07") } })).await;
    assert_eq!(ext(&r)["rule"], "N1");
    assert_eq!(ext(&r).at("details.age"), 17);
    // A wrong check digit is bad input on the field.
    let mut bad = id_card("2000-01-01", 6);
    bad.replace_range(17..18, if bad.ends_with('0') { "1" } else { "0" });
    let r = app.exec(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2022-03-06", "person": person("错号", &bad, "2000-01-01") } })).await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    assert_eq!(ext(&r)["field"], "idCardNumber");
    // N4 one day short, N7 one introducer missing and an introducer under 留党察看, N8 one hour short.
    let m = members(&app, &branch).await;
    let mut case = submit(&app, &branch, "孙丽", "1998-08-08", 8, "2022-03-07").await;
    case.run(&app, cultivation(&m)[..6].to_vec()).await;
    let target = json!({ "determineTarget": {} });
    let r = case.step(&app, "2023-09-12", target.clone()).await;
    assert_eq!(ext(&r)["rule"], "N4");
    assert_eq!(ext(&r).at("details.months"), 11);
    assert_eq!(ext(&r).at("details.days"), 30);
    case.advance(&app, "2023-09-13", target).await;
    let introducers = |ids: Vec<&String>| json!({ "assignIntroducers": { "memberIds": ids } });
    let r = case
        .step(&app, "2023-09-25", introducers(vec![&m[0]]))
        .await;
    assert_eq!(ext(&r)["rule"], "N7");
    let r = case
        .step(&app, "2023-09-25", introducers(vec![&m[0], &m[2]]))
        .await;
    assert_eq!(ext(&r)["rule"], "N7");
    assert_eq!(ext(&r).at("details.underPartyProbation"), true);
    let training = json!({ "training": { "days": 2, "hours": 23, "organizer": "党校" } });
    let r = case.step(&app, "2023-10-27", training).await;
    assert_eq!(ext(&r)["rule"], "N8");
    assert_eq!(ext(&r).at("details.hours"), 23);
});

db_test!(
    a_stale_version_is_a_conflict_and_a_retry_with_the_same_key_changes_nothing,
    |app| {
        app.load_demo().await;
        let Case { id, version: v } =
            applicant(&app, "星火科技有限公司党支部", "吴敏", "1999-09-09", 9).await;
        let input = json!({ "input": { "candidateId": id, "expectedVersion": v, "occurredOn": "2025-03-20", "clientKey": "talk-1", "step": { "applicationTalk": { "talker": "书记" } } } });
        let first = app.ok(Some("street.organizer"), STEP, input.clone()).await;
        let again = app.ok(Some("street.organizer"), STEP, input).await;
        assert_eq!(first["recordPipelineStep"]["replayed"], false);
        assert_eq!(again["recordPipelineStep"]["replayed"], true);
        assert_eq!(
            first["recordPipelineStep"]["event"]["id"],
            again["recordPipelineStep"]["event"]["id"]
        );
        assert_eq!(again["recordPipelineStep"]["candidate"]["version"], v + 1);
        // The same key with another payload is a conflict; so is a stale version.
        let other = json!({ "input": { "candidateId": id, "expectedVersion": v, "occurredOn": "2025-03-21", "clientKey": "talk-1", "step": { "applicationTalk": { "talker": "书记" } } } });
        assert_eq!(
            code(&app.exec(Some("street.organizer"), STEP, other).await),
            "CONFLICT"
        );
        let stale = Case {
            id: id.clone(),
            version: v,
        };
        let activist = json!({ "determineActivist": { "recommendation": "LEAGUE" } });
        let r = stale.step(&app, "2025-09-20", activist).await;
        assert_eq!(code(&r), "CONFLICT");
        assert_eq!(version_and_steps(&app, &id).await.1, 2);
    }
);

db_test!(
    a_hundred_simultaneous_attempts_at_one_step_apply_exactly_once,
    |app| {
        app.load_demo().await;
        let Case { id, version: v } =
            applicant(&app, "星火科技有限公司党支部", "郑洁", "1997-07-07", 10).await;
        let token = format!("Bearer {}", app.token_for("street.organizer").await);
        let body = |talker: &str| json!({ "input": { "candidateId": id, "expectedVersion": v, "occurredOn": "2025-03-20", "step": { "applicationTalk": { "talker": talker } } } });
        let mut handles = vec![];
        for i in 0..100 {
            let router = app.router.clone();
            let req = axum::http::Request::post("/graphql")
                .header("content-type", "application/json")
                .header("authorization", &token)
                .body(axum::body::Body::from(
                    json!({ "query": STEP, "variables": body(&format!("书记{i}")) }).to_string(),
                ))
                .unwrap();
            handles.push(tokio::spawn(async move {
                use http_body_util::BodyExt;
                use tower::ServiceExt;
                let resp = router.oneshot(req).await.unwrap();
                let bytes = resp.into_body().collect().await.unwrap().to_bytes();
                serde_json::from_slice::<Value>(&bytes).unwrap()
            }));
        }
        let mut ok = 0;
        let mut conflicts = 0;
        for h in handles {
            let r = h.await.unwrap();
            if r.get("errors").is_none() {
                ok += 1;
            } else {
                assert_eq!(code(&r), "CONFLICT", "{r:#}");
                conflicts += 1;
            }
        }
        assert_eq!((ok, conflicts), (1, 99));
        assert_eq!(version_and_steps(&app, &id).await, (v + 1, 2));
    }
);

db_test!(
    a_viewer_cannot_rebuild_a_masked_id_number_from_other_fields,
    |app| {
        app.load_demo().await;
        let Case { id, .. } = applicant(&app, "和平社区第一党支部", "卫琳", "2000-03-15", 18).await;
        let number = id_card("2000-03-15", 18);
        let r = app
        .ok(
            Some("branch.viewer"),
            "query($id: ID!) { candidate(id: $id) { idCardNumber birthDate gender householdRegistration } }",
            json!({ "id": id }),
        )
        .await;
        let masked = r["candidate"]["idCardNumber"].as_str().unwrap().to_string();
        let birth = r["candidate"]["birthDate"]
            .as_str()
            .unwrap()
            .replace('-', "");
        // Put the birth date into the hidden digits: the rest (region, sequence, check digit) is
        // still hidden, so the number cannot be rebuilt.
        let rebuilt = format!("{}{}{}", &masked[..6], birth, &masked[14..]);
        assert_ne!(rebuilt, number);
        assert_eq!(masked.chars().filter(|c| *c != '*').count(), 2, "{masked}");
        // Nor can the viewer test whole numbers through `search` (names only for masked roles).
        let q = "query($s: String!) { candidates(search: $s) { totalCount } }";
        let found = app
            .ok(Some("branch.viewer"), q, json!({ "s": number }))
            .await;
        assert_eq!(found["candidates"]["totalCount"], 0);
        let found = app
            .ok(Some("street.organizer"), q, json!({ "s": number }))
            .await;
        assert_eq!(found["candidates"]["totalCount"], 1);
    }
);

db_test!(personal_data_is_full_masked_or_absent_by_role, |app| {
    app.load_demo().await;
    let Case { id, .. } = applicant(&app, "和平社区第一党支部", "冯芳", "2000-10-10", 11).await;
    let number = id_card("2000-10-10", 11);
    let q = "query($id: ID!) { candidate(id: $id) { name idCardNumber phone } }";
    let full = app
        .ok(Some("street.organizer"), q, json!({ "id": id }))
        .await;
    assert_eq!(full["candidate"]["idCardNumber"], number.as_str());
    assert_eq!(full["candidate"]["phone"], "13812345678");
    let masked = app.ok(Some("branch.viewer"), q, json!({ "id": id })).await;
    assert_eq!(
        masked["candidate"]["idCardNumber"],
        format!("{}{}", &number[..2], "*".repeat(16))
    );
    assert_eq!(masked["candidate"]["phone"], "138****5678");
    for user in ["edu.analyst", "partner.bot"] {
        let r = app
            .exec(Some(user), "{ candidates { totalCount } }", json!({}))
            .await;
        assert_eq!(code(&r), "FORBIDDEN", "{user}");
    }
    // Outside the subtree: not found.
    assert_eq!(
        code(
            &app.exec(Some("univ.organizer"), q, json!({ "id": id }))
                .await
        ),
        "NOT_FOUND"
    );
    let list = app.ok(Some("street.organizer"), "{ candidates(stage: APPLICANT, year: 2025, search: \"冯\") { totalCount edges { node { name organization { name } } } } }", json!({})).await;
    assert_eq!(list["candidates"]["totalCount"], 1);
    assert_eq!(
        list["candidates"]["edges"][0]["node"]["organization"]["name"],
        "和平社区第一党支部"
    );
});

db_test!(
    bulk_import_is_all_or_nothing_and_reports_every_bad_row,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("明达物流有限公司党支部").await;
        let street = app.org_id("和平街道党工委").await;
        let import = "mutation($rows: [ImportCandidateRowInput!]!) { importCandidates(input: {rows: $rows}) { imported } }";
        let row = |org: &str, name: &str, birth: &str, seq: u32| json!({ "organizationId": org, "appliedOn": "2025-04-01", "person": person(name, &id_card(birth, seq), birth) });
        let mut bad_card = row(&branch, "错号", "1990-01-01", 21);
        bad_card["person"]["idCardNumber"] = json!("440106199001010210");
        // A place must exist (submitApplication refuses it too); outside the subtree is fine.
        let nowhere = crate::matrix::global_id("Organization", 999_999);
        let mut no_outflow = row(&branch, "无流出地", "1990-01-01", 25);
        no_outflow["person"]["outflowOrganizationId"] = json!(nowhere);
        let mut no_residence = row(&branch, "无居住地", "1990-01-01", 26);
        no_residence["person"]["residenceOrganizationId"] = json!(nowhere);
        let rows = json!([
            row(&branch, "甲", "1990-01-01", 20),
            bad_card,
            row(&street, "丙", "1990-01-01", 22),
            row(&branch, "丁", "2010-01-01", 23),
            row(&branch, "甲二", "1990-01-01", 20),
            no_outflow,
            no_residence
        ]);
        let r = app
            .exec(Some("partner.bot"), import, json!({ "rows": rows }))
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT");
        let errs: Vec<(i64, String)> = r["errors"][0]["extensions"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["index"].as_i64().unwrap(),
                    e["field"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            errs,
            vec![
                (1, "idCardNumber".into()),
                (2, "organizationId".into()),
                (3, "birthDate".into()),
                (4, "idCardNumber".into()),
                (5, "outflowOrganizationId".into()),
                (6, "residenceOrganizationId".into())
            ]
        );
        assert!(
            r.to_string()
                .contains("流出地党组织不存在 / the outflow organization does not exist"),
            "{r:#}"
        );
        assert_eq!(candidate_count(&app).await, 0);
        let mut from_elsewhere = row(&branch, "乙", "1991-01-01", 24);
        from_elsewhere["person"]["isMigrant"] = json!(true);
        from_elsewhere["person"]["outflowOrganizationId"] =
            json!(app.org_id("计算机学院本科生第一党支部").await);
        let rows = json!([row(&branch, "甲", "1990-01-01", 20), from_elsewhere]);
        let d = app
            .ok(Some("partner.bot"), import, json!({ "rows": rows }))
            .await;
        assert_eq!(d["importCandidates"]["imported"], 2);
        assert_eq!(candidate_count(&app).await, 2);
        // Members name their places the same way.
        let mut member = json!({ "organizationId": branch, "memberSince": "2000-07-01", "person": person("党员甲", &id_card("1970-01-01", 27), "1970-01-01") });
        member["person"]["residenceOrganizationId"] = json!(nowhere);
        let r = app
            .exec(
                Some("partner.bot"),
                "mutation($rows: [ImportMemberRowInput!]!) { importMembers(input: {rows: $rows}) { members { id } } }",
                json!({ "rows": [member] }),
            )
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{r:#}");
        assert_eq!(
            r["errors"][0]["extensions"]["rows"][0]["field"],
            "residenceOrganizationId"
        );
    }
);

db_test!(local_rules_are_inherited_and_enforced, |app| {
    app.load_demo().await;
    let street = app.org_id("和平街道党工委").await;
    let branch = app.org_id("星火科技有限公司党支部").await;
    let set = "mutation($input: SetLocalRulesInput!) { setLocalRules(input: $input) { localRules { applicationToActivistMonths cultivationContactsMin ownSettings } } }";
    assert_eq!(code(&app.exec(Some("street.organizer"), set, json!({ "input": { "organizationId": street, "rules": { "applicationToActivistMonths": 6 } } })).await), "FORBIDDEN");
    let r = app.exec(Some("street.admin"), set, json!({ "input": { "organizationId": street, "rules": { "cultivationContactsMin": 3 } } })).await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    let d = app.ok(Some("street.admin"), set, json!({ "input": { "organizationId": street, "rules": { "applicationToActivistMonths": 6 } } })).await;
    assert_eq!(
        d["setLocalRules"]["localRules"]["applicationToActivistMonths"],
        6
    );
    let q = "query($id: ID!) { localRules(organizationId: $id) { applicationToActivistMonths publicNoticeDays ownSettings } }";
    let d = app
        .ok(Some("street.organizer"), q, json!({ "id": branch }))
        .await;
    assert_eq!(d["localRules"]["applicationToActivistMonths"], 6);
    assert_eq!(d["localRules"]["ownSettings"], json!({}));
    let mut case = submit(&app, &branch, "何静", "1996-06-06", 30, "2025-03-03").await;
    let talk = json!({ "applicationTalk": { "talker": "书记" } });
    case.advance(&app, "2025-03-10", talk).await;
    let activist = json!({ "determineActivist": { "recommendation": "LEAGUE" } });
    let r = case.step(&app, "2025-09-02", activist.clone()).await;
    assert_eq!(ext(&r)["rule"], "N3");
    assert_eq!(ext(&r).at("details.requiredMonths"), 6);
    let ok = case.step(&app, "2025-09-03", activist).await;
    assert!(ok.get("errors").is_none(), "{ok:#}");
    // null goes back to the inherited value.
    let d = app.ok(Some("street.admin"), set, json!({ "input": { "organizationId": street, "rules": { "applicationToActivistMonths": null } } })).await;
    assert_eq!(
        d["setLocalRules"]["localRules"]["applicationToActivistMonths"],
        0
    );
});

db_test!(
    alerts_list_what_is_due_and_transfers_keep_the_cultivation_start,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("星火科技有限公司党支部").await;
        let other = app.org_id("明达物流有限公司党支部").await;
        let Case { id: a, .. } =
            submit(&app, &branch, "许诺", "1996-01-01", 40, "2025-01-31").await;
        let mut b = submit(&app, &branch, "吕言", "1996-02-02", 41, "2024-01-10").await;
        to_activist(&app, &mut b, "2024-01-20", "2024-07-15").await;
        let q = "query($on: Date!) { alerts(asOf: $on, withinDays: 0) { kind dueOn overdue candidate { id name } } }";
        let d = app
            .ok(Some("street.organizer"), q, json!({ "on": "2025-03-01" }))
            .await;
        let alerts: Vec<(String, String, bool)> = d["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["kind"].as_str().unwrap().into(),
                    x["dueOn"].as_str().unwrap().into(),
                    x["overdue"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            alerts,
            vec![
                ("EXAMINATION_DUE".into(), "2025-01-15".into(), true),
                ("TALK_DUE".into(), "2025-02-28".into(), true),
            ]
        );
        assert_eq!(d["alerts"][1]["candidate"]["id"], a.as_str());
        // A transfer keeps the cultivation start date and moves the case.
        let transfer = json!({ "transfer": { "toOrganizationId": other } });
        let r = b.step(&app, "2025-03-05", transfer).await;
        let c = r.at("data.recordPipelineStep.candidate");
        assert_eq!(c["organization"]["name"], "明达物流有限公司党支部");
        assert_eq!(c["activistOn"], "2024-07-15");
        app.assert_counts_consistent().await;
        let d = app
            .ok(Some("street.organizer"), q, json!({ "on": "2025-08-01" }))
            .await;
        assert!(
            d["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["kind"] == "ELIGIBLE_FOR_TARGET" && x["dueOn"] == "2025-07-15")
        );
    }
);

db_test!(
    a_correction_is_a_new_event_that_replaces_the_old_in_the_state,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("星火科技有限公司党支部").await;
        let mut case = submit(&app, &branch, "施展", "1995-05-05", 50, "2024-01-10").await;
        let (id, v) = (case.id.clone(), case.version);
        let r = to_activist(&app, &mut case, "2024-01-20", "2024-07-15").await;
        let event = r.string_at("data.recordPipelineStep.event.id");
        let correct = "mutation($input: CorrectPipelineEventInput!) { correctPipelineEvent(input: $input) { candidate { activistOn version } event { correctsEventId } } }";
        let r = app.exec(Some("street.organizer"), correct, json!({ "input": { "candidateId": id, "expectedVersion": v + 2, "eventId": event, "occurredOn": "2024-07-01", "reason": "日期录入错误", "step": { "applicationTalk": { "talker": "x" } } } })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT");
        let d = app.ok(Some("street.organizer"), correct, json!({ "input": { "candidateId": id, "expectedVersion": v + 2, "eventId": event, "occurredOn": "2024-07-01", "reason": "日期录入错误", "step": { "determineActivist": { "recommendation": "LEAGUE" } } } })).await;
        assert_eq!(
            d["correctPipelineEvent"]["candidate"]["activistOn"],
            "2024-07-01"
        );
        assert_eq!(
            d["correctPipelineEvent"]["event"]["correctsEventId"],
            event.as_str()
        );
        let t = app
            .ok(
                Some("street.organizer"),
                "query($id: ID!) { candidate(id: $id) { timeline { step occurredOn note } } }",
                json!({ "id": id }),
            )
            .await;
        let timeline = t["candidate"]["timeline"].as_array().unwrap();
        assert_eq!(timeline.len(), 4);
        assert_eq!(timeline[2]["occurredOn"], "2024-07-15");
        assert!(
            timeline[3]["note"]
                .as_str()
                .unwrap()
                .contains("日期录入错误")
        );
    }
);

db_test!(applications_sent_at_once_are_all_recorded, |app| {
    app.load_demo().await;
    let branch = app.org_id("和平社区第一党支部").await;
    // Each submission reads (the organization, duplicates) before it writes; on SQLite a
    // transaction that read first could not take the write lock another had taken meanwhile.
    let results = futures_util::future::join_all((0..12u32).map(|i| {
        let input = json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-03", "person": crate::fixtures::person(&format!("并发申请{i}"), &crate::fixtures::id_card("1999-01-01", 100 + i), "1999-01-01") } });
        app.exec(Some(crate::fixtures::ORGANIZER), crate::fixtures::SUBMIT, input)
    }))
    .await;
    for r in &results {
        assert!(r.get("errors").is_none(), "{r:#}");
    }
    let d = app
        .ok(
            Some(crate::fixtures::ORGANIZER),
            "{ candidates(search: \"并发申请\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(d["candidates"]["totalCount"], 12);
    app.assert_counts_consistent().await;
});

db_test!(
    one_request_sent_at_once_under_one_key_is_recorded_once_and_answered_every_time,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        // A client whose first send timed out sends again while the first is still running:
        // every send is answered with the first's result, none with CONFLICT.
        let input = json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-03", "clientKey": "apply-once", "person": crate::fixtures::person("同键申请", &crate::fixtures::id_card("1999-02-02", 300), "1999-02-02") } });
        let results = futures_util::future::join_all(
            (0..10).map(|_| app.exec(Some(crate::fixtures::ORGANIZER), SUBMIT, input.clone())),
        )
        .await;
        for r in &results {
            assert!(r.get("errors").is_none(), "{r:#}");
            assert_eq!(
                r["data"]["submitApplication"]["candidate"]["id"],
                results[0]["data"]["submitApplication"]["candidate"]["id"]
            );
        }
        let fresh = results
            .iter()
            .filter(|r| r["data"]["submitApplication"]["replayed"] == json!(false))
            .count();
        assert_eq!(fresh, 1);
        // The same rows imported at once under one key: written once, every answer the count.
        let import = "mutation($input: ImportCandidatesInput!) { importCandidates(input: $input) { imported } }";
        let rows: Vec<Value> = (0..20u32)
            .map(|i| json!({ "organizationId": branch, "appliedOn": "2025-04-01", "person": crate::fixtures::person(&format!("同键导入{i}"), &crate::fixtures::id_card("1998-03-03", 400 + i), "1998-03-03") }))
            .collect();
        let input = json!({ "input": { "rows": rows, "idempotencyKey": "import-once" } });
        let results = futures_util::future::join_all(
            (0..6).map(|_| app.exec(Some("partner.bot"), import, input.clone())),
        )
        .await;
        for r in &results {
            assert!(r.get("errors").is_none(), "{r:#}");
            assert_eq!(r["data"]["importCandidates"]["imported"], 20);
        }
        for (search, n) in [("同键申请", 1), ("同键导入", 20)] {
            let d = app
                .ok(
                    Some(crate::fixtures::ORGANIZER),
                    "query($s: String!) { candidates(search: $s) { totalCount } }",
                    json!({ "s": search }),
                )
                .await;
            assert_eq!(d["candidates"]["totalCount"], n, "{search}");
        }
        app.assert_counts_consistent().await;
    }
);

db_test!(no_write_path_records_a_date_after_today, |app| {
    app.load_demo().await;
    let branch = app.org_id("和平社区第一党支部").await;
    let today = fazhan::clock::today();
    let tomorrow = today.succ_opt().unwrap().to_string();
    // An application dated tomorrow.
    let born = "1990-01-01";
    let input = json!({ "input": { "organizationId": branch, "appliedOn": tomorrow, "person": person("明日", &id_card(born, 31), born) } });
    let r = app.exec(Some(ORGANIZER), SUBMIT, input).await;
    assert_eq!(
        (code(&r), ext(&r)["rule"].as_str()),
        ("RULE_VIOLATION", Some("P3")),
        "{r:#}"
    );
    assert_eq!(ext(&r)["details"]["today"], json!(today));
    // A step on a case, tomorrow or far ahead, and a correction dated ahead.
    let mut case = applicant(&app, "和平社区第一党支部", "今日", born, 32).await;
    for on in [tomorrow.as_str(), "9999-12-31"] {
        let r = case
            .step(&app, on, json!({ "applicationTalk": { "talker": "书记" } }))
            .await;
        assert_eq!(ext(&r)["rule"], "P3", "{on}: {r:#}");
    }
    let talked = case
        .advance(
            &app,
            "2025-03-10",
            json!({ "applicationTalk": { "talker": "书记" } }),
        )
        .await;
    let event = talked.string_at("data.recordPipelineStep.event.id");
    let correct = "mutation($input: CorrectPipelineEventInput!) { correctPipelineEvent(input: $input) { candidate { version } } }";
    let r = app
        .exec(
            Some(ORGANIZER),
            correct,
            json!({ "input": { "candidateId": case.id, "expectedVersion": case.version, "eventId": event, "occurredOn": tomorrow, "step": { "applicationTalk": { "talker": "书记" } }, "reason": "日期有误" } }),
        )
        .await;
    assert_eq!(ext(&r)["rule"], "P3", "{r:#}");
    // A correction naming another case's event names the input's field.
    let other = applicant(&app, "和平社区第一党支部", "他案", born, 34).await;
    let r = app
        .exec(
            Some(ORGANIZER),
            correct,
            json!({ "input": { "candidateId": other.id, "expectedVersion": other.version, "eventId": event, "occurredOn": "2025-03-10", "step": { "applicationTalk": { "talker": "书记" } }, "reason": "日期有误" } }),
        )
        .await;
    assert_eq!(
        (code(&r), &ext(&r)["field"]),
        ("BAD_USER_INPUT", &json!("eventId")),
        "{r:#}"
    );
    // A bulk import's row dated tomorrow, named by its field.
    let import = "mutation($rows: [ImportCandidateRowInput!]!) { importCandidates(input: {rows: $rows}) { imported } }";
    let rows = json!([{ "organizationId": branch, "appliedOn": tomorrow, "person": person("明日二", &id_card(born, 33), born) }]);
    let r = app
        .exec(Some(ORGANIZER), import, json!({ "rows": rows }))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r:#}");
    assert_eq!(ext(&r)["rows"][0]["field"], "appliedOn", "{r:#}");
    // A member who joins tomorrow.
    let members = "mutation($rows: [ImportMemberRowInput!]!) { importMembers(input: {rows: $rows}) { members { id } } }";
    let rows = json!([{ "organizationId": branch, "memberSince": tomorrow, "person": { "name": "明日党员", "gender": "MALE", "birthDate": "1980-01-01", "education": "UNDERGRADUATE", "occupations": ["WORKER"] } }]);
    let r = app
        .exec(Some(ORGANIZER), members, json!({ "rows": rows }))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r:#}");
    assert_eq!(ext(&r)["rows"][0]["field"], "memberSince", "{r:#}");
});
