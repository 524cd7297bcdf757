//! Steps 8–14: filing the target, introducers, political review, training, the branch
//! committee's review, pre-review and the application form.

use super::super::model::{NegativeList, Stage};
use super::common::{Check, Checked, rule};
use crate::domain::RuleViolation;
use serde_json::json;

/// Step 8: filing follows the target decision.
pub(super) fn file(c: &Check) -> Checked {
    c.stage_is(&[Stage::DevelopmentTarget])?;
    c.not_before(c.state.target_on, "target determination")?;
    Ok(vec![])
}

/// Step 9 (N7): exactly two introducers, full members not under probation within the Party.
pub(super) fn assign_introducers(c: &Check, introducer_ids: &[i64]) -> Checked {
    c.stage_is(&[Stage::DevelopmentTarget])?;
    c.recusals()?;
    let mut distinct = introducer_ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != 2 {
        return Err(rule(
            "N7",
            "党章 Art. 5; 细则",
            format!("入党介绍人{}名，须为2名", distinct.len()),
            format!("{} introducers, exactly 2 required", distinct.len()),
            json!({ "count": distinct.len(), "required": 2 }),
        ));
    }
    c.full_members(
        &distinct,
        "introducer",
        "入党介绍人",
        "N7",
        "党章 Art. 5; 细则",
        true,
    )?;
    Ok(vec![])
}

/// Step 10: the negative list (I8) and, for a migrant, both places' opinions (PR1). A review
/// that passes despite a yes on the list is refused; a failed review is recorded with its
/// reasons (and blocks admission through I11).
pub(super) fn political_review(
    c: &Check,
    passed: bool,
    (household_opinion, residence_opinion): (bool, bool),
    negative_list: &Option<NegativeList>,
) -> Checked {
    c.stage_is(&[Stage::DevelopmentTarget])?;
    if let Some(yes) = negative_list.map(|l| l.yes_items())
        && !yes.is_empty()
        && passed
    {
        return Err(rule(
            "I8",
            "local: town plan (政治审查负面清单)",
            format!("政治审查负面清单中有“是”的项目：{}", yes.join("、")),
            format!(
                "the political review's negative list answers yes to: {}",
                yes.join(", ")
            ),
            json!({ "items": yes }),
        ));
    }
    if negative_list.is_none() && c.rules.political_review_checklist_required {
        return Err(rule(
            "I8",
            "local: town plan (政治审查负面清单)",
            "政治审查须逐项记录负面清单".into(),
            "the political review must record each negative-list item (local rules)".into(),
            json!({ "items": [] }),
        ));
    }
    if c.ctx.person.is_migrant && !(household_opinion && residence_opinion) {
        return Err(rule(
            "PR1",
            "细则 (政治审查); DOMAIN §3.2 T3",
            "流动人员须征求户籍所在地和居住地基层党组织的意见".into(),
            "a migrant's political review needs the opinions of both the household-registration and the residence organizations".into(),
            json!({ "householdOpinion": household_opinion, "residenceOpinion": residence_opinion }),
        ));
    }
    Ok(vec![])
}

/// Step 11 (N8): the short concentrated training, long enough in days or in hours.
pub(super) fn training(c: &Check, days: u32, hours: u32) -> Checked {
    c.stage_is(&[Stage::Activist, Stage::DevelopmentTarget])?;
    let (min_days, min_hours) = (c.rules.training_min_days, c.rules.training_min_hours);
    if days < min_days && hours < min_hours {
        return Err(rule(
            "N8",
            "细则 Art. 17",
            format!("集中培训{days}天/{hours}学时，不足{min_days}天或{min_hours}学时"),
            format!(
                "training of {days} days / {hours} hours < {min_days} days or {min_hours} hours required"
            ),
            json!({ "days": days, "hours": hours, "minDays": min_days, "minHours": min_hours }),
        ));
    }
    Ok(vec![])
}

/// Step 12: after filing, two introducers, a passed political review and the training (I11).
pub(super) fn branch_committee_review(c: &Check) -> Checked {
    c.stage_is(&[Stage::DevelopmentTarget])?;
    let state = c.state;
    c.require(state.target_filed_on, "FILE_TARGET", "报上级党委备案")?;
    if state.introducers.len() != 2 {
        return Err(c.order("ASSIGN_INTRODUCERS", "确定入党介绍人"));
    }
    if !matches!(state.political_review, Some((_, true))) {
        return Err(rule(
            "I11",
            "细则",
            "未经政治审查或政治审查不合格的，不能发展入党".into(),
            "no admission without a passed political review".into(),
            json!({ "politicalReview": state.political_review.map(|p| p.1) }),
        ));
    }
    if state.training_on.is_none() {
        return Err(rule(
            "I11",
            "细则 Art. 17",
            "未经集中培训的，除个别特殊情况外，不能发展入党".into(),
            "no admission without the short concentrated training".into(),
            json!({}),
        ));
    }
    Ok(vec![])
}

/// Step 13: by a committee above the case that may pre-review (A2); a pass records the form
/// issued (I6).
pub(super) fn pre_review(c: &Check, passed: bool, form_number: &Option<String>) -> Checked {
    c.stage_is(&[Stage::DevelopmentTarget])?;
    let reviewed = c.require(
        c.state.committee_reviewed_on,
        "BRANCH_COMMITTEE_REVIEW",
        "支部委员会审查",
    )?;
    c.not_before(Some(reviewed), "branch committee review")?;
    pre_reviewing_org(c)?;
    if passed && form_number.as_deref().is_none_or(|f| f.trim().is_empty()) {
        return Err(rule(
            "I6",
            "细则 Art. 19; local: town plan",
            "预审通过须登记发放的入党志愿书编号".into(),
            "a passed pre-review must record the number of the application form issued".into(),
            json!({}),
        ));
    }
    Ok(vec![])
}

/// A2: the organization named may pre-review and lies above the case.
fn pre_reviewing_org(c: &Check) -> Result<(), RuleViolation> {
    match &c.ctx.organization {
        Some(o) if o.can_pre_review && o.is_ancestor_of_case => Ok(()),
        o => Err(rule(
            "A2",
            "细则 Art. 19",
            "预审须由本案上级具有预审权限的党委进行".into(),
            "the pre-review must be done by a committee above the case that may pre-review".into(),
            json!({ "organizationId": o.as_ref().map(|o| o.id), "canPreReview": o.as_ref().map(|o| o.can_pre_review) }),
        )),
    }
}

/// Step 14 (I6): the form issued to this person at a passed pre-review.
pub(super) fn fill_application_form(c: &Check, form_number: &str) -> Checked {
    c.stage_is(&[Stage::DevelopmentTarget])?;
    let (_, passed, issued) =
        c.require(c.state.pre_review.clone(), "PRE_REVIEW", "上级党委预审")?;
    if !passed || issued.as_deref() != Some(form_number) {
        return Err(rule(
            "I6",
            "细则 Art. 19; local: town plan",
            format!("入党志愿书编号{form_number}与预审发放的编号不一致"),
            format!(
                "form {form_number} is not the one issued to this person at pre-review ({})",
                issued.clone().unwrap_or_default()
            ),
            json!({ "formNumber": form_number, "issued": issued, "preReviewPassed": passed }),
        ));
    }
    Ok(vec![])
}
