//! Request letters (函调 / 征求意见函, DOMAIN.md §5): kinds, the lifecycle, the reply deadline and
//! the computed decision.

use super::organization::string_enum;
use super::pipeline::dates::add_months;
use super::{DomainError, RuleViolation};
use chrono::{Datelike, NaiveDate, Weekday};
use serde_json::json;

string_enum! {
    /// Why a letter is sent.
    LetterKind {
        /// 征求意见函: an inflow two-new organization asks the outflow organization before
        /// developing a migrant (村企联审).
        DevelopmentOpinion = "DEVELOPMENT_OPINION",
        /// 政审函调: political review, to the household-registration or residence organization.
        PoliticalReview = "POLITICAL_REVIEW",
        /// 亲属政审函调: to the organization of a parent's or spouse's unit.
        RelativeReview = "RELATIVE_REVIEW",
        /// 积极分子转接: handing over an activist's cultivation materials.
        ActivistTransfer = "ACTIVIST_TRANSFER",
    }
}

string_enum! {
    /// Where a letter is in its lifecycle (OVERDUE is derived: received, unanswered, past due).
    LetterStatus {
        Draft = "DRAFT",
        Sent = "SENT",
        Received = "RECEIVED",
        Replied = "REPLIED",
        Withdrawn = "WITHDRAWN",
    }
}

string_enum! {
    /// The receiving body that voted.
    VotingBody {
        /// 支部委员会: the denominator is the committee members expected.
        BranchCommittee = "BRANCH_COMMITTEE",
        /// 党员大会: the denominator is the voting full members expected.
        GeneralMeeting = "GENERAL_MEETING",
    }
}

string_enum! {
    /// The receiver's answer.
    LetterDecision {
        Agreed = "AGREED",
        Disagreed = "DISAGREED",
    }
}

/// The last day to reply: `days` after receipt, calendar days by default, or working days
/// (Monday–Friday) where the receiving subtree's local rules say so.
pub fn due_date(received_on: NaiveDate, days: u32, working_days: bool) -> NaiveDate {
    if !working_days {
        return received_on + chrono::Duration::days(i64::from(days));
    }
    let mut d = received_on;
    let mut left = days;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

/// Whether a received letter without a reply is overdue on `as_of`.
pub fn is_overdue(status: LetterStatus, due_on: Option<NaiveDate>, as_of: NaiveDate) -> bool {
    status == LetterStatus::Received && due_on.is_some_and(|d| as_of > d)
}

/// The votes of the receiving body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LetterVote {
    pub expected: u32,
    pub present: u32,
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

/// The decision, computed: agreed when yes × 2 > expected (the denominator is those expected to
/// attend, not those present); the counts must be consistent.
pub fn decide(v: &LetterVote) -> Result<LetterDecision, DomainError> {
    if v.expected == 0 || v.present > v.expected || v.yes + v.no + v.abstain > v.present {
        return Err(DomainError::invalid(
            "vote",
            "表决人数不一致：应到人数须大于0，到会人数不超过应到人数，票数之和不超过到会人数",
            "inconsistent vote: expected > 0, present ≤ expected, yes + no + abstain ≤ present",
        ));
    }
    Ok(if v.yes * 2 > v.expected {
        LetterDecision::Agreed
    } else {
        LetterDecision::Disagreed
    })
}

string_enum! {
    /// What happened to a letter, for subscribers.
    LetterEventKind {
        Received = "RECEIVED",
        Replied = "REPLIED",
        Overdue = "OVERDUE",
        Withdrawn = "WITHDRAWN",
    }
}

string_enum! {
    /// What happened to a report, for the reporting organization's subscribers.
    ReportEventKind {
        Returned = "RETURNED",
        Accepted = "ACCEPTED",
    }
}

/// Checks that a transition is allowed from `status`; a refusal is a state conflict.
pub fn check_transition(status: LetterStatus, to: LetterStatus) -> Result<(), String> {
    use LetterStatus::*;
    let ok = matches!(
        (status, to),
        (Draft, Sent)
            | (Sent, Received)
            | (Received, Replied)
            | (Draft | Sent | Received, Withdrawn)
    );
    if ok {
        Ok(())
    } else {
        Err(format!(
            "a {} letter cannot become {}",
            status.as_str(),
            to.as_str()
        ))
    }
}

/// The admission gate (村企联审): a migrant developed in a two-new organization needs a
/// development-opinion letter agreed by the person's own outflow or residence organization (a
/// letter answered by any other receiver does not count), or an APPROVER's recorded override
/// (rule `L1`).
pub fn check_admission_gate(
    migrant_in_two_new: bool,
    agreed_letter: bool,
    overridden: bool,
) -> Result<(), RuleViolation> {
    if migrant_in_two_new && !agreed_letter && !overridden {
        return Err(RuleViolation {
            rule: "L1",
            source: "local: street plan (村企联审)",
            message_zh: "两新组织发展流动人员，须先取得其本人流出地或居住地党组织同意的征求意见回函".into(),
            message_en: "a two-new organization developing a migrant needs the agreement of the person's own outflow or residence organization (development-opinion letter) first".into(),
            details: json!({ "agreedLetter": agreed_letter, "override": overridden }),
        });
    }
    Ok(())
}

/// A sensible requested reply date: not before sending, not more than 3 months after.
pub fn check_requested_reply(
    sent_or_created: NaiveDate,
    requested: Option<NaiveDate>,
) -> Result<(), DomainError> {
    match requested {
        Some(r) if r < sent_or_created || r > add_months(sent_or_created, 3) => {
            Err(DomainError::invalid(
                "requestedReplyOn",
                "要求回复日期须在发函后三个月内",
                "the requested reply date must fall within 3 months after the letter",
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn due_dates_cross_month_and_year_ends() {
        assert_eq!(due_date(d("2023-04-03"), 15, false), d("2023-04-18"));
        assert_eq!(due_date(d("2025-01-20"), 15, false), d("2025-02-04"));
        assert_eq!(due_date(d("2025-12-20"), 15, false), d("2026-01-04"));
        // Working days: Friday 2025-06-06 + 5 working days = Friday 2025-06-13.
        assert_eq!(due_date(d("2025-06-06"), 5, true), d("2025-06-13"));
    }

    #[test]
    fn agreement_needs_more_than_half_of_those_expected() {
        let v = |yes| LetterVote {
            expected: 16,
            present: 12,
            yes,
            no: 12 - yes,
            abstain: 0,
        };
        assert_eq!(decide(&v(8)).unwrap(), LetterDecision::Disagreed);
        assert_eq!(decide(&v(9)).unwrap(), LetterDecision::Agreed);
        assert!(
            decide(&LetterVote {
                expected: 5,
                present: 6,
                yes: 3,
                no: 0,
                abstain: 0
            })
            .is_err()
        );
    }

    #[test]
    fn overdue_only_after_the_due_date_without_reply() {
        assert!(!is_overdue(
            LetterStatus::Received,
            Some(d("2023-04-18")),
            d("2023-04-18")
        ));
        assert!(is_overdue(
            LetterStatus::Received,
            Some(d("2023-04-18")),
            d("2023-04-19")
        ));
        assert!(!is_overdue(
            LetterStatus::Replied,
            Some(d("2023-04-18")),
            d("2023-05-01")
        ));
    }

    #[test]
    fn the_lifecycle_allows_only_forward_steps_and_withdrawal_before_a_reply() {
        assert!(check_transition(LetterStatus::Draft, LetterStatus::Sent).is_ok());
        assert!(check_transition(LetterStatus::Received, LetterStatus::Withdrawn).is_ok());
        assert!(check_transition(LetterStatus::Replied, LetterStatus::Withdrawn).is_err());
        assert!(check_transition(LetterStatus::Draft, LetterStatus::Replied).is_err());
    }

    #[test]
    fn the_admission_gate() {
        assert!(check_admission_gate(true, false, false).is_err());
        assert!(check_admission_gate(true, true, false).is_ok());
        assert!(check_admission_gate(true, false, true).is_ok());
        assert!(check_admission_gate(false, false, false).is_ok());
    }
}
