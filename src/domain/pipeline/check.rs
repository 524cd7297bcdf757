//! Preconditions of every step: pure functions of the case state, the step, the people and
//! organizations it names, and the local rules. A refusal names its rule, source and numbers; a
//! warning (late talk, late approval…) is recorded and reported, not refused.

use super::dates::{add_months, months_and_days, working_days, years_between};
use super::model::{ConversionOutcome, PublicNotice, Recommendation, Stage, StepDetails, Vote};
use super::rules::LocalRules;
use super::state::CaseState;
use crate::domain::RuleViolation;
use chrono::NaiveDate;
use serde_json::json;

/// A non-blocking finding recorded with the step.
pub type RuleWarning = RuleViolation;

/// What the checks need to know about the person.
#[derive(Debug, Clone, Default)]
pub struct PersonFacts {
    pub birth_date: Option<NaiveDate>,
    pub is_league_member: bool,
    pub has_political_violation: bool,
    pub is_migrant: bool,
    pub expected_departure_on: Option<NaiveDate>,
    /// A private business owner (I5: more departments to consult).
    pub is_business_owner: bool,
}

/// A Party member named by a step (contact, introducer).
#[derive(Debug, Clone)]
pub struct MemberFacts {
    pub id: i64,
    pub is_full_member: bool,
    pub under_party_probation: bool,
    /// How the member is related to the candidate, if a relation is recorded (I2).
    pub relation_to_candidate: Option<crate::domain::kinship::RelationKind>,
}

/// An organization named by a step (pre-reviewer, reviewer, approver).
#[derive(Debug, Clone)]
pub struct OrgFacts {
    pub id: i64,
    pub kind: String,
    pub can_approve: bool,
    pub can_pre_review: bool,
    /// Whether it lies on the path from the root to the case's organization.
    pub is_ancestor_of_case: bool,
}

/// Everything a check may look at besides the state and the step.
#[derive(Debug, Clone, Default)]
pub struct StepContext {
    pub person: PersonFacts,
    pub members: Vec<MemberFacts>,
    pub organization: Option<OrgFacts>,
    /// A general branch or village/community committee lies between the branch and the
    /// approving committee, so its review (审议) is required before approval.
    pub needs_intermediate_review: bool,
    /// The person is a migrant and the case's organization is a two-new organization (村企联审).
    pub migrant_in_two_new: bool,
    /// An agreed development-opinion letter exists for the case.
    pub agreed_development_letter: bool,
    /// The case's organization is a two-new organization: its members and those related to the
    /// owner (I1), for the admission meeting and approval.
    pub kinship: Option<crate::domain::kinship::KinshipFacts>,
    /// The case's consultations of external departments (I5), for the meetings.
    pub consultations: Vec<crate::domain::consultation::ConsultationFacts>,
    /// Members of the case's organization recorded as near relatives of the candidate, for the
    /// meetings (I2: recorded as recused from the vote unless the local rules let them vote).
    pub near_relatives: Vec<(i64, crate::domain::kinship::RelationKind)>,
}

/// I2 at a meeting: near relatives in the branch are recorded as recused from the vote.
fn recused_from_vote(ctx: &StepContext, rules: &LocalRules) -> Option<RuleWarning> {
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
fn check_consultations(
    ctx: &StepContext,
    rules: &LocalRules,
    stage: crate::domain::consultation::ConsultationStage,
    on: NaiveDate,
) -> Result<Vec<RuleWarning>, RuleViolation> {
    let required: Vec<crate::domain::consultation::Department> = rules
        .consultation_departments
        .iter()
        .chain(
            ctx.person
                .is_business_owner
                .then_some(&rules.owner_consultation_departments)
                .into_iter()
                .flatten(),
        )
        .filter_map(|d| crate::domain::consultation::Department::parse(d))
        .collect();
    crate::domain::consultation::check_consultations(&required, stage, &ctx.consultations, on)
}

/// I2 for the members a step names, where the local rules ask for recusal.
fn check_recusals(ctx: &StepContext, rules: &LocalRules) -> Result<(), RuleViolation> {
    if rules.near_relative_recusal {
        for m in &ctx.members {
            crate::domain::kinship::check_recusal(m.id, m.relation_to_candidate)?;
        }
    }
    Ok(())
}

/// I1 where the local rules ask for the kinship cap.
fn check_kinship(ctx: &StepContext, rules: &LocalRules) -> Result<(), RuleViolation> {
    match (&ctx.kinship, rules.kinship_cap) {
        (Some(k), true) => crate::domain::kinship::check_kinship_cap(k),
        _ => Ok(()),
    }
}

fn rule(
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

fn order(step: &str, needs: &str, needs_zh: &str) -> RuleViolation {
    rule(
        "P1",
        "流程图",
        format!("此步骤须先完成：{needs_zh}"),
        format!("{step} needs {needs} first"),
        json!({ "step": step, "requires": needs }),
    )
}

fn stage_is(state: &CaseState, allowed: &[Stage], step: &str) -> Result<(), RuleViolation> {
    match state.stage {
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

fn not_before(on: NaiveDate, earlier: Option<NaiveDate>, what: &str) -> Result<(), RuleViolation> {
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

fn require<T>(v: Option<T>, step: &str, needs: &str, needs_zh: &str) -> Result<T, RuleViolation> {
    v.ok_or_else(|| order(step, needs, needs_zh))
}

/// Checks a public notice against the local rules (N18): required when the rules say so, and
/// long enough.
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

fn full_members(
    ctx: &StepContext,
    ids: &[i64],
    role_en: &str,
    role_zh: &str,
    rule_id: &'static str,
    source: &'static str,
    check_probation: bool,
) -> Result<(), RuleViolation> {
    for id in ids {
        let m = ctx.members.iter().find(|m| m.id == *id);
        let ok =
            m.is_some_and(|m| m.is_full_member && !(check_probation && m.under_party_probation));
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

fn approving_org(ctx: &StepContext, step: &str) -> Result<(), RuleViolation> {
    match &ctx.organization {
        Some(o) if o.can_approve && o.is_ancestor_of_case => Ok(()),
        o => Err(rule(
            "A1",
            "细则 Art. 23",
            "审批须由本案所在组织的、具有审批权限的基层党委作出（党总支、村/社区党委不能审批）"
                .into(),
            format!(
                "{step} must be decided by a committee with approval authority above the case's organization (a general branch or village/community committee never approves)"
            ),
            json!({ "organizationId": o.as_ref().map(|o| o.id), "kind": o.as_ref().map(|o| o.kind.clone()), "canApprove": o.as_ref().map(|o| o.can_approve), "isAncestor": o.as_ref().map(|o| o.is_ancestor_of_case) }),
        )),
    }
}

fn months_late(
    zh_what: &str,
    en_what: &str,
    rule_id: &'static str,
    source: &'static str,
    from: NaiveDate,
    on: NaiveDate,
    months: u32,
) -> Option<RuleWarning> {
    let due = add_months(from, months);
    (on > due).then(|| {
        let late = (on - due).num_days();
        rule(
            rule_id,
            source,
            format!("{zh_what}超过{months}个月（{from}起，应于{due}前，迟{late}天）"),
            format!("{en_what} later than {months} month(s): due by {due} (from {from}), {late} days late"),
            json!({ "from": from, "due": due, "on": on, "daysLate": late, "months": months }),
        )
    })
}

/// Checks one step on `on` against the case. Ok carries the warnings to record with it.
pub fn check_step(
    state: &CaseState,
    details: &StepDetails,
    on: NaiveDate,
    ctx: &StepContext,
    rules: &LocalRules,
) -> Result<Vec<RuleWarning>, RuleViolation> {
    use StepDetails::*;
    let name = details.name();
    let step = name.as_str();
    let mut warnings = vec![];
    if state.invalidated && !matches!(details, Invalidate { .. }) {
        return Err(rule(
            "I7",
            "local: town plan",
            "本案已被认定无效".into(),
            "this development was declared invalid".into(),
            json!({}),
        ));
    }
    match details {
        SubmitApplication { .. } => {
            if state.stage.is_some() {
                return Err(order(step, "a case without an application", "尚未递交申请"));
            }
            if let Some(born) = ctx.person.birth_date {
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
        }
        ApplicationTalk { .. } => {
            stage_is(state, &[Stage::Applicant], step)?;
            let applied = require(
                state.applied_on,
                step,
                "SUBMIT_APPLICATION",
                "递交入党申请书",
            )?;
            not_before(on, Some(applied), "application")?;
            warnings.extend(months_late(
                "谈话",
                "talk",
                "N2",
                "细则 Art. 7",
                applied,
                on,
                1,
            ));
        }
        DetermineActivist {
            recommendation,
            public_notice,
        } => {
            stage_is(state, &[Stage::Applicant], step)?;
            let talked = require(state.talked_on, step, "APPLICATION_TALK", "派人谈话")?;
            not_before(on, Some(talked), "talk")?;
            let applied = state.applied_on.unwrap_or(talked);
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
            if ctx.person.has_political_violation {
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
            }
            if let Some(born) = ctx.person.birth_date {
                let age = years_between(born, on);
                if ctx.person.is_league_member
                    && age as u32 <= rules.league_recommendation_max_age
                    && *recommendation == Recommendation::PartyMembers
                {
                    return Err(rule(
                        "N20",
                        "细则 Art. 8",
                        format!("{age}岁的共青团员须经团组织推优"),
                        format!(
                            "a Youth League member aged {age} (≤ {}) must be recommended through 推优",
                            rules.league_recommendation_max_age
                        ),
                        json!({ "age": age, "maxAge": rules.league_recommendation_max_age }),
                    ));
                }
            }
            check_notice(
                public_notice,
                rules,
                on,
                NoticeDecision::Activist,
                ctx.person.is_migrant,
            )?;
        }
        FileActivist { .. } => {
            stage_is(state, &[Stage::Activist], step)?;
            not_before(on, state.activist_on, "activist determination")?;
        }
        AssignContacts { contact_ids } => {
            stage_is(state, &[Stage::Activist, Stage::DevelopmentTarget], step)?;
            check_recusals(ctx, rules)?;
            let n = contact_ids.len() as u32;
            if n < rules.cultivation_contacts_min || n > 2 {
                return Err(rule(
                    "N6",
                    "细则; 流程图 step 5",
                    format!(
                        "培养联系人{n}名，须为{}至2名",
                        rules.cultivation_contacts_min
                    ),
                    format!(
                        "{n} cultivation contacts, {} to 2 required",
                        rules.cultivation_contacts_min
                    ),
                    json!({ "count": n, "min": rules.cultivation_contacts_min, "max": 2 }),
                ));
            }
            full_members(
                ctx,
                contact_ids,
                "cultivation contact",
                "培养联系人",
                "N6",
                "细则; 流程图 step 5",
                false,
            )?;
        }
        ActivistExamination { .. } => {
            stage_is(state, &[Stage::Activist], step)?;
            not_before(on, state.activist_on, "activist determination")?;
        }
        DetermineTarget {
            points,
            public_notice,
        } => {
            stage_is(state, &[Stage::Activist], step)?;
            let since = require(
                state.activist_on,
                step,
                "DETERMINE_ACTIVIST",
                "确定入党积极分子",
            )?;
            require(
                state.activist_filed_on,
                step,
                "FILE_ACTIVIST",
                "上级党委备案",
            )?;
            if state.contacts.is_empty() {
                return Err(order(step, "ASSIGN_CONTACTS", "指定培养联系人"));
            }
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
            let exams = state.examinations.iter().filter(|e| **e <= on).count() as u32;
            if exams < rules.min_examinations_before_target {
                return Err(rule(
                    "N5",
                    "细则 (每半年考察一次)",
                    format!(
                        "考察记录{exams}次，少于{}次",
                        rules.min_examinations_before_target
                    ),
                    format!(
                        "{exams} half-yearly examinations < {} required",
                        rules.min_examinations_before_target
                    ),
                    json!({ "examinations": exams, "required": rules.min_examinations_before_target }),
                ));
            }
            if let Some(min) = rules.min_points {
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
            check_notice(
                public_notice,
                rules,
                on,
                NoticeDecision::Target,
                ctx.person.is_migrant,
            )?;
        }
        FileTarget { .. } => {
            stage_is(state, &[Stage::DevelopmentTarget], step)?;
            not_before(on, state.target_on, "target determination")?;
        }
        AssignIntroducers { introducer_ids } => {
            stage_is(state, &[Stage::DevelopmentTarget], step)?;
            check_recusals(ctx, rules)?;
            let mut distinct = introducer_ids.clone();
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
            full_members(
                ctx,
                &distinct,
                "introducer",
                "入党介绍人",
                "N7",
                "党章 Art. 5; 细则",
                true,
            )?;
        }
        PoliticalReview {
            passed,
            household_opinion,
            residence_opinion,
            negative_list,
            ..
        } => {
            stage_is(state, &[Stage::DevelopmentTarget], step)?;
            // A review that passes despite a yes on the list is refused; a failed review is
            // recorded with its reasons (and blocks admission through I11).
            if let Some(yes) = negative_list.map(|l| l.yes_items())
                && !yes.is_empty()
                && *passed
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
            if negative_list.is_none() && rules.political_review_checklist_required {
                return Err(rule(
                    "I8",
                    "local: town plan (政治审查负面清单)",
                    "政治审查须逐项记录负面清单".into(),
                    "the political review must record each negative-list item (local rules)".into(),
                    json!({ "items": [] }),
                ));
            }
            if ctx.person.is_migrant && !(*household_opinion && *residence_opinion) {
                return Err(rule("PR1", "细则 (政治审查); DOMAIN §3.2 T3", "流动人员须征求户籍所在地和居住地基层党组织的意见".into(), "a migrant's political review needs the opinions of both the household-registration and the residence organizations".into(), json!({ "householdOpinion": household_opinion, "residenceOpinion": residence_opinion })));
            }
        }
        Training { days, hours, .. } => {
            stage_is(state, &[Stage::Activist, Stage::DevelopmentTarget], step)?;
            if *days < rules.training_min_days && *hours < rules.training_min_hours {
                return Err(rule(
                    "N8",
                    "细则 Art. 17",
                    format!(
                        "集中培训{days}天/{hours}学时，不足{}天或{}学时",
                        rules.training_min_days, rules.training_min_hours
                    ),
                    format!(
                        "training of {days} days / {hours} hours < {} days or {} hours required",
                        rules.training_min_days, rules.training_min_hours
                    ),
                    json!({ "days": days, "hours": hours, "minDays": rules.training_min_days, "minHours": rules.training_min_hours }),
                ));
            }
        }
        BranchCommitteeReview { .. } => {
            stage_is(state, &[Stage::DevelopmentTarget], step)?;
            require(state.target_filed_on, step, "FILE_TARGET", "报上级党委备案")?;
            if state.introducers.len() != 2 {
                return Err(order(step, "ASSIGN_INTRODUCERS", "确定入党介绍人"));
            }
            match state.political_review {
                Some((_, true)) => {}
                _ => {
                    return Err(rule(
                        "I11",
                        "细则",
                        "未经政治审查或政治审查不合格的，不能发展入党".into(),
                        "no admission without a passed political review".into(),
                        json!({ "politicalReview": state.political_review.map(|p| p.1) }),
                    ));
                }
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
        }
        PreReview {
            passed,
            form_number,
            ..
        } => {
            stage_is(state, &[Stage::DevelopmentTarget], step)?;
            let reviewed = require(
                state.committee_reviewed_on,
                step,
                "BRANCH_COMMITTEE_REVIEW",
                "支部委员会审查",
            )?;
            not_before(on, Some(reviewed), "branch committee review")?;
            match &ctx.organization {
                Some(o) if o.can_pre_review && o.is_ancestor_of_case => {}
                o => return Err(rule(
                    "A2",
                    "细则 Art. 19",
                    "预审须由本案上级具有预审权限的党委进行".into(),
                    "the pre-review must be done by a committee above the case that may pre-review"
                        .into(),
                    json!({ "organizationId": o.as_ref().map(|o| o.id), "canPreReview": o.as_ref().map(|o| o.can_pre_review) }),
                )),
            }
            if *passed && form_number.as_deref().is_none_or(|f| f.trim().is_empty()) {
                return Err(rule(
                    "I6",
                    "细则 Art. 19; local: town plan",
                    "预审通过须登记发放的入党志愿书编号".into(),
                    "a passed pre-review must record the number of the application form issued"
                        .into(),
                    json!({}),
                ));
            }
        }
        FillApplicationForm { form_number } => {
            stage_is(state, &[Stage::DevelopmentTarget], step)?;
            let (_, passed, issued) =
                require(state.pre_review.clone(), step, "PRE_REVIEW", "上级党委预审")?;
            if !passed || issued.as_deref() != Some(form_number.as_str()) {
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
        }
        AdmissionMeeting {
            vote,
            public_notice,
        } => {
            stage_is(state, &[Stage::DevelopmentTarget], step)?;
            require(
                state.form_number.clone(),
                step,
                "FILL_APPLICATION_FORM",
                "填写入党志愿书",
            )?;
            not_before(on, state.pre_review.as_ref().map(|p| p.0), "pre-review")?;
            if let Some(leaving) = ctx.person.expected_departure_on
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
            check_kinship(ctx, rules)?;
            warnings.extend(check_consultations(
                ctx,
                rules,
                crate::domain::consultation::ConsultationStage::Admission,
                on,
            )?);
            warnings.extend(recused_from_vote(ctx, rules));
            crate::domain::letter::check_admission_gate(
                ctx.migrant_in_two_new,
                ctx.agreed_development_letter,
                state.letter_override,
            )?;
            check_notice(
                public_notice,
                rules,
                on,
                NoticeDecision::Admission,
                ctx.person.is_migrant,
            )?;
            check_vote(vote)?;
        }
        IntermediateReview { .. } => {
            stage_is(state, &[Stage::DevelopmentTarget], step)?;
            let met = require(
                state.admission_meeting_on,
                step,
                "ADMISSION_MEETING",
                "支部大会讨论",
            )?;
            not_before(on, Some(met), "admission meeting")?;
            match &ctx.organization {
                Some(o) if o.is_ancestor_of_case && (o.kind == "GENERAL_BRANCH" || o.kind == "VILLAGE_COMMUNITY_COMMITTEE") => {}
                o => return Err(rule("A3", "细则 Art. 23", "审议由党总支或村/社区党委进行".into(), "the review (审议) is done by a general branch or village/community committee above the case".into(), json!({ "kind": o.as_ref().map(|o| o.kind.clone()) }))),
            }
        }
        PreApprovalTalk { .. } => {
            stage_is(state, &[Stage::DevelopmentTarget], step)?;
            let met = require(
                state.admission_meeting_on,
                step,
                "ADMISSION_MEETING",
                "支部大会讨论",
            )?;
            not_before(on, Some(met), "admission meeting")?;
        }
        AdmissionApproval { .. } => {
            stage_is(state, &[Stage::DevelopmentTarget], step)?;
            check_kinship(ctx, rules)?;
            let met = require(
                state.admission_meeting_on,
                step,
                "ADMISSION_MEETING",
                "支部大会讨论",
            )?;
            require(
                state.pre_approval_talk_on,
                step,
                "PRE_APPROVAL_TALK",
                "上级党委派人谈话",
            )?;
            if ctx.needs_intermediate_review
                && !matches!(state.intermediate_review, Some((_, true)))
            {
                return Err(rule(
                    "A3",
                    "细则 Art. 23",
                    "须先经党总支或村/社区党委审议同意".into(),
                    "the general branch or village/community committee must review and agree first"
                        .into(),
                    json!({ "intermediateReview": state.intermediate_review.map(|r| r.1) }),
                ));
            }
            approving_org(ctx, step)?;
            not_before(on, Some(met), "admission meeting")?;
            let limit = add_months(met, 6);
            if on > limit {
                let (m, d) = months_and_days(met, on);
                return Err(rule(
                    "N12",
                    "细则",
                    format!("支部大会后{m}个月{d}天才审批，超过六个月，须重新履行手续"),
                    format!("approval {m} months {d} days after the meeting > 6 months allowed"),
                    json!({ "months": m, "days": d, "maxMonths": 6, "meetingOn": met }),
                ));
            }
            warnings.extend(months_late("审批", "approval", "N12", "细则", met, on, 3));
        }
        FileAdmission { .. } | PlaceInBranch { .. } => {
            stage_is(
                state,
                &[Stage::Probationary, Stage::ExtendedProbation],
                step,
            )?;
            not_before(on, state.approved_on, "approval")?;
        }
        Oath { .. } => {
            stage_is(state, &[Stage::Probationary], step)?;
            let approved = require(
                state.approved_on,
                step,
                "ADMISSION_APPROVAL",
                "上级党委审批",
            )?;
            not_before(on, Some(approved), "approval")?;
            warnings.extend(months_late(
                "入党宣誓",
                "oath",
                "N13",
                "local: provincial education committee",
                approved,
                on,
                1,
            ));
        }
        ProbationReport { .. } | ConversionApplication { .. } => {
            stage_is(
                state,
                &[Stage::Probationary, Stage::ExtendedProbation],
                step,
            )?;
            not_before(on, state.approved_on, "approval")?;
        }
        ConversionMeeting {
            vote,
            outcome,
            extension_months,
            public_notice,
        } => {
            stage_is(
                state,
                &[Stage::Probationary, Stage::ExtendedProbation],
                step,
            )?;
            require(
                state.conversion_applied_on,
                step,
                "CONVERSION_APPLICATION",
                "提出转正申请",
            )?;
            let end = require(
                state.probation_end,
                step,
                "ADMISSION_APPROVAL",
                "上级党委审批",
            )?;
            if on < end && *outcome != ConversionOutcome::Cancel {
                let days = (end - on).num_days();
                return Err(rule(
                    "N14",
                    "党章 Art. 7; 细则 Art. 32",
                    format!("预备期至{end}届满，还差{days}天"),
                    format!("the probation ends on {end}, {days} days after this meeting"),
                    json!({ "probationEnd": end, "meetingOn": on, "daysShort": days }),
                ));
            }
            // Written consultations again before converting (not before a cancellation).
            if *outcome != ConversionOutcome::Cancel {
                warnings.extend(check_consultations(
                    ctx,
                    rules,
                    crate::domain::consultation::ConsultationStage::Conversion,
                    on,
                )?);
            }
            warnings.extend(recused_from_vote(ctx, rules));
            if *outcome == ConversionOutcome::Extend {
                let m = extension_months.unwrap_or(0);
                if state.extended || !(6..=12).contains(&m) {
                    return Err(rule(
                        "N15",
                        "细则 Art. 32",
                        format!("延长预备期只能一次，且为6至12个月（申请{m}个月）"),
                        format!(
                            "probation may be extended once, by 6 to 12 months (asked {m}, already extended: {})",
                            state.extended
                        ),
                        json!({ "months": m, "min": 6, "max": 12, "alreadyExtended": state.extended }),
                    ));
                }
            }
            check_notice(
                public_notice,
                rules,
                on,
                NoticeDecision::Conversion,
                ctx.person.is_migrant,
            )?;
            check_vote(vote)?;
        }
        ConversionApproval { .. } => {
            stage_is(
                state,
                &[Stage::Probationary, Stage::ExtendedProbation],
                step,
            )?;
            let (met, _, _) = require(
                state.conversion_meeting,
                step,
                "CONVERSION_MEETING",
                "支部大会讨论转正",
            )?;
            approving_org(ctx, step)?;
            not_before(on, Some(met), "conversion meeting")?;
            warnings.extend(months_late(
                "转正审批",
                "conversion approval",
                "N16",
                "细则",
                met,
                on,
                3,
            ));
        }
        Archive { .. } => {
            stage_is(state, &[Stage::FullMember], step)?;
            if state.archived_on.is_some() {
                return Err(order(step, "a case not yet archived", "尚未归档"));
            }
        }
        Transfer { .. } => {
            stage_is(
                state,
                &[Stage::Applicant, Stage::Activist, Stage::DevelopmentTarget],
                step,
            )?;
        }
        Drop { .. } => {
            stage_is(
                state,
                &[Stage::Applicant, Stage::Activist, Stage::DevelopmentTarget],
                step,
            )?;
        }
        LetterOverride { reason } => {
            stage_is(
                state,
                &[Stage::Applicant, Stage::Activist, Stage::DevelopmentTarget],
                step,
            )?;
            if reason.trim().is_empty() {
                return Err(rule(
                    "L1",
                    "local: street plan (村企联审)",
                    "豁免须记录理由".into(),
                    "an override needs a recorded reason".into(),
                    json!({}),
                ));
            }
        }
        Invalidate { .. } => {
            if state.invalidated {
                return Err(order(step, "a valid case", "有效案件"));
            }
        }
    }
    Ok(warnings)
}
