//! Public notices (公示) before a decision and the votes of branch general meetings.

use super::super::dates::working_days;
use super::super::model::{PublicNotice, Vote};
use super::super::rules::LocalRules;
use super::common::rule;
use crate::domain::RuleViolation;
use chrono::NaiveDate;
use serde_json::json;

/// The decisions a public notice (公示) may be required before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeDecision {
    Activist,
    Target,
    Admission,
    Conversion,
}

impl NoticeDecision {
    fn required(self, rules: &LocalRules) -> bool {
        rules.public_notice_required
            || match self {
                NoticeDecision::Activist => rules.public_notice_at_activist,
                NoticeDecision::Target => rules.public_notice_at_target,
                NoticeDecision::Admission => rules.public_notice_at_admission,
                NoticeDecision::Conversion => rules.public_notice_at_conversion,
            }
    }

    /// How long its notice runs: the decision's own length if the local rules set one, else
    /// `publicNoticeDays`.
    pub fn days(self, rules: &LocalRules) -> u32 {
        match self {
            NoticeDecision::Activist => rules.public_notice_days_at_activist,
            NoticeDecision::Target => rules.public_notice_days_at_target,
            NoticeDecision::Admission => rules.public_notice_days_at_admission,
            NoticeDecision::Conversion => rules.public_notice_days_at_conversion,
        }
        .unwrap_or(rules.public_notice_days)
    }

    /// Every decision.
    pub const ALL: [NoticeDecision; 4] = [
        NoticeDecision::Activist,
        NoticeDecision::Target,
        NoticeDecision::Admission,
        NoticeDecision::Conversion,
    ];

    fn as_str(self) -> &'static str {
        match self {
            NoticeDecision::Activist => "ACTIVIST",
            NoticeDecision::Target => "TARGET",
            NoticeDecision::Admission => "ADMISSION",
            NoticeDecision::Conversion => "CONVERSION",
        }
    }
}

/// A public notice before a decision: required where the local rules say so, long enough, over
/// before the decision, every objection resolved by the decision day (PN1), and for a migrant
/// also published where the person comes from (PN2).
pub fn check_notice(
    notice: &Option<PublicNotice>,
    rules: &LocalRules,
    on: NaiveDate,
    decision: NoticeDecision,
    migrant: bool,
) -> Result<(), RuleViolation> {
    let Some(n) = notice else {
        if decision.required(rules) {
            return Err(rule(
                "N18",
                "local rules",
                "此决定须先经公示".into(),
                "this decision needs a public notice first (local rules)".into(),
                json!({ "requiredDays": decision.days(rules), "decision": decision.as_str() }),
            ));
        }
        return Ok(());
    };
    if n.end_on < n.start_on || n.end_on > on {
        return Err(rule(
            "N18",
            "local rules",
            format!("公示期{}至{}须在决定（{on}）之前结束", n.start_on, n.end_on),
            format!(
                "the public notice {} – {} must run forwards and end by the decision ({on})",
                n.start_on, n.end_on
            ),
            json!({ "startOn": n.start_on, "endOn": n.end_on, "decidedOn": on, "decision": decision.as_str() }),
        ));
    }
    if (n.objection_records.len() as u64) < u64::from(n.objections) {
        return Err(rule(
            "PN1",
            "DOMAIN §3.5 (公示 objections)",
            format!(
                "公示收到异议{}件，只记录了{}件的处理情况",
                n.objections,
                n.objection_records.len()
            ),
            format!(
                "{} objections were received but only {} are recorded with their handling",
                n.objections,
                n.objection_records.len()
            ),
            json!({ "objections": n.objections, "recorded": n.objection_records.len(), "decision": decision.as_str() }),
        ));
    }
    if let Some(o) = n
        .objection_records
        .iter()
        .find(|o| o.resolved_on.is_none_or(|r| r > on || r < n.start_on))
    {
        return Err(rule(
            "PN1",
            "DOMAIN §3.5 (公示 objections)",
            format!("公示期间的异议“{}”尚未处理完毕，不能作出决定", o.summary),
            format!(
                "the objection \"{}\" raised during the public notice is not resolved by the decision day",
                o.summary
            ),
            json!({ "objection": o.summary, "resolvedOn": o.resolved_on, "decidedOn": on, "decision": decision.as_str() }),
        ));
    }
    if migrant && !n.published_at_origin {
        return Err(rule(
            "PN2",
            "local: street plan (流动人员双向公示)",
            "流动人员的公示须同时在流出地公布".into(),
            "a migrant's public notice must also be published where the person comes from".into(),
            json!({ "publishedAtOrigin": false, "decision": decision.as_str() }),
        ));
    }
    let required_days = decision.days(rules);
    let days = if rules.public_notice_working_days {
        working_days(n.start_on, n.end_on)
    } else {
        (n.end_on - n.start_on).num_days() + 1
    };
    if days < i64::from(required_days) {
        return Err(rule(
            "N18",
            "local rules",
            format!(
                "公示{days}{}，少于规定的{}天",
                if rules.public_notice_working_days {
                    "个工作日"
                } else {
                    "天"
                },
                required_days
            ),
            format!(
                "the public notice ran {days} {} < {} required",
                if rules.public_notice_working_days {
                    "working days"
                } else {
                    "days"
                },
                required_days
            ),
            json!({ "days": days, "requiredDays": required_days, "workingDays": rules.public_notice_working_days, "endOn": n.end_on, "decidedOn": on }),
        ));
    }
    Ok(())
}

/// Quorum (N10) and pass (N11): both against the voting members **expected**.
pub fn check_vote(v: &Vote) -> Result<(), RuleViolation> {
    let counted = v.present + v.written_opinions;
    if v.present > v.expected || v.yes + v.no + v.abstain > counted || v.expected == 0 {
        return Err(rule(
            "N10",
            "细则 Art. 20",
            "表决人数不一致：到会人数不能超过应到人数，票数不能超过到会人数与书面意见之和".into(),
            "inconsistent vote: present cannot exceed expected, and votes cannot exceed present plus written opinions".into(),
            json!({ "expected": v.expected, "present": v.present, "writtenOpinions": v.written_opinions, "yes": v.yes, "no": v.no, "abstain": v.abstain }),
        ));
    }
    if v.present * 2 <= v.expected {
        return Err(rule(
            "N10",
            "细则 Art. 20",
            format!(
                "到会有表决权的正式党员{}人，未超过应到会{}人的半数",
                v.present, v.expected
            ),
            format!(
                "quorum not met: {} voting members present, more than half of {} expected needed ({} required)",
                v.present,
                v.expected,
                v.expected / 2 + 1
            ),
            json!({ "present": v.present, "expected": v.expected, "required": v.expected / 2 + 1 }),
        ));
    }
    if v.yes * 2 <= v.expected {
        return Err(rule(
            "N11",
            "细则 Art. 21",
            format!(
                "赞成{}票，未超过应到会有表决权的正式党员{}人的半数",
                v.yes, v.expected
            ),
            format!(
                "not passed: {} yes, more than half of {} expected voting members needed ({} required)",
                v.yes,
                v.expected,
                v.expected / 2 + 1
            ),
            json!({ "yes": v.yes, "expected": v.expected, "required": v.expected / 2 + 1 }),
        ));
    }
    Ok(())
}
