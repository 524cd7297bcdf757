//! Guidance plans: real-shaped plans, every finding's numbers, invalid input, revisions.

use crate::fixtures::{admitted, organizer_at};
use crate::helpers::{JsonPath, TestApp, code};
use serde_json::{Value, json};

pub(crate) const SET: &str = "mutation($input: SetGuidancePlanInput!) { setGuidancePlan(input: $input) { guidancePlan { id total revision } } }";
pub(crate) const FINDINGS: &str = "query($org: ID!, $on: Date) { planFindings(organizationId: $org, year: 2025, asOf: $on) { rule severity details } }";

pub(crate) fn plan(org: &str, issuer: &str, effective: &str, content: Value) -> Value {
    json!({ "input": { "organizationId": org, "year": 2025, "issuerOrganizationId": issuer, "effectiveOn": effective, "reason": "", "plan": content } })
}

/// The 2025 plan findings for `org` as of `on`, as `user` reads them.
pub(crate) async fn findings(app: &TestApp, user: &str, org: &str, on: &str) -> Vec<Value> {
    let d = app
        .ok(Some(user), FINDINGS, json!({ "org": org, "on": on }))
        .await;
    d.array_at("planFindings").clone()
}

/// The street's 14 children: the demo's five and nine new branches.
pub(crate) async fn fourteen_children(app: &TestApp, street: &str) -> Vec<String> {
    let mut children = vec![];
    for name in [
        "和平社区党委",
        "和平街道机关党支部",
        "星火科技有限公司党支部",
        "明达物流有限公司党支部",
        "和平街道新的社会阶层人士联合会党支部",
    ] {
        children.push(app.org_id(name).await);
    }
    let create = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }";
    for i in 1..=9 {
        let d = app.ok(Some("street.admin"), create, json!({ "input": { "parentId": street, "name": format!("新建第{i}党支部"), "kind": "BRANCH", "sector": "NON_PUBLIC_ENTERPRISE" } })).await;
        children.push(d.string_at("createOrganization.organization.id"));
    }
    children
}

/// An organizer setting 2025 plans as issued by its organization.
pub(crate) struct Planner<'a> {
    app: &'a TestApp,
    user: &'a str,
    issuer: &'a str,
}

impl<'a> Planner<'a> {
    /// `user` issuing plans as the organization `issuer` (a global id).
    pub(crate) fn new(app: &'a TestApp, user: &'a str, issuer: &'a str) -> Self {
        Planner { app, user, issuer }
    }

    /// Tries to set `org`'s plan to `content` from `effective`; the raw response.
    pub(crate) async fn try_set(&self, org: &str, effective: &str, content: Value) -> Value {
        let input = plan(org, self.issuer, effective, content);
        self.app.exec(Some(self.user), SET, input).await
    }

    /// Sets `org`'s plan to `content` from `effective`, which must succeed; returns `data`.
    pub(crate) async fn set(&self, org: &str, effective: &str, content: Value) -> Value {
        let r = self.try_set(org, effective, content).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r:#}");
        r["data"].clone()
    }
}

/// The demo with an organizer at the district; the district's and the street's ids.
pub(crate) async fn district_and_street(app: &TestApp) -> (String, String) {
    app.load_demo().await;
    organizer_at(app, "示例区委组织部", "district.organizer").await;
    let district = app.org_id("示例区委组织部").await;
    let street = app.org_id("和平街道党工委").await;
    (district, street)
}

db_test!(
    a_street_that_allocates_above_its_total_and_children_that_miss_their_month,
    |app| {
        let (district, street) = district_and_street(&app).await;
        let by_district = Planner::new(&app, "district.organizer", &district);
        let by_street = Planner::new(&app, "street.organizer", &street);
        // The street receives 20, completion month October.
        by_district.set(&street, "2025-02-15", json!({ "total": 20, "under35": 12, "collegePlus": 10, "completionMonth": "2025-10", "documentNumber": "区组发〔2025〕3号" })).await;
        // 14 children: the 5 of the demo and 9 new branches; allocations sum to 26 (130 %).
        let children = fourteen_children(&app, &street).await;
        assert_eq!(children.len(), 14);
        for (i, child) in children.iter().enumerate() {
            let total = if i < 12 { 2 } else { 1 };
            let mut row = json!({ "total": total, "under35": total, "collegePlus": 1, "completionMonth": if i == 2 { "2025-06" } else { "2025-10" } });
            if i == 13 {
                row["under35"] = json!(3); // more ≤35 than planned: Q2
            }
            if i < 13 {
                by_street.set(child, "2025-03-01", row).await;
            }
        }
        // One child has no allocation row (the 14th gets a bad row instead, recorded as stated).
        by_street
            .set(
                &children[13],
                "2025-03-01",
                json!({ "total": 1, "under35": 3 }),
            )
            .await;
        // 星火 (row 3, due June) admitted 1 of 2; 明达 admitted 2 of 2.
        let admissions = "
            星火科技有限公司党支部 1 F 1998-01-01 UNDERGRADUATE 2025-05-10
            明达物流有限公司党支部 2 M 1985-01-01 SENIOR_HIGH 2025-04-10
            明达物流有限公司党支部 1 M 1985-01-01 POSTGRADUATE talent 2025-04-10
        ";
        admitted(&app, admissions).await;
        let july = findings(&app, "street.organizer", &street, "2025-07-15").await;
        let q1 = july.iter().find(|f| f["rule"] == "Q1").unwrap();
        assert_eq!(q1["details"]["allocated"], 26);
        assert_eq!(q1["details"]["total"], 20);
        assert_eq!(q1["details"]["excess"], 6);
        assert_eq!(q1["details"]["percent"], 130.0);
        assert_eq!(q1["severity"], "WARNING");
        let q2 = july.iter().find(|f| f["rule"] == "Q2").unwrap();
        assert_eq!(q2["details"]["value"], 3);
        assert_eq!(q2["details"]["planned"], 1);
        let q8: Vec<&Value> = july.iter().filter(|f| f["rule"] == "Q8").collect();
        assert_eq!(q8.len(), 1);
        assert_eq!(q8[0]["details"]["organization"], "星火科技有限公司党支部");
        assert_eq!(q8[0]["details"]["admitted"], 1);
        assert_eq!(q8[0]["details"]["planned"], 2);
        let q5 = july.iter().find(|f| f["rule"] == "Q5").unwrap();
        assert_eq!(q5["details"]["talentExempt"], 1);
        // The plan's figures: allocated, remaining, admitted, by month.
        let q = "query($org: ID!) { guidancePlan(organizationId: $org, year: 2025, asOf: \"2025-07-15\") { total allocatedTotal remaining admittedSoFar talentExempt allocations { organization { name } total completionMonth } completionByMonth { month plannedCumulative admittedCumulative } } }";
        let g = app
            .ok(Some("street.organizer"), q, json!({ "org": street }))
            .await;
        let p = &g["guidancePlan"];
        assert_eq!(
            p.ints_at(&["total", "allocatedTotal", "remaining"]),
            [Some(20), Some(26), Some(-6)]
        );
        assert_eq!(
            p.ints_at(&["admittedSoFar", "talentExempt"]),
            [Some(3), Some(1)]
        );
        assert_eq!(p["allocations"].as_array().unwrap().len(), 14);
        let months = p["completionByMonth"].as_array().unwrap();
        assert_eq!(months[5]["plannedCumulative"], 2);
        assert_eq!(months[9]["plannedCumulative"], 25);
        assert_eq!(months[11]["plannedCumulative"], 26);
        assert_eq!(months[3]["admittedCumulative"], 2);
        assert_eq!(months[4]["admittedCumulative"], 3);
        // After the year, the deviation band: 3 admitted of 20.
        let q4 = findings(&app, "street.organizer", &street, "2026-01-10")
            .await
            .into_iter()
            .find(|f| f["rule"] == "Q4")
            .unwrap();
        assert_eq!(q4["details"]["admitted"], 3);
        assert_eq!(q4["details"]["deviationPercent"], -85.0);
        assert_eq!(
            q4.at("details").ints_at(&["low", "high"]),
            [Some(18), Some(22)]
        );
    }
);

db_test!(
    a_district_plan_with_nested_percentages_and_a_contradicting_cap,
    |app| {
        app.load_demo().await;
        organizer_at(&app, "示例市委组织部", "city.organizer").await;
        let city = app.org_id("示例市委组织部").await;
        let district = app.org_id("示例区委组织部").await;
        let by_city = Planner::new(&app, "city.organizer", &city);
        let content = json!({
            "total": 350,
            "completionMonth": "2025-11",
            "targets": [
                { "category": "AGE_35_AND_UNDER", "comparator": "AT_LEAST", "percent": 80.0 },
                { "category": "AGE_25_AND_UNDER", "comparator": "AT_LEAST", "percent": 40.0, "base": "AGE_35_AND_UNDER" },
                { "category": "COLLEGE_PLUS", "comparator": "AT_LEAST", "percent": 60.0 },
                { "category": "STUDENTS", "comparator": "AT_MOST", "count": 50, "percent": 10.0 },
                { "category": "WOMEN", "comparator": "STRIVE_FOR", "percent": 50.0 }
            ],
            "ratios": [{ "kind": "APPLICANTS_ACTIVISTS_TARGETS", "parts": [6, 3, 1] }]
        });
        by_city.set(&district, "2025-02-20", content).await;
        // 10 admitted: 6 aged ≤ 35 of whom 2 ≤ 25; 5 college+; 4 women.
        let admissions = "
            和平社区第一党支部 2 F 2002-06-01 UNDERGRADUATE 2025-06-01
            和平社区第一党支部 4 M 1995-06-01 JUNIOR_COLLEGE 2025-06-01
            和平社区第二党支部 2 F 1980-06-01 SENIOR_HIGH 2025-06-01
            和平社区第二党支部 2 M 1980-06-01 UNDERGRADUATE 2025-06-01
        ";
        admitted(&app, admissions).await;
        let f = findings(&app, "city.organizer", &district, "2025-12-05").await;
        let by = |cat: &str, kind: &str| {
            f.iter()
                .find(|x| {
                    x["rule"] == "Q3"
                        && x["details"]["category"] == cat
                        && x["details"]["kind"] == kind
                })
                .cloned()
        };
        let cap =
            by("STUDENTS", "CONTRADICTION").expect("the count cap contradicts the percentage cap");
        assert_eq!(
            cap.at("details")
                .ints_at(&["count", "countFromPercent", "base"]),
            [Some(50), Some(35), Some(350)]
        );
        let young = by("AGE_35_AND_UNDER", "FULFILMENT").unwrap();
        assert_eq!(
            young.at("details").ints_at(&["actual", "required"]),
            [Some(6), Some(8)]
        );
        let nested = by("AGE_25_AND_UNDER", "FULFILMENT").unwrap();
        assert_eq!(
            nested
                .at("details")
                .ints_at(&["actual", "required", "base"]),
            [Some(2), Some(3), Some(6)]
        );
        // 8 college+ of 10 meets 60 % (6): no finding.
        assert!(by("COLLEGE_PLUS", "FULFILMENT").is_none());
        assert!(
            by("WOMEN", "FULFILMENT").is_some_and(|w| w["severity"] == "INFO"
                && w["details"]["actual"] == 4
                && w["details"]["required"] == 5)
        );
        let q4 = f.iter().find(|x| x["rule"] == "Q4").unwrap();
        assert_eq!(q4["details"]["admitted"], 10);
        // Without allocation rows there is no out-of-plan development to report (Q10).
        assert!(f.iter().all(|x| x["rule"] != "Q10"));
    }
);

db_test!(
    invalid_plans_are_refused_and_revisions_read_back_as_of_a_date,
    |app| {
        let (district, street) = district_and_street(&app).await;
        let by_district = Planner::new(&app, "district.organizer", &district);
        let univ = app.org_id("示例大学党委").await;
        for (content, field) in [
            (json!({ "total": -1 }), "total"),
            (
                json!({ "total": 5, "completionMonth": "2025-13" }),
                "completionMonth",
            ),
            (
                json!({ "total": 5, "targets": [{ "category": "WOMEN", "comparator": "AT_LEAST", "percent": 120.0 }] }),
                "targets.percent",
            ),
        ] {
            let r = by_district.try_set(&street, "2025-02-15", content).await;
            assert_eq!(code(&r), "BAD_USER_INPUT");
            assert_eq!(r["errors"][0]["extensions"]["field"], field);
        }
        // Outside the issuer's subtree (visible only to a higher organizer): bad input; outside the
        // actor's scope: not found.
        organizer_at(&app, "省委组织部", "province.organizer").await;
        let r = app
            .exec(
                Some("province.organizer"),
                SET,
                plan(&univ, &district, "2025-02-15", json!({ "total": 5 })),
            )
            .await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "organizationId");
        assert_eq!(
            code(
                &by_district
                    .try_set(&univ, "2025-02-15", json!({ "total": 5 }))
                    .await
            ),
            "NOT_FOUND"
        );
        assert_eq!(
            code(
                &app.exec(
                    Some("street.admin"),
                    SET,
                    plan(&street, &street, "2025-02-15", json!({ "total": 5 }))
                )
                .await
            ),
            "FORBIDDEN"
        );
        // Revisions: 20 from February, 24 from the mid-year dispatch in July.
        by_district
            .set(&street, "2025-02-15", json!({ "total": 20 }))
            .await;
        let mut rev = plan(&street, &district, "2025-07-01", json!({ "total": 24 }));
        let r = app.exec(Some("district.organizer"), SET, rev.clone()).await;
        assert_eq!(r["errors"][0]["extensions"]["field"], "reason");
        rev["input"]["reason"] = json!("年中调度，追加4名");
        let d = app.ok(Some("district.organizer"), SET, rev).await;
        assert_eq!(d["setGuidancePlan"]["guidancePlan"]["revision"], 2);
        let q = "query($org: ID!, $on: Date) { guidancePlan(organizationId: $org, year: 2025, asOf: $on) { total revision revisions { revision total reason effectiveOn } } }";
        assert_eq!(
            app.ok(
                Some("street.organizer"),
                q,
                json!({ "org": street, "on": "2025-06-30" })
            )
            .await["guidancePlan"]["total"],
            20
        );
        let d = app
            .ok(
                Some("street.organizer"),
                q,
                json!({ "org": street, "on": "2025-07-01" }),
            )
            .await;
        assert_eq!(d["guidancePlan"]["total"], 24);
        assert_eq!(
            d["guidancePlan"]["revisions"][1]["reason"],
            "年中调度，追加4名"
        );
        assert_eq!(
            code(
                &app.exec(
                    Some("street.organizer"),
                    q,
                    json!({ "org": street, "on": "2025-01-31" })
                )
                .await
            ),
            "NOT_FOUND"
        );
        // An analyst reads plans (no personal data).
        assert_eq!(
            app.ok(
                Some("edu.analyst"),
                "{ guidancePlans(year: 2025) { total } }",
                json!({})
            )
            .await["guidancePlans"],
            json!([])
        );
    }
);
