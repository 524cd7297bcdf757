//! Trust: each finding of issue #11 as a regression test, named after what it proves. Scope is a
//! property of the types (an `Organization` is only built through its scope check), so these
//! tests try the ways out a user found and check that each is closed.

use crate::fixtures::{Case, STEP, applicant, submit};
use crate::helpers::{JsonPath, code};
use crate::indicators::{Reporter, SUBMIT_REPORT, download, download_sheet, report_input};
use crate::plans::{Planner, district_and_street};
use serde_json::json;

/// The global id of the first Party member the street organizer sees.
async fn first_member(app: &crate::helpers::TestApp) -> String {
    let d = app
        .ok(
            Some("street.organizer"),
            "{ members { edges { node { id } } } }",
            json!({}),
        )
        .await;
    d["members"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

db_test!(
    a_case_cannot_be_transferred_above_or_outside_the_organizers_subtree,
    |app| {
        app.load_demo().await;
        let case = applicant(&app, "和平社区第一党支部", "田甜", "2001-01-01", 31).await;
        let transfer = |to: &str| json!({ "transfer": { "toOrganizationId": to } });
        for target in [
            "省委组织部",
            "省委教育工委",
            "计算机学院本科生第一党支部",
            "和平街道党工委",
        ] {
            let to = app.org_id(target).await;
            let r = case.step(&app, "2025-04-01", transfer(&to)).await;
            let expected = if target == "和平街道党工委" {
                "BAD_USER_INPUT"
            } else {
                "NOT_FOUND"
            };
            assert_eq!(code(&r), expected, "{target}: {r:#}");
        }
        // Another active branch in scope is accepted.
        let second = app.org_id("和平社区第二党支部").await;
        let r = case.step(&app, "2025-04-01", transfer(&second)).await;
        assert!(r.get("errors").is_none(), "{r:#}");
        assert_eq!(
            r.at("data.recordPipelineStep.candidate.organization.name"),
            "和平社区第二党支部"
        );
    }
);

db_test!(
    nested_organization_fields_never_leave_the_viewers_subtree,
    |app| {
        app.load_demo().await;
        // The branch viewer's case list, letters and users reach organizations only through the
        // scoped loader: walking up from anything it sees stops at its own branch.
        let q = "{ me { organization { name parent { name } ancestors { name } children { edges { node { name } } } } } }";
        let d = app.ok(Some("branch.viewer"), q, json!({})).await;
        let org = &d["me"]["organization"];
        assert_eq!(org["name"], "和平社区第一党支部");
        assert_eq!(org["parent"], json!(null));
        assert_eq!(org["ancestors"], json!([]));
        // An organization outside the subtree is NOT_FOUND through `organization` and `node`.
        let univ = app.org_id("示例大学党委").await;
        for q in [
            "query($id: ID!) { organization(id: $id) { name } }",
            "query($id: ID!) { node(id: $id) { id } }",
        ] {
            let r = app
                .exec(Some("street.organizer"), q, json!({ "id": univ }))
                .await;
            assert_eq!(code(&r), "NOT_FOUND");
        }
        // Indicators of the viewer's own organization name no organization above it.
        let street = app.org_id("和平街道党工委").await;
        let d = app.ok(Some("street.organizer"), "query($o: ID!) { indicatorTable(organizationId: $o, year: 2025, by: CHILD) { organization { name parent { name } } } }", json!({ "o": street })).await;
        for row in d["indicatorTable"].as_array().unwrap() {
            if let Some(parent) = row["organization"]["parent"].as_object() {
                assert_eq!(parent["name"], "和平街道党工委");
            }
        }
    }
);

db_test!(a_replayed_step_is_authorized_like_a_fresh_one, |app| {
    app.load_demo().await;
    let branch = app.org_id("和平社区第一党支部").await;
    let Case { id, version: v } =
        submit(&app, &branch, "马丽", "2001-01-01", 32, "2025-03-03").await;
    let input = json!({ "input": { "candidateId": id, "expectedVersion": v, "occurredOn": "2025-03-10", "clientKey": "talk-1", "step": { "applicationTalk": { "talker": "支部书记" } } } });
    app.ok(Some("street.organizer"), STEP, input.clone()).await;
    // The case leaves the street (moved to the university by the province admin through an
    // organization move of its branch), then the organizer replays the same request.
    let univ = app.org_id("示例大学党委").await;
    app.ok(Some("admin"), "mutation($i: MoveOrganizationInput!) { moveOrganization(input: $i) { organization { id } } }", json!({ "i": { "id": branch, "newParentId": univ } })).await;
    let r = app.exec(Some("street.organizer"), STEP, input).await;
    assert_eq!(code(&r), "NOT_FOUND", "{r:#}");
    assert!(r["data"]["recordPipelineStep"].is_null());
});

db_test!(partner_cannot_read_members_through_node, |app| {
    app.load_demo().await;
    let member = first_member(&app).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Member { name underPartyProbation } } }";
    let r = app
        .exec(Some("partner.bot"), q, json!({ "id": member }))
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "{r:#}");
    let r = app
        .exec(Some("edu.analyst"), q, json!({ "id": member }))
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    app.ok(Some("street.organizer"), q, json!({ "id": member }))
        .await;
});

db_test!(exported_cells_never_start_a_formula, |app| {
    app.load_demo().await;
    let street = app.org_id("和平街道党工委").await;
    let mut input = report_input(&street, json!({ "=1+2": 1, "@SUM(A1)": 2 }), "formula");
    input["input"]["narrative"] = json!("=HYPERLINK(\"http://evil.example\",\"点击\")");
    let d = app.ok(Some("street.organizer"), SUBMIT_REPORT, input).await;
    let id = d.string_at("submitReport.report.id");
    let (status, bytes) = download(
        &app,
        Some("street.organizer"),
        &format!("/exports/reports/{id}.csv"),
    )
    .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).unwrap();
    let mut cells = 0;
    for line in text.trim_start_matches('\u{feff}').lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            cells += 1;
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a formula cell: {cell:?} in {text}"
            );
        }
    }
    assert!(
        cells > 4 && text.contains("'=1+2") && text.contains("'=HYPERLINK"),
        "{text}"
    );
    let sheet = download_sheet(
        &app,
        "street.organizer",
        &format!("/exports/reports/{id}.xlsx"),
    )
    .await;
    use calamine::Data;
    for cell in sheet.used_cells() {
        if let Data::String(s) = cell.2 {
            assert!(!s.starts_with(['=', '+', '-', '@']), "{s:?}");
        }
    }
});

db_test!(
    partner_reads_no_indicators_and_only_writers_read_report_text,
    |app| {
        app.load_demo().await;
        let street = app.org_id("和平街道党工委").await;
        let r = app
            .exec(
                Some("partner.bot"),
                "query($o: ID!) { indicators(organizationId: $o, year: 2025) { year } }",
                json!({ "o": street }),
            )
            .await;
        assert_eq!(code(&r), "FORBIDDEN");
        let r = app
            .exec(
                Some("partner.bot"),
                "{ letterCounts(mailbox: INBOX) { received } }",
                json!({}),
            )
            .await;
        assert_eq!(code(&r), "FORBIDDEN", "{r:#}");
        // The partner still submits its report, with the snapshot computed for it.
        let id = Reporter::new(&app, "partner.bot", &street)
            .submit(json!({ "admitted": 0 }), "p1")
            .await
            .string_at("report.id");
        // An analyst and a viewer of the district read the figures, not the free text.
        let district = app.org_id("示例区委组织部").await;
        let q = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }";
        for (name, role) in [
            ("district.analyst", "ANALYST"),
            ("district.viewer", "VIEWER"),
        ] {
            app.ok(Some("admin"), q, json!({ "input": { "organizationId": district, "username": name, "password": "district-pass-1", "role": role } })).await;
        }
        let q = "query($c: ID!) { reportSubmissions(collectorOrganizationId: $c, year: 2025, period: H1) { rows { report { id narrative attachments { name } } } } }";
        let report_of = |d: &serde_json::Value| {
            d["reportSubmissions"]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["report"]["id"] == id.as_str())
                .map(|r| r["report"].clone())
                .unwrap()
        };
        let admin = app
            .ok(Some("city.admin"), q, json!({ "c": district }))
            .await;
        assert_eq!(report_of(&admin)["narrative"], "上半年发展党员工作总结");
        assert_eq!(report_of(&admin)["attachments"][0]["name"], "附件1");
        for user in ["district.analyst", "district.viewer"] {
            let d = app.ok(Some(user), q, json!({ "c": district })).await;
            assert_eq!(report_of(&d)["narrative"], json!(null), "{user}");
            assert_eq!(report_of(&d)["attachments"], json!(null), "{user}");
        }
        // Nor through the export.
        let (status, bytes) = download(
            &app,
            Some("district.analyst"),
            &format!("/exports/reports/{id}.csv"),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            !String::from_utf8(bytes)
                .unwrap()
                .contains("上半年发展党员工作总结")
        );
    }
);

db_test!(aliased_logins_run_one_password_check_per_operation, |app| {
    app.load_demo().await;
    let aliases: String = (0..50)
        .map(|i| format!("l{i}: login(input: {{username: \"street.admin\", password: \"wrong-{i}\"}}) {{ token }} "))
        .collect();
    let (_, _, body) = app
        .post(None, &format!("mutation {{ {aliases} }}"), json!({}))
        .await;
    let errors = body["errors"].as_array().unwrap();
    let wrong = errors
        .iter()
        .filter(|e| e["extensions"]["code"] == "UNAUTHENTICATED")
        .count();
    let refused = errors
        .iter()
        .filter(|e| e["extensions"]["code"] == "BAD_USER_INPUT")
        .count();
    assert_eq!((wrong, refused), (1, 49), "{body:#}");
    // A username too long for any limiter is refused without a check.
    let long = "x".repeat(10_000);
    let (_, _, body) = app
        .post(
            None,
            "mutation($u: String!) { login(input: {username: $u, password: \"p\"}) { token } }",
            json!({ "u": long }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(
        app.state.login_limits.keys_held().1,
        1,
        "only street.admin is kept"
    );
});

db_test!(
    aliased_list_fields_count_against_the_complexity_limit,
    |app| {
        app.load_demo().await;
        let aliases: String = (0..2000)
            .map(|i| format!("a{i}: alerts(asOf: \"2025-06-01\", first: 100) {{ kind }} "))
            .collect();
        let (_, _, body) = app
            .post(
                Some(&format!(
                    "Bearer {}",
                    app.token_for("street.organizer").await
                )),
                &format!("{{ {aliases} }}"),
                json!({}),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
            "{body:#}"
        );
        // Paged lists weigh `first` × their selection, each alias counted.
        let members: String = (0..70)
            .map(|i| format!("m{i}: members(first: 100) {{ edges {{ node {{ name }} }} }} "))
            .collect();
        let r = app
            .exec(
                Some("street.organizer"),
                &format!("{{ {members} }}"),
                json!({}),
            )
            .await;
        assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r:#}");
    }
);

db_test!(
    a_bulk_duplicate_check_spends_its_numbers_and_member_imports_say_no_more,
    fazhan::Config {
        duplicate_check_numbers_per_hour: 5,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        app.load_demo().await;
        let branch = app.org_id("和平社区第一党支部").await;
        // Six numbers in one request, none on record: refused before any is looked up.
        let rows: Vec<_> = (0..6)
            .map(|i| json!({ "organizationId": branch, "appliedOn": "2025-03-04", "person": crate::fixtures::person("批量", &crate::fixtures::id_card("2001-02-07", 60 + i), "2001-02-07") }))
            .collect();
        let import = "mutation($input: ImportCandidatesInput!) { importCandidates(input: $input) { imported } }";
        let r = app
            .exec(
                Some("partner.bot"),
                import,
                json!({ "input": { "rows": rows } }),
            )
            .await;
        assert_eq!(code(&r), "RATE_LIMITED", "{r:#}");
        // A member import with a number on record elsewhere gets the same coded answer, never
        // the database's wording.
        let univ_branch = app.org_id("计算机学院本科生第一党支部").await;
        let number = crate::fixtures::id_card("2001-02-08", 70);
        app.ok(Some("univ.organizer"), crate::fixtures::SUBMIT, json!({ "input": { "organizationId": univ_branch, "appliedOn": "2025-03-03", "person": crate::fixtures::person("异地二", &number, "2001-02-08") } })).await;
        let members = "mutation($input: ImportMembersInput!) { importMembers(input: $input) { members { id } } }";
        let row = json!({ "organizationId": branch, "person": { "name": "重复党员", "gender": "MALE", "birthDate": "2001-02-08", "idCardNumber": number, "education": "UNDERGRADUATE", "occupations": ["WORKER"] }, "memberSince": "2020-07-01" });
        let r = app
            .exec(
                Some("street.organizer"),
                members,
                json!({ "input": { "rows": [row] } }),
            )
            .await;
        let text = r.to_string();
        assert!(text.contains("DUPLICATE_PERSON"), "{r:#}");
        assert!(
            !text.contains("UNIQUE") && !text.contains("people"),
            "{r:#}"
        );
    }
);

db_test!(
    a_plans_revisions_name_only_the_accounts_of_the_readers_subtree,
    |app| {
        let (_, street) = district_and_street(&app).await;
        let branch = app.org_id("和平社区第一党支部").await;
        Planner::new(&app, "street.organizer", &street)
            .set(&branch, "2025-01-01", json!({ "total": 2 }))
            .await;
        let q = "query($o: ID!) { guidancePlan(organizationId: $o, year: 2025) { revisions { revision actorUserId } } }";
        let organizer = app
            .ok(Some("street.organizer"), "{ me { id } }", json!({}))
            .await;
        let by_street = app
            .ok(Some("street.organizer"), q, json!({ "o": branch }))
            .await;
        assert_eq!(
            by_street["guidancePlan"]["revisions"][0]["actorUserId"],
            organizer["me"]["id"]
        );
        // The branch reads its plan, but not the account of the street's organizer who set it.
        let by_branch = app
            .ok(Some("branch.viewer"), q, json!({ "o": branch }))
            .await;
        assert_eq!(by_branch["guidancePlan"]["revisions"][0]["revision"], 1);
        assert_eq!(
            by_branch["guidancePlan"]["revisions"][0]["actorUserId"],
            json!(null),
            "{by_branch:#}"
        );
    }
);

db_test!(
    a_lower_level_cannot_rewrite_the_plan_issued_above_it,
    |app| {
        let (district, street) = district_and_street(&app).await;
        let by_district = Planner::new(&app, "district.organizer", &district);
        by_district
            .set(&street, "2025-01-01", json!({ "total": 20 }))
            .await;
        // The street re-issuing its own plan to itself: refused, both ways.
        let mut own = crate::plans::plan(&street, &street, "2025-02-01", json!({ "total": 999 }));
        own["input"]["reason"] = json!("self-raise");
        let r = app
            .exec(Some("street.organizer"), crate::plans::SET, own)
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{r:#}");
        let d = app.ok(Some("district.organizer"), "query($o: ID!) { guidancePlan(organizationId: $o, year: 2025) { total revision } }", json!({ "o": street })).await;
        assert_eq!(d["guidancePlan"]["total"], 20);
        // A community's plan issued by the district cannot be revised by the street below it.
        let community = app.org_id("和平社区党委").await;
        by_district
            .set(&community, "2025-01-01", json!({ "total": 5 }))
            .await;
        let mut again =
            crate::plans::plan(&community, &street, "2025-02-01", json!({ "total": 50 }));
        again["input"]["reason"] = json!("raise");
        let r = app
            .exec(Some("street.organizer"), crate::plans::SET, again)
            .await;
        assert_eq!(code(&r), "FORBIDDEN", "{r:#}");
    }
);

db_test!(extreme_numbers_are_refused_not_panicked_on, |app| {
    app.load_demo().await;
    let street = app.org_id("和平街道党工委").await;
    for (q, vars) in [
        (
            "query($o: ID!) { indicators(organizationId: $o, year: -2147483648) { year } }",
            json!({ "o": street }),
        ),
        (
            "query($o: ID!) { indicatorTable(organizationId: $o, year: -2147483648, by: CHILD) { planned } }",
            json!({ "o": street }),
        ),
        (
            "{ alerts(asOf: \"9999-12-31\", withinDays: 2147483647) { kind } }",
            json!({}),
        ),
        (
            "query($s: String!) { candidates(search: $s) { totalCount } }",
            json!({ "s": "a".repeat(100_000) }),
        ),
        (
            "query($s: String!) { organizations(search: $s) { totalCount } }",
            json!({ "s": "%".repeat(10_000) }),
        ),
    ] {
        let r = app.exec(Some("street.organizer"), q, vars).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{q}: {r:#}");
    }
    let community = app.org_id("和平社区党委").await;
    let by_street = Planner::new(&app, "street.organizer", &street);
    let r = by_street
        .try_set(
            &community,
            "2025-01-01",
            json!({ "total": 2147483647, "under35": 2147483647 }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r:#}");
    let r = app
        .exec(
            Some("street.admin"),
            "{ auditLog(from: \"+262142-12-31T00:00:00Z\") { totalCount } }",
            json!({}),
        )
        .await;
    assert!(r["errors"].is_array(), "{r:#}");
});

db_test!(
    partner_reads_neither_plans_counts_nor_report_figures,
    |app| {
        app.load_demo().await;
        let street = app.org_id("和平街道党工委").await;
        let id = Reporter::new(&app, "partner.bot", &street)
            .submit(json!({ "admitted": 0 }), "p2")
            .await
            .string_at("report.id");
        let r = app.ok(Some("partner.bot"), "query($id: ID!) { report(id: $id) { status snapshot findings { key } narrative attachments { name } } }", json!({ "id": id })).await;
        assert_eq!(r["report"]["status"], "SUBMITTED");
        for f in ["snapshot", "findings", "narrative", "attachments"] {
            assert_eq!(r["report"][f], json!(null), "{f}");
        }
        let (status, _) = download(
            &app,
            Some("partner.bot"),
            &format!("/exports/reports/{id}.csv"),
        )
        .await;
        assert_eq!(status, 403);
        for q in [
            "{ guidancePlans(year: 2025) { total } }",
            "{ organizations { edges { node { candidateCount } } } }",
        ] {
            let r = app.exec(Some("partner.bot"), q, json!({})).await;
            assert_eq!(code(&r), "FORBIDDEN", "{q}: {r:#}");
        }
        // Many aliased indicator reads are priced like the work they are.
        let street_q: String = (0..300)
            .map(|i| {
                format!("a{i}: indicators(organizationId: \"{street}\", year: 2025) {{ year }} ")
            })
            .collect();
        let r = app
            .exec(
                Some("street.organizer"),
                &format!("{{ {street_q} }}"),
                json!({}),
            )
            .await;
        assert_eq!(code(&r), "QUERY_TOO_COMPLEX");
    }
);

db_test!(
    the_login_payload_shows_the_signed_in_users_own_organization,
    |app| {
        app.load_demo().await;
        let (_, _, body) = app
        .post(None, "mutation { login(input: {username: \"branch.viewer\", password: \"demo-pass-2026\"}) { user { username organization { name kind } } } }", json!({}))
        .await;
        assert!(body.get("errors").is_none(), "{body:#}");
        assert_eq!(
            body["data"]["login"]["user"]["organization"]["name"],
            "和平社区第一党支部"
        );
        assert_eq!(
            body["data"]["login"]["user"]["organization"]["kind"],
            "BRANCH"
        );
    }
);

db_test!(second_review_findings_stay_closed, |app| {
    app.load_demo().await;
    // An actor above the caller is not named in its audit log.
    let street = app.org_id("和平街道党工委").await;
    let create = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }";
    app.ok(Some("admin"), create, json!({ "input": { "organizationId": street, "username": "street.clerk", "password": "street-clerk-1", "role": "VIEWER" } })).await;
    let d = app
        .ok(
            Some("street.admin"),
            "{ auditLog(first: 100) { edges { node { action actorUserId } } } }",
            json!({}),
        )
        .await;
    let row = d["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["action"] == "user.create")
        .expect("the creation is in the street's log")
        .clone();
    assert_eq!(row["node"]["actorUserId"], json!(null), "{row:#}");
    // A usernames differing only in case is the same username.
    let r = app.exec(Some("admin"), create, json!({ "input": { "organizationId": street, "username": "ADMIN", "password": "look-alike-1", "role": "VIEWER" } })).await;
    assert_eq!(code(&r), "CONFLICT", "{r:#}");
    // An ADMIN cannot change its own organization's kind or authority.
    let r = app.exec(Some("street.admin"), "mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { kind } } }", json!({ "input": { "id": street, "canApprove": false } })).await;
    assert_eq!(code(&r), "FORBIDDEN", "{r:#}");
    // Members named in a step: a missing one is answered like one out of scope; one named twice
    // is refused.
    let Case { id, version: v } =
        applicant(&app, "和平社区第一党支部", "成员", "2001-01-01", 33).await;
    let member = first_member(&app).await;
    let missing = crate::matrix::global_id("Member", 999_999);
    let step = |ids: Vec<&str>| json!({ "input": { "candidateId": id, "expectedVersion": v, "occurredOn": "2025-04-01", "step": { "assignContacts": { "memberIds": ids } } } });
    let r = app
        .exec(Some("street.organizer"), STEP, step(vec![&missing]))
        .await;
    assert_eq!(code(&r), "NOT_FOUND", "{r:#}");
    let r = app
        .exec(Some("street.organizer"), STEP, step(vec![&member, &member]))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r:#}");
    // Whoever submitted a report does not accept it.
    let community = app.org_id("和平社区党委").await;
    let report = Reporter::new(&app, "street.organizer", &community)
        .submit(json!({}), "self")
        .await
        .string_at("report.id");
    let r = app.exec(Some("street.organizer"), "mutation($input: ReviewReportInput!) { acceptReport(input: $input) { report { status } } }", json!({ "input": { "id": report, "expectedVersion": 1, "acceptedOn": "2025-07-05" } })).await;
    assert_eq!(code(&r), "FORBIDDEN", "{r:#}");
});

db_test!(
    a_lower_admin_tightens_but_never_loosens_the_rules_from_above,
    |app| {
        app.load_demo().await;
        let set = "mutation($input: SetLocalRulesInput!) { setLocalRules(input: $input) { localRules { politicalViolationWaitYears trainingMinDays } } }";
        let city = app.org_id("示例市委组织部").await;
        let street = app.org_id("和平街道党工委").await;
        app.ok(Some("city.admin"), set, json!({ "input": { "organizationId": city, "rules": { "politicalViolationWaitYears": 6 } } })).await;
        for rules in [
            json!({ "politicalViolationWaitYears": 0 }),
            json!({ "trainingMinDays": 0, "trainingMinHours": 24 }),
            json!({ "letterReplyDays": 30 }),
        ] {
            let r = app
                .exec(
                    Some("street.admin"),
                    set,
                    json!({ "input": { "organizationId": street, "rules": rules } }),
                )
                .await;
            assert_eq!(code(&r), "RULE_VIOLATION", "{rules}: {r:#}");
            assert_eq!(r["errors"][0]["extensions"]["rule"], "LR1");
        }
        // Stricter is fine, for the street and below it.
        let d = app.ok(Some("street.admin"), set, json!({ "input": { "organizationId": street, "rules": { "politicalViolationWaitYears": 8, "trainingMinDays": 5 } } })).await;
        assert_eq!(
            d["setLocalRules"]["localRules"]["politicalViolationWaitYears"],
            8
        );
    }
);

db_test!(
    one_client_address_cannot_try_many_usernames,
    fazhan::Config {
        login_attempts_per_address_per_minute: 5,
        login_checks_per_second: 1000,
        ..fazhan::Config::for_tests(String::new())
    },
    |app| {
        // A real listener with connect info, so the limiter sees the client's address.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(
            axum::serve(
                listener,
                app.router
                    .clone()
                    .into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .into_future(),
        );
        let client = reqwest::Client::new();
        let mut codes = vec![];
        for i in 0..7 {
            let body = json!({ "query": "mutation($u: String!) { login(input: {username: $u, password: \"wrong-password\"}) { token } }", "variables": { "u": format!("nobody{i}") } });
            let r: serde_json::Value = client
                .post(format!("http://{addr}/graphql"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            codes.push(
                r["errors"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            );
        }
        assert_eq!(&codes[..5], ["UNAUTHENTICATED"; 5], "{codes:?}");
        assert_eq!(&codes[5..], ["RATE_LIMITED"; 2], "{codes:?}");
        server.abort();
    }
);

db_test!(
    a_tightening_above_reaches_a_subtree_that_set_its_own_value_before,
    |app| {
        app.load_demo().await;
        let set = "mutation($input: SetLocalRulesInput!) { setLocalRules(input: $input) { localRules { minPoints } } }";
        let city = app.org_id("示例市委组织部").await;
        let street = app.org_id("和平街道党工委").await;
        let branch = app.org_id("和平社区第一党支部").await;
        app.ok(
            Some("street.admin"),
            set,
            json!({ "input": { "organizationId": street, "rules": { "minPoints": 0 } } }),
        )
        .await;
        app.ok(Some("city.admin"), set, json!({ "input": { "organizationId": city, "rules": { "minPoints": 60, "publicNoticeRequired": true } } })).await;
        let q = "query($id: ID!) { localRules(organizationId: $id) { minPoints publicNoticeRequired } }";
        let d = app
            .ok(Some("street.organizer"), q, json!({ "id": branch }))
            .await;
        assert_eq!(d["localRules"]["minPoints"], 60, "{d:#}");
        assert_eq!(d["localRules"]["publicNoticeRequired"], true);
        // The street still changes what it may, without being blamed for its stale value.
        app.ok(
            Some("street.admin"),
            set,
            json!({ "input": { "organizationId": street, "rules": { "trainingMinDays": 4 } } }),
        )
        .await;
    }
);

db_test!(names_dates_and_kinds_hold_to_what_the_records_mean, |app| {
    app.load_demo().await;
    let branch = app.org_id("和平社区第一党支部").await;
    let street = app.org_id("和平街道党工委").await;
    // Names people read: no hidden characters, none that starts with a lone combining mark.
    let create_org = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }";
    let r = app.exec(Some("street.admin"), create_org, json!({ "input": { "parentId": street, "name": "改名北京\u{2028}市", "kind": "BRANCH", "sector": "COMMUNITY" } })).await;
    assert_eq!(
        (code(&r), &r["errors"][0]["extensions"]["field"]),
        ("BAD_USER_INPUT", &json!("name")),
        "{r:#}"
    );
    let create_user =
        "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }";
    let r = app.exec(Some("street.admin"), create_user, json!({ "input": { "organizationId": street, "username": "rlo.user", "displayName": "ok\u{200b}", "password": "organizer-pass-1", "role": "VIEWER" } })).await;
    assert_eq!(
        (code(&r), &r["errors"][0]["extensions"]["field"]),
        ("BAD_USER_INPUT", &json!("displayName")),
        "{r:#}"
    );
    let submit = crate::fixtures::SUBMIT;
    for name in ["\u{301}", "\u{2800}\u{2800}", "李\u{e000}"] {
        let p = crate::fixtures::person(
            name,
            &crate::fixtures::id_card("1990-01-01", 51),
            "1990-01-01",
        );
        let r = app.exec(Some("street.organizer"), submit, json!({ "input": { "organizationId": branch, "appliedOn": "2025-03-03", "person": p } })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{name:?}: {r:#}");
    }
    // A member born tomorrow.
    let tomorrow = fazhan::clock::today().succ_opt().unwrap().to_string();
    let members = "mutation($rows: [ImportMemberRowInput!]!) { importMembers(input: {rows: $rows}) { members { id } } }";
    let rows = json!([{ "organizationId": branch, "person": { "name": "未来出生", "gender": "FEMALE", "birthDate": tomorrow, "education": "UNDERGRADUATE", "occupations": ["WORKER"] } }]);
    let r = app
        .exec(Some("street.organizer"), members, json!({ "rows": rows }))
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["rows"][0]["field"], "birthDate",
        "{r:#}"
    );
    // A letter sent tomorrow.
    let case =
        crate::fixtures::applicant(&app, "和平社区第一党支部", "函调", "1990-01-01", 52).await;
    let other = app.org_id("星火科技有限公司党支部").await;
    let create = "mutation($input: CreateLetterInput!) { createLetter(input: $input) { letter { id version } } }";
    let d = app.ok(Some("street.organizer"), create, json!({ "input": { "kind": "POLITICAL_REVIEW", "candidateId": case.id, "receiverOrganizationId": other, "questions": "请出具意见", "senderContact": "李组织员" } })).await;
    let (id, version) = (
        d["createLetter"]["letter"]["id"].clone(),
        d["createLetter"]["letter"]["version"].clone(),
    );
    let send =
        "mutation($input: LetterDateInput!) { sendLetter(input: $input) { letter { status } } }";
    let r = app
        .exec(
            Some("street.organizer"),
            send,
            json!({ "input": { "id": id, "expectedVersion": version, "on": tomorrow } }),
        )
        .await;
    assert_eq!(
        (code(&r), &r["errors"][0]["extensions"]["field"]),
        ("BAD_USER_INPUT", &json!("on")),
        "{r:#}"
    );
    // A branch with an open case does not become a committee (its case would sit there).
    let update = "mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { kind } } }";
    let r = app
        .exec(
            Some("street.admin"),
            update,
            json!({ "input": { "id": branch, "kind": "VILLAGE_COMMUNITY_COMMITTEE" } }),
        )
        .await;
    assert_eq!(
        (code(&r), &r["errors"][0]["extensions"]["field"]),
        ("BAD_USER_INPUT", &json!("kind")),
        "{r:#}"
    );
    assert!(r.to_string().contains("open cases"), "{r:#}");
    let q = "query($id: ID!) { organization(id: $id) { kind } }";
    assert_eq!(
        app.ok(Some("street.admin"), q, json!({ "id": branch }))
            .await["organization"]["kind"],
        "BRANCH"
    );
});
