//! What is due or overdue on a case (talks, examinations, eligibility, approvals, oath,
//! conversion, extension), from the dates kept on the case.

use super::dates::add_months;
use super::model::Stage;
use chrono::NaiveDate;

/// The dates of a case that alerts look at.
#[derive(Debug, Clone, Default)]
pub struct CaseDates {
    pub stage: Option<Stage>,
    pub applied_on: Option<NaiveDate>,
    pub talked_on: Option<NaiveDate>,
    pub activist_on: Option<NaiveDate>,
    pub last_examination_on: Option<NaiveDate>,
    pub target_on: Option<NaiveDate>,
    pub admission_meeting_on: Option<NaiveDate>,
    pub approved_on: Option<NaiveDate>,
    pub oath_on: Option<NaiveDate>,
    pub probation_end_on: Option<NaiveDate>,
    pub conversion_meeting_on: Option<NaiveDate>,
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// N2: talk within a month of the application.
    TalkDue,
    /// N5: activist examination every half year.
    ExaminationDue,
    /// N4: a year of cultivation completed; may become a development target.
    EligibleForTarget,
    /// N12: approval within 3 months of the admission meeting.
    ApprovalDue,
    /// N13: oath within a month of approval.
    OathDue,
    /// N14: probation ends; the branch must discuss conversion.
    ConversionDue,
    /// N15: an extended probation ends.
    ExtensionEnding,
    /// §5: a received letter must be answered (15 days by default).
    LetterReplyDue,
    /// I5: a department consulted about the case has not answered (the letters' window).
    ConsultationAnswerDue,
}

/// The alerts of one case with their due dates.
pub fn due(c: &CaseDates) -> Vec<(AlertKind, NaiveDate)> {
    let mut out = vec![];
    match c.stage {
        Some(Stage::Applicant) => {
            if let (Some(applied), None) = (c.applied_on, c.talked_on) {
                out.push((AlertKind::TalkDue, add_months(applied, 1)));
            }
        }
        Some(Stage::Activist) => {
            if let Some(since) = c.activist_on {
                let last = c.last_examination_on.unwrap_or(since).max(since);
                out.push((AlertKind::ExaminationDue, add_months(last, 6)));
                out.push((AlertKind::EligibleForTarget, add_months(since, 12)));
            }
        }
        Some(Stage::DevelopmentTarget) => {
            if let Some(met) = c.admission_meeting_on {
                out.push((AlertKind::ApprovalDue, add_months(met, 3)));
            }
        }
        Some(Stage::Probationary) => {
            if let (Some(approved), None) = (c.approved_on, c.oath_on) {
                out.push((AlertKind::OathDue, add_months(approved, 1)));
            }
            if let (Some(end), None) = (c.probation_end_on, c.conversion_meeting_on) {
                out.push((AlertKind::ConversionDue, end));
            }
        }
        Some(Stage::ExtendedProbation) => {
            if let Some(end) = c.probation_end_on {
                out.push((AlertKind::ExtensionEnding, end));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_applicant_without_a_talk_is_due_a_month_after_applying() {
        let c = CaseDates {
            stage: Some(Stage::Applicant),
            applied_on: Some(d("2025-01-31")),
            ..Default::default()
        };
        assert_eq!(due(&c), vec![(AlertKind::TalkDue, d("2025-02-28"))]);
        let talked = CaseDates {
            talked_on: Some(d("2025-02-10")),
            ..c
        };
        assert!(due(&talked).is_empty());
    }

    #[test]
    fn activists_are_due_an_examination_and_become_eligible_after_a_year() {
        let c = CaseDates {
            stage: Some(Stage::Activist),
            activist_on: Some(d("2025-03-01")),
            last_examination_on: Some(d("2025-09-01")),
            ..Default::default()
        };
        assert_eq!(
            due(&c),
            vec![
                (AlertKind::ExaminationDue, d("2026-03-01")),
                (AlertKind::EligibleForTarget, d("2026-03-01"))
            ]
        );
    }

    #[test]
    fn probationers_are_due_an_oath_and_their_conversion() {
        let c = CaseDates {
            stage: Some(Stage::Probationary),
            approved_on: Some(d("2025-12-15")),
            probation_end_on: Some(d("2026-11-21")),
            ..Default::default()
        };
        assert_eq!(
            due(&c),
            vec![
                (AlertKind::OathDue, d("2026-01-15")),
                (AlertKind::ConversionDue, d("2026-11-21"))
            ]
        );
    }
}
