//! Plans entered the way the documents write them: counts with percentages, nested bases, a
//! 14-row annex with completion months; every required count, every finding and every silence;
//! period figures exact across the end of June; the year-end package's proposed plan; duties.

use crate::fixtures::{admitted, street_with_admitted};
use crate::helpers::{JsonPath, code};
use crate::plans::{Planner, district_and_street, findings, fourteen_children};
use serde_json::{Value, json};

const PLAN: &str = "query($org: ID!, $on: Date) { guidancePlan(organizationId: $org, year: 2025, asOf: $on) { total admittedFirstHalf requirements { category comparator count percent baseCategory base fromPercent required contradicts } requirementCoverage { category required allocated rowsStating rows uncovered } completion { status dueMonth } allocations { organization { name } total completion { status dueMonth planned admittedByDueMonth admitted metInMonth } requirements { category required } } } }";

fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list:#}"))
}

db_test!(
    a_street_plan_with_its_fourteen_row_annex_reads_like_the_document,
    |app| {
        let (district, street) = district_and_street(&app).await;
        let by_district = Planner::new(&app, "district.organizer", &district);
        let by_street = Planner::new(&app, "street.organizer", &street);
        // 60 new members, half in the first half-year, due by November; "no fewer than N, P %
        // or more" for several categories, ≤25 as a share of ≤35, two caps.
        let content = json!({
            "total": 60, "firstHalf": 30, "completionMonth": "2025-11",
            "targets": [
                { "category": "AGE_35_AND_UNDER", "comparator": "AT_LEAST", "count": 46, "percent": 75.0 },
                { "category": "AGE_25_AND_UNDER", "comparator": "AT_LEAST", "percent": 50.0, "base": "AGE_35_AND_UNDER" },
                { "category": "WOMEN", "comparator": "AT_LEAST", "count": 21, "percent": 35.0 },
                { "category": "COLLEGE_PLUS", "comparator": "AT_LEAST", "count": 40, "percent": 70.0 },
                { "category": "STUDENTS", "comparator": "AT_MOST", "count": 3, "percent": 5.0 },
                { "category": "FARMERS", "comparator": "AT_MOST", "count": 5, "percent": 5.0 }
            ],
            "reserve": [{ "pool": "ACTIVISTS", "count": 1000, "nonPublic": 400 }]
        });
        by_district.set(&street, "2025-02-15", content).await;
        // The annex: 12 rows of 4 (≤35 3, college+ 2) and 2 rows of 6 (≤35 5, college+ 5);
        // rows 1–7 due in May, rows 8–14 in October. ≤35 sums to 46 (covered exactly),
        // college+ to 34 (short of 42).
        let children = fourteen_children(&app, &street).await;
        for (i, child) in children.iter().enumerate() {
            let (total, young, college) = if i < 12 { (4, 3, 2) } else { (6, 5, 5) };
            let due = if i < 7 { "2025-05" } else { "2025-10" };
            let row = json!({ "total": total, "under35": young, "collegePlus": college, "completionMonth": due });
            by_street.set(child, "2025-03-01", row).await;
        }
        // 星火 (due May, 4): 1 in March and 3 in July — met late. 明达 (due May, 4): 4 in April
        // — on time. 机关 (due May, 4): 2 in May — unmet.
        let admissions = "
            星火科技有限公司党支部 1 F 1998-01-01 UNDERGRADUATE 2025-03-10
            星火科技有限公司党支部 3 F 1998-01-01 UNDERGRADUATE 2025-07-10
            明达物流有限公司党支部 4 M 1985-01-01 SENIOR_HIGH 2025-04-10
            和平街道机关党支部 2 M 1990-01-01 POSTGRADUATE 2025-05-20
        ";
        admitted(&app, admissions).await;

        let d = app
            .ok(
                Some("district.organizer"),
                PLAN,
                json!({ "org": street, "on": "2025-12-05" }),
            )
            .await;
        let p = &d["guidancePlan"];
        // Every requirement, as worked out by hand.
        let r = &p["requirements"];
        let req = |c: &str| {
            let x = find(r, "category", c);
            (
                x["required"].as_i64().unwrap(),
                x["contradicts"].as_bool().unwrap(),
            )
        };
        assert_eq!(req("AGE_35_AND_UNDER"), (46, false)); // 75 % of 60 = 45 < 46: the count binds
        assert_eq!(find(r, "category", "AGE_35_AND_UNDER")["fromPercent"], 45);
        assert_eq!(req("AGE_25_AND_UNDER"), (23, false)); // 50 % of 46 = 23
        assert_eq!(find(r, "category", "AGE_25_AND_UNDER")["base"], 46);
        assert_eq!(req("WOMEN"), (21, false)); // 35 % of 60 = 21 exactly
        assert_eq!(req("COLLEGE_PLUS"), (42, true)); // 40 < 70 % of 60 = 42
        assert_eq!(req("STUDENTS"), (3, false)); // at most 3 and at most 5 % (3)
        assert_eq!(req("FARMERS"), (3, true)); // at most 5 > 5 % of 60 = 3
        assert_eq!(r.as_array().unwrap().len(), 6);
        // The rows together against the plan.
        let cov = &p["requirementCoverage"];
        let young = find(cov, "category", "AGE_35_AND_UNDER");
        assert_eq!(
            (young["allocated"].as_i64(), young["uncovered"].as_bool()),
            (Some(46), Some(false))
        );
        let college = find(cov, "category", "COLLEGE_PLUS");
        assert_eq!(
            (
                college["allocated"].as_i64(),
                college["required"].as_i64(),
                college["uncovered"].as_bool()
            ),
            (Some(34), Some(42), Some(true))
        );
        assert_eq!(college["rows"], 14);
        // Each row's status at its own month.
        let rows = &p["allocations"];
        assert_eq!(rows.as_array().unwrap().len(), 14);
        let row = |name: &str| {
            rows.as_array()
                .unwrap()
                .iter()
                .find(|x| x["organization"]["name"] == name)
                .unwrap()["completion"]
                .clone()
        };
        let late = row("星火科技有限公司党支部");
        assert_eq!(
            (
                late["status"].as_str(),
                late["admittedByDueMonth"].as_i64(),
                late["metInMonth"].as_str()
            ),
            (Some("MET_LATE"), Some(1), Some("2025-07"))
        );
        assert_eq!(row("明达物流有限公司党支部")["status"], "MET_ON_TIME");
        assert_eq!(row("和平街道机关党支部")["status"], "UNMET");
        assert_eq!(row("新建第9党支部")["status"], "UNMET");
        assert_eq!(row("新建第9党支部")["dueMonth"], "2025-10");
        let row_req = &rows[0]["requirements"];
        assert_eq!(find(row_req, "category", "AGE_35_AND_UNDER")["required"], 3);
        assert_eq!(p["admittedFirstHalf"], 7);
        assert_eq!(p["completion"]["status"], "UNMET");

        // Findings: exactly the disagreements, with their numbers.
        let f = findings(&app, "district.organizer", &street, "2025-12-05").await;
        let q3 = |kind: &str| -> Vec<String> {
            f.iter()
                .filter(|x| x["rule"] == "Q3" && x["details"]["kind"] == kind)
                .map(|x| x["details"]["category"].as_str().unwrap().to_string())
                .collect()
        };
        // No contradiction where an at-least count is above its percentage or equal to it.
        assert_eq!(q3("CONTRADICTION"), ["COLLEGE_PLUS", "FARMERS"]);
        assert_eq!(q3("ALLOCATION_SHORTFALL"), ["COLLEGE_PLUS"]);
        let q8: Vec<&Value> = f.iter().filter(|x| x["rule"] == "Q8").collect();
        let info: Vec<&Value> = q8
            .iter()
            .copied()
            .filter(|x| x["severity"] == "INFO")
            .collect();
        assert_eq!(info.len(), 1);
        assert_eq!(info[0]["details"]["organization"], "星火科技有限公司党支部");
        assert_eq!(info[0]["details"]["metInMonth"], 7);
        // 12 rows unmet (all but 星火 and 明达) and the plan itself (due November).
        assert_eq!(q8.iter().filter(|x| x["severity"] == "WARNING").count(), 13);
        let q11 = f
            .iter()
            .find(|x| x["rule"] == "Q11")
            .expect("first half short");
        assert_eq!(
            q11.at("details")
                .ints_at(&["firstHalf", "admittedFirstHalf"]),
            [Some(30), Some(7)]
        );
        let pools: Vec<&Value> = f.iter().filter(|x| x["rule"] == "Q12").collect();
        assert_eq!(pools.len(), 2);
        assert!(
            pools
                .iter()
                .all(|x| x["details"]["target"] == 1000 || x["details"]["target"] == 400)
        );
        assert!(!f.iter().any(|x| x["rule"] == "Q1" || x["rule"] == "Q2"));

        // Asked on 20 June: May's rows are judged, October's are not yet, H1 not yet.
        let june = app
            .ok(
                Some("district.organizer"),
                PLAN,
                json!({ "org": street, "on": "2025-06-20" }),
            )
            .await;
        let rows = &june["guidancePlan"]["allocations"];
        let status = |name: &str| {
            rows.as_array()
                .unwrap()
                .iter()
                .find(|x| x["organization"]["name"] == name)
                .unwrap()["completion"]["status"]
                .clone()
        };
        assert_eq!(status("星火科技有限公司党支部"), "UNMET");
        assert_eq!(status("新建第9党支部"), "PENDING");
        let f = findings(&app, "district.organizer", &street, "2025-06-20").await;
        assert!(!f.iter().any(|x| x["rule"] == "Q11"));
        app.assert_counts_consistent().await;
    }
);

db_test!(
    period_figures_are_exact_when_admissions_straddle_the_end_of_june,
    |app| {
        let admissions = "
            和平社区第一党支部 1 F 1999-01-01 UNDERGRADUATE 2025-06-15
            和平社区第一党支部 2 M 1999-01-01 UNDERGRADUATE 2025-06-30
            和平社区第二党支部 3 F 1970-01-01 SENIOR_HIGH 2025-07-01
        ";
        let street = street_with_admitted(&app, admissions).await;
        let q = "query($org: ID!, $on: Date, $p: ReportPeriod) { indicators(organizationId: $org, year: 2025, asOf: $on, period: $p) { admitted periodStart periodEnd structure { category count } } }";
        let ind = |on: &'static str, p: &'static str| {
            let street = street.clone();
            let app = &app;
            async move {
                app.ok(
                    Some("street.organizer"),
                    q,
                    json!({ "org": street, "on": on, "p": p }),
                )
                .await["indicators"]
                    .clone()
            }
        };
        let h1 = ind("2025-07-20", "H1").await;
        assert_eq!(
            (h1["admitted"].as_i64(), h1["periodEnd"].as_str()),
            (Some(3), Some("2025-06-30"))
        );
        let women = |i: &Value| {
            i["structure"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["category"] == "WOMEN")
                .map_or(0, |x| x["count"].as_i64().unwrap())
        };
        assert_eq!(women(&h1), 1);
        assert_eq!(ind("2025-07-20", "ANNUAL").await["admitted"], 6);
        assert_eq!(women(&ind("2025-07-20", "ANNUAL").await), 4);
        // Cut inside June: only what was approved by the 20th.
        assert_eq!(ind("2025-06-20", "H1").await["admitted"], 1);
        assert_eq!(ind("2025-06-20", "ANNUAL").await["admitted"], 1);
        assert_eq!(ind("2025-07-20", "Q3").await["admitted"], 3);
        assert_eq!(ind("2025-07-20", "Q2").await["admitted"], 3);
        assert_eq!(ind("2025-07-20", "Q1").await["admitted"], 0);
        // An H1 report filed in July holds January–June.
        let submit = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { snapshot } } }";
        let d = app.ok(Some("street.organizer"), submit, json!({ "input": { "organizationId": street, "year": 2025, "period": "H1", "submittedOn": "2025-07-10" } })).await;
        assert_eq!(d["submitReport"]["report"]["snapshot"]["admitted"], 3);
        app.assert_counts_consistent().await;
    }
);

db_test!(
    the_year_end_package_proposes_next_years_plan_and_the_district_adopts_it,
    |app| {
        let (district, street) = district_and_street(&app).await;
        let submit = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { id proposedPlan { year total requirements { category required } } } } }";
        let proposal = json!({ "total": 24, "targets": [{ "category": "AGE_35_AND_UNDER", "comparator": "AT_LEAST", "percent": 80.0 }] });
        // Only with the ANNUAL report.
        let r = app.exec(Some("street.organizer"), submit, json!({ "input": { "organizationId": street, "year": 2025, "period": "H1", "submittedOn": "2025-06-25", "proposedPlan": proposal } })).await;
        assert_eq!(code(&r), "BAD_USER_INPUT");
        let d = app.ok(Some("street.organizer"), submit, json!({ "input": { "organizationId": street, "year": 2025, "period": "ANNUAL", "submittedOn": "2025-12-20", "narrative": "全年工作总结", "proposedPlan": proposal } })).await;
        let report = &d["submitReport"]["report"];
        assert_eq!(report["proposedPlan"]["year"], 2026);
        assert_eq!(report["proposedPlan"]["requirements"][0]["required"], 20);
        let id = report["id"].as_str().unwrap().to_string();
        let adopt = "mutation($input: AdoptProposedPlanInput!) { adoptProposedPlan(input: $input) { guidancePlan { year total revision issuer { name } organization { name } } } }";
        // The submitter does not adopt its own proposal.
        let adopt_as = |user: &'static str, on: &'static str| {
            let id = id.clone();
            let app = &app;
            async move {
                app.exec(
                    Some(user),
                    adopt,
                    json!({ "input": { "reportId": id, "effectiveOn": on } }),
                )
                .await
            }
        };
        assert_eq!(
            code(&adopt_as("street.organizer", "2026-02-01").await),
            "FORBIDDEN"
        );
        // A plan for 2026 takes effect in 2025 or 2026, not years before.
        assert_eq!(
            code(&adopt_as("district.organizer", "2020-01-01").await),
            "BAD_USER_INPUT"
        );
        let d = adopt_as("district.organizer", "2026-02-01").await;
        let g = &d["data"]["adoptProposedPlan"]["guidancePlan"];
        assert_eq!(
            g.ints_at(&["year", "total", "revision"]),
            [Some(2026), Some(24), Some(1)],
            "{d:#}"
        );
        assert_eq!(g["issuer"]["name"], "示例区委组织部");
        assert_eq!(g["organization"]["name"], "和平街道党工委");
        // A replay adds no revision.
        assert_eq!(
            code(&adopt_as("district.organizer", "2026-02-01").await),
            "CONFLICT"
        );
        // A base that loops back is input invalid in itself.
        let by_district = Planner::new(&app, "district.organizer", &district);
        let looped = json!({ "total": 10, "targets": [
            { "category": "WOMEN", "comparator": "AT_LEAST", "percent": 50.0, "base": "COLLEGE_PLUS" },
            { "category": "COLLEGE_PLUS", "comparator": "AT_LEAST", "percent": 50.0, "base": "WOMEN" } ] });
        let r = by_district.try_set(&street, "2025-02-01", looped).await;
        assert_eq!(code(&r), "BAD_USER_INPUT");
        // PARTNER does not read plans: the proposal is null for it.
        let partner = "query($id: ID!) { report(id: $id) { proposedPlan { total } } }";
        let d = app
            .ok(Some("partner.bot"), partner, json!({ "id": id }))
            .await;
        assert!(d["report"]["proposedPlan"].is_null(), "{d:#}");
        let d = app
            .ok(Some("district.organizer"), partner, json!({ "id": id }))
            .await;
        assert_eq!(d["report"]["proposedPlan"]["total"], 24);
    }
);

db_test!(
    villages_communities_and_branches_short_of_their_duties_are_listed,
    |app| {
        // The community admitted 2 in 2025, one of them ≤35: half, enough.
        let admissions = "
            和平社区第一党支部 1 F 1999-01-01 UNDERGRADUATE 2025-04-15
            和平社区第二党支部 1 F 1960-01-01 SENIOR_HIGH 2024-09-15
        ";
        let street = street_with_admitted(&app, admissions).await;
        let q = "query($org: ID!) { developmentDuties(under: $org, year: 2025, sinceYear: 2024) { organization { name } duty activists admittedTwoYears youngTwoYears message } }";
        let d = app
            .ok(Some("street.organizer"), q, json!({ "org": street }))
            .await;
        let rows = d["developmentDuties"].as_array().unwrap().clone();
        let of = |duty: &str| -> Vec<String> {
            rows.iter()
                .filter(|x| x["duty"] == duty)
                .map(|x| x["organization"]["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert!(
            !of("BIENNIAL_DEVELOPMENT").contains(&"和平社区党委".to_string()),
            "{rows:#?}"
        );
        // Branches with nobody admitted in 2024–2025: all but the two community branches.
        let idle = of("BRANCH_DEVELOPMENT");
        assert!(idle.contains(&"星火科技有限公司党支部".to_string()));
        assert!(!idle.contains(&"和平社区第一党支部".to_string()));
        assert!(!idle.contains(&"和平社区第二党支部".to_string()));
        // One more older admission makes the ≤35 share fall below half.
        let admissions = "
            和平社区第二党支部 1 M 1960-01-01 SENIOR_HIGH 2025-09-15
        ";
        admitted(&app, admissions).await;
        let d = app
            .ok(Some("street.organizer"), q, json!({ "org": street }))
            .await;
        let short = d["developmentDuties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["duty"] == "BIENNIAL_DEVELOPMENT")
            .cloned()
            .expect("the community falls short");
        assert_eq!(short["organization"]["name"], "和平社区党委");
        assert_eq!(
            short.ints_at(&["admittedTwoYears", "youngTwoYears"]),
            [Some(3), Some(1)]
        );
        // A PARTNER reads no indicators.
        let r = app
            .exec(Some("partner.bot"), q, json!({ "org": street }))
            .await;
        assert_eq!(code(&r), "FORBIDDEN");
    }
);
