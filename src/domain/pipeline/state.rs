//! The state of a case, folded from its events (全程纪实). Corrections replace the event they
//! correct; nothing is ever edited.

use super::dates::add_months;
use super::model::{ConversionOutcome, Stage, StepDetails};
use crate::domain::DomainError;
use chrono::NaiveDate;
use std::collections::HashMap;

/// One recorded step, as the fold sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedStep {
    pub id: i64,
    pub occurred_on: NaiveDate,
    pub details: StepDetails,
    /// The event this one corrects.
    pub corrects: Option<i64>,
}

/// What the events of one case establish.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseState {
    pub stage: Option<Stage>,
    pub organization_id: Option<i64>,
    pub applied_on: Option<NaiveDate>,
    pub talked_on: Option<NaiveDate>,
    pub activist_on: Option<NaiveDate>,
    pub activist_filed_on: Option<NaiveDate>,
    pub contacts: Vec<i64>,
    pub examinations: Vec<NaiveDate>,
    pub target_on: Option<NaiveDate>,
    pub target_filed_on: Option<NaiveDate>,
    pub introducers: Vec<i64>,
    pub political_review: Option<(NaiveDate, bool)>,
    pub training_on: Option<NaiveDate>,
    pub committee_reviewed_on: Option<NaiveDate>,
    pub pre_review: Option<(NaiveDate, bool, Option<String>)>,
    pub form_number: Option<String>,
    pub admission_meeting_on: Option<NaiveDate>,
    pub intermediate_review: Option<(NaiveDate, bool)>,
    pub pre_approval_talk_on: Option<NaiveDate>,
    pub approved_on: Option<NaiveDate>,
    pub probation_end: Option<NaiveDate>,
    pub admission_filed_on: Option<NaiveDate>,
    pub placed_on: Option<NaiveDate>,
    pub oath_on: Option<NaiveDate>,
    pub probation_reports: Vec<NaiveDate>,
    pub conversion_applied_on: Option<NaiveDate>,
    pub conversion_meeting: Option<(NaiveDate, ConversionOutcome, Option<u32>)>,
    pub extended: bool,
    pub converted_on: Option<NaiveDate>,
    pub archived_on: Option<NaiveDate>,
    pub invalidated: bool,
    pub letter_override: bool,
}

impl CaseState {
    /// Folds events in the order they happened; a correction takes the place of the event it
    /// corrects.
    pub fn fold(events: &[RecordedStep]) -> CaseState {
        let mut replaced: HashMap<i64, &RecordedStep> = HashMap::new();
        for e in events {
            if let Some(target) = e.corrects {
                replaced.insert(target, e);
            }
        }
        let mut effective: Vec<&RecordedStep> = events
            .iter()
            .filter(|e| e.corrects.is_none())
            .map(|e| latest(e, &replaced))
            .collect();
        effective.sort_by_key(|e| (e.occurred_on, e.corrects.unwrap_or(e.id)));
        let mut s = CaseState::default();
        for e in effective {
            s.apply(e.occurred_on, &e.details);
        }
        s
    }

    /// Applies one step that has passed its checks.
    pub fn apply(&mut self, on: NaiveDate, details: &StepDetails) {
        use StepDetails::*;
        match details {
            SubmitApplication { organization_id } => {
                self.stage = Some(Stage::Applicant);
                self.organization_id = Some(*organization_id);
                self.applied_on = Some(on);
            }
            ApplicationTalk { .. } => self.talked_on = Some(on),
            DetermineActivist { .. } => {
                self.stage = Some(Stage::Activist);
                self.activist_on = Some(on);
            }
            FileActivist { .. } => self.activist_filed_on = Some(on),
            AssignContacts { contact_ids } => self.contacts = contact_ids.clone(),
            ActivistExamination { .. } => self.examinations.push(on),
            DetermineTarget { .. } => {
                self.stage = Some(Stage::DevelopmentTarget);
                self.target_on = Some(on);
            }
            FileTarget { .. } => self.target_filed_on = Some(on),
            AssignIntroducers { introducer_ids } => self.introducers = introducer_ids.clone(),
            PoliticalReview { passed, .. } => self.political_review = Some((on, *passed)),
            Training { .. } => self.training_on = Some(on),
            BranchCommitteeReview { .. } => self.committee_reviewed_on = Some(on),
            PreReview {
                passed,
                form_number,
                ..
            } => self.pre_review = Some((on, *passed, form_number.clone())),
            FillApplicationForm { form_number } => self.form_number = Some(form_number.clone()),
            AdmissionMeeting { .. } => self.admission_meeting_on = Some(on),
            IntermediateReview { agreed, .. } => self.intermediate_review = Some((on, *agreed)),
            PreApprovalTalk { .. } => self.pre_approval_talk_on = Some(on),
            AdmissionApproval { .. } => {
                self.stage = Some(Stage::Probationary);
                self.approved_on = Some(on);
                self.probation_end = self.admission_meeting_on.map(|m| add_months(m, 12));
            }
            FileAdmission { .. } => self.admission_filed_on = Some(on),
            PlaceInBranch { .. } => self.placed_on = Some(on),
            Oath { .. } => self.oath_on = Some(on),
            ProbationReport { .. } => self.probation_reports.push(on),
            ConversionApplication { .. } => self.conversion_applied_on = Some(on),
            ConversionMeeting {
                outcome,
                extension_months,
                ..
            } => {
                self.conversion_meeting = Some((on, *outcome, *extension_months));
            }
            ConversionApproval { .. } => match self.conversion_meeting {
                Some((_, ConversionOutcome::Convert, _)) => {
                    self.stage = Some(Stage::FullMember);
                    self.converted_on = self.probation_end;
                }
                Some((_, ConversionOutcome::Extend, months)) => {
                    self.stage = Some(Stage::ExtendedProbation);
                    self.extended = true;
                    self.probation_end = self
                        .probation_end
                        .map(|e| add_months(e, months.unwrap_or(6)));
                    self.conversion_applied_on = None;
                    self.conversion_meeting = None;
                }
                Some((_, ConversionOutcome::Cancel, _)) => self.stage = Some(Stage::Cancelled),
                None => {}
            },
            Archive { .. } => self.archived_on = Some(on),
            Transfer {
                to_organization_id, ..
            } => self.organization_id = Some(*to_organization_id),
            Drop { .. } => self.stage = Some(Stage::Dropped),
            Invalidate { .. } => self.invalidated = true,
            LetterOverride { .. } => self.letter_override = true,
        }
    }
}

/// Why a correction cannot be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionError {
    /// The event to correct is not one of the case's.
    NotInCase,
    /// The correction records another step than the event it corrects.
    OtherStep,
}

/// The state a correction of event `target` with `details` is checked against: the case as it
/// stood before the corrected event (the earlier original events, without the corrected one and
/// without corrections).
pub fn state_before_correction(
    events: &[RecordedStep],
    target: i64,
    details: &StepDetails,
) -> Result<CaseState, CorrectionError> {
    let corrected = events
        .iter()
        .find(|e| e.id == target)
        .ok_or(CorrectionError::NotInCase)?;
    if !corrected.details.same_step(details) {
        return Err(CorrectionError::OtherStep);
    }
    let before: Vec<RecordedStep> = events
        .iter()
        .filter(|e| {
            (e.occurred_on, e.id) < (corrected.occurred_on, corrected.id)
                && e.id != target
                && e.corrects.is_none()
        })
        .cloned()
        .collect();
    Ok(CaseState::fold(&before))
}

/// The note a correction is recorded with: its reason, which must be given.
pub fn correction_note(reason: &str) -> Result<String, DomainError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DomainError::invalid(
            "reason",
            "更正须说明理由",
            "a correction needs a reason",
        ));
    }
    Ok(format!("更正 / correction: {reason}"))
}

fn latest<'a>(e: &'a RecordedStep, replaced: &HashMap<i64, &'a RecordedStep>) -> &'a RecordedStep {
    let mut cur = e;
    let mut seen = 0;
    while let Some(next) = replaced.get(&cur.id) {
        cur = next;
        seen += 1;
        if seen > 64 {
            break;
        }
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_correction_replaces_the_event_it_corrects() {
        let events = vec![
            RecordedStep {
                id: 1,
                occurred_on: d("2024-01-05"),
                details: StepDetails::SubmitApplication { organization_id: 9 },
                corrects: None,
            },
            RecordedStep {
                id: 2,
                occurred_on: d("2024-03-01"),
                details: StepDetails::DetermineActivist {
                    recommendation: super::super::model::Recommendation::PartyMembers,
                    public_notice: None,
                },
                corrects: None,
            },
            RecordedStep {
                id: 3,
                occurred_on: d("2024-02-20"),
                details: StepDetails::DetermineActivist {
                    recommendation: super::super::model::Recommendation::PartyMembers,
                    public_notice: None,
                },
                corrects: Some(2),
            },
        ];
        let s = CaseState::fold(&events);
        assert_eq!(s.stage, Some(Stage::Activist));
        assert_eq!(s.activist_on, Some(d("2024-02-20")));
        assert_eq!(s.organization_id, Some(9));
    }

    #[test]
    fn a_correction_is_checked_against_the_state_before_the_event_it_corrects() {
        let submit = |id, on| RecordedStep {
            id,
            occurred_on: d(on),
            details: StepDetails::SubmitApplication { organization_id: 9 },
            corrects: None,
        };
        let talk = |id, on, corrects| RecordedStep {
            id,
            occurred_on: d(on),
            details: StepDetails::ApplicationTalk {
                talker: "书记".into(),
            },
            corrects,
        };
        let events = vec![
            submit(1, "2024-01-05"),
            talk(2, "2024-01-20", None),
            talk(3, "2024-01-25", Some(2)),
            talk(4, "2024-02-01", None),
        ];
        let talk_again = StepDetails::ApplicationTalk {
            talker: "委员".into(),
        };
        let base = state_before_correction(&events, 4, &talk_again).unwrap();
        // The earlier original talk counts; its correction and the corrected event do not.
        assert_eq!(base.talked_on, Some(d("2024-01-20")));
        assert_eq!(base.applied_on, Some(d("2024-01-05")));
        let base = state_before_correction(&events, 2, &talk_again).unwrap();
        assert_eq!(base.talked_on, None);
        assert_eq!(
            state_before_correction(&events, 99, &talk_again),
            Err(CorrectionError::NotInCase)
        );
        assert_eq!(
            state_before_correction(&events, 1, &talk_again),
            Err(CorrectionError::OtherStep)
        );
    }

    #[test]
    fn a_correction_needs_a_reason() {
        assert_eq!(
            correction_note("  日期录错 ").unwrap(),
            "更正 / correction: 日期录错"
        );
        assert!(matches!(
            correction_note(" \t"),
            Err(DomainError::InvalidInput {
                field: "reason",
                ..
            })
        ));
    }
}
