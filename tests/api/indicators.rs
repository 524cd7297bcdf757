//! Indicators, the per-child table, reports and exports, with every figure asserted.

use crate::fixtures::{Case, admitted, id_card, person, to_activist};
use crate::helpers::{JsonPath, TestApp, code};
use crate::plans::{Planner, district_and_street};
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

/// A district plan of 10 allocated 6 + 3 to two branches of the street's; admissions and
/// applications at known stages.
async fn subtree(app: &TestApp) {
    let (district, street) = district_and_street(app).await;
    let by_district = Planner::new(app, "district.organizer", &district);
    let by_street = Planner::new(app, "street.organizer", &street);
    let xinghuo = app.org_id("星火科技有限公司党支部").await;
    let mingda = app.org_id("明达物流有限公司党支部").await;
    let ratio = json!({ "kind": "ACTIVISTS_TARGETS", "parts": [3, 1] });
    let total = json!({ "total": 10, "ratios": [ratio] });
    by_district.set(&street, "2025-02-15", total).await;
    let allocation = |total: i64, under35: i64, college: i64, month: &str| json!({ "total": total, "under35": under35, "collegePlus": college, "completionMonth": month });
    let row = allocation(6, 4, 3, "2025-10");
    by_street.set(&xinghuo, "2025-03-01", row).await;
    let row = allocation(3, 2, 1, "2025-11");
    by_street.set(&mingda, "2025-03-01", row).await;
    // Admitted in 2025: 星火 3 (2 young women graduates, 1 older man), 明达 1 + 1 talent.
    let admissions = "
        星火科技有限公司党支部 2 F 1998-01-01 UNDERGRADUATE 2025-05-10
        星火科技有限公司党支部 1 M 1980-01-01 SENIOR_HIGH 2025-06-10
        明达物流有限公司党支部 1 M 1990-01-01 POSTGRADUATE 2025-04-10
        明达物流有限公司党支部 1 F 1985-01-01 POSTGRADUATE talent 2025-04-10
    ";
    admitted(app, admissions).await;
    // The fixture wrote rows directly: bring the counters in line the way a bulk load does.
    fazhan::service::counts::rebuild(&app.state.db)
        .await
        .unwrap();
    // Three applications in 2025 through the API; one becomes an activist.
    for (i, name) in ["赵一", "钱二", "孙三"].iter().enumerate() {
        let p = person(name, &id_card("2000-01-01", 80 + i as u32), "2000-01-01");
        let mut case = Case::submit(app, &xinghuo, p, "2025-01-06").await;
        if i == 0 {
            to_activist(app, &mut case, "2025-01-20", "2025-07-20").await;
        }
    }
    app.assert_counts_consistent().await;
}

db_test!(
    indicators_show_plan_vs_actual_structure_pipeline_and_health,
    |app| {
        subtree(&app).await;
        let street = app.org_id("和平街道党工委").await;
        let q = r#"query($org: ID!) { indicators(organizationId: $org, year: 2025, asOf: "2025-08-01") {
        planTotal allocated admitted talentExempt completionRate deviationPercent insideBand
        structure { category count percent } byEducation { value count percent }
        pipeline { stage count } ratios { kind target actual met }
        applications { total byStage { value count } byGender { value count } }
        processHealth { talksOverdue approvalsOverdue oathsOverdue conversionsOverdue lettersOverdue extensions cancellations invalidated }
        idleBranches { name } } }"#;
        let d = app
            .ok(Some("district.organizer"), q, json!({ "org": street }))
            .await;
        let i = &d["indicators"];
        assert_eq!(
            i.ints_at(&["planTotal", "allocated", "admitted", "talentExempt"]),
            [Some(10), Some(9), Some(4), Some(1)]
        );
        assert_eq!(i["completionRate"], 40.0);
        assert_eq!(i["deviationPercent"], -60.0);
        assert_eq!(i["insideBand"], false);
        let cat = |c: &str| {
            i["structure"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["category"] == c)
                .unwrap()
                .clone()
        };
        assert_eq!(
            (
                cat("WOMEN")["count"].as_i64(),
                cat("WOMEN")["percent"].as_f64()
            ),
            (Some(2), Some(50.0))
        );
        assert_eq!(cat("AGE_35_AND_UNDER")["count"], 3);
        assert_eq!(cat("COLLEGE_PLUS")["count"], 3);
        assert_eq!(cat("TWO_NEW")["count"], 4);
        assert_eq!(cat("ETHNIC_MINORITY")["count"], 0);
        let edu: Vec<(String, i64)> = i["byEducation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["value"].as_str().unwrap().into(),
                    x["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            edu,
            vec![
                ("POSTGRADUATE".into(), 1),
                ("SENIOR_HIGH".into(), 1),
                ("UNDERGRADUATE".into(), 2)
            ]
        );
        let stage = |s: &str| {
            i["pipeline"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["stage"] == s)
                .unwrap()["count"]
                .clone()
        };
        assert_eq!(
            (stage("APPLICANT"), stage("ACTIVIST"), stage("PROBATIONARY")),
            (json!(2), json!(1), json!(5))
        );
        assert_eq!(i["ratios"][0]["actual"], json!([1, 0]));
        assert_eq!(i["ratios"][0]["met"], true);
        assert_eq!(i["applications"]["total"], 3);
        assert_eq!(
            i["applications"]["byGender"],
            json!([{ "value": "FEMALE", "count": 3 }])
        );
        let h = &i["processHealth"];
        // Two applicants not talked to; five approved probationers without an oath after a month.
        assert_eq!(
            h.ints_at(&["talksOverdue", "oathsOverdue", "conversionsOverdue"]),
            [Some(2), Some(5), Some(0)]
        );
        let idle: Vec<&str> = i["idleBranches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap())
            .collect();
        assert!(idle.contains(&"和平街道机关党支部") && !idle.contains(&"星火科技有限公司党支部"));
        // An analyst of another subtree cannot see the street; the province's analyst sees the figures.
        assert_eq!(
            code(
                &app.exec(Some("edu.analyst"), q, json!({ "org": street }))
                    .await
            ),
            "NOT_FOUND"
        );
        let analyst =
            "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }";
        let root = app.org_id("省委组织部").await;
        app.ok(Some("admin"), analyst, json!({ "input": { "organizationId": root, "username": "province.analyst", "password": "analyst-pass-1", "role": "ANALYST" } })).await;
        let d = app
            .ok(
                Some("province.analyst"),
                "query($org: ID!) { indicators(organizationId: $org, year: 2025) { admitted } }",
                json!({ "org": street }),
            )
            .await;
        assert_eq!(d["indicators"]["admitted"], 4);
        assert_eq!(
            code(
                &app.exec(
                    Some("province.analyst"),
                    "{ candidates { totalCount } }",
                    json!({})
                )
                .await
            ),
            "FORBIDDEN"
        );
    }
);

db_test!(
    the_per_child_table_prints_the_annex_columns_with_a_total_row,
    |app| {
        subtree(&app).await;
        let street = app.org_id("和平街道党工委").await;
        let q = "query($org: ID!) { indicatorTable(organizationId: $org, year: 2025, by: CHILD, asOf: \"2025-08-01\") { isTotal organization { name } planned plannedUnder35 plannedCollegePlus completionMonth admitted admittedUnder35 admittedCollegePlus talentExempt candidates } }";
        let d = app
            .ok(Some("street.organizer"), q, json!({ "org": street }))
            .await;
        let rows = d["indicatorTable"].as_array().unwrap();
        assert_eq!(rows.len(), 6);
        let row = |n: &str| {
            rows.iter()
                .find(|r| r["organization"]["name"] == n)
                .unwrap()
                .clone()
        };
        let x = row("星火科技有限公司党支部");
        assert_eq!(
            x.ints_at(&["planned", "plannedUnder35", "plannedCollegePlus"]),
            [Some(6), Some(4), Some(3)]
        );
        assert_eq!(x["completionMonth"], "2025-10");
        assert_eq!(
            x.ints_at(&[
                "admitted",
                "admittedUnder35",
                "admittedCollegePlus",
                "candidates"
            ]),
            [Some(3), Some(2), Some(2), Some(6)]
        );
        let m = row("明达物流有限公司党支部");
        assert_eq!(m.ints_at(&["admitted", "talentExempt"]), [Some(1), Some(1)]);
        assert!(row("和平街道机关党支部")["planned"].is_null());
        let total = rows.last().unwrap();
        assert_eq!(total["isTotal"], true);
        assert_eq!(
            total.ints_at(&["planned", "admitted", "candidates"]),
            [Some(9), Some(4), Some(8)]
        );
    }
);

pub(crate) const SUBMIT_REPORT: &str = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { replayed report { id version status submittedOn dueOn snapshot findings { key declared computed } } } }";

pub(crate) fn report_input(org: &str, declared: Value, key: &str) -> Value {
    json!({ "input": { "organizationId": org, "year": 2025, "period": "H1", "declared": declared, "narrative": "上半年发展党员工作总结", "attachments": [{ "name": "附件1", "text": "名单" }], "submittedOn": "2025-06-26", "idempotencyKey": key } })
}

/// A user submitting an organization's H1 2025 reports (see [`report_input`]).
pub(crate) struct Reporter<'a> {
    app: &'a TestApp,
    user: &'a str,
    org: &'a str,
}

impl<'a> Reporter<'a> {
    /// `user` submitting `org`'s reports.
    pub(crate) fn new(app: &'a TestApp, user: &'a str, org: &'a str) -> Self {
        Reporter { app, user, org }
    }

    /// Submits the report declaring `declared` under the idempotency key `key`; the raw
    /// response.
    pub(crate) async fn try_submit(&self, declared: Value, key: &str) -> Value {
        let input = report_input(self.org, declared, key);
        self.app.exec(Some(self.user), SUBMIT_REPORT, input).await
    }

    /// Submits the report, which must succeed; the `submitReport` payload.
    pub(crate) async fn submit(&self, declared: Value, key: &str) -> Value {
        let r = self.try_submit(declared, key).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r:#}");
        r.at("data.submitReport").clone()
    }
}

db_test!(
    reports_go_through_their_lifecycle_idempotently_with_reconciliation,
    |app| {
        subtree(&app).await;
        let district = app.org_id("示例区委组织部").await;
        let street = app.org_id("和平街道党工委").await;
        let partner = Reporter::new(&app, "partner.bot", &street);
        app.ok(Some("district.organizer"), "mutation($input: SetReportScheduleInput!) { setReportSchedule(input: $input) { dueOn } }", json!({ "input": { "collectorOrganizationId": district, "year": 2025, "period": "H1", "dueOn": "2025-06-25" } })).await;
        let before = app.ok(Some("district.organizer"), "query($c: ID!) { reportSubmissions(collectorOrganizationId: $c, year: 2025, period: H1, asOf: \"2025-06-30\") { dueOn submitted missing late rows { status late } } }", json!({ "c": district })).await;
        assert_eq!(before["reportSubmissions"]["missing"], 1);
        assert_eq!(before["reportSubmissions"]["late"], 1);
        // The partner submits: declared admitted 5 differs from the computed 4.
        let d = partner
            .submit(json!({ "admitted": 5, "talentExempt": 1 }), "h1-2025")
            .await;
        let r = &d["report"];
        assert_eq!(r["status"], "SUBMITTED");
        assert_eq!(r["dueOn"], "2025-06-25");
        // The partner does not read indicators: the snapshot and the reconciliation are for
        // the levels that do.
        assert_eq!(r["snapshot"], json!(null));
        assert_eq!(r["findings"], json!(null));
        let id = r["id"].as_str().unwrap().to_string();
        let read = app
            .ok(
                Some("district.organizer"),
                "query($id: ID!) { report(id: $id) { snapshot findings { key declared computed } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(read["report"]["snapshot"]["admitted"], 4);
        assert_eq!(
            read["report"]["findings"],
            json!([{ "key": "admitted", "declared": 5, "computed": 4 }])
        );
        // The same key and payload: the first result; another payload: conflict.
        let again = partner
            .submit(json!({ "admitted": 5, "talentExempt": 1 }), "h1-2025")
            .await;
        assert_eq!(again["replayed"], true);
        assert_eq!(again["report"]["id"], id.as_str());
        assert_eq!(
            code(
                &partner
                    .try_submit(json!({ "admitted": 4 }), "h1-2025")
                    .await
            ),
            "CONFLICT"
        );
        // The collecting level returns it with a reason; the partner resubmits; it is accepted and locked.
        let review = "mutation($input: ReviewReportInput!) { returnReport(input: $input) { report { status version returnReason } } }";
        assert_eq!(
            code(
                &app.exec(
                    Some("street.organizer"),
                    review,
                    json!({ "input": { "id": id, "expectedVersion": 1, "reason": "x" } })
                )
                .await
            ),
            "FORBIDDEN"
        );
        let d = app.ok(Some("district.organizer"), review, json!({ "input": { "id": id, "expectedVersion": 1, "reason": "发展人数与系统不符" } })).await;
        assert_eq!(d["returnReport"]["report"]["status"], "RETURNED");
        let d = partner
            .submit(json!({ "admitted": 4, "talentExempt": 1 }), "h1-2025-b")
            .await;
        assert_eq!(d["report"]["status"], "RESUBMITTED");
        let v = d["report"]["version"].as_i64().unwrap();
        let read = app
            .ok(
                Some("district.organizer"),
                "query($id: ID!) { report(id: $id) { findings { key } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(read["report"]["findings"], json!([]));
        let accept = "mutation($input: ReviewReportInput!) { acceptReport(input: $input) { report { status acceptedOn } } }";
        let d = app
            .ok(
                Some("district.organizer"),
                accept,
                json!({ "input": { "id": id, "expectedVersion": v, "acceptedOn": "2025-07-02" } }),
            )
            .await;
        assert_eq!(d["acceptReport"]["report"]["status"], "ACCEPTED");
        assert_eq!(
            code(
                &partner
                    .try_submit(json!({ "admitted": 4 }), "h1-2025-c")
                    .await
            ),
            "CONFLICT"
        );
        let after = app.ok(Some("district.organizer"), "query($c: ID!) { reportSubmissions(collectorOrganizationId: $c, year: 2025, period: H1, asOf: \"2025-07-05\") { submitted missing late rows { status late submittedOn } } }", json!({ "c": district })).await;
        let s = &after["reportSubmissions"];
        assert_eq!(
            s.ints_at(&["submitted", "missing", "late"]),
            [Some(1), Some(0), Some(1)]
        );
        assert_eq!(s["rows"][0]["status"], "ACCEPTED");
    }
);

pub(crate) async fn download(app: &TestApp, user: Option<&str>, uri: &str) -> (u16, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = Request::get(uri);
    if let Some(u) = user {
        req = req.header(
            "authorization",
            format!("Bearer {}", app.token_for(u).await),
        );
    }
    let resp = app
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (
        status,
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

/// The first sheet of the xlsx `user` downloads from `uri`, which must answer 200.
pub(crate) async fn download_sheet(
    app: &TestApp,
    user: &str,
    uri: &str,
) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let (status, bytes) = download(app, Some(user), uri).await;
    assert_eq!(status, 200, "{uri}: {}", String::from_utf8_lossy(&bytes));
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    book.worksheet_range_at(0).unwrap().unwrap()
}

db_test!(exports_read_back_as_the_same_cells_in_xlsx_and_csv, |app| {
    use calamine::Data;
    subtree(&app).await;
    let street = app.org_id("和平街道党工委").await;
    let uri =
        format!("/exports/indicator-table.xlsx?organizationId={street}&year=2025&asOf=2025-08-01");
    assert_eq!(download(&app, None, &uri).await.0, 401);
    assert_eq!(download(&app, Some("univ.admin"), &uri).await.0, 404);
    assert_eq!(download(&app, Some("edu.analyst"), &uri).await.0, 404);
    let sheet = download_sheet(&app, "street.organizer", &uri).await;
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(0, 0), Data::String("组织名称".into()));
    assert_eq!(cell(0, 5), Data::String("已发展".into()));
    // The last column counts every case in the pipeline (the API's `candidates`), not targets.
    assert_eq!(cell(0, 9), Data::String("各阶段在册人数".into()));
    let rows: Vec<u32> = (1..sheet.height() as u32).collect();
    let xinghuo = rows
        .iter()
        .find(|r| cell(**r, 0) == Data::String("星火科技有限公司党支部".into()))
        .copied()
        .unwrap();
    assert_eq!(
        (cell(xinghuo, 1), cell(xinghuo, 4), cell(xinghuo, 5)),
        (
            Data::Float(6.0),
            Data::String("2025-10".into()),
            Data::Float(3.0)
        )
    );
    let last = sheet.height() as u32 - 1;
    assert_eq!(
        (cell(last, 0), cell(last, 1), cell(last, 5)),
        (
            Data::String("合计".into()),
            Data::Float(9.0),
            Data::Float(4.0)
        )
    );
    // CSV: the same cells.
    let (status, csv_bytes) = download(
        &app,
        Some("street.organizer"),
        &uri.replace(".xlsx", ".csv"),
    )
    .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(csv_bytes).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("组织名称,计划数,其中35岁及以下")
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("星火科技有限公司党支部,6,4,3,2025-10,3,2,2,0,6")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("合计,9,6,4,,4,")),
        "{text}"
    );
    // A report export.
    let partner = Reporter::new(&app, "partner.bot", &street);
    let id = partner
        .submit(json!({ "admitted": 5 }), "k")
        .await
        .string_at("report.id");
    let sheet = download_sheet(
        &app,
        "street.organizer",
        &format!("/exports/reports/{id}.xlsx"),
    )
    .await;
    let admitted_row = (0..sheet.height() as u32)
        .find(|r| sheet.get_value((*r, 0)) == Some(&Data::String("admitted".into())))
        .unwrap();
    assert_eq!(sheet.get_value((admitted_row, 1)), Some(&Data::Float(4.0)));
    assert_eq!(sheet.get_value((admitted_row, 2)), Some(&Data::Float(5.0)));
    assert_eq!(
        sheet.get_value((admitted_row, 3)),
        Some(&Data::String("不一致".into()))
    );
});
