//! The checks a plan's readers run by hand (DOMAIN.md §4.3, Q1–Q12), as findings with their
//! numbers. Findings report; they never refuse. A finding appears only where the document or the
//! figures really disagree: an at-least count above its percentage is consistent, a row met early
//! is met, a month not yet over is not yet judged.

use super::progress::{self, CompletionState, Monthly};
use super::requirements::{self, Requirement, stricter};
use super::{Category, Comparator, PlanContent, RatioKind, ReservePool, required_count};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;

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

/// What happened in a plan's subtree: admissions of the period up to the day asked about
/// (talent-exempt apart), by category and by month, and the current reserve pools.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Actuals {
    pub admitted: u32,
    pub talent_exempt: u32,
    pub by_category: HashMap<Category, u32>,
    pub monthly: Monthly,
    /// Current pipeline counts: applicants, activists, targets.
    pub applicants: u32,
    pub activists: u32,
    pub targets: u32,
    /// Of which in two-new (non-public and social) organizations.
    pub applicants_two_new: u32,
    pub activists_two_new: u32,
}

impl Actuals {
    /// Admissions in a category.
    pub fn of(&self, category: Category) -> u32 {
        self.by_category.get(&category).copied().unwrap_or(0)
    }
}

/// One child's allocation row as the checks see it.
#[derive(Debug, Clone)]
pub struct ChildRow {
    pub organization_id: i64,
    pub name: String,
    pub content: PlanContent,
    pub actuals: Actuals,
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

/// The month a plan is due: its completion month, or December.
pub fn deadline_month(c: &PlanContent) -> u32 {
    c.completion_month
        .as_deref()
        .and_then(super::parse_month)
        .map_or(12, |(_, m)| m)
}

/// Runs Q1–Q12 on a plan with its children's rows and the actuals, `months_ended` months of
/// the plan year being over on the day asked about.
pub fn findings(
    plan: &PlanContent,
    children: &[ChildRow],
    actuals: &Actuals,
    months_ended: u32,
) -> Vec<Finding> {
    let mut out = vec![];
    over_allocation(plan, children, &mut out);
    row_consistency(plan, children, &mut out);
    let period_over = months_ended >= deadline_month(plan);
    for r in requirements::requirements(plan) {
        contradiction(&r, &mut out);
        fulfilment(&r, actuals, period_over, &mut out);
    }
    let rows: Vec<&PlanContent> = children.iter().map(|c| &c.content).collect();
    for c in requirements::coverage(plan, &rows) {
        if c.uncovered {
            let (zh, en, kind) = if c.comparator == Comparator::AtMost {
                ("上限合计", "allow together", "ALLOCATION_EXCESS")
            } else {
                ("要求合计", "require together", "ALLOCATION_SHORTFALL")
            };
            out.push(finding("Q3", Severity::Warning, format!("{}：分解到下级的{zh}{}人，本级计划要求{}人", c.category.as_str(), c.allocated, c.required), format!("{}: the allocation rows {en} {}, the plan requires {}", c.category.as_str(), c.allocated, c.required), json!({ "category": c.category.as_str(), "comparator": c.comparator.as_str(), "required": c.required, "allocated": c.allocated, "rowsStating": c.rows_stating, "rows": c.rows, "kind": kind })));
        }
    }
    deviation(plan, actuals, period_over, &mut out);
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
    if plan.completion_month.is_some() {
        deadline(None, plan, actuals, months_ended, &mut out);
    }
    for c in children {
        deadline(Some(c), &c.content, &c.actuals, months_ended, &mut out);
    }
    ratios(plan, actuals, &mut out);
    first_half(None, plan, actuals, months_ended, &mut out);
    for c in children {
        first_half(Some(c), &c.content, &c.actuals, months_ended, &mut out);
    }
    reserve(None, plan, actuals, &mut out);
    for c in children {
        reserve(Some(c), &c.content, &c.actuals, &mut out);
    }
    out
}

fn over_allocation(plan: &PlanContent, children: &[ChildRow], out: &mut Vec<Finding>) {
    let total = plan.total;
    let allocated: u32 = children.iter().map(|c| c.content.total).sum();
    if children.is_empty() || allocated <= total {
        return;
    }
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

fn row_consistency(plan: &PlanContent, children: &[ChildRow], out: &mut Vec<Finding>) {
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
}

fn contradiction(r: &Requirement, out: &mut Vec<Finding>) {
    if !r.contradicts() {
        return;
    }
    let (cat, count, pct, base) = (
        r.category.as_str(),
        r.count.unwrap_or(0),
        r.percent.unwrap_or(0.0),
        r.base,
    );
    let from_pct = r.from_percent.unwrap_or(0);
    out.push(finding("Q3", Severity::Warning, format!("{cat}：人数{count}比{pct}%（{base}的{pct}%={from_pct}人）更宽，二者相互矛盾，按{}人执行", r.required), format!("{cat}: the count {count} is looser than {pct} % of {base} = {from_pct}; the stricter {} binds", r.required), json!({ "category": cat, "comparator": r.comparator.as_str(), "count": count, "percent": pct, "base": base, "countFromPercent": from_pct, "required": r.required, "kind": "CONTRADICTION" })));
}

fn fulfilment(r: &Requirement, actuals: &Actuals, period_over: bool, out: &mut Vec<Finding>) {
    if actuals.admitted == 0 {
        return;
    }
    let actual = actuals.of(r.category);
    let actual_base = r.base_category.map_or(actuals.admitted, |b| actuals.of(b));
    let from_pct = r
        .percent
        .map(|p| required_count(p, actual_base, r.comparator));
    let required = stricter(r.comparator, r.count, from_pct);
    let met = match r.comparator {
        Comparator::AtLeast | Comparator::StriveFor => actual >= required,
        Comparator::AtMost => actual <= required,
        Comparator::About => f64::from(actual.abs_diff(required)) <= f64::from(required) * 0.1,
    };
    // A cap is broken the moment it is passed; a floor only when the period is over.
    if met || !(r.comparator == Comparator::AtMost || period_over) {
        return;
    }
    let sev = if r.comparator == Comparator::StriveFor {
        Severity::Info
    } else {
        Severity::Warning
    };
    let (cat, cmp) = (r.category.as_str(), r.comparator.as_str());
    out.push(finding("Q3", sev, format!("{cat}：实际{actual}人，目标{cmp}{required}人（基数{actual_base}）"), format!("{cat}: actual {actual}, target {cmp} {required} (of {actual_base})"), json!({ "category": cat, "comparator": cmp, "actual": actual, "required": required, "base": actual_base, "count": r.count, "percent": r.percent, "kind": "FULFILMENT" })));
}

fn deviation(plan: &PlanContent, actuals: &Actuals, period_over: bool, out: &mut Vec<Finding>) {
    let total = plan.total;
    if !period_over || total == 0 {
        return;
    }
    let dev = (f64::from(actuals.admitted) - f64::from(total)) * 100.0 / f64::from(total);
    let dev = (dev * 10.0).round() / 10.0;
    if dev.abs() > 10.0 {
        let low = (f64::from(total) * 0.9).ceil() as u32;
        let high = (f64::from(total) * 1.1).floor() as u32;
        out.push(finding("Q4", Severity::Warning, format!("实际发展{}名，偏离计划{total}名{dev}%，超出±10%（{low}–{high}）", actuals.admitted), format!("{} admitted, {dev} % from the plan of {total}, outside ±10 % ({low}–{high})", actuals.admitted), json!({ "admitted": actuals.admitted, "total": total, "deviationPercent": dev, "low": low, "high": high })));
    }
}

fn who(row: Option<&ChildRow>) -> (String, Value, Value) {
    match row {
        Some(c) => (
            c.name.clone(),
            json!(c.organization_id),
            json!(c.name.clone()),
        ),
        None => ("本级 / this plan".into(), Value::Null, Value::Null),
    }
}

fn deadline(
    row: Option<&ChildRow>,
    c: &PlanContent,
    actuals: &Actuals,
    months_ended: u32,
    out: &mut Vec<Finding>,
) {
    let s = progress::completion(c.total, deadline_month(c), &actuals.monthly, months_ended);
    let (name, id, org) = who(row);
    let due = c.completion_month.clone().unwrap_or_default();
    let details = json!({ "organizationId": id, "organization": org, "completionMonth": due, "planned": s.planned, "admittedByDeadline": s.admitted_by_deadline, "admitted": s.admitted, "metInMonth": s.met_in_month, "status": s.state.as_str() });
    match s.state {
        CompletionState::Unmet => out.push(finding("Q8", Severity::Warning, format!("{name}：完成时限{due}已过，到期发展{}名，至今{}名，计划{}名", s.admitted_by_deadline, s.admitted, s.planned), format!("{name}: the completion month {due} has passed with {} of {} admitted by then ({} so far)", s.admitted_by_deadline, s.planned, s.admitted), details)),
        CompletionState::MetLate => out.push(finding("Q8", Severity::Info, format!("{name}：完成时限{due}，到期发展{}名，于{}月完成计划{}名（逾期）", s.admitted_by_deadline, s.met_in_month.unwrap_or(0), s.planned), format!("{name}: due {due} with {} of {} by then; met late, in month {}", s.admitted_by_deadline, s.planned, s.met_in_month.unwrap_or(0)), details)),
        CompletionState::Pending | CompletionState::MetOnTime => {}
    }
}

fn ratios(plan: &PlanContent, actuals: &Actuals, out: &mut Vec<Finding>) {
    for r in &plan.ratios {
        let (have, names): (Vec<u32>, &[&str]) = match r.kind {
            RatioKind::ApplicantsActivistsTargets => (
                vec![actuals.applicants, actuals.activists, actuals.targets],
                &["applicants", "activists", "targets"],
            ),
            RatioKind::ActivistsTargets => (
                vec![actuals.activists, actuals.targets],
                &["activists", "targets"],
            ),
            RatioKind::ActivistsPlan => {
                (vec![actuals.activists, plan.total], &["activists", "plan"])
            }
        };
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
}

fn first_half(
    row: Option<&ChildRow>,
    c: &PlanContent,
    actuals: &Actuals,
    months_ended: u32,
    out: &mut Vec<Finding>,
) {
    let Some(h) = progress::first_half(c.first_half, &actuals.monthly, months_ended) else {
        return;
    };
    if h.short() {
        let (name, id, org) = who(row);
        out.push(finding("Q11", Severity::Warning, format!("{name}：上半年计划发展{}名，1–6月实际发展{}名", h.planned, h.admitted), format!("{name}: {} planned for the first half-year, {} admitted January–June", h.planned, h.admitted), json!({ "organizationId": id, "organization": org, "firstHalf": h.planned, "admittedFirstHalf": h.admitted })));
    }
}

fn reserve(row: Option<&ChildRow>, c: &PlanContent, actuals: &Actuals, out: &mut Vec<Finding>) {
    for r in &c.reserve {
        let (name, id, org) = who(row);
        let (have, have_np, zh) = match r.pool {
            ReservePool::Applicants => {
                (actuals.applicants, actuals.applicants_two_new, "入党申请人")
            }
            ReservePool::Activists => {
                (actuals.activists, actuals.activists_two_new, "入党积极分子")
            }
            ReservePool::Incubation => {
                out.push(finding("Q12", Severity::Info, format!("{name}：孵化对象{}名的目标无法核对（本系统不记录孵化对象）", r.count), format!("{name}: the incubation target of {} cannot be checked (the service keeps no incubation pool)", r.count), json!({ "organizationId": id, "organization": org, "pool": r.pool, "target": r.count, "kind": "NOT_TRACKED" })));
                continue;
            }
        };
        if have < r.count {
            out.push(finding("Q12", Severity::Warning, format!("{name}：{zh}现有{have}名，后备目标{}名", r.count), format!("{name}: {have} in the {} pool, the reserve target is {}", r.pool, r.count), json!({ "organizationId": id, "organization": org, "pool": r.pool, "have": have, "target": r.count, "kind": "POOL" })));
        }
        if let Some(np) = r.non_public
            && have_np < np
        {
            out.push(finding("Q12", Severity::Warning, format!("{name}：两新组织{zh}现有{have_np}名，目标{np}名"), format!("{name}: {have_np} in the {} pool in two-new organizations, the target is {np}", r.pool), json!({ "organizationId": id, "organization": org, "pool": r.pool, "have": have_np, "target": np, "kind": "NON_PUBLIC" })));
        }
    }
}

/// Q10: a child with no allocation row that admitted anyway.
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
mod tests;
