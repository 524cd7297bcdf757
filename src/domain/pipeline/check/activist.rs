//! Steps 4–7: filing the activist, contacts, examinations, the development-target decision.

use super::super::dates::{add_months, months_and_days};
use super::super::model::{PublicNotice, Stage};
use super::common::{Check, Checked, rule};
use super::notice::NoticeDecision;
use crate::domain::RuleViolation;
use serde_json::json;

/// Steps 4 and 6: filing and examinations follow the activist decision.
pub(super) fn after_determination(c: &Check) -> Checked {
    c.stage_is(&[Stage::Activist])?;
    c.not_before(c.state.activist_on, "activist determination")?;
    Ok(vec![])
}

/// Step 5 (N6): one or two cultivation contacts (the local minimum), full members, not near
/// relatives where recusal applies.
pub(super) fn assign_contacts(c: &Check, contact_ids: &[i64]) -> Checked {
    c.stage_is(&[Stage::Activist, Stage::DevelopmentTarget])?;
    c.recusals()?;
    let min = c.rules.cultivation_contacts_min;
    let n = contact_ids.len() as u32;
    if n < min || n > 2 {
        return Err(rule(
            "N6",
            "细则; 流程图 step 5",
            format!("培养联系人{n}名，须为{min}至2名"),
            format!("{n} cultivation contacts, {min} to 2 required"),
            json!({ "count": n, "min": min, "max": 2 }),
        ));
    }
    c.full_members(
        contact_ids,
        "cultivation contact",
        "培养联系人",
        "N6",
        "细则; 流程图 step 5",
        false,
    )?;
    Ok(vec![])
}

/// Step 7: a year of cultivation (N4), the examinations (N5), the points (I4) and the notice.
pub(super) fn determine_target(
    c: &Check,
    points: Option<u32>,
    public_notice: &Option<PublicNotice>,
) -> Checked {
    c.stage_is(&[Stage::Activist])?;
    let since = c.require(
        c.state.activist_on,
        "DETERMINE_ACTIVIST",
        "确定入党积极分子",
    )?;
    c.require(c.state.activist_filed_on, "FILE_ACTIVIST", "上级党委备案")?;
    if c.state.contacts.is_empty() {
        return Err(c.order("ASSIGN_CONTACTS", "指定培养联系人"));
    }
    cultivated_a_year(c, since)?;
    examined(c)?;
    if let Some(min) = c.rules.min_points {
        let p = points.unwrap_or(0);
        if p < min {
            return Err(rule(
                "I4",
                "local rules",
                format!("积分{p}分，低于{min}分"),
                format!("{p} points < {min} required"),
                json!({ "points": p, "required": min }),
            ));
        }
    }
    c.notice(public_notice, NoticeDecision::Target)?;
    Ok(vec![])
}

/// N4: a year since the activist decision.
fn cultivated_a_year(c: &Check, since: chrono::NaiveDate) -> Result<(), RuleViolation> {
    let on = c.on;
    let due = add_months(since, 12);
    if on < due {
        let (m, d) = months_and_days(since, on);
        return Err(rule(
            "N4",
            "细则 Art. 13",
            format!("培养{m}个月{d}天，不满一年"),
            format!("cultivated {m} months {d} days < 1 year required"),
            json!({ "months": m, "days": d, "requiredMonths": 12, "activistOn": since, "earliest": due }),
        ));
    }
    Ok(())
}

/// N5: the half-yearly examinations the local rules ask for, by the decision day.
fn examined(c: &Check) -> Result<(), RuleViolation> {
    let required = c.rules.min_examinations_before_target;
    let exams = c.state.examinations.iter().filter(|e| **e <= c.on).count() as u32;
    if exams < required {
        return Err(rule(
            "N5",
            "细则 (每半年考察一次)",
            format!("考察记录{exams}次，少于{required}次"),
            format!("{exams} half-yearly examinations < {required} required"),
            json!({ "examinations": exams, "required": required }),
        ));
    }
    Ok(())
}
