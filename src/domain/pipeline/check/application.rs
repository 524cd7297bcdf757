//! Steps 1–3: the application, the talk, the activist decision.

use super::super::dates::{add_months, months_and_days, years_between};
use super::super::model::{PublicNotice, Recommendation, Stage};
use super::common::{Check, Checked, rule};
use super::notice::NoticeDecision;
use crate::domain::RuleViolation;
use serde_json::json;

/// Step 1 (N1): a new case, from someone 18 or older.
pub(super) fn submit(c: &Check) -> Checked {
    if c.state.stage.is_some() {
        return Err(c.order("a case without an application", "尚未递交申请"));
    }
    if let Some(born) = c.ctx.person.birth_date {
        let on = c.on;
        let age = years_between(born, on);
        if age < 18 {
            return Err(rule(
                "N1",
                "党章 Art. 1; 细则 Art. 5",
                format!("申请时年龄{age}岁，未满十八岁"),
                format!("age {age} on the application date < 18 required"),
                json!({ "age": age, "required": 18, "birthDate": born, "appliedOn": on }),
            ));
        }
    }
    Ok(vec![])
}

/// Step 2: the talk, a warning when later than a month after the application (N2).
pub(super) fn talk(c: &Check) -> Checked {
    c.stage_is(&[Stage::Applicant])?;
    let applied = c.require(c.state.applied_on, "SUBMIT_APPLICATION", "递交入党申请书")?;
    c.not_before(Some(applied), "application")?;
    Ok(c.months_late("谈话", "talk", "N2", "细则 Art. 7", applied, 1))
}

/// Step 3: the activist decision after the talk, the waiting times (N3, N17), League
/// recommendation (N20) and the public notice.
pub(super) fn determine_activist(
    c: &Check,
    recommendation: Recommendation,
    public_notice: &Option<PublicNotice>,
) -> Checked {
    c.stage_is(&[Stage::Applicant])?;
    let talked = c.require(c.state.talked_on, "APPLICATION_TALK", "派人谈话")?;
    c.not_before(Some(talked), "talk")?;
    let applied = c.state.applied_on.unwrap_or(talked);
    waited_since_application(c, applied)?;
    if c.ctx.person.has_political_violation {
        waited_after_political_violation(c, applied)?;
    }
    league_recommended(c, recommendation)?;
    c.notice(public_notice, NoticeDecision::Activist)?;
    Ok(vec![])
}

/// N3: the local minimum of months from the application.
fn waited_since_application(c: &Check, applied: chrono::NaiveDate) -> Result<(), RuleViolation> {
    let (on, rules) = (c.on, c.rules);
    let gap_due = add_months(applied, rules.application_to_activist_months);
    if on < gap_due {
        let (m, d) = months_and_days(applied, on);
        return Err(rule(
            "N3",
            "local rules",
            format!(
                "申请后{m}个月{d}天，少于规定的{}个月",
                rules.application_to_activist_months
            ),
            format!(
                "{m} months {d} days since the application < {} months required",
                rules.application_to_activist_months
            ),
            json!({ "months": m, "days": d, "requiredMonths": rules.application_to_activist_months, "earliest": gap_due }),
        ));
    }
    Ok(())
}

/// N17 (I3): years to wait after applying with a political-discipline record.
fn waited_after_political_violation(
    c: &Check,
    applied: chrono::NaiveDate,
) -> Result<(), RuleViolation> {
    let (on, rules) = (c.on, c.rules);
    let earliest = add_months(applied, rules.political_violation_wait_years * 12);
    if on < earliest {
        let (m, d) = months_and_days(applied, on);
        return Err(rule(
            "N17",
            "local: street plan (I3)",
            format!(
                "有违反政治纪律或国家法律记录者，须递交申请满{}年后方可确定为积极分子（现{m}个月{d}天）",
                rules.political_violation_wait_years
            ),
            format!(
                "a political-discipline record requires {} years after the application: {m} months {d} days elapsed",
                rules.political_violation_wait_years
            ),
            json!({ "months": m, "days": d, "requiredYears": rules.political_violation_wait_years, "earliest": earliest }),
        ));
    }
    Ok(())
}

/// N20: a young League member is recommended through 推优, not by Party members alone.
fn league_recommended(c: &Check, recommendation: Recommendation) -> Result<(), RuleViolation> {
    let Some(born) = c.ctx.person.birth_date else {
        return Ok(());
    };
    let age = years_between(born, c.on);
    let max_age = c.rules.league_recommendation_max_age;
    if c.ctx.person.is_league_member
        && age as u32 <= max_age
        && recommendation == Recommendation::PartyMembers
    {
        return Err(rule(
            "N20",
            "细则 Art. 8",
            format!("{age}岁的共青团员须经团组织推优"),
            format!(
                "a Youth League member aged {age} (≤ {max_age}) must be recommended through 推优"
            ),
            json!({ "age": age, "maxAge": max_age }),
        ));
    }
    Ok(())
}
