//! The candidate pipeline through the GraphQL API: a whole case through all 25 steps, refusals
//! with rule ids, concurrency, idempotency, personal data, import, local rules, alerts.

use crate::helpers::{TestApp, code};
use serde_json::{Value, json};

pub(crate) const SUBMIT: &str = "mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { replayed candidate { id version stage } event { id stepNumber } } }";
pub(crate) const STEP: &str = "mutation($input: RecordPipelineStepInput!) { recordPipelineStep(input: $input) { replayed candidate { id version stage activistOn probationEndOn convertedOn organization { name } } event { id step stepNumber occurredOn } warnings { rule source details } } }";
const MEMBERS: &str = "mutation($input: ImportMembersInput!) { importMembers(input: $input) { members { id name underPartyProbation } } }";

pub(crate) fn person(name: &str, id_card: &str, birth: &str) -> Value {
    json!({ "name": name, "gender": "FEMALE", "birthDate": birth, "idCardNumber": id_card, "phone": "13812345678", "education": "UNDERGRADUATE", "occupations": ["WORKER"], "isLeagueMember": true })
}

/// A valid ID-card number for a birth date (region 440106, sequence `seq`).
pub(crate) fn id_card(birth: &str, seq: u32) -> String {
    let first17 = format!("440106{}{seq:03}", birth.replace('-', ""));
    let c = fazhan::domain::pipeline::id_card::check_char(&first17).unwrap();
    format!("{first17}{c}")
}

/// Imports two full members and one under 留党察看 in a branch; returns their ids.
pub(crate) async fn members(app: &TestApp, branch: &str) -> Vec<String> {
    let row = |name: &str, probation: bool| json!({ "organizationId": branch, "person": { "name": name, "gender": "MALE", "birthDate": "1980-01-01", "education": "UNDERGRADUATE", "occupations": ["MANAGER"] }, "memberSince": "2005-07-01", "underPartyProbation": probation });
    let d = app.ok(Some("street.organizer"), MEMBERS, json!({ "input": { "rows": [row("王党员", false), row("赵党员", false), row("钱党员", true)] } })).await;
    d["importMembers"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

pub(crate) async fn submit(
    app: &TestApp,
    branch: &str,
    name: &str,
    birth: &str,
    seq: u32,
    on: &str,
) -> (String, i64) {
    let d = app.ok(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": on, "person": person(name, &id_card(birth, seq), birth) } })).await;
    let c = &d["submitApplication"]["candidate"];
    (
        c["id"].as_str().unwrap().to_string(),
        c["version"].as_i64().unwrap(),
    )
}

/// Records a step as `user`; returns the raw response.
pub(crate) async fn step(
    app: &TestApp,
    user: &str,
    id: &str,
    version: i64,
    on: &str,
    step: Value,
) -> Value {
    app.exec(Some(user), STEP, json!({ "input": { "candidateId": id, "expectedVersion": version, "occurredOn": on, "step": step } })).await
}

db_test!(one_person_goes_through_all_25_steps, |app| {
    app.load_demo().await;
    let branch = app.org_id("和平社区第一党支部").await;
    let community = app.org_id("和平社区党委").await;
    let street = app.org_id("和平街道党工委").await;
    let m = members(&app, &branch).await;
    let (id, mut version) = submit(&app, &branch, "陈小红", "2001-05-20", 1, "2022-03-07").await;
    let form = "440100-2023-000123";
    let vote = |expected: u32, present: u32, yes: u32| json!({ "expected": expected, "present": present, "yes": yes, "no": present - yes });
    let steps: Vec<(&str, &str, Value)> = vec![
        (
            "street.organizer",
            "2022-03-25",
            json!({ "applicationTalk": { "talker": "支部书记" } }),
        ),
        (
            "street.organizer",
            "2022-09-13",
            json!({ "determineActivist": { "recommendation": "LEAGUE" } }),
        ),
        (
            "street.organizer",
            "2022-09-20",
            json!({ "fileActivist": { "filedWith": "和平街道党工委" } }),
        ),
        (
            "street.organizer",
            "2022-09-21",
            json!({ "assignContacts": { "memberIds": [m[0], m[1]] } }),
        ),
        (
            "street.organizer",
            "2023-03-10",
            json!({ "activistExamination": { "summary": "表现良好" } }),
        ),
        (
            "street.organizer",
            "2023-09-08",
            json!({ "activistExamination": { "summary": "表现良好" } }),
        ),
        (
            "street.organizer",
            "2023-09-13",
            json!({ "determineTarget": {} }),
        ),
        (
            "street.organizer",
            "2023-09-22",
            json!({ "fileTarget": { "filedWith": "和平街道党工委" } }),
        ),
        (
            "street.organizer",
            "2023-09-25",
            json!({ "assignIntroducers": { "memberIds": [m[0], m[1]] } }),
        ),
        (
            "street.organizer",
            "2023-10-20",
            json!({ "politicalReview": { "passed": true, "conclusion": "政治审查合格" } }),
        ),
        (
            "street.organizer",
            "2023-10-27",
            json!({ "training": { "days": 3, "hours": 24, "organizer": "区委党校" } }),
        ),
        (
            "street.organizer",
            "2023-11-03",
            json!({ "branchCommitteeReview": { "opinion": "同意" } }),
        ),
        (
            "street.organizer",
            "2023-11-10",
            json!({ "preReview": { "reviewerOrganizationId": street, "passed": true, "formNumber": form } }),
        ),
        (
            "street.organizer",
            "2023-11-14",
            json!({ "fillApplicationForm": { "formNumber": form } }),
        ),
        (
            "street.organizer",
            "2023-11-21",
            json!({ "admissionMeeting": { "vote": vote(16, 12, 11) } }),
        ),
        (
            "street.organizer",
            "2023-11-24",
            json!({ "intermediateReview": { "reviewerOrganizationId": community, "agreed": true } }),
        ),
        (
            "street.organizer",
            "2023-12-01",
            json!({ "preApprovalTalk": { "talker": "街道党工委组织员" } }),
        ),
        (
            "street.approver",
            "2023-12-15",
            json!({ "admissionApproval": { "approverOrganizationId": street } }),
        ),
        (
            "street.organizer",
            "2023-12-16",
            json!({ "placeInBranch": { "partyGroup": "第一党小组" } }),
        ),
        (
            "street.organizer",
            "2023-12-20",
            json!({ "fileAdmission": { "filedWith": "示例区委组织部" } }),
        ),
        (
            "street.organizer",
            "2023-12-26",
            json!({ "oath": { "presidedBy": "街道党工委书记" } }),
        ),
        (
            "street.organizer",
            "2024-03-29",
            json!({ "probationReport": { "summary": "一季度思想汇报" } }),
        ),
        (
            "street.organizer",
            "2024-10-21",
            json!({ "conversionApplication": {} }),
        ),
        (
            "street.organizer",
            "2024-11-21",
            json!({ "conversionMeeting": { "vote": vote(16, 13, 12), "outcome": "CONVERT" } }),
        ),
        (
            "street.approver",
            "2024-12-05",
            json!({ "conversionApproval": { "approverOrganizationId": street } }),
        ),
        (
            "street.organizer",
            "2024-12-10",
            json!({ "archive": { "location": "街道党工委档案室" } }),
        ),
    ];
    let mut numbers = std::collections::BTreeSet::from([1]);
    for (user, on, s) in steps {
        let r = step(&app, user, &id, version, on, s.clone()).await;
        assert!(r.get("errors").is_none(), "{s}: {r:#}");
        let p = &r["data"]["recordPipelineStep"];
        assert_eq!(p["candidate"]["version"].as_i64().unwrap(), version + 1);
        assert!(p["warnings"].as_array().unwrap().is_empty(), "{s}: {p:#}");
        version += 1;
        numbers.insert(p["event"]["stepNumber"].as_i64().unwrap());
    }
    assert_eq!(numbers, (1..=25).collect());
    let q = "query($id: ID!) { candidate(id: $id) { stage activistOn admissionMeetingOn probationEndOn convertedOn archivedOn timeline { stepNumber step occurredOn } } }";
    let d = app
        .ok(Some("street.organizer"), q, json!({ "id": id }))
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

/// A case at the admission meeting (steps 1–14 done) in the street's non-public enterprise
/// branch (no intermediate review), with its id and version.
async fn case_at_meeting(app: &TestApp, seq: u32) -> (String, i64, String) {
    let p = person("周明", &id_card("1995-02-03", seq), "1995-02-03");
    case_at_meeting_for(app, p, seq).await
}

/// A case of `person` at the admission meeting in 星火科技有限公司党支部.
pub(crate) async fn case_at_meeting_for(
    app: &TestApp,
    person: Value,
    seq: u32,
) -> (String, i64, String) {
    let branch = app.org_id("星火科技有限公司党支部").await;
    let street = app.org_id("和平街道党工委").await;
    let m = members(app, &branch).await;
    let d = app.ok(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2022-03-07", "person": person } })).await;
    let id = d["submitApplication"]["candidate"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut version = d["submitApplication"]["candidate"]["version"]
        .as_i64()
        .unwrap();
    let form = format!("440100-2023-{seq:06}");
    let steps = vec![
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
        (
            "2023-10-20",
            json!({ "politicalReview": { "passed": true, "conclusion": "合格", "householdOpinion": true, "residenceOpinion": true } }),
        ),
        (
            "2023-10-27",
            json!({ "training": { "hours": 24, "organizer": "区委党校" } }),
        ),
        (
            "2023-11-03",
            json!({ "branchCommitteeReview": { "opinion": "同意" } }),
        ),
        (
            "2023-11-10",
            json!({ "preReview": { "reviewerOrganizationId": street, "passed": true, "formNumber": form } }),
        ),
        (
            "2023-11-14",
            json!({ "fillApplicationForm": { "formNumber": form } }),
        ),
    ];
    for (on, s) in steps {
        let r = step(app, "street.organizer", &id, version, on, s.clone()).await;
        assert!(r.get("errors").is_none(), "{s}: {r:#}");
        version += 1;
    }
    (id, version, street)
}

db_test!(refusals_name_the_rule_the_source_and_the_numbers, |app| {
    app.load_demo().await;
    let (id, version, street) = case_at_meeting(&app, 7).await;
    // One vote short: expected 16, 8 yes.
    let r = step(&app, "street.organizer", &id, version, "2023-11-21", json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 8, "no": 4 } } })).await;
    assert_eq!(code(&r), "RULE_VIOLATION");
    let ext = &r["errors"][0]["extensions"];
    assert_eq!(ext["rule"], "N11");
    assert_eq!(ext["source"], "细则 Art. 21");
    assert_eq!(ext["details"]["yes"], 8);
    assert_eq!(ext["details"]["required"], 9);
    // 9 yes passes.
    let r = step(&app, "street.organizer", &id, version, "2023-11-21", json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 9, "no": 3 } } })).await;
    assert!(r.get("errors").is_none(), "{r:#}");
    let version = version + 1;
    step(
        &app,
        "street.organizer",
        &id,
        version,
        "2023-12-01",
        json!({ "preApprovalTalk": { "talker": "组织员" } }),
    )
    .await;
    let version = version + 1;
    // The approver names a general branch: A1.
    let gb = app.org_id("外国语学院党总支").await;
    let r = step(
        &app,
        "street.approver",
        &id,
        version,
        "2023-12-15",
        json!({ "admissionApproval": { "approverOrganizationId": gb } }),
    )
    .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let community = app.org_id("和平社区党委").await;
    let r = step(
        &app,
        "street.approver",
        &id,
        version,
        "2023-12-15",
        json!({ "admissionApproval": { "approverOrganizationId": community } }),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["rule"], "A1");
    // An organizer may not approve; an approver approves, late: a warning, not a refusal.
    let r = step(
        &app,
        "street.organizer",
        &id,
        version,
        "2024-02-22",
        json!({ "admissionApproval": { "approverOrganizationId": street } }),
    )
    .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = step(
        &app,
        "street.approver",
        &id,
        version,
        "2024-02-22",
        json!({ "admissionApproval": { "approverOrganizationId": street } }),
    )
    .await;
    let p = &r["data"]["recordPipelineStep"];
    assert_eq!(p["candidate"]["stage"], "PROBATIONARY");
    assert_eq!(p["candidate"]["probationEndOn"], "2024-11-21");
    assert_eq!(p["warnings"][0]["rule"], "N12");
    assert_eq!(p["warnings"][0]["details"]["daysLate"], 1);
    let q = "query($id: ID!) { candidate(id: $id) { timeline { warnings { rule } } } }";
    let d = app
        .ok(Some("street.organizer"), q, json!({ "id": id }))
        .await;
    assert_eq!(
        d["candidate"]["timeline"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["warnings"][0]["rule"],
        "N12"
    );
});

db_test!(early_steps_refuse_off_by_one_inputs, |app| {
    app.load_demo().await;
    let branch = app.org_id("星火科技有限公司党支部").await;
    // N1: the day before the 18th birthday.
    let r = app.exec(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2022-03-06", "person": person("未成年", &id_card("2004-03-07", 5), "2004-03-07") } })).await;
    assert_eq!(r["errors"][0]["extensions"]["rule"], "N1");
    assert_eq!(r["errors"][0]["extensions"]["details"]["age"], 17);
    // A wrong check digit is bad input on the field.
    let mut bad = id_card("2000-01-01", 6);
    bad.replace_range(17..18, if bad.ends_with('0') { "1" } else { "0" });
    let r = app.exec(Some("street.organizer"), SUBMIT, json!({ "input": { "organizationId": branch, "appliedOn": "2022-03-06", "person": person("错号", &bad, "2000-01-01") } })).await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    assert_eq!(r["errors"][0]["extensions"]["field"], "idCardNumber");
    // N4 one day short, N7 one introducer missing and an introducer under 留党察看, N8 one hour short.
    let m = members(&app, &branch).await;
    let (id, mut v) = submit(&app, &branch, "孙丽", "1998-08-08", 8, "2022-03-07").await;
    for (on, s) in [
        (
            "2022-03-25",
            json!({ "applicationTalk": { "talker": "书记" } }),
        ),
        (
            "2022-09-13",
            json!({ "determineActivist": { "recommendation": "LEAGUE" } }),
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
    ] {
        assert!(
            step(&app, "street.organizer", &id, v, on, s)
                .await
                .get("errors")
                .is_none()
        );
        v += 1;
    }
    let r = step(
        &app,
        "street.organizer",
        &id,
        v,
        "2023-09-12",
        json!({ "determineTarget": {} }),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["rule"], "N4");
    assert_eq!(r["errors"][0]["extensions"]["details"]["months"], 11);
    assert_eq!(r["errors"][0]["extensions"]["details"]["days"], 30);
    assert!(
        step(
            &app,
            "street.organizer",
            &id,
            v,
            "2023-09-13",
            json!({ "determineTarget": {} })
        )
        .await
        .get("errors")
        .is_none()
    );
    v += 1;
    let r = step(
        &app,
        "street.organizer",
        &id,
        v,
        "2023-09-25",
        json!({ "assignIntroducers": { "memberIds": [m[0]] } }),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["rule"], "N7");
    let r = step(
        &app,
        "street.organizer",
        &id,
        v,
        "2023-09-25",
        json!({ "assignIntroducers": { "memberIds": [m[0], m[2]] } }),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["rule"], "N7");
    assert_eq!(
        r["errors"][0]["extensions"]["details"]["underPartyProbation"],
        true
    );
    let r = step(
        &app,
        "street.organizer",
        &id,
        v,
        "2023-10-27",
        json!({ "training": { "days": 2, "hours": 23, "organizer": "党校" } }),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["rule"], "N8");
    assert_eq!(r["errors"][0]["extensions"]["details"]["hours"], 23);
});

db_test!(
    a_stale_version_is_a_conflict_and_a_retry_with_the_same_key_changes_nothing,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("星火科技有限公司党支部").await;
        let (id, v) = submit(&app, &branch, "吴敏", "1999-09-09", 9, "2025-03-03").await;
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
        let r = step(
            &app,
            "street.organizer",
            &id,
            v,
            "2025-09-20",
            json!({ "determineActivist": { "recommendation": "LEAGUE" } }),
        )
        .await;
        assert_eq!(code(&r), "CONFLICT");
        let d = app
            .ok(
                Some("street.organizer"),
                "query($id: ID!) { candidate(id: $id) { version timeline { step } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(d["candidate"]["timeline"].as_array().unwrap().len(), 2);
    }
);

db_test!(
    a_hundred_simultaneous_attempts_at_one_step_apply_exactly_once,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("星火科技有限公司党支部").await;
        let (id, v) = submit(&app, &branch, "郑洁", "1997-07-07", 10, "2025-03-03").await;
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
        let d = app
            .ok(
                Some("street.organizer"),
                "query($id: ID!) { candidate(id: $id) { version timeline { step } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(d["candidate"]["version"], v + 1);
        assert_eq!(d["candidate"]["timeline"].as_array().unwrap().len(), 2);
    }
);

db_test!(
    a_viewer_cannot_rebuild_a_masked_id_number_from_other_fields,
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        let (id, _) = submit(&app, &branch, "卫琳", "2000-03-15", 18, "2025-03-03").await;
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
    let branch = app.org_id("和平社区第一党支部").await;
    let (id, _) = submit(&app, &branch, "冯芳", "2000-10-10", 11, "2025-03-03").await;
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
        let rows = json!([
            row(&branch, "甲", "1990-01-01", 20),
            bad_card,
            row(&street, "丙", "1990-01-01", 22),
            row(&branch, "丁", "2010-01-01", 23),
            row(&branch, "甲二", "1990-01-01", 20)
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
                (4, "idCardNumber".into())
            ]
        );
        assert_eq!(
            app.ok(
                Some("street.organizer"),
                "{ candidates { totalCount } }",
                json!({})
            )
            .await["candidates"]["totalCount"],
            0
        );
        let rows = json!([
            row(&branch, "甲", "1990-01-01", 20),
            row(&branch, "乙", "1991-01-01", 24)
        ]);
        let d = app
            .ok(Some("partner.bot"), import, json!({ "rows": rows }))
            .await;
        assert_eq!(d["importCandidates"]["imported"], 2);
        assert_eq!(
            app.ok(
                Some("street.organizer"),
                "{ candidates { totalCount } }",
                json!({})
            )
            .await["candidates"]["totalCount"],
            2
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
    let (id, v) = submit(&app, &branch, "何静", "1996-06-06", 30, "2025-03-03").await;
    step(
        &app,
        "street.organizer",
        &id,
        v,
        "2025-03-10",
        json!({ "applicationTalk": { "talker": "书记" } }),
    )
    .await;
    let r = step(
        &app,
        "street.organizer",
        &id,
        v + 1,
        "2025-09-02",
        json!({ "determineActivist": { "recommendation": "LEAGUE" } }),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["rule"], "N3");
    assert_eq!(r["errors"][0]["extensions"]["details"]["requiredMonths"], 6);
    let ok = step(
        &app,
        "street.organizer",
        &id,
        v + 1,
        "2025-09-03",
        json!({ "determineActivist": { "recommendation": "LEAGUE" } }),
    )
    .await;
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
        let (a, _) = submit(&app, &branch, "许诺", "1996-01-01", 40, "2025-01-31").await;
        let (b, vb) = submit(&app, &branch, "吕言", "1996-02-02", 41, "2024-01-10").await;
        step(
            &app,
            "street.organizer",
            &b,
            vb,
            "2024-01-20",
            json!({ "applicationTalk": { "talker": "书记" } }),
        )
        .await;
        step(
            &app,
            "street.organizer",
            &b,
            vb + 1,
            "2024-07-15",
            json!({ "determineActivist": { "recommendation": "LEAGUE" } }),
        )
        .await;
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
        let r = step(
            &app,
            "street.organizer",
            &b,
            vb + 2,
            "2025-03-05",
            json!({ "transfer": { "toOrganizationId": other } }),
        )
        .await;
        let c = &r["data"]["recordPipelineStep"]["candidate"];
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
        let (id, v) = submit(&app, &branch, "施展", "1995-05-05", 50, "2024-01-10").await;
        step(
            &app,
            "street.organizer",
            &id,
            v,
            "2024-01-20",
            json!({ "applicationTalk": { "talker": "书记" } }),
        )
        .await;
        let r = step(
            &app,
            "street.organizer",
            &id,
            v + 1,
            "2024-07-15",
            json!({ "determineActivist": { "recommendation": "LEAGUE" } }),
        )
        .await;
        let event = r["data"]["recordPipelineStep"]["event"]["id"]
            .as_str()
            .unwrap()
            .to_string();
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
