//! Integrity gates (DOMAIN.md §7) through GraphQL: the political negative list (I8) and public
//! notices per decision with their objections (N18, PN1, PN2).

use crate::fixtures::{
    Case, case_at_meeting_for, cultivation, id_card, members, person, review, street_with_admitted,
};
use crate::helpers::{JsonPath, TestApp, code, ext};
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

/// A case in 星火科技有限公司党支部 with its introducers assigned.
async fn case_at_review(app: &TestApp, seq: u32) -> Case {
    case_at_review_with(app, seq).await.0
}

/// The same, with the members it names (contact `m[0]`, introducers `m[0]` and `m[1]`).
async fn case_at_review_with(app: &TestApp, seq: u32) -> (Case, Vec<String>) {
    let branch = app.org_id("星火科技有限公司党支部").await;
    let m = members(app, &branch).await;
    let p = person("赵敏", &id_card("1996-05-06", seq), "1996-05-06");
    let mut case = Case::submit(app, &branch, p, "2022-03-07").await;
    case.run(app, cultivation(&m)).await;
    (case, m)
}

db_test!(
    the_negative_list_fails_a_review_with_the_item_named,
    |app| {
        app.load_demo().await;
        let case = case_at_review(&app, 81).await;
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
        let r = case.step(&app, "2023-10-20", review(Some(yes))).await;
        assert_eq!(code(&r), "RULE_VIOLATION");
        assert_eq!(ext(&r)["rule"], "I8");
        assert_eq!(
            ext(&r).at("details.items"),
            &json!(["CULT_OR_SUPERSTITION"])
        );
        // Where the street requires the checklist, a review without it is refused too.
        let checklist = json!({ "politicalReviewChecklistRequired": true });
        set_rules(&app, "和平街道党工委", checklist).await;
        let r = case.step(&app, "2023-10-20", review(None)).await;
        assert_eq!(ext(&r)["rule"], "I8");
        let r = case.step(&app, "2023-10-20", review(Some(clean))).await;
        assert!(r.get("errors").is_none(), "{r:#}");
        let id = &case.id;
        let t = app
            .ok(
                Some("street.organizer"),
                "query($id: ID!) { candidate(id: $id) { timeline { step details } } }",
                json!({ "id": id }),
            )
            .await;
        let last = t.array_at("candidate.timeline").last().unwrap();
        let under_investigation = last.at("details.negativeList.underInvestigation");
        assert_eq!(under_investigation, false, "{last:#}");
    }
);

db_test!(
    a_notice_required_at_admission_holds_the_meeting_until_objections_are_resolved,
    |app| {
        app.load_demo().await;
        let p = person("钱进", &id_card("1995-02-03", 82), "1995-02-03");
        let (case, _) = case_at_meeting_for(&app, p, 82).await;
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
        let r = case.step(&app, "2023-11-21", meeting(None)).await;
        let refusal = ext(&r);
        assert_eq!(
            (
                refusal["rule"].as_str(),
                refusal.at("details.decision").as_str()
            ),
            (Some("N18"), Some("ADMISSION"))
        );
        // Five working days, 13–17 November, one objection still open on the meeting day.
        let notice = |resolved: Option<&str>| json!({ "startOn": "2023-11-13", "endOn": "2023-11-17", "objectionRecords": [{ "summary": "反映其邻里纠纷", "resolvedOn": resolved, "handling": "经核实已调解" }] });
        for (resolved, refused) in [
            (None, true),
            (Some("2023-11-22"), true),
            (Some("2023-11-21"), false),
        ] {
            let r = case
                .step(&app, "2023-11-21", meeting(Some(notice(resolved))))
                .await;
            if refused {
                assert_eq!(r.at("errors.0.extensions.rule"), "PN1", "{r:#}");
            } else {
                assert!(r.get("errors").is_none(), "{r:#}");
            }
        }
    }
);

db_test!(a_december_rush_and_late_graduates_are_flagged, |app| {
    use sea_orm::ConnectionTrait;
    // 7 admitted in the year, 3 of them in December (42.9 %).
    let admissions = "
        和平社区第一党支部 4 F 1999-01-01 UNDERGRADUATE 2025-05-10
        和平社区第一党支部 3 M 2003-01-01 UNDERGRADUATE 2025-12-10
    ";
    let street = street_with_admitted(&app, admissions).await;
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
        r.ints_at(&["decemberAdmitted", "yearAdmitted"]),
        [Some(3), Some(7)]
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

db_test!(
    form_numbers_are_issued_bound_once_used_and_voided_on_the_register,
    |app| {
        app.load_demo().await;
        let street = app.org_id("和平街道党工委").await;
        let register = "mutation($input: RegisterFormNumbersInput!) { registerFormNumbers(input: $input) { committee { name } issued bound used voided } }";
        let d = app.ok(Some("street.organizer"), register, json!({ "input": { "committeeOrganizationId": street, "prefix": "440100-2025-", "from": 90, "to": 99 } })).await;
        assert_eq!(d["registerFormNumbers"]["issued"], 10);
        // The same numbers twice: refused.
        let r = app.exec(Some("street.organizer"), register, json!({ "input": { "committeeOrganizationId": street, "prefix": "440100-2025-", "from": 99, "to": 100 } })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT");
        let pre = |number: &str| json!({ "preReview": { "reviewerOrganizationId": street, "passed": true, "formNumber": number } });
        let mut a = case_at_review(&app, 91).await;
        a.run(&app, review()).await;
        // Not in the register.
        let r = a.step(&app, "2023-11-10", pre("440100-2025-000100")).await;
        assert_eq!(ext(&r)["rule"], "I6", "{r:#}");
        // Typed with spaces: the same number, trimmed everywhere.
        a.advance(&app, "2023-11-10", pre(" 440100-2025-000090 "))
            .await;
        // Never bound twice.
        let mut b = case_at_review(&app, 92).await;
        b.run(&app, review()).await;
        let r = b.step(&app, "2023-11-10", pre("440100-2025-000090")).await;
        assert_eq!(ext(&r)["rule"], "I6", "{r:#}");
        assert_eq!(ext(&r).at("details.status"), "BOUND");
        // A voided number cannot be bound.
        let void = "mutation($input: VoidFormNumberInput!) { voidFormNumber(input: $input) { number status voidReason } }";
        let d = app.ok(Some("street.organizer"), void, json!({ "input": { "number": "440100-2025-000091", "reason": "填写错误作废", "on": "2023-11-09" } })).await;
        assert_eq!(d.at("voidFormNumber.status"), "VOIDED");
        let r = b.step(&app, "2023-11-10", pre("440100-2025-000091")).await;
        assert_eq!(ext(&r).at("details.status"), "VOIDED", "{r:#}");
        // A corrected pre-review voids the number given before: one form per person.
        let r = b.step(&app, "2023-11-10", pre("440100-2025-000092")).await;
        assert!(r.get("errors").is_none(), "{r:#}");
        let event = r.string_at("data.recordPipelineStep.event.id");
        let correct = "mutation($input: CorrectPipelineEventInput!) { correctPipelineEvent(input: $input) { event { correctsEventId } } }";
        app.ok(Some("street.organizer"), correct, json!({ "input": { "candidateId": b.id, "expectedVersion": b.version + 1, "eventId": event, "occurredOn": "2023-11-10", "reason": "编号填错", "step": pre("440100-2025-000093") } })).await;
        // The form filled in uses the number; a used number stays on record.
        let fill = json!({ "fillApplicationForm": { "formNumber": "440100-2025-000090" } });
        a.advance(&app, "2023-11-14", fill).await;
        let r = app.exec(Some("street.organizer"), void, json!({ "input": { "number": "440100-2025-000090", "reason": "x", "on": "2023-11-20" } })).await;
        assert_eq!(code(&r), "CONFLICT");
        let q = "query($c: ID!) { formRegister(committeeOrganizationId: $c, status: USED) { issued bound used voided numbers { number status boundOn usedOn candidate { id } } } }";
        let d = app
            .ok(Some("street.organizer"), q, json!({ "c": street }))
            .await;
        let reg = &d["formRegister"];
        assert_eq!(
            reg.ints_at(&["issued", "bound", "used", "voided"]),
            [Some(6), Some(1), Some(1), Some(2)]
        );
        let voided = app.ok(Some("street.organizer"), "query($c: ID!) { formRegister(committeeOrganizationId: $c, status: VOIDED) { numbers { number voidReason } } }", json!({ "c": street })).await;
        assert_eq!(
            voided["formRegister"]["numbers"][1]["number"],
            "440100-2025-000092"
        );
        assert_eq!(reg.at("numbers.0.candidate.id"), a.id.as_str());
        assert_eq!(reg["numbers"][0]["boundOn"], "2023-11-10");
        // Another subtree sees no register.
        let r = app
            .exec(Some("univ.organizer"), q, json!({ "c": street }))
            .await;
        assert_eq!(code(&r), "NOT_FOUND");
    }
);

db_test!(every_case_a_member_or_user_answered_for_is_listed, |app| {
    app.load_demo().await;
    let (mut case, m) = case_at_review_with(&app, 93).await;
    case.run(&app, review()).await;
    let a = case.id;
    let q = "query($m: ID, $u: ID) { responsibilities(memberId: $m, userId: $u) { responsibility occurredOn candidate { id } } }";
    let d = app
        .ok(Some("street.organizer"), q, json!({ "m": m[0] }))
        .await;
    let kinds: Vec<String> = d
        .array_at("responsibilities")
        .iter()
        .map(|x| x.string_at("responsibility"))
        .collect();
    assert_eq!(kinds, ["INTRODUCER", "CULTIVATION_CONTACT"]);
    assert_eq!(d["responsibilities"][0]["candidate"]["id"], a.as_str());
    let d = app
        .ok(Some("street.organizer"), q, json!({ "m": m[1] }))
        .await;
    assert_eq!(d["responsibilities"].as_array().unwrap().len(), 1);
    let user = app.user_id("street.organizer").await;
    let d = app
        .ok(Some("street.organizer"), q, json!({ "u": user }))
        .await;
    let kinds = d.array_at("responsibilities").iter();
    let kinds: Vec<_> = kinds.map(|x| x.string_at("responsibility")).collect();
    assert_eq!(kinds, ["REVIEW", "POLITICAL_REVIEW", "TALK"]);
    // Both or neither: refused.
    let r = app.exec(Some("street.organizer"), q, json!({})).await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    // The timeline keeps the role each step was recorded in.
    let t = app
        .ok(
            Some("street.organizer"),
            "query($id: ID!) { candidate(id: $id) { timeline { actorRole } } }",
            json!({ "id": a }),
        )
        .await;
    assert!(
        t["candidate"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actorRole"] == "ORGANIZER")
    );
    // Outside the member's subtree: not found.
    let r = app
        .exec(Some("univ.organizer"), q, json!({ "m": m[0] }))
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
});

const RELATE: &str = "mutation($input: RecordRelationInput!) { recordRelation(input: $input) { relation { id kind nearRelative withinThreeGenerations relativeIsOwner } } }";

db_test!(
    near_relatives_recuse_and_the_kinship_cap_holds_in_two_new_organizations,
    |app| {
        app.load_demo().await;
        set_rules(
            &app,
            "和平街道党工委",
            json!({ "kinshipCap": true, "nearRelativeRecusal": true }),
        )
        .await;
        // I2: an activist whose sister is a member of the branch.
        let branch = app.org_id("星火科技有限公司党支部").await;
        let m = members(&app, &branch).await;
        let p = person("孙丽", &id_card("1997-07-07", 95), "1997-07-07");
        let mut relative = Case::submit(&app, &branch, p, "2022-03-07").await;
        relative.run(&app, cultivation(&m)[..3].to_vec()).await;
        let case = relative.id.clone();
        let d = app.ok(Some("street.organizer"), RELATE, json!({ "input": { "candidateId": case, "relativeMemberId": m[0], "kind": "SIBLING", "generations": 1 } })).await;
        assert_eq!(d.at("recordRelation.relation.nearRelative"), true);
        let contacts = |id: &String| json!({ "assignContacts": { "memberIds": [id] } });
        let r = relative.step(&app, "2022-09-21", contacts(&m[0])).await;
        let refusal = ext(&r);
        assert_eq!(
            (
                refusal["rule"].as_str(),
                refusal.at("details.relation").as_str()
            ),
            (Some("I2"), Some("SIBLING")),
            "{r:#}"
        );
        let r = relative.step(&app, "2022-09-21", contacts(&m[1])).await;
        assert!(r.get("errors").is_none(), "{r:#}");
        // The relation reads back on the case; VIEWER-level roles read cases, ANALYST does not.
        let q = "query($id: ID!) { candidate(id: $id) { relations { kind generations relativeMember { id } } } }";
        let d = app
            .ok(Some("street.organizer"), q, json!({ "id": case }))
            .await;
        assert_eq!(
            d["candidate"]["relations"][0]["relativeMember"]["id"],
            m[0].as_str()
        );

        // I1: 星火 records 3 members; two of them and the candidate are related to the owner.
        let p = person("李强", &id_card("1995-02-03", 96), "1995-02-03");
        let (mut target, _) = case_at_meeting_for(&app, p, 96).await;
        let update = "mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { memberCount } } }";
        app.ok(
            Some("street.admin"),
            update,
            json!({ "input": { "id": branch, "memberCount": 3 } }),
        )
        .await;
        for (i, generations) in [(0, 2), (1, 3)] {
            app.ok(Some("street.organizer"), RELATE, json!({ "input": { "memberId": m[i], "relativeIsOwner": true, "kind": "OTHER_BLOOD", "generations": generations } })).await;
        }
        // A fourth-generation relative does not count.
        app.ok(Some("street.organizer"), RELATE, json!({ "input": { "memberId": m[2], "relativeIsOwner": true, "kind": "OTHER_BLOOD", "generations": 4 } })).await;
        let own = app.ok(Some("street.organizer"), RELATE, json!({ "input": { "candidateId": target.id, "relativeIsOwner": true, "kind": "CHILD", "generations": 1 } })).await;
        let own = own.string_at("recordRelation.relation.id");
        let meeting = json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 11, "no": 1 } } });
        let r = target.step(&app, "2023-11-21", meeting.clone()).await;
        let refusal = ext(&r);
        assert_eq!(
            (
                refusal["rule"].as_str(),
                refusal.at("details.related").as_i64(),
                refusal.at("details.membersAfter").as_i64()
            ),
            (Some("I1"), Some(3), Some(4)),
            "{r:#}"
        );
        // The indicators show the related share.
        let street = app.org_id("和平街道党工委").await;
        let k = app.ok(Some("street.organizer"), "query($o: ID!) { indicators(organizationId: $o, year: 2023) { kinship { organization { name } members related sharePercent overHalf } } }", json!({ "o": street })).await;
        let k = &k["indicators"]["kinship"][0];
        assert_eq!(
            (
                k["members"].as_i64(),
                k["related"].as_i64(),
                k["overHalf"].as_bool()
            ),
            (Some(3), Some(2), Some(true))
        );
        // The candidate's spouse is a member of the branch: recorded as recused from the vote.
        app.ok(Some("street.organizer"), RELATE, json!({ "input": { "candidateId": target.id, "relativeMemberId": m[2], "kind": "SPOUSE", "generations": 1 } })).await;
        // Recorded by mistake: removed, and the admission (2 of 4, half) goes ahead.
        app.ok(
            Some("street.organizer"),
            "mutation($id: ID!) { removeRelation(id: $id) { removedId } }",
            json!({ "id": own }),
        )
        .await;
        let r = target.advance(&app, "2023-11-21", meeting).await;
        let recused: Vec<&Value> = r
            .array_at("data.recordPipelineStep.warnings")
            .iter()
            .filter(|w| w["rule"] == "I2")
            .collect();
        assert_eq!(recused.len(), 1, "{r:#}");
        assert_eq!(recused[0]["details"]["recused"][0]["relation"], "SPOUSE");
        // Bad input: both a relative and the owner; generations out of range.
        let r = app.exec(Some("street.organizer"), RELATE, json!({ "input": { "memberId": m[1], "relativeMemberId": m[2], "relativeIsOwner": true, "kind": "SIBLING", "generations": 1 } })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT");
        let r = app.exec(Some("street.organizer"), RELATE, json!({ "input": { "memberId": m[1], "relativeIsOwner": true, "kind": "SIBLING", "generations": 0 } })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT");
        // A kind fixes its generations: a spouse is one generation.
        let r = app.exec(Some("street.organizer"), RELATE, json!({ "input": { "memberId": m[1], "relativeIsOwner": true, "kind": "SPOUSE", "generations": 9 } })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT");
        // Another subtree cannot relate these people.
        let r = app.exec(Some("univ.organizer"), RELATE, json!({ "input": { "memberId": m[1], "relativeIsOwner": true, "kind": "SIBLING", "generations": 1 } })).await;
        assert_eq!(code(&r), "NOT_FOUND");
    }
);

db_test!(
    the_departments_named_by_local_rules_answer_before_the_admission_meeting,
    |app| {
        app.load_demo().await;
        let p = person("周平", &id_card("1995-02-03", 97), "1995-02-03");
        let (meeting_case, _) = case_at_meeting_for(&app, p, 97).await;
        let case = meeting_case.id.clone();
        set_rules(
            &app,
            "和平街道党工委",
            json!({ "consultationDepartments": ["POLICE", "CREDIT"] }),
        )
        .await;
        let meeting = json!({ "admissionMeeting": { "vote": { "expected": 16, "present": 12, "yes": 11, "no": 1 } } });
        let r = meeting_case.step(&app, "2023-11-21", meeting.clone()).await;
        let refusal = ext(&r);
        assert_eq!(
            (
                refusal["rule"].as_str(),
                refusal.at("details.missing").clone()
            ),
            (Some("I5"), json!(["POLICE", "CREDIT"])),
            "{r:#}"
        );
        let record = "mutation($input: RecordConsultationInput!) { recordConsultation(input: $input) { consultation { id dueOn overdue } } }";
        let answer = "mutation($input: AnswerConsultationInput!) { answerConsultation(input: $input) { consultation { answeredOn concern } } }";
        let mut ids = vec![];
        for dep in ["POLICE", "CREDIT"] {
            let d = app.ok(Some("street.organizer"), record, json!({ "input": { "candidateId": case, "department": dep, "stage": "ADMISSION", "question": "请核查其有无违法犯罪及失信记录", "sentOn": "2023-11-01" } })).await;
            // The letters' reply window: 15 calendar days.
            assert_eq!(
                d["recordConsultation"]["consultation"]["dueOn"],
                "2023-11-16"
            );
            ids.push(
                d["recordConsultation"]["consultation"]["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        app.ok(Some("street.organizer"), answer, json!({ "input": { "id": ids[0], "answeredOn": "2023-11-10", "answer": "无违法犯罪记录" } })).await;
        // Unanswered past its due date: an alert for the organizer.
        let alerts = app.ok(Some("street.organizer"), "{ alerts(asOf: \"2023-11-20\", withinDays: 0) { kind dueOn overdue candidate { id } } }", json!({})).await;
        let due: Vec<&Value> = alerts["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "CONSULTATION_ANSWER_DUE")
            .collect();
        assert_eq!(due.len(), 1, "{alerts:#}");
        assert_eq!(
            (
                due[0]["dueOn"].as_str(),
                due[0]["overdue"].as_bool(),
                due[0]["candidate"]["id"].as_str()
            ),
            (Some("2023-11-16"), Some(true), Some(case.as_str()))
        );
        // The credit answer comes the day after the meeting: still missing on the 21st.
        app.ok(Some("street.organizer"), answer, json!({ "input": { "id": ids[1], "answeredOn": "2023-11-22", "answer": "有一笔逾期记录，已结清", "concern": true } })).await;
        let r = meeting_case.step(&app, "2023-11-21", meeting.clone()).await;
        let missing = r.at("errors.0.extensions.details.missing");
        assert_eq!(missing, &json!(["CREDIT"]), "{r:#}");
        // Answered once: a second answer is a conflict.
        let r = app
            .exec(
                Some("street.organizer"),
                answer,
                json!({ "input": { "id": ids[1], "answeredOn": "2023-11-20", "answer": "x" } }),
            )
            .await;
        assert_eq!(code(&r), "CONFLICT");
        // The meeting a day later goes ahead, with the concern recorded as a warning.
        let r = meeting_case.step(&app, "2023-11-22", meeting).await;
        assert!(r.get("errors").is_none(), "{r:#}");
        let w = r.at("data.recordPipelineStep.warnings");
        assert!(
            w.as_array().unwrap().iter().any(|x| x["rule"] == "I5"),
            "{w:#}"
        );
        // The texts are for full-access roles only.
        let q = "query($id: ID!) { candidate(id: $id) { consultations { department question answer concern overdue } } }";
        let d = app
            .ok(Some("street.organizer"), q, json!({ "id": case }))
            .await;
        assert_eq!(
            d["candidate"]["consultations"][1]["answer"],
            "有一笔逾期记录，已结清"
        );
        assert_eq!(d["candidate"]["consultations"][1]["overdue"], false);
        // Another subtree cannot answer.
        let r = app
            .exec(
                Some("univ.organizer"),
                answer,
                json!({ "input": { "id": ids[0], "answeredOn": "2023-11-20", "answer": "x" } }),
            )
            .await;
        assert_eq!(code(&r), "NOT_FOUND");
    }
);
