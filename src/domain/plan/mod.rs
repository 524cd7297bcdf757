//! Guidance plans (指导性计划, DOMAIN.md §4): what a plan holds, validation of input that is
//! invalid in itself, and the checks Q1–Q10 that report findings instead of refusing.

pub mod categories;
pub mod duties;
pub mod figures;
pub mod findings;
pub mod progress;
pub mod requirements;
pub mod rush;

pub use categories::{AdmissionFacts, categories_of};
pub use findings::{Actuals, ChildRow, Finding, Severity, findings, outside_plan};

use super::DomainError;
use super::organization::string_enum;
use serde::{Deserialize, Serialize};

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

string_enum! {
    /// A reserve pool (后备力量).
    ReservePool {
        /// 孵化对象 (not kept by the service).
        Incubation = "INCUBATION",
        /// 入党申请人.
        Applicants = "APPLICANTS",
        /// 入党积极分子.
        Activists = "ACTIVISTS",
    }
}

string_enum! {
    /// A pipeline ratio.
    RatioKind {
        /// applicants : activists : targets (e.g. 6:3:1).
        ApplicantsActivistsTargets = "APPLICANTS_ACTIVISTS_TARGETS",
        /// activists : targets (e.g. 3:1).
        ActivistsTargets = "ACTIVISTS_TARGETS",
        /// activists : the plan total (e.g. 3:1).
        ActivistsPlan = "ACTIVISTS_PLAN",
    }
}

impl RatioKind {
    /// How many parts the ratio has.
    pub fn parts(self) -> usize {
        match self {
            RatioKind::ApplicantsActivistsTargets => 3,
            RatioKind::ActivistsTargets | RatioKind::ActivistsPlan => 2,
        }
    }
}

/// Prints a `string_enum` of plan content as its stored name (`string_enum!` stores it so in
/// plan content and refuses an unknown name on reading).
macro_rules! by_name {
    ($($t:ty),+) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

by_name!(Category, Comparator, ReservePool, RatioKind);

/// One structure target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StructureTarget {
    pub category: Category,
    pub comparator: Comparator,
    pub count: Option<u32>,
    pub percent: Option<f64>,
    /// The category the percentage is of; none: the plan total.
    pub base: Option<Category>,
}

/// A reserve-pool target (后备力量): incubation, applicants, activists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReserveTarget {
    pub pool: ReservePool,
    pub count: u32,
    pub non_public: Option<u32>,
}

/// A pipeline ratio target, e.g. applicants:activists:targets ≥ 6:3:1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatioTarget {
    pub kind: RatioKind,
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

/// The largest count a plan may state: far above any province's annual quota, and small
/// enough that sums over every child and every month stay exact.
pub const MAX_PLAN_COUNT: u32 = 1_000_000;

type Checked = Result<(), DomainError>;

fn bad(field: &'static str, zh: String, en: String) -> Checked {
    Err(DomainError::invalid(field, zh, en))
}

/// Refuses input that is invalid in itself (BAD_USER_INPUT): counts above
/// [`MAX_PLAN_COUNT`], percentages outside 0–100, months that do not exist or fall outside the
/// plan's year, a target with neither count nor percentage, two targets of one category and
/// comparator, percentage bases that loop, ratios with the wrong number of parts. (Unknown
/// categories, comparators, ratio kinds and pools cannot be stated: they are typed.)
pub fn validate(c: &PlanContent, year: i32) -> Checked {
    check_counts(c)?;
    check_completion_month(c, year)?;
    for t in &c.targets {
        check_target(t)?;
    }
    for (i, t) in c.targets.iter().enumerate() {
        check_target_against_earlier(&c.targets[..i], t)?;
        check_base_chain(&c.targets, t)?;
    }
    for r in &c.ratios {
        let n = r.kind.parts();
        if r.parts.len() != n || r.parts.contains(&0) {
            return bad(
                "ratios.parts",
                format!("比例须为{n}个正整数"),
                format!("the ratio needs {n} positive parts"),
            );
        }
    }
    Ok(())
}

fn check_counts(c: &PlanContent) -> Checked {
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
    Ok(())
}

fn check_completion_month(c: &PlanContent, year: i32) -> Checked {
    let Some(m) = &c.completion_month else {
        return Ok(());
    };
    match parse_month(m) {
        Some((y, _)) if y == year => Ok(()),
        Some(_) => bad(
            "completionMonth",
            format!("完成时限{m}不在计划年度{year}内"),
            format!("the completion month {m} is outside the plan year {year}"),
        ),
        None => bad(
            "completionMonth",
            format!("完成时限{m}不是有效月份(YYYY-MM)"),
            format!("the completion month {m} is not a month (YYYY-MM)"),
        ),
    }
}

fn check_target(t: &StructureTarget) -> Checked {
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
    Ok(())
}

fn check_target_against_earlier(earlier: &[StructureTarget], t: &StructureTarget) -> Checked {
    if earlier
        .iter()
        .any(|u| u.category == t.category && u.comparator == t.comparator)
    {
        return bad(
            "targets",
            format!("结构类别{}的{}目标重复", t.category, t.comparator),
            format!(
                "two {} targets for {}: state one (a floor and a cap may both be given)",
                t.comparator, t.category
            ),
        );
    }
    Ok(())
}

/// A base must lead back to the plan total, never to the category itself.
fn check_base_chain(targets: &[StructureTarget], t: &StructureTarget) -> Checked {
    let mut seen = vec![t.category.as_str()];
    let mut base = t.base;
    while let Some(b) = base {
        let b = b.as_str();
        if seen.contains(&b) {
            return bad(
                "targets.base",
                format!(
                    "结构类别{}的百分比基数循环引用（{}）",
                    t.category,
                    seen.join("→")
                ),
                format!(
                    "the percentage base of {} loops back ({} → {b})",
                    t.category,
                    seen.join(" → ")
                ),
            );
        }
        seen.push(b);
        base = targets
            .iter()
            .find(|u| u.category.as_str() == b)
            .and_then(|u| u.base);
    }
    Ok(())
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
