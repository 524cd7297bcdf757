//! Guidance plans (指导性计划, DOMAIN.md §4): what a plan holds, validation of input that is
//! invalid in itself, and the checks Q1–Q10 that report findings instead of refusing.

use super::DomainError;
use super::organization::string_enum;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

string_enum! {
    /// A structure category (结构目标).
    Category {
        Age35AndUnder = "AGE_35_AND_UNDER",
        Age25AndUnder = "AGE_25_AND_UNDER",
        CollegePlus = "COLLEGE_PLUS",
        HighSchoolPlus = "HIGH_SCHOOL_PLUS",
        PostgraduateUndergraduate = "POSTGRADUATE_UNDERGRADUATE",
        Women = "WOMEN",
        EthnicMinority = "ETHNIC_MINORITY",
        Workers = "WORKERS",
        Farmers = "FARMERS",
        ManagersProfessionals = "MANAGERS_PROFESSIONALS",
        Students = "STUDENTS",
        TwoNew = "TWO_NEW",
        Frontline = "FRONTLINE",
    }
}

string_enum! {
    /// How a target compares.
    Comparator {
        /// 不少于 / 以上
        AtLeast = "AT_LEAST",
        /// 不超过 / 控制在
        AtMost = "AT_MOST",
        /// 左右 (within ±10 %)
        About = "ABOUT",
        /// 力争 (reported, never a warning)
        StriveFor = "STRIVE_FOR",
    }
}

string_enum! {
    /// Plan lines: the general quota, and lines that do not consume it.
    PlanLine {
        General = "GENERAL",
        /// High-level talent filed with the province (Q5).
        Talent = "TALENT",
        /// Single-listed plans for high-knowledge groups (Q6).
        SingleListed = "SINGLE_LISTED",
    }
}

/// One structure target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StructureTarget {
    pub category: String,
    pub comparator: String,
    pub count: Option<u32>,
    pub percent: Option<f64>,
    /// The category the percentage is of; none: the plan total.
    pub base: Option<String>,
}

/// A reserve-pool target (后备力量): incubation, applicants, activists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReserveTarget {
    /// INCUBATION, APPLICANTS or ACTIVISTS.
    pub pool: String,
    pub count: u32,
    pub non_public: Option<u32>,
}

/// A pipeline ratio target, e.g. applicants:activists:targets ≥ 6:3:1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatioTarget {
    /// APPLICANTS_ACTIVISTS_TARGETS, ACTIVISTS_TARGETS or ACTIVISTS_PLAN.
    pub kind: String,
    pub parts: Vec<u32>,
}

/// What one revision of a plan states.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlanContent {
    pub total: u32,
    pub under_35: Option<u32>,
    pub college_plus: Option<u32>,
    /// `YYYY-MM`.
    pub completion_month: Option<String>,
    pub first_half: Option<u32>,
    pub targets: Vec<StructureTarget>,
    pub reserve: Vec<ReserveTarget>,
    pub ratios: Vec<RatioTarget>,
    pub document_number: Option<String>,
    pub document_date: Option<String>,
    pub note: Option<String>,
    /// The issuer approved allocating more than received (Q1 becomes information).
    pub over_allocation_approved: bool,
}

/// Parses `YYYY-MM` into (year, month).
pub fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    (y.to_string().len() == 4 && (1..=12).contains(&m) && s.len() == 7).then_some((y, m))
}

/// Refuses input that is invalid in itself (BAD_USER_INPUT): percentages outside 0–100, months
/// that do not exist or fall outside the plan's year, unknown categories, comparators or ratio
/// kinds, a target with neither count nor percentage.
/// The largest count a plan may state: far above any province's annual quota, and small
/// enough that sums over every child and every month stay exact.
pub const MAX_PLAN_COUNT: u32 = 1_000_000;

pub fn validate(c: &PlanContent, year: i32) -> Result<(), DomainError> {
    let bad =
        |field: &'static str, zh: String, en: String| Err(DomainError::invalid(field, zh, en));
    let counts = [c.total]
        .into_iter()
        .chain(c.under_35)
        .chain(c.college_plus)
        .chain(c.first_half)
        .chain(c.targets.iter().filter_map(|t| t.count))
        .chain(
            c.reserve
                .iter()
                .flat_map(|r| [Some(r.count), r.non_public])
                .flatten(),
        )
        .chain(c.ratios.iter().flat_map(|r| r.parts.iter().copied()));
    for n in counts {
        if n > MAX_PLAN_COUNT {
            return bad(
                "plan",
                format!("计划人数{n}超过上限{MAX_PLAN_COUNT}"),
                format!("the count {n} is above the limit of {MAX_PLAN_COUNT}"),
            );
        }
    }
    if let Some(m) = &c.completion_month {
        match parse_month(m) {
            Some((y, _)) if y == year => {}
            Some(_) => {
                return bad(
                    "completionMonth",
                    format!("完成时限{m}不在计划年度{year}内"),
                    format!("the completion month {m} is outside the plan year {year}"),
                );
            }
            None => {
                return bad(
                    "completionMonth",
                    format!("完成时限{m}不是有效月份(YYYY-MM)"),
                    format!("the completion month {m} is not a month (YYYY-MM)"),
                );
            }
        }
    }
    for t in &c.targets {
        if Category::parse(&t.category).is_none()
            || t.base
                .as_deref()
                .is_some_and(|b| Category::parse(b).is_none())
        {
            return bad(
                "targets.category",
                format!("未知的结构类别{}", t.category),
                format!("unknown category {}", t.category),
            );
        }
        if Comparator::parse(&t.comparator).is_none() {
            return bad(
                "targets.comparator",
                "未知的比较方式".into(),
                format!("unknown comparator {}", t.comparator),
            );
        }
        if let Some(p) = t.percent
            && !(0.0..=100.0).contains(&p)
        {
            return bad(
                "targets.percent",
                format!("百分比{p}超出0至100"),
                format!("the percentage {p} is outside 0–100"),
            );
        }
        if t.count.is_none() && t.percent.is_none() {
            return bad(
                "targets",
                "结构目标须有人数或百分比".into(),
                "a structure target needs a count or a percentage".into(),
            );
        }
    }
    for r in &c.ratios {
        let n = match r.kind.as_str() {
            "APPLICANTS_ACTIVISTS_TARGETS" => 3,
            "ACTIVISTS_TARGETS" | "ACTIVISTS_PLAN" => 2,
            _ => {
                return bad(
                    "ratios.kind",
                    "未知的比例类型".into(),
                    format!("unknown ratio kind {}", r.kind),
                );
            }
        };
        if r.parts.len() != n || r.parts.contains(&0) {
            return bad(
                "ratios.parts",
                format!("比例须为{n}个正整数"),
                format!("the ratio needs {n} positive parts"),
            );
        }
    }
    for r in &c.reserve {
        if !matches!(r.pool.as_str(), "INCUBATION" | "APPLICANTS" | "ACTIVISTS") {
            return bad(
                "reserve.pool",
                "未知的后备力量类别".into(),
                format!("unknown pool {}", r.pool),
            );
        }
    }
    Ok(())
}

/// Severity of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// One finding about a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message_zh: String,
    pub message_en: String,
    pub details: Value,
}

/// Counts of the new members admitted in the plan's subtree and period (talent-exempt apart).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Actuals {
    pub admitted: u32,
    pub talent_exempt: u32,
    pub by_category: std::collections::HashMap<String, u32>,
    /// Current pipeline counts: applicants, activists, targets.
    pub applicants: u32,
    pub activists: u32,
    pub targets: u32,
}

impl Actuals {
    fn of(&self, category: &str) -> u32 {
        self.by_category.get(category).copied().unwrap_or(0)
    }
}

/// One child's allocation row as the checks see it.
#[derive(Debug, Clone)]
pub struct ChildRow {
    pub organization_id: i64,
    pub name: String,
    pub content: PlanContent,
    pub admitted: u32,
}

/// A percentage of a base as a count, with the rounding the comparator calls for: ceil for at
/// least, floor for at most, nearest otherwise.
pub fn required_count(percent: f64, base: u32, comparator: Comparator) -> u32 {
    let exact = percent * f64::from(base) / 100.0;
    let r = match comparator {
        Comparator::AtLeast | Comparator::StriveFor => (exact - 1e-9).ceil(),
        Comparator::AtMost => (exact + 1e-9).floor(),
        Comparator::About => exact.round(),
    };
    r.max(0.0) as u32
}

fn finding(
    rule: &'static str,
    severity: Severity,
    zh: String,
    en: String,
    details: Value,
) -> Finding {
    Finding {
        rule,
        severity,
        message_zh: zh,
        message_en: en,
        details,
    }
}

fn planned_of(content: &PlanContent, category: &str) -> Option<u32> {
    match category {
        "AGE_35_AND_UNDER" if content.under_35.is_some() => content.under_35,
        "COLLEGE_PLUS" if content.college_plus.is_some() => content.college_plus,
        _ => content
            .targets
            .iter()
            .find(|t| t.category == category)
            .and_then(|t| {
                t.count.or_else(|| {
                    let base = t
                        .base
                        .as_deref()
                        .and_then(|b| planned_of(content, b))
                        .unwrap_or(content.total);
                    t.percent.map(|p| {
                        required_count(
                            p,
                            base,
                            Comparator::parse(&t.comparator).unwrap_or(Comparator::About),
                        )
                    })
                })
            }),
    }
}

/// Runs Q1–Q10 on a plan with its children's rows and the actuals. `period_over` is true once
/// the completion month (or the year) has passed on the day asked about; `months_passed` is
/// how many months of the plan year have ended.
pub fn findings(
    plan: &PlanContent,
    children: &[ChildRow],
    actuals: &Actuals,
    period_over: bool,
    months_passed: u32,
    year: i32,
) -> Vec<Finding> {
    let mut out = vec![];
    let total = plan.total;
    // Q1 over-allocation.
    let allocated: u32 = children.iter().map(|c| c.content.total).sum();
    if !children.is_empty() && allocated > total {
        let pct = if total == 0 {
            0.0
        } else {
            (f64::from(allocated) * 1000.0 / f64::from(total)).round() / 10.0
        };
        let sev = if plan.over_allocation_approved {
            Severity::Info
        } else {
            Severity::Warning
        };
        out.push(finding("Q1", sev, format!("下级分解合计{allocated}名，超过本级计划{total}名（{pct}%）"), format!("children are allocated {allocated}, above the plan total {total} ({pct} %)"), json!({ "allocated": allocated, "total": total, "excess": allocated - total, "percent": pct, "approved": plan.over_allocation_approved })));
    }
    // Q2 row consistency, the plan's own row and each child's.
    let mut rows: Vec<(Option<&str>, &PlanContent)> = vec![(None, plan)];
    rows.extend(children.iter().map(|c| (Some(c.name.as_str()), &c.content)));
    for (name, c) in rows {
        for (field, v) in [
            ("under35", c.under_35),
            ("collegePlus", c.college_plus),
            ("firstHalf", c.first_half),
        ] {
            if let Some(v) = v
                && v > c.total
            {
                let who = name.unwrap_or("本级 / this plan");
                out.push(finding(
                    "Q2",
                    Severity::Error,
                    format!("{who}：{field} {v}名超过计划数{}名", c.total),
                    format!("{who}: {field} {v} exceeds the planned {}", c.total),
                    json!({ "organization": name, "field": field, "value": v, "planned": c.total }),
                ));
            }
        }
    }
    // Q3 structure: contradictions inside a target, and fulfilment by the actuals.
    for t in &plan.targets {
        let cmp = Comparator::parse(&t.comparator).unwrap_or(Comparator::About);
        let planned_base = t
            .base
            .as_deref()
            .and_then(|b| planned_of(plan, b))
            .unwrap_or(total);
        if let (Some(count), Some(pct)) = (t.count, t.percent) {
            let from_pct = required_count(pct, planned_base, cmp);
            let contradicts = match cmp {
                Comparator::AtMost => count != from_pct,
                Comparator::AtLeast | Comparator::StriveFor => count != from_pct,
                Comparator::About => (i64::from(count) - i64::from(from_pct)).abs() > 0,
            };
            if contradicts {
                out.push(finding("Q3", Severity::Warning, format!("{}：人数{count}与{pct}%（{planned_base}的{pct}%={from_pct}人）相互矛盾", t.category), format!("{}: the count {count} contradicts {pct} % of {planned_base} = {from_pct}", t.category), json!({ "category": t.category, "comparator": t.comparator, "count": count, "percent": pct, "base": planned_base, "countFromPercent": from_pct, "kind": "CONTRADICTION" })));
            }
        }
        if actuals.admitted == 0 {
            continue;
        }
        let actual = actuals.of(&t.category);
        let actual_base = t
            .base
            .as_deref()
            .map(|b| actuals.of(b))
            .unwrap_or(actuals.admitted);
        let required = match (t.percent, t.count) {
            (Some(p), _) => required_count(p, actual_base, cmp),
            (None, Some(c)) => c,
            (None, None) => continue,
        };
        let met = match cmp {
            Comparator::AtLeast | Comparator::StriveFor => actual >= required,
            Comparator::AtMost => actual <= required,
            Comparator::About => {
                (f64::from(actual) - f64::from(required)).abs() <= f64::from(required) * 0.1
            }
        };
        // At-least targets can only be judged once the period is over; caps apply at once.
        let judge = matches!(cmp, Comparator::AtMost) || period_over;
        if !met && judge {
            let sev = if cmp == Comparator::StriveFor {
                Severity::Info
            } else {
                Severity::Warning
            };
            out.push(finding("Q3", sev, format!("{}：实际{actual}人，目标{}{required}人（基数{actual_base}）", t.category, t.comparator), format!("{}: actual {actual}, target {} {required} (of {actual_base})", t.category, t.comparator), json!({ "category": t.category, "comparator": t.comparator, "actual": actual, "required": required, "base": actual_base, "percent": t.percent, "kind": "FULFILMENT" })));
        }
    }
    // Q4 deviation band ±10 %, once the period is over.
    if period_over && total > 0 {
        let dev = (f64::from(actuals.admitted) - f64::from(total)) * 100.0 / f64::from(total);
        let dev = (dev * 10.0).round() / 10.0;
        if dev.abs() > 10.0 {
            let low = (f64::from(total) * 0.9).ceil() as u32;
            let high = (f64::from(total) * 1.1).floor() as u32;
            out.push(finding("Q4", Severity::Warning, format!("实际发展{}名，偏离计划{total}名{dev}%，超出±10%（{low}–{high}）", actuals.admitted), format!("{} admitted, {dev} % from the plan of {total}, outside ±10 % ({low}–{high})", actuals.admitted), json!({ "admitted": actuals.admitted, "total": total, "deviationPercent": dev, "low": low, "high": high })));
        }
    }
    // Q5 talent-exempt admissions, reported apart.
    if actuals.talent_exempt > 0 {
        out.push(finding(
            "Q5",
            Severity::Info,
            format!("高层次人才{}名不占用计划", actuals.talent_exempt),
            format!(
                "{} high-level talent admissions are outside the plan",
                actuals.talent_exempt
            ),
            json!({ "talentExempt": actuals.talent_exempt }),
        ));
    }
    // Q8 completion months passed with the row unmet.
    for c in children {
        if let Some((y, m)) = c.content.completion_month.as_deref().and_then(parse_month)
            && y == year
            && m <= months_passed
            && c.admitted < c.content.total
        {
            out.push(finding("Q8", Severity::Warning, format!("{}：完成时限{}已过，已发展{}名，计划{}名", c.name, c.content.completion_month.clone().unwrap_or_default(), c.admitted, c.content.total), format!("{}: the completion month {} has passed with {} of {} admitted", c.name, c.content.completion_month.clone().unwrap_or_default(), c.admitted, c.content.total), json!({ "organizationId": c.organization_id, "organization": c.name, "completionMonth": c.content.completion_month, "admitted": c.admitted, "planned": c.content.total })));
        }
    }
    if let Some((y, m)) = plan.completion_month.as_deref().and_then(parse_month)
        && y == year
        && m <= months_passed
        && actuals.admitted < total
    {
        out.push(finding("Q8", Severity::Warning, format!("本级完成时限已过，已发展{}名，计划{total}名", actuals.admitted), format!("the completion month has passed with {} of {total} admitted", actuals.admitted), json!({ "completionMonth": plan.completion_month, "admitted": actuals.admitted, "planned": total })));
    }
    // Q9 pipeline ratios below target.
    for r in &plan.ratios {
        let (have, names): (Vec<u32>, &[&str]) = match r.kind.as_str() {
            "APPLICANTS_ACTIVISTS_TARGETS" => (
                vec![actuals.applicants, actuals.activists, actuals.targets],
                &["applicants", "activists", "targets"],
            ),
            "ACTIVISTS_TARGETS" => (
                vec![actuals.activists, actuals.targets],
                &["activists", "targets"],
            ),
            _ => (vec![actuals.activists, total], &["activists", "plan"]),
        };
        // Each earlier pool must be at least parts[i]/parts[last] times the last.
        let last = *have.last().unwrap_or(&0);
        let last_part = *r.parts.last().unwrap_or(&1);
        for (i, part) in r.parts.iter().enumerate().take(r.parts.len() - 1) {
            let needed = (f64::from(*part) * f64::from(last) / f64::from(last_part)).ceil() as u32;
            if have[i] < needed {
                let ratio = r
                    .parts
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(":");
                out.push(finding("Q9", Severity::Warning, format!("{}{}人，低于{ratio}所需的{needed}人", names[i], have[i]), format!("{} {} below the {ratio} target: {needed} needed for {} {}", names[i], have[i], last, names[names.len() - 1]), json!({ "kind": r.kind, "parts": r.parts, "pool": names[i], "have": have[i], "needed": needed, "counts": have })));
            }
        }
    }
    out
}

/// Q10: admissions in a child subtree that has no allocation row.
pub fn outside_plan(child_name: &str, child_id: i64, admitted: u32) -> Option<Finding> {
    (admitted > 0).then(|| {
        finding(
            "Q10",
            Severity::Warning,
            format!("{child_name}无分解计划，却发展了{admitted}名"),
            format!("{child_name} has no allocation but admitted {admitted}"),
            json!({ "organizationId": child_id, "organization": child_name, "admitted": admitted }),
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_above_the_limit_are_refused() {
        let c = super::PlanContent {
            total: super::MAX_PLAN_COUNT + 1,
            ..Default::default()
        };
        assert!(super::validate(&c, 2025).is_err());
        let c = super::PlanContent {
            total: 10,
            first_half: Some(u32::MAX),
            ..Default::default()
        };
        assert!(super::validate(&c, 2025).is_err());
        let c = super::PlanContent {
            total: super::MAX_PLAN_COUNT,
            ..Default::default()
        };
        assert!(super::validate(&c, 2025).is_ok());
    }

    use super::*;

    fn target(
        category: &str,
        comparator: &str,
        count: Option<u32>,
        percent: Option<f64>,
        base: Option<&str>,
    ) -> StructureTarget {
        StructureTarget {
            category: category.into(),
            comparator: comparator.into(),
            count,
            percent,
            base: base.map(String::from),
        }
    }

    #[test]
    fn rounding_is_explicit_per_comparator() {
        assert_eq!(required_count(80.0, 349, Comparator::AtLeast), 280); // 279.2 → 280
        assert_eq!(required_count(80.0, 349, Comparator::AtMost), 279);
        assert_eq!(required_count(80.0, 350, Comparator::AtLeast), 280);
        assert_eq!(required_count(80.0, 350, Comparator::AtMost), 280);
    }

    #[test]
    fn invalid_input_is_refused() {
        let ok = PlanContent {
            total: 20,
            completion_month: Some("2025-10".into()),
            ..Default::default()
        };
        assert!(validate(&ok, 2025).is_ok());
        assert!(
            validate(
                &PlanContent {
                    completion_month: Some("2025-13".into()),
                    ..ok.clone()
                },
                2025
            )
            .is_err()
        );
        assert!(
            validate(
                &PlanContent {
                    completion_month: Some("2026-01".into()),
                    ..ok.clone()
                },
                2025
            )
            .is_err()
        );
        let over = PlanContent {
            targets: vec![target("WOMEN", "AT_LEAST", None, Some(100.5), None)],
            ..ok.clone()
        };
        assert!(validate(&over, 2025).is_err());
    }

    #[test]
    fn over_allocation_is_reported_with_its_percentage() {
        let plan = PlanContent {
            total: 20,
            ..Default::default()
        };
        let child = |id, n| ChildRow {
            organization_id: id,
            name: format!("c{id}"),
            content: PlanContent {
                total: n,
                ..Default::default()
            },
            admitted: 0,
        };
        let f = findings(
            &plan,
            &[child(1, 14), child(2, 12)],
            &Actuals::default(),
            false,
            0,
            2025,
        );
        let q1 = f.iter().find(|f| f.rule == "Q1").unwrap();
        assert_eq!(q1.details["allocated"], 26);
        assert_eq!(q1.details["percent"], 130.0);
    }

    #[test]
    fn a_count_cap_that_contradicts_its_percentage_cap_is_found() {
        let plan = PlanContent {
            total: 350,
            targets: vec![target(
                "AGE_35_AND_UNDER",
                "AT_MOST",
                Some(300),
                Some(80.0),
                None,
            )],
            ..Default::default()
        };
        let f = findings(&plan, &[], &Actuals::default(), false, 0, 2025);
        let q3 = f.iter().find(|f| f.rule == "Q3").unwrap();
        assert_eq!(q3.details["countFromPercent"], 280);
    }

    #[test]
    fn nested_bases_use_the_base_category() {
        // ≤25 at least 40 % of ≤35; 10 admitted ≤35, 3 ≤25: 4 required.
        let plan = PlanContent {
            total: 12,
            targets: vec![target(
                "AGE_25_AND_UNDER",
                "AT_LEAST",
                None,
                Some(40.0),
                Some("AGE_35_AND_UNDER"),
            )],
            ..Default::default()
        };
        let mut a = Actuals {
            admitted: 12,
            ..Default::default()
        };
        a.by_category.insert("AGE_35_AND_UNDER".into(), 10);
        a.by_category.insert("AGE_25_AND_UNDER".into(), 3);
        let f = findings(&plan, &[], &a, true, 12, 2025);
        let q3 = f.iter().find(|f| f.rule == "Q3").unwrap();
        assert_eq!(
            (q3.details["required"].as_u64(), q3.details["base"].as_u64()),
            (Some(4), Some(10))
        );
    }

    #[test]
    fn deviation_band_is_ten_percent_either_way() {
        let plan = PlanContent {
            total: 350,
            ..Default::default()
        };
        let at = |n| {
            findings(
                &plan,
                &[],
                &Actuals {
                    admitted: n,
                    ..Default::default()
                },
                true,
                12,
                2025,
            )
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
        let plan = PlanContent {
            total: 10,
            ratios: vec![RatioTarget {
                kind: "APPLICANTS_ACTIVISTS_TARGETS".into(),
                parts: vec![6, 3, 1],
            }],
            ..Default::default()
        };
        let a = Actuals {
            applicants: 50,
            activists: 29,
            targets: 10,
            ..Default::default()
        };
        let f = findings(&plan, &[], &a, false, 0, 2025);
        let q9: Vec<_> = f.iter().filter(|f| f.rule == "Q9").collect();
        assert_eq!(q9.len(), 2);
        assert_eq!(q9[0].details["needed"], 60);
        assert_eq!(q9[1].details["needed"], 30);
    }
}

/// What the structure categories need to know about one admitted new member.
#[derive(Debug, Clone)]
pub struct AdmissionFacts {
    pub age: i32,
    pub female: bool,
    pub ethnicity: String,
    pub education: String,
    pub occupations: Vec<String>,
    pub is_frontline: bool,
    pub is_two_new: bool,
}

/// The structure categories one admitted new member counts in (ages at the admission meeting;
/// ≤ 35 inclusive, DOMAIN.md §8.9).
pub fn categories_of(f: &AdmissionFacts) -> Vec<Category> {
    use Category::*;
    let mut out = vec![];
    if f.age <= 35 {
        out.push(Age35AndUnder);
    }
    if f.age <= 25 {
        out.push(Age25AndUnder);
    }
    let edu = f.education.as_str();
    if matches!(edu, "POSTGRADUATE" | "UNDERGRADUATE" | "JUNIOR_COLLEGE") {
        out.push(CollegePlus);
    }
    if matches!(
        edu,
        "POSTGRADUATE" | "UNDERGRADUATE" | "JUNIOR_COLLEGE" | "TECHNICAL_SECONDARY" | "SENIOR_HIGH"
    ) {
        out.push(HighSchoolPlus);
    }
    if matches!(edu, "POSTGRADUATE" | "UNDERGRADUATE") {
        out.push(PostgraduateUndergraduate);
    }
    if f.female {
        out.push(Women);
    }
    if !f.ethnicity.is_empty() && f.ethnicity != "汉族" {
        out.push(EthnicMinority);
    }
    let has = |o: &[&str]| f.occupations.iter().any(|x| o.contains(&x.as_str()));
    if has(&["WORKER", "MIGRANT_WORKER", "DISPATCHED_WORKER"]) {
        out.push(Workers);
    }
    if has(&["FARMER"]) {
        out.push(Farmers);
    }
    if has(&["MANAGER", "PROFESSIONAL_TECHNICAL"]) {
        out.push(ManagersProfessionals);
    }
    if has(&["STUDENT"]) {
        out.push(Students);
    }
    if f.is_two_new {
        out.push(TwoNew);
    }
    if f.is_frontline {
        out.push(Frontline);
    }
    out
}

#[cfg(test)]
mod category_tests {
    use super::*;

    #[test]
    fn a_young_woman_worker_with_a_degree_in_a_private_firm() {
        let f = AdmissionFacts {
            age: 25,
            female: true,
            ethnicity: "壮族".into(),
            education: "UNDERGRADUATE".into(),
            occupations: vec!["MIGRANT_WORKER".into()],
            is_frontline: true,
            is_two_new: true,
        };
        let c = categories_of(&f);
        for want in [
            Category::Age35AndUnder,
            Category::Age25AndUnder,
            Category::CollegePlus,
            Category::Women,
            Category::EthnicMinority,
            Category::Workers,
            Category::TwoNew,
            Category::Frontline,
        ] {
            assert!(c.contains(&want), "{want:?}");
        }
        assert!(
            !categories_of(&AdmissionFacts { age: 36, ..f }).contains(&Category::Age35AndUnder)
        );
    }
}
