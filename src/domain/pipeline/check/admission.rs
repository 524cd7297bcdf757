//! Steps 15–17: the admission meeting, the intermediate review (审议), the talk before approval
//! and the approval.

use super::super::dates::{add_months, months_and_days};
use super::super::model::{PublicNotice, Stage, Vote};
use super::super::review::is_intermediate_reviewer;
use super::common::{Check, Checked, rule};
use super::notice::{NoticeDecision, check_vote};
use crate::domain::RuleViolation;
use crate::domain::consultation::ConsultationStage;
use serde_json::json;

/// Step 15: after the form, not within three months of leaving (N9), kinship cap (I1),
/// consultations (I5), recusals (I2), the letter gate (L1), the notice and the vote.
pub(super) fn meeting(c: &Check, vote: &Vote, public_notice: &Option<PublicNotice>) -> Checked {
    c.stage_is(&[Stage::DevelopmentTarget])?;
    let state = c.state;
    c.require(
        state.form_number.clone(),
        "FILL_APPLICATION_FORM",
        "填写入党志愿书",
    )?;
    c.not_before(state.pre_review.as_ref().map(|p| p.0), "pre-review")?;
    not_leaving_soon(c)?;
    c.kinship()?;
    let mut warnings = c.consultations(ConsultationStage::Admission)?;
    warnings.extend(c.recused_from_vote());
    crate::domain::letter::check_admission_gate(
        c.ctx.migrant_in_two_new,
        c.ctx.agreed_development_letter,
        state.letter_override,
    )?;
    c.notice(public_notice, NoticeDecision::Admission)?;
    check_vote(vote)?;
    Ok(warnings)
}

/// N9: a target leaving within three months of the meeting is not admitted there.
fn not_leaving_soon(c: &Check) -> Result<(), RuleViolation> {
    let on = c.on;
    if let Some(leaving) = c.ctx.person.expected_departure_on
        && leaving <= add_months(on, 3)
        && leaving >= on
    {
        let days = (leaving - on).num_days();
        return Err(rule(
            "N9",
            "细则 Art. 19",
            format!("发展对象预计{leaving}离开，距会议{days}天，在三个月内"),
            format!(
                "the target leaves on {leaving}, {days} days after the meeting, within 3 months"
            ),
            json!({ "expectedDepartureOn": leaving, "meetingOn": on, "days": days }),
        ));
    }
    Ok(())
}

/// 审议 (A3): after the meeting, by a general branch or village/community committee above the
/// case.
pub(super) fn intermediate_review(c: &Check) -> Checked {
    c.stage_is(&[Stage::DevelopmentTarget])?;
    c.after_admission_meeting()?;
    match &c.ctx.organization {
        Some(o) if o.is_ancestor_of_case && is_intermediate_reviewer(o.kind) => Ok(vec![]),
        o => Err(rule(
            "A3",
            "细则 Art. 23",
            "审议由党总支或村/社区党委进行".into(),
            "the review (审议) is done by a general branch or village/community committee above the case".into(),
            json!({ "kind": o.as_ref().map(|o| o.kind.as_str()) }),
        )),
    }
}

/// Step 16: the talk follows the meeting.
pub(super) fn pre_approval_talk(c: &Check) -> Checked {
    c.stage_is(&[Stage::DevelopmentTarget])?;
    c.after_admission_meeting()?;
    Ok(vec![])
}

/// Step 17: kinship cap (I1), after the meeting and the talk, the intermediate review where one
/// is required (A3), by an approving committee (A1), within six months of the meeting (N12;
/// a warning after three).
pub(super) fn approval(c: &Check) -> Checked {
    c.stage_is(&[Stage::DevelopmentTarget])?;
    c.kinship()?;
    let state = c.state;
    let met = c.require(
        state.admission_meeting_on,
        "ADMISSION_MEETING",
        "支部大会讨论",
    )?;
    c.require(
        state.pre_approval_talk_on,
        "PRE_APPROVAL_TALK",
        "上级党委派人谈话",
    )?;
    if c.ctx.needs_intermediate_review && !matches!(state.intermediate_review, Some((_, true))) {
        return Err(rule(
            "A3",
            "细则 Art. 23",
            "须先经党总支或村/社区党委审议同意".into(),
            "the general branch or village/community committee must review and agree first".into(),
            json!({ "intermediateReview": state.intermediate_review.map(|r| r.1) }),
        ));
    }
    c.approving_org()?;
    c.not_before(Some(met), "admission meeting")?;
    let on = c.on;
    if on > add_months(met, 6) {
        let (m, d) = months_and_days(met, on);
        return Err(rule(
            "N12",
            "细则",
            format!("支部大会后{m}个月{d}天才审批，超过六个月，须重新履行手续"),
            format!("approval {m} months {d} days after the meeting > 6 months allowed"),
            json!({ "months": m, "days": d, "maxMonths": 6, "meetingOn": met }),
        ));
    }
    Ok(c.months_late("审批", "approval", "N12", "细则", met, 3))
}
