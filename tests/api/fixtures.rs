//! Fixtures shared by the tests: people, members, cases brought to a stage through the real
//! pipeline (and the steps on the way), admitted members written directly, users.

use crate::helpers::{JsonPath, TestApp};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};

pub(crate) const SUBMIT: &str = "mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { replayed candidate { id version stage } event { id stepNumber } } }";
pub(crate) const STEP: &str = "mutation($input: RecordPipelineStepInput!) { recordPipelineStep(input: $input) { replayed candidate { id version stage activistOn probationEndOn convertedOn organization { name } } event { id step stepNumber occurredOn } warnings { rule source details } } }";
const MEMBERS: &str = "mutation($input: ImportMembersInput!) { importMembers(input: $input) { members { id name underPartyProbation } } }";

/// The user who records most steps in the tests.
pub(crate) const ORGANIZER: &str = "street.organizer";

/// An applicant's personal data as `SubmitApplicationInput.person` takes it.
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
    let d = app.ok(Some(ORGANIZER), MEMBERS, json!({ "input": { "rows": [row("王党员", false), row("赵党员", false), row("钱党员", true)] } })).await;
    d.array_at("importMembers.members")
        .iter()
        .map(|m| m.string_at("id"))
        .collect()
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

/// A case under test: its global id and the version its next step expects.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub id: String,
    pub version: i64,
}

impl Case {
    /// Submits `person`'s application to `branch` as the street organizer.
    pub(crate) async fn submit(
        app: &TestApp,
        branch: &str,
        person: Value,
        applied_on: &str,
    ) -> Case {
        let input = json!({ "input": { "organizationId": branch, "appliedOn": applied_on, "person": person } });
        let d = app.ok(Some(ORGANIZER), SUBMIT, input).await;
        Case {
            id: d.string_at("submitApplication.candidate.id"),
            version: d
                .at("submitApplication.candidate.version")
                .as_i64()
                .unwrap(),
        }
    }

    /// Records a step as the street organizer at the case's version; the raw response.
    pub(crate) async fn step(&self, app: &TestApp, on: &str, step: Value) -> Value {
        self.step_as(app, ORGANIZER, on, step).await
    }

    /// Records a step as `user` at the case's version; the raw response.
    pub(crate) async fn step_as(&self, app: &TestApp, user: &str, on: &str, s: Value) -> Value {
        step(app, user, &self.id, self.version, on, s).await
    }

    /// Records a step as the street organizer that must succeed, and moves the case's version
    /// on; returns the response.
    pub(crate) async fn advance(&mut self, app: &TestApp, on: &str, step: Value) -> Value {
        let r = self.step(app, on, step.clone()).await;
        assert!(r.get("errors").is_none(), "{step}: {r:#}");
        self.version += 1;
        r
    }

    /// Records steps as the street organizer that must all succeed.
    pub(crate) async fn run(&mut self, app: &TestApp, steps: Vec<(String, Value)>) {
        for (on, s) in steps {
            self.advance(app, &on, s).await;
        }
    }
}

/// Submits an application for `name` born on `birth` (ID sequence `seq`) to `branch`.
pub(crate) async fn submit(
    app: &TestApp,
    branch: &str,
    name: &str,
    birth: &str,
    seq: u32,
    on: &str,
) -> Case {
    Case::submit(app, branch, person(name, &id_card(birth, seq), birth), on).await
}

/// An application by `name` born on `birth` (ID sequence `seq`) to the branch named `branch`,
/// submitted on 2025-03-03.
pub(crate) async fn applicant(
    app: &TestApp,
    branch: &str,
    name: &str,
    birth: &str,
    seq: u32,
) -> Case {
    let branch = app.org_id(branch).await;
    submit(app, &branch, name, birth, seq, "2025-03-03").await
}

/// The version of the case `id` and the number of steps in its timeline, as the street
/// organizer reads them.
pub(crate) async fn version_and_steps(app: &TestApp, id: &str) -> (i64, usize) {
    let q = "query($id: ID!) { candidate(id: $id) { version timeline { step } } }";
    let d = app.ok(Some(ORGANIZER), q, json!({ "id": id })).await;
    let version = d.at("candidate.version").as_i64().unwrap();
    (version, d.array_at("candidate.timeline").len())
}

/// How many cases the street organizer sees.
pub(crate) async fn candidate_count(app: &TestApp) -> i64 {
    let d = app
        .ok(Some(ORGANIZER), "{ candidates { totalCount } }", json!({}))
        .await;
    d.at("candidates.totalCount").as_i64().unwrap()
}

/// The application talk (talker 书记) on `talk_on` and the activist (recommended by the league)
/// on `activist_on`; returns the second response.
pub(crate) async fn to_activist(app: &TestApp, case: &mut Case, talk_on: &str, on: &str) -> Value {
    case.advance(
        app,
        talk_on,
        json!({ "applicationTalk": { "talker": "书记" } }),
    )
    .await;
    let activist = json!({ "determineActivist": { "recommendation": "LEAGUE" } });
    case.advance(app, on, activist).await
}

/// Steps from a table of `[on, step]` rows (`json!` keeps a row on one line).
pub(crate) fn steps(table: Value) -> Vec<(String, Value)> {
    let rows = table.as_array().expect("a table of [on, step] rows");
    rows.iter()
        .map(|row| (row.string_at("0"), row[1].clone()))
        .collect()
}

/// The regular path from the application talk (2022-03-25) to the introducers (2023-09-25), in
/// a non-public enterprise branch: contact `m[0]`, introducers `m[0]` and `m[1]`.
pub(crate) fn cultivation(m: &[String]) -> Vec<(String, Value)> {
    steps(json!([
        ["2022-03-25", { "applicationTalk": { "talker": "支部书记" } }],
        ["2022-09-13", { "determineActivist": { "recommendation": "BOTH" } }],
        ["2022-09-20", { "fileActivist": { "filedWith": "街道" } }],
        ["2022-09-21", { "assignContacts": { "memberIds": [m[0]] } }],
        ["2023-03-10", { "activistExamination": { "summary": "好" } }],
        ["2023-09-08", { "activistExamination": { "summary": "好" } }],
        ["2023-09-13", { "determineTarget": {} }],
        ["2023-09-22", { "fileTarget": { "filedWith": "街道" } }],
        ["2023-09-25", { "assignIntroducers": { "memberIds": [m[0], m[1]] } }],
    ]))
}

/// After the introducers: political review, training, branch committee (2023-10-20 to
/// 2023-11-03).
pub(crate) fn review() -> Vec<(String, Value)> {
    steps(json!([
        ["2023-10-20", { "politicalReview": { "passed": true, "conclusion": "合格", "householdOpinion": true, "residenceOpinion": true } }],
        ["2023-10-27", { "training": { "hours": 24, "organizer": "区委党校" } }],
        ["2023-11-03", { "branchCommitteeReview": { "opinion": "同意" } }],
    ]))
}

/// After the branch committee: the street's pre-review issuing `form`, the form filled in.
pub(crate) fn form(street: &str, form: &str) -> Vec<(String, Value)> {
    steps(json!([
        ["2023-11-10", { "preReview": { "reviewerOrganizationId": street, "passed": true, "formNumber": form } }],
        ["2023-11-14", { "fillApplicationForm": { "formNumber": form } }],
    ]))
}

/// A case of `person` at the admission meeting in 星火科技有限公司党支部 (no intermediate
/// review), applied 2022-03-07, form number `440100-2023-{seq:06}`; with the street's id.
pub(crate) async fn case_at_meeting_for(app: &TestApp, person: Value, seq: u32) -> (Case, String) {
    let branch = app.org_id("星火科技有限公司党支部").await;
    let street = app.org_id("和平街道党工委").await;
    let m = members(app, &branch).await;
    let mut case = Case::submit(app, &branch, person, "2022-03-07").await;
    case.run(app, cultivation(&m)).await;
    case.run(app, review()).await;
    case.run(app, form(&street, &format!("440100-2023-{seq:06}")))
        .await;
    (case, street)
}

/// Test fixture: new members approved in branches, one row of `table` a group of them:
/// branch, how many, gender (`F` or `M`), birth date, education, `talent` for high-level
/// talents, approval date; e.g. `和平社区第一党支部 4 F 1999-01-01 UNDERGRADUATE 2025-05-10`.
/// Rows are written directly (the pipeline that produces them is tested elsewhere).
pub(crate) async fn admitted(app: &TestApp, table: &str) {
    for row in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let cells: Vec<&str> = row.split_whitespace().collect();
        let (talent, approved_on) = match cells[5..] {
            ["talent", on] => (true, on),
            [on] => (false, on),
            _ => panic!("org n F|M birth education [talent] approved_on: {row}"),
        };
        let (org, n, female) = (cells[0], cells[1].parse().unwrap(), cells[2] == "F");
        assert!(matches!(cells[2], "F" | "M"), "gender F or M: {row}");
        write_admitted(
            app,
            org,
            n,
            (female, cells[3], cells[4], talent),
            approved_on,
        )
        .await;
    }
    // Rows written directly: recount, as `fazhan counts rebuild` does.
    fazhan::service::counts::rebuild(&app.state.db)
        .await
        .unwrap();
}

/// The demo with the new members of `table` (see [`admitted`]); the street's id.
pub(crate) async fn street_with_admitted(app: &TestApp, table: &str) -> String {
    app.load_demo().await;
    admitted(app, table).await;
    app.org_id("和平街道党工委").await
}

/// Writes `n` people of `(female, birth, education, talent)` approved on `approved_on` in `org`.
async fn write_admitted(
    app: &TestApp,
    org: &str,
    n: usize,
    (female, birth, education, talent): (bool, &str, &str, bool),
    approved_on: &str,
) {
    let org_id = fazhan::graphql::ids::decode_any(&app.org_id(org).await)
        .unwrap()
        .1;
    let now = chrono::Utc::now();
    for _ in 0..n {
        let p = entity::person::ActiveModel {
            organization_id: Set(org_id),
            name: Set("测试".into()),
            gender: Set(if female { "FEMALE" } else { "MALE" }.into()),
            ethnicity: Set("汉族".into()),
            birth_date: Set(birth.parse().unwrap()),
            id_card_number: Set(None),
            phone: Set(None),
            education: Set(education.into()),
            occupations: Set("WORKER".into()),
            is_frontline: Set(true),
            is_league_member: Set(false),
            household_registration: Set(None),
            is_migrant: Set(false),
            outflow_organization_id: Set(None),
            outflow_organization_name: Set(None),
            is_high_level_talent: Set(talent),
            has_political_violation: Set(false),
            expected_departure_on: Set(None),
            is_party_member: Set(false),
            party_member_since: Set(None),
            under_party_probation: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .unwrap();
        let on: chrono::NaiveDate = approved_on.parse().unwrap();
        entity::candidate::Entity::insert(entity::candidate::ActiveModel {
            person_id: Set(p.id),
            organization_id: Set(org_id),
            stage: Set("PROBATIONARY".into()),
            version: Set(1),
            applied_on: Set(on - chrono::Duration::days(800)),
            admission_meeting_on: Set(Some(on - chrono::Duration::days(20))),
            approved_on: Set(Some(on)),
            extended: Set(false),
            invalidated: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(&app.state.db)
        .await
        .unwrap();
    }
}

/// An organizer `username` created by the admin at `org`.
pub(crate) async fn organizer_at(app: &TestApp, org: &str, username: &str) {
    let id = app.org_id(org).await;
    let q = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }";
    app.ok(Some("admin"), q, json!({ "input": { "organizationId": id, "username": username, "password": "organizer-pass-1", "role": "ORGANIZER" } })).await;
}

/// `admin` deactivates the user `username`.
pub(crate) async fn deactivate(app: &TestApp, admin: &str, username: &str) {
    let id = app.user_id(username).await;
    let q = "mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { active } } }";
    let d = app.ok(Some(admin), q, json!({ "id": id })).await;
    assert_eq!(d.at("deactivateUser.user.active"), false);
}
