//! Preconditions of every step: pure functions of the case state, the step, the people and
//! organizations it names, and the local rules. A refusal names its rule, source and numbers; a
//! warning (late talk, late approval…) is recorded and reported, not refused.
//!
//! [`check_step`] dispatches each step to its stage's module: `application` (steps 1–3),
//! `activist` (4–7), `target` (8–14), `admission` (15–17) and `probation` (18–25); the steps
//! that manage a case (transfer, drop, override, invalidate) are checked here.

mod activist;
mod admission;
mod application;
mod common;
mod notice;
mod probation;
mod target;

pub use notice::{NoticeDecision, check_notice, check_vote};

use super::model::StepDetails;
use super::rules::LocalRules;
use super::state::CaseState;
use crate::domain::RuleViolation;
use crate::domain::organization::OrganizationKind;
use chrono::NaiveDate;
use common::{Check, Checked, rule};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A non-blocking finding recorded with the step.
pub type RuleWarning = RuleViolation;

/// A warning as recorded with its step and read back (owned, so it outlives the check). The
/// fields stand in the order of their stored names, as the stored JSON has always had them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedWarning {
    /// The numbers, as a JSON object.
    #[serde(default)]
    pub details: serde_json::Value,
    #[serde(default)]
    pub message_en: String,
    #[serde(default)]
    pub message_zh: String,
    /// The rule id, e.g. `N12`.
    #[serde(default)]
    pub rule: String,
    /// Where the rule comes from.
    #[serde(default)]
    pub source: String,
}

impl From<RuleWarning> for RecordedWarning {
    fn from(w: RuleWarning) -> Self {
        RecordedWarning {
            details: w.details,
            message_en: w.message_en,
            message_zh: w.message_zh,
            rule: w.rule.into(),
            source: w.source.into(),
        }
    }
}

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
    pub kind: OrganizationKind,
    pub can_approve: bool,
    pub can_pre_review: bool,
    /// Whether it lies on the path from the root to the case's organization.
    pub is_ancestor_of_case: bool,
}

/// Everything a check may look at besides the state and the step.
#[derive(Debug, Clone, Default)]
pub struct StepContext {
    /// Today, in China Standard Time (`clock::today`): no step is dated after it (P3). Left at
    /// its default (1970-01-01), every step is refused, so a caller cannot forget it silently.
    pub today: NaiveDate,
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

/// The earliest date the service records (people born, steps taken).
pub const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();

/// P3: a step records what happened, so it is dated between 1900-01-01 and today.
pub fn recorded_date(on: NaiveDate, today: NaiveDate) -> Result<(), RuleViolation> {
    if (EARLIEST_DATE..=today).contains(&on) {
        return Ok(());
    }
    Err(rule(
        "P3",
        "全程纪实",
        format!("日期{on}须在1900-01-01至今天（{today}）之间"),
        format!("the date {on} must be between 1900-01-01 and today ({today})"),
        json!({ "date": on, "earliest": EARLIEST_DATE, "today": today }),
    ))
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
    if state.invalidated && !matches!(details, Invalidate { .. }) {
        return Err(rule(
            "I7",
            "local: town plan",
            "本案已被认定无效".into(),
            "this development was declared invalid".into(),
            json!({}),
        ));
    }
    recorded_date(on, ctx.today)?;
    let name = details.name();
    let c = Check {
        state,
        on,
        ctx,
        rules,
        step: &name,
    };
    match details {
        SubmitApplication { .. } => application::submit(&c),
        ApplicationTalk { .. } => application::talk(&c),
        DetermineActivist {
            recommendation,
            public_notice,
        } => application::determine_activist(&c, *recommendation, public_notice),
        FileActivist { .. } | ActivistExamination { .. } => activist::after_determination(&c),
        AssignContacts { contact_ids } => activist::assign_contacts(&c, contact_ids),
        DetermineTarget {
            points,
            public_notice,
        } => activist::determine_target(&c, *points, public_notice),
        FileTarget { .. } => target::file(&c),
        AssignIntroducers { introducer_ids } => target::assign_introducers(&c, introducer_ids),
        PoliticalReview {
            passed,
            household_opinion,
            residence_opinion,
            negative_list,
            ..
        } => target::political_review(
            &c,
            *passed,
            (*household_opinion, *residence_opinion),
            negative_list,
        ),
        Training { days, hours, .. } => target::training(&c, *days, *hours),
        BranchCommitteeReview { .. } => target::branch_committee_review(&c),
        PreReview {
            passed,
            form_number,
            ..
        } => target::pre_review(&c, *passed, form_number),
        FillApplicationForm { form_number } => target::fill_application_form(&c, form_number),
        AdmissionMeeting {
            vote,
            public_notice,
        } => admission::meeting(&c, vote, public_notice),
        IntermediateReview { .. } => admission::intermediate_review(&c),
        PreApprovalTalk { .. } => admission::pre_approval_talk(&c),
        AdmissionApproval { .. } => admission::approval(&c),
        FileAdmission { .. }
        | PlaceInBranch { .. }
        | ProbationReport { .. }
        | ConversionApplication { .. } => probation::after_approval(&c),
        Oath { .. } => probation::oath(&c),
        ConversionMeeting {
            vote,
            outcome,
            extension_months,
            public_notice,
        } => probation::conversion_meeting(&c, vote, *outcome, *extension_months, public_notice),
        ConversionApproval { .. } => probation::conversion_approval(&c),
        Archive { .. } => probation::archive(&c),
        Transfer { .. } | Drop { .. } => c.pre_member().map(|()| vec![]),
        LetterOverride { reason } => letter_override(&c, reason),
        Invalidate { .. } => invalidate(&c),
    }
}

/// L1: an override of the letter gate, before admission, with a recorded reason.
fn letter_override(c: &Check, reason: &str) -> Checked {
    c.pre_member()?;
    if reason.trim().is_empty() {
        return Err(rule(
            "L1",
            "local: street plan (村企联审)",
            "豁免须记录理由".into(),
            "an override needs a recorded reason".into(),
            json!({}),
        ));
    }
    Ok(vec![])
}

/// I7: a case is declared invalid once.
fn invalidate(c: &Check) -> Checked {
    if c.state.invalidated {
        return Err(c.order("a valid case", "有效案件"));
    }
    Ok(vec![])
}
