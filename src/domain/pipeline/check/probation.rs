//! Steps 18–25: filing the admission, placement, the oath, reports, conversion and archiving.

use super::super::model::{ConversionOutcome, PublicNotice, Stage, Vote};
use super::common::{Check, Checked, rule};
use super::notice::{NoticeDecision, check_vote};
use crate::domain::RuleViolation;
use crate::domain::consultation::ConsultationStage;
use serde_json::json;

/// Steps 18, 19, 21 and 22: on probation, after the approval.
pub(super) fn after_approval(c: &Check) -> Checked {
    c.on_probation()?;
    c.not_before(c.state.approved_on, "approval")?;
    Ok(vec![])
}

/// Step 20: the oath, a warning when later than a month after approval (N13).
pub(super) fn oath(c: &Check) -> Checked {
    c.stage_is(&[Stage::Probationary])?;
    let approved = c.require(c.state.approved_on, "ADMISSION_APPROVAL", "上级党委审批")?;
    c.not_before(Some(approved), "approval")?;
    Ok(c.months_late(
        "入党宣誓",
        "oath",
        "N13",
        "local: provincial education committee",
        approved,
        1,
    ))
}

/// Step 23: after the application and the end of probation (N14, except a cancellation),
/// consultations in writing (I5, except a cancellation), recusals (I2), one extension of 6 to
/// 12 months (N15), the notice and the vote.
pub(super) fn conversion_meeting(
    c: &Check,
    vote: &Vote,
    outcome: ConversionOutcome,
    extension_months: Option<u32>,
    public_notice: &Option<PublicNotice>,
) -> Checked {
    c.on_probation()?;
    let state = c.state;
    c.require(
        state.conversion_applied_on,
        "CONVERSION_APPLICATION",
        "提出转正申请",
    )?;
    let end = c.require(state.probation_end, "ADMISSION_APPROVAL", "上级党委审批")?;
    let on = c.on;
    if on < end && outcome != ConversionOutcome::Cancel {
        let days = (end - on).num_days();
        return Err(rule(
            "N14",
            "党章 Art. 7; 细则 Art. 32",
            format!("预备期至{end}届满，还差{days}天"),
            format!("the probation ends on {end}, {days} days after this meeting"),
            json!({ "probationEnd": end, "meetingOn": on, "daysShort": days }),
        ));
    }
    let mut warnings = vec![];
    if outcome != ConversionOutcome::Cancel {
        warnings.extend(c.consultations(ConsultationStage::Conversion)?);
    }
    warnings.extend(c.recused_from_vote());
    if outcome == ConversionOutcome::Extend {
        extension(c, extension_months.unwrap_or(0))?;
    }
    c.notice(public_notice, NoticeDecision::Conversion)?;
    check_vote(vote)?;
    Ok(warnings)
}

/// N15: probation is extended once, by 6 to 12 months.
fn extension(c: &Check, m: u32) -> Result<(), RuleViolation> {
    let extended = c.state.extended;
    if extended || !(6..=12).contains(&m) {
        return Err(rule(
            "N15",
            "细则 Art. 32",
            format!("延长预备期只能一次，且为6至12个月（申请{m}个月）"),
            format!(
                "probation may be extended once, by 6 to 12 months (asked {m}, already extended: {extended})"
            ),
            json!({ "months": m, "min": 6, "max": 12, "alreadyExtended": extended }),
        ));
    }
    Ok(())
}

/// Step 24: after the conversion meeting, by an approving committee (A1), a warning when later
/// than three months (N16).
pub(super) fn conversion_approval(c: &Check) -> Checked {
    c.on_probation()?;
    let (met, _, _) = c.require(
        c.state.conversion_meeting,
        "CONVERSION_MEETING",
        "支部大会讨论转正",
    )?;
    c.approving_org()?;
    c.not_before(Some(met), "conversion meeting")?;
    Ok(c.months_late("转正审批", "conversion approval", "N16", "细则", met, 3))
}

/// Step 25: a full member's case, archived once.
pub(super) fn archive(c: &Check) -> Checked {
    c.stage_is(&[Stage::FullMember])?;
    if c.state.archived_on.is_some() {
        return Err(c.order("a case not yet archived", "尚未归档"));
    }
    Ok(vec![])
}
