//! Reports to higher levels: their periods, their statuses and the rules over them (which
//! status a submission leads to, when a report is late).

use super::organization::string_enum;
use chrono::NaiveDate;

string_enum! {
    /// A report period.
    ReportPeriod {
        /// First half (上半年).
        H1 = "H1",
        /// The year (年报).
        Annual = "ANNUAL",
        Q1 = "Q1",
        Q2 = "Q2",
        Q3 = "Q3",
        Q4 = "Q4",
    }
}

string_enum! {
    /// Where a report is.
    ReportStatus {
        /// Saved, not submitted.
        Draft = "DRAFT",
        /// Submitted, awaiting review.
        Submitted = "SUBMITTED",
        /// Returned by the collecting level, with a reason.
        Returned = "RETURNED",
        /// Submitted again after a return.
        Resubmitted = "RESUBMITTED",
        /// Accepted: locked.
        Accepted = "ACCEPTED",
    }
}

impl ReportStatus {
    /// Submitted and not yet reviewed.
    pub fn awaits_review(self) -> bool {
        matches!(self, ReportStatus::Submitted | ReportStatus::Resubmitted)
    }
}

/// Why a report cannot be saved or submitted again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locked {
    /// Accepted: locked for good.
    Accepted,
    /// Submitted: it awaits the collecting level's review.
    AwaitingReview,
}

/// The status a save (`draft`) or a submission leads to from the current one (none: a new
/// report).
pub fn next_status(current: Option<ReportStatus>, draft: bool) -> Result<ReportStatus, Locked> {
    match (current, draft) {
        (Some(ReportStatus::Accepted), _) => Err(Locked::Accepted),
        (Some(s), _) if s.awaits_review() => Err(Locked::AwaitingReview),
        (None, true) => Ok(ReportStatus::Draft),
        (Some(s), true) => Ok(s),
        (Some(ReportStatus::Returned), false) => Ok(ReportStatus::Resubmitted),
        (_, false) => Ok(ReportStatus::Submitted),
    }
}

/// Whether a report is late against its due date: submitted after it, or not submitted (none
/// or a draft) and the day asked about is past it. Without a due date nothing is late.
pub fn is_late(
    due_on: Option<NaiveDate>,
    status: Option<ReportStatus>,
    submitted_on: Option<NaiveDate>,
    as_of: NaiveDate,
) -> bool {
    let submitted = status.is_some_and(|s| s != ReportStatus::Draft);
    match (due_on, submitted_on, submitted) {
        (Some(d), Some(s), true) => s > d,
        (Some(d), _, false) => as_of > d,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReportStatus::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_submission_moves_the_status_on_and_an_accepted_or_pending_report_is_locked() {
        assert_eq!(next_status(None, true), Ok(Draft));
        assert_eq!(next_status(None, false), Ok(Submitted));
        assert_eq!(next_status(Some(Draft), false), Ok(Submitted));
        assert_eq!(next_status(Some(Returned), true), Ok(Returned));
        assert_eq!(next_status(Some(Returned), false), Ok(Resubmitted));
        assert_eq!(next_status(Some(Accepted), true), Err(Locked::Accepted));
        assert_eq!(
            next_status(Some(Resubmitted), false),
            Err(Locked::AwaitingReview)
        );
    }

    #[test]
    fn late_is_submitted_after_the_due_date_or_still_missing_after_it() {
        let due = Some(d("2025-06-25"));
        let on = d("2025-07-01");
        assert!(is_late(due, Some(Submitted), Some(d("2025-06-26")), on));
        assert!(!is_late(due, Some(Submitted), Some(d("2025-06-25")), on));
        assert!(is_late(due, None, None, on));
        assert!(is_late(due, Some(Draft), None, on));
        assert!(!is_late(due, None, None, d("2025-06-25")));
        assert!(!is_late(None, None, None, on));
    }
}
