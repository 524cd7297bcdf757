//! What every stage's checks share: the refusal builders, and [`Check`], one step on one case
//! with the questions most steps ask (the stage, the order, the dates).

use super::super::dates::add_months;
use super::super::model::{PublicNotice, Stage};
use super::super::rules::LocalRules;
use super::super::state::CaseState;
use super::notice::{NoticeDecision, check_notice};
use super::{RuleWarning, StepContext};
use crate::domain::RuleViolation;
use crate::domain::consultation::{self, ConsultationStage, Department};
use crate::domain::kinship;
use chrono::NaiveDate;
use serde_json::json;

/// What one step's check answers: the warnings to record with it, or the refusal.
pub(super) type Checked = Result<Vec<RuleWarning>, RuleViolation>;

/// A refusal (or a warning) naming its rule, source, messages and numbers.
pub(super) fn rule(
    rule: &'static str,
    source: &'static str,
    zh: String,
    en: String,
    details: serde_json::Value,
) -> RuleViolation {
    RuleViolation {
        rule,
        source,
        message_zh: zh,
        message_en: en,
        details,
    }
}

/// One step checked on one day against one case.
pub(super) struct Check<'a> {
    pub state: &'a CaseState,
    pub on: NaiveDate,
    pub ctx: &'a StepContext,
    pub rules: &'a LocalRules,
    /// The step's stored name.
    pub step: &'a str,
}

impl Check<'_> {
    /// P1: the step needs another first.
    pub fn order(&self, needs: &str, needs_zh: &str) -> RuleViolation {
        let step = self.step;
        rule(
            "P1",
            "流程图",
            format!("此步骤须先完成：{needs_zh}"),
            format!("{step} needs {needs} first"),
            json!({ "step": step, "requires": needs }),
        )
    }

    /// P0: the case is in one of the stages the step is allowed in.
    pub fn stage_is(&self, allowed: &[Stage]) -> Result<(), RuleViolation> {
        let step = self.step;
        match self.state.stage {
            Some(s) if allowed.contains(&s) => Ok(()),
            other => Err(rule(
                "P0",
                "流程图",
                format!(
                    "当前阶段不能进行此步骤（{}）",
                    other.map(|s| s.as_str()).unwrap_or("无")
                ),
                format!(
                    "{step} is not allowed in stage {}",
                    other.map(|s| s.as_str()).unwrap_or("NONE")
                ),
                json!({ "step": step, "stage": other.map(|s| s.as_str()), "allowedStages": allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>() }),
            )),
        }
    }

    /// Before admission: an applicant, an activist or a development target.
    pub fn pre_member(&self) -> Result<(), RuleViolation> {
        self.stage_is(&[Stage::Applicant, Stage::Activist, Stage::DevelopmentTarget])
    }

    /// On probation, normal or extended.
    pub fn on_probation(&self) -> Result<(), RuleViolation> {
        self.stage_is(&[Stage::Probationary, Stage::ExtendedProbation])
    }

    /// P2: the step is not dated before the one it follows.
    pub fn not_before(&self, earlier: Option<NaiveDate>, what: &str) -> Result<(), RuleViolation> {
        let on = self.on;
        match earlier {
            Some(e) if on < e => Err(rule(
                "P2",
                "流程图",
                format!("日期{on}早于前一步骤（{what}）的日期{e}"),
                format!("the date {on} is before the {what} on {e}"),
                json!({ "date": on, "previous": what, "previousDate": e }),
            )),
            _ => Ok(()),
        }
    }

    /// P1 when `v` is missing: the step `needs` comes first.
    pub fn require<T>(
        &self,
        v: Option<T>,
        needs: &str,
        needs_zh: &str,
    ) -> Result<T, RuleViolation> {
        v.ok_or_else(|| self.order(needs, needs_zh))
    }

    /// The admission meeting's date, which the steps after it need and may not precede.
    pub fn after_admission_meeting(&self) -> Result<NaiveDate, RuleViolation> {
        let met = self.require(
            self.state.admission_meeting_on,
            "ADMISSION_MEETING",
            "支部大会讨论",
        )?;
        self.not_before(Some(met), "admission meeting")?;
        Ok(met)
    }

    /// The public notice before `decision` (see [`check_notice`]).
    pub fn notice(
        &self,
        notice: &Option<PublicNotice>,
        decision: NoticeDecision,
    ) -> Result<(), RuleViolation> {
        // P2: a notice about the case cannot start before the case does.
        if let (Some(n), Some(applied)) = (notice, self.state.applied_on)
            && n.start_on < applied
        {
            let start = n.start_on;
            return Err(rule(
                "P2",
                "流程图",
                format!("公示开始日期{start}早于入党申请日期{applied}"),
                format!("the public notice starts on {start}, before the application on {applied}"),
                json!({ "noticeStartOn": start, "appliedOn": applied }),
            ));
        }
        check_notice(
            notice,
            self.rules,
            self.on,
            decision,
            self.ctx.person.is_migrant,
        )
    }

    /// A warning when the step comes more than `months` after `from`.
    pub fn months_late(
        &self,
        zh_what: &str,
        en_what: &str,
        rule_id: &'static str,
        source: &'static str,
        from: NaiveDate,
        months: u32,
    ) -> Vec<RuleWarning> {
        let on = self.on;
        let due = add_months(from, months);
        (on > due)
            .then(|| {
                let late = (on - due).num_days();
                rule(
                    rule_id,
                    source,
                    format!("{zh_what}超过{months}个月（{from}起，应于{due}前，迟{late}天）"),
                    format!("{en_what} later than {months} month(s): due by {due} (from {from}), {late} days late"),
                    json!({ "from": from, "due": due, "on": on, "daysLate": late, "months": months }),
                )
            })
            .into_iter()
            .collect()
    }

    /// I2 at a meeting: near relatives in the branch are recorded as recused from the vote.
    pub fn recused_from_vote(&self) -> Option<RuleWarning> {
        let (ctx, rules) = (self.ctx, self.rules);
        if !rules.near_relative_recusal || rules.relatives_vote || ctx.near_relatives.is_empty() {
            return None;
        }
        let members: Vec<serde_json::Value> = ctx
            .near_relatives
            .iter()
            .map(|(id, kind)| json!({ "memberId": id, "relation": kind.as_str() }))
            .collect();
        Some(rule(
            "I2",
            "local: street plan (近亲属回避)",
            format!("{}名近亲属党员回避表决", members.len()),
            format!(
                "{} near relatives of the candidate recused from the vote",
                members.len()
            ),
            json!({ "recused": members }),
        ))
    }

    /// I5 before a meeting, for the departments the local rules name.
    pub fn consultations(&self, stage: ConsultationStage) -> Checked {
        let (ctx, rules) = (self.ctx, self.rules);
        let required: Vec<Department> = rules
            .consultation_departments
            .iter()
            .chain(
                ctx.person
                    .is_business_owner
                    .then_some(&rules.owner_consultation_departments)
                    .into_iter()
                    .flatten(),
            )
            .filter_map(|d| Department::parse(d))
            .collect();
        consultation::check_consultations(&required, stage, &ctx.consultations, self.on)
    }

    /// I2 for the members a step names, where the local rules ask for recusal.
    pub fn recusals(&self) -> Result<(), RuleViolation> {
        if self.rules.near_relative_recusal {
            for m in &self.ctx.members {
                kinship::check_recusal(m.id, m.relation_to_candidate)?;
            }
        }
        Ok(())
    }

    /// I1 where the local rules ask for the kinship cap.
    pub fn kinship(&self) -> Result<(), RuleViolation> {
        match (&self.ctx.kinship, self.rules.kinship_cap) {
            (Some(k), true) => kinship::check_kinship_cap(k),
            _ => Ok(()),
        }
    }

    /// Each member named in `ids` is a full member (and, with `check_probation`, not under
    /// probation within the Party).
    #[allow(clippy::too_many_arguments)]
    pub fn full_members(
        &self,
        ids: &[i64],
        role_en: &str,
        role_zh: &str,
        rule_id: &'static str,
        source: &'static str,
        check_probation: bool,
    ) -> Result<(), RuleViolation> {
        for id in ids {
            let m = self.ctx.members.iter().find(|m| m.id == *id);
            let ok = m
                .is_some_and(|m| m.is_full_member && !(check_probation && m.under_party_probation));
            if !ok {
                return Err(rule(
                    rule_id,
                    source,
                    format!(
                        "{role_zh}须为正式党员{}",
                        if check_probation {
                            "，且不在留党察看期间"
                        } else {
                            ""
                        }
                    ),
                    format!(
                        "each {role_en} must be a full Party member{}",
                        if check_probation {
                            " not under unrestored probation within the Party (留党察看)"
                        } else {
                            ""
                        }
                    ),
                    json!({ "memberId": id, "isFullMember": m.map(|m| m.is_full_member), "underPartyProbation": m.map(|m| m.under_party_probation) }),
                ));
            }
        }
        Ok(())
    }

    /// A1: the organization the step names may approve and lies above the case.
    pub fn approving_org(&self) -> Result<(), RuleViolation> {
        let step = self.step;
        match &self.ctx.organization {
            Some(o) if o.can_approve && o.is_ancestor_of_case => Ok(()),
            o => Err(rule(
                "A1",
                "细则 Art. 23",
                "审批须由本案所在组织的、具有审批权限的基层党委作出（党总支、村/社区党委不能审批）"
                    .into(),
                format!(
                    "{step} must be decided by a committee with approval authority above the case's organization (a general branch or village/community committee never approves)"
                ),
                json!({ "organizationId": o.as_ref().map(|o| o.id), "kind": o.as_ref().map(|o| o.kind.as_str()), "canApprove": o.as_ref().map(|o| o.can_approve), "isAncestor": o.as_ref().map(|o| o.is_ancestor_of_case) }),
            )),
        }
    }
}
