use super::*;
use crate::domain::plan::{
    Comparator, RatioKind, RatioTarget, ReservePool, ReserveTarget, StructureTarget,
};

fn target(
    category: &str,
    comparator: &str,
    count: Option<u32>,
    percent: Option<f64>,
    base: Option<&str>,
) -> StructureTarget {
    StructureTarget {
        category: Category::parse(category).unwrap(),
        comparator: Comparator::parse(comparator).unwrap(),
        count,
        percent,
        base: base.and_then(Category::parse),
    }
}

fn plan(total: u32) -> PlanContent {
    PlanContent {
        total,
        ..Default::default()
    }
}

fn admitted(n: u32, month: usize) -> Actuals {
    let mut a = Actuals {
        admitted: n,
        ..Default::default()
    };
    a.monthly[month - 1] = n;
    a
}

fn child(id: i64, content: PlanContent, actuals: Actuals) -> ChildRow {
    ChildRow {
        organization_id: id,
        name: format!("c{id}"),
        content,
        actuals,
    }
}

fn rules(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.rule).collect()
}

#[test]
fn over_allocation_is_reported_with_its_percentage() {
    let f = findings(
        &plan(20),
        &[
            child(1, plan(14), Actuals::default()),
            child(2, plan(12), Actuals::default()),
        ],
        &Actuals::default(),
        0,
    );
    let q1 = f.iter().find(|f| f.rule == "Q1").unwrap();
    assert_eq!(q1.details["allocated"], 26);
    assert_eq!(q1.details["percent"], 130.0);
}

#[test]
fn a_count_cap_that_contradicts_its_percentage_cap_is_found() {
    let p = PlanContent {
        targets: vec![target(
            "AGE_35_AND_UNDER",
            "AT_MOST",
            Some(300),
            Some(80.0),
            None,
        )],
        ..plan(350)
    };
    let f = findings(&p, &[], &Actuals::default(), 0);
    let q3 = f.iter().find(|f| f.rule == "Q3").unwrap();
    assert_eq!(q3.details["countFromPercent"], 280);
    assert_eq!(q3.details["required"], 280);
}

#[test]
fn at_least_counts_above_their_percentages_are_silent() {
    // The district plan: 350, several "no fewer than N, P % or more" pairs with N a little above.
    let p = PlanContent {
        targets: vec![
            target("AGE_35_AND_UNDER", "AT_LEAST", Some(300), Some(85.0), None),
            target("COLLEGE_PLUS", "AT_LEAST", Some(210), Some(60.0), None),
            target("WOMEN", "AT_LEAST", Some(141), Some(40.0), None),
        ],
        ..plan(350)
    };
    assert!(findings(&p, &[], &Actuals::default(), 0).is_empty());
}

#[test]
fn fulfilment_uses_the_stricter_of_count_and_percentage() {
    // ≥ 8 people and ≥ 50 %: 10 admitted, 6 women. 50 % of 10 = 5, but 8 binds.
    let p = PlanContent {
        targets: vec![target("WOMEN", "AT_LEAST", Some(8), Some(50.0), None)],
        ..plan(10)
    };
    let mut a = admitted(10, 3);
    a.by_category.insert(Category::Women, 6);
    let f = findings(&p, &[], &a, 12);
    let q3 = f.iter().find(|f| f.rule == "Q3").unwrap();
    assert_eq!(q3.details["required"], 8);
    assert_eq!(q3.details["kind"], "FULFILMENT");
    a.by_category.insert(Category::Women, 8);
    assert!(!rules(&findings(&p, &[], &a, 12)).contains(&"Q3"));
}

#[test]
fn nested_bases_use_the_base_category() {
    // ≤25 at least 40 % of ≤35; 10 admitted ≤35, 3 ≤25: 4 required.
    let p = PlanContent {
        targets: vec![target(
            "AGE_25_AND_UNDER",
            "AT_LEAST",
            None,
            Some(40.0),
            Some("AGE_35_AND_UNDER"),
        )],
        ..plan(12)
    };
    let mut a = admitted(12, 3);
    a.by_category.insert(Category::Age35AndUnder, 10);
    a.by_category.insert(Category::Age25AndUnder, 3);
    let f = findings(&p, &[], &a, 12);
    let q3 = f.iter().find(|f| f.rule == "Q3").unwrap();
    assert_eq!(
        (q3.details["required"].as_u64(), q3.details["base"].as_u64()),
        (Some(4), Some(10))
    );
}

#[test]
fn deviation_band_is_ten_percent_either_way() {
    let at = |n| {
        findings(&plan(350), &[], &admitted(n, 5), 12)
            .into_iter()
            .any(|f| f.rule == "Q4")
    };
    assert!(!at(315));
    assert!(at(314));
    assert!(!at(385));
    assert!(at(386));
}

#[test]
fn pipeline_ratios_below_target_are_found() {
    let p = PlanContent {
        ratios: vec![RatioTarget {
            kind: RatioKind::ApplicantsActivistsTargets,
            parts: vec![6, 3, 1],
        }],
        ..plan(10)
    };
    let a = Actuals {
        applicants: 50,
        activists: 29,
        targets: 10,
        ..Default::default()
    };
    let f = findings(&p, &[], &a, 0);
    let q9: Vec<_> = f.iter().filter(|f| f.rule == "Q9").collect();
    assert_eq!(q9.len(), 2);
    assert_eq!(q9[0].details["needed"], 60);
    assert_eq!(q9[1].details["needed"], 30);
}

#[test]
fn rows_are_judged_at_their_own_month() {
    let due = |m: &str, n| PlanContent {
        completion_month: Some(m.into()),
        ..plan(n)
    };
    let mut late = Actuals::default();
    late.monthly[2] = 1; // March
    late.monthly[6] = 2; // July
    let on_time = admitted(2, 4);
    let unmet = admitted(1, 2);
    let children = [
        child(1, due("2023-05", 3), late),
        child(2, due("2023-05", 2), on_time),
        child(3, due("2023-10", 2), unmet),
    ];
    // Asked in December: c1 met late (Info), c2 silent, c3 unmet (Warning).
    let f = findings(&plan(7), &children, &admitted(6, 7), 11);
    let q8: Vec<_> = f.iter().filter(|f| f.rule == "Q8").collect();
    assert_eq!(q8.len(), 2);
    assert_eq!(q8[0].severity, Severity::Info);
    assert_eq!(q8[0].details["metInMonth"], 7);
    assert_eq!(q8[0].details["status"], "MET_LATE");
    assert_eq!(q8[1].severity, Severity::Warning);
    assert_eq!(q8[1].details["organizationId"], 3);
    // Asked in September: c3's month has not ended; nothing about it.
    let f = findings(&plan(7), &children, &admitted(6, 7), 8);
    assert_eq!(f.iter().filter(|f| f.rule == "Q8").count(), 1);
}

#[test]
fn the_first_half_is_compared_from_july() {
    let p = PlanContent {
        first_half: Some(5),
        ..plan(10)
    };
    let mut a = admitted(4, 6);
    a.monthly[6] = 3;
    a.admitted = 7;
    assert!(!rules(&findings(&p, &[], &a, 5)).contains(&"Q11"));
    let f = findings(&p, &[], &a, 6);
    let q11 = f.iter().find(|f| f.rule == "Q11").unwrap();
    assert_eq!(q11.details["admittedFirstHalf"], 4);
    a.monthly[5] = 5;
    assert!(!rules(&findings(&p, &[], &a, 6)).contains(&"Q11"));
}

#[test]
fn reserve_pools_are_checked_with_their_non_public_part() {
    let p = PlanContent {
        reserve: vec![
            ReserveTarget {
                pool: ReservePool::Activists,
                count: 30,
                non_public: Some(10),
            },
            ReserveTarget {
                pool: ReservePool::Applicants,
                count: 40,
                non_public: None,
            },
        ],
        ..plan(10)
    };
    let a = Actuals {
        activists: 30,
        activists_two_new: 9,
        applicants: 40,
        ..Default::default()
    };
    let f = findings(&p, &[], &a, 0);
    let q12: Vec<_> = f.iter().filter(|f| f.rule == "Q12").collect();
    assert_eq!(q12.len(), 1);
    assert_eq!(q12[0].details["kind"], "NON_PUBLIC");
    assert_eq!(q12[0].details["have"], 9);
    // Per organization: a child's own pool against its row.
    let c = child(4, p.clone(), Actuals::default());
    let f = findings(&plan(10), &[c], &a, 0);
    assert_eq!(f.iter().filter(|f| f.rule == "Q12").count(), 3);
}

#[test]
fn under_covering_rows_are_found() {
    // A street with ≤35 ≥ 80 % of 20 = 16; its rows say 8 + 7.
    let p = PlanContent {
        targets: vec![target(
            "AGE_35_AND_UNDER",
            "AT_LEAST",
            None,
            Some(80.0),
            None,
        )],
        ..plan(20)
    };
    let row = |u| PlanContent {
        under_35: Some(u),
        ..plan(10)
    };
    let f = findings(
        &p,
        &[
            child(1, row(8), Actuals::default()),
            child(2, row(7), Actuals::default()),
        ],
        &Actuals::default(),
        0,
    );
    let q3 = f.iter().find(|f| f.rule == "Q3").unwrap();
    assert_eq!(q3.details["kind"], "ALLOCATION_SHORTFALL");
    assert_eq!(
        (
            q3.details["required"].as_u64(),
            q3.details["allocated"].as_u64()
        ),
        (Some(16), Some(15))
    );
}
