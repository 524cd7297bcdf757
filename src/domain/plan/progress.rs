//! Progress through the plan year, month by month: each plan's (and allocation row's) status at
//! its completion month (完成时限), and the first half-year against `firstHalf`.

use chrono::{Datelike, NaiveDate};

/// Admissions per month of the plan year (index 0 = January), counted up to the day asked about.
pub type Monthly = [u32; 12];

/// How many months of the plan year have ended on a day: a month has ended once its last day
/// is over (on 1 July, six), 12 once the year is over.
pub fn months_ended(year: i32, as_of: NaiveDate) -> u32 {
    match as_of.year().cmp(&year) {
        std::cmp::Ordering::Greater => 12,
        std::cmp::Ordering::Less => 0,
        std::cmp::Ordering::Equal => as_of.month() - 1,
    }
}

/// Admissions by the end of month `m` (1–12).
pub fn cumulative(monthly: &Monthly, m: u32) -> u32 {
    monthly.iter().take(m.min(12) as usize).sum()
}

/// Planned and admitted by the end of one month of the plan year, cumulative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthTotals {
    /// 1–12.
    pub month: u32,
    /// What the plans due by the end of the month add up to.
    pub planned: u32,
    /// Admitted by the end of the month.
    pub admitted: u32,
}

/// The plan year month by month: `planned` lists each plan (or allocation row) as its
/// completion month and its total.
pub fn by_month(planned: &[(u32, u32)], monthly: &Monthly) -> Vec<MonthTotals> {
    (1..=12u32)
        .map(|month| MonthTotals {
            month,
            planned: planned
                .iter()
                .filter(|(due, _)| *due <= month)
                .map(|(_, n)| n)
                .sum(),
            admitted: cumulative(monthly, month),
        })
        .collect()
}

/// Where a plan stands at its completion month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionState {
    /// The month has not ended and the plan is not yet met.
    Pending,
    /// Met by the end of the completion month.
    MetOnTime,
    /// Met, but after the completion month.
    MetLate,
    /// The month has ended and the plan is still not met.
    Unmet,
}

impl CompletionState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CompletionState::Pending => "PENDING",
            CompletionState::MetOnTime => "MET_ON_TIME",
            CompletionState::MetLate => "MET_LATE",
            CompletionState::Unmet => "UNMET",
        }
    }
}

/// A plan's (or row's) status at its completion month, with the numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub state: CompletionState,
    /// The completion month (1–12; the year's end when the document gives none).
    pub deadline_month: u32,
    pub planned: u32,
    /// Admitted by the end of the completion month.
    pub admitted_by_deadline: u32,
    /// Admitted up to the day asked about.
    pub admitted: u32,
    /// The month the cumulative admissions first reached the plan.
    pub met_in_month: Option<u32>,
}

/// Judges a plan of `planned` due at the end of `deadline_month` against admissions by month.
pub fn completion(
    planned: u32,
    deadline_month: u32,
    monthly: &Monthly,
    months_ended: u32,
) -> Completion {
    let deadline_month = deadline_month.clamp(1, 12);
    let met_in_month = (1..=12).find(|m| cumulative(monthly, *m) >= planned && planned > 0);
    let admitted_by_deadline = cumulative(monthly, deadline_month);
    let state = if admitted_by_deadline >= planned {
        CompletionState::MetOnTime
    } else if months_ended < deadline_month {
        CompletionState::Pending
    } else if met_in_month.is_some() {
        CompletionState::MetLate
    } else {
        CompletionState::Unmet
    };
    Completion {
        state,
        deadline_month,
        planned,
        admitted_by_deadline,
        admitted: cumulative(monthly, 12),
        met_in_month,
    }
}

/// The first half-year against `firstHalf`, once June has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstHalf {
    pub planned: u32,
    /// Admitted January–June.
    pub admitted: u32,
}

impl FirstHalf {
    /// Fewer admitted in January–June than planned for them.
    pub fn short(&self) -> bool {
        self.admitted < self.planned
    }
}

/// The first half-year's figures, judged from 1 July (none before, or without a `firstHalf`).
pub fn first_half(planned: Option<u32>, monthly: &Monthly, months_ended: u32) -> Option<FirstHalf> {
    let planned = planned?;
    (months_ended >= 6).then(|| FirstHalf {
        planned,
        admitted: cumulative(monthly, 6),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn months(pairs: &[(u32, u32)]) -> Monthly {
        let mut m = [0; 12];
        for (month, n) in pairs {
            m[*month as usize - 1] = *n;
        }
        m
    }

    #[test]
    fn months_end_when_their_last_day_is_over() {
        assert_eq!(months_ended(2023, d("2023-05-31")), 4);
        assert_eq!(months_ended(2023, d("2023-06-01")), 5);
        assert_eq!(months_ended(2023, d("2023-07-01")), 6);
        assert_eq!(months_ended(2023, d("2023-12-31")), 11);
        assert_eq!(months_ended(2023, d("2024-01-01")), 12);
        assert_eq!(months_ended(2023, d("2022-12-31")), 0);
    }

    #[test]
    fn a_row_due_in_may_completed_in_july_is_late_when_asked_in_december() {
        // Planned 3, due 2023-05: 1 in March, 2 in July.
        let m = months(&[(3, 1), (7, 2)]);
        let c = completion(3, 5, &m, 11);
        assert_eq!(c.state, CompletionState::MetLate);
        assert_eq!((c.admitted_by_deadline, c.met_in_month), (1, Some(7)));
        // Asked in May it was still pending; in June unmet.
        assert_eq!(
            completion(3, 5, &months(&[(3, 1)]), 4).state,
            CompletionState::Pending
        );
        assert_eq!(
            completion(3, 5, &months(&[(3, 1)]), 5).state,
            CompletionState::Unmet
        );
    }

    #[test]
    fn met_by_the_last_day_of_the_month_is_on_time() {
        let c = completion(2, 5, &months(&[(5, 2)]), 12);
        assert_eq!(c.state, CompletionState::MetOnTime);
        assert_eq!(c.met_in_month, Some(5));
        // Met before the month has ended.
        assert_eq!(
            completion(2, 5, &months(&[(1, 2)]), 1).state,
            CompletionState::MetOnTime
        );
        // A plan of 0 is met.
        assert_eq!(
            completion(0, 5, &[0; 12], 12).state,
            CompletionState::MetOnTime
        );
    }

    #[test]
    fn month_by_month_the_plans_due_and_the_admitted_add_up() {
        let rows = by_month(&[(5, 3), (11, 2)], &months(&[(3, 1), (7, 2)]));
        assert_eq!(rows.len(), 12);
        assert_eq!((rows[3].planned, rows[3].admitted), (0, 1));
        assert_eq!((rows[4].planned, rows[4].admitted), (3, 1));
        assert_eq!(
            (rows[11].month, rows[11].planned, rows[11].admitted),
            (12, 5, 3)
        );
    }

    #[test]
    fn the_first_half_is_judged_from_july() {
        let m = months(&[(6, 4), (7, 5)]);
        assert_eq!(first_half(Some(5), &m, 5), None);
        let h = first_half(Some(5), &m, 6).unwrap();
        assert_eq!(h.admitted, 4);
        assert!(h.short());
        assert!(!first_half(Some(4), &m, 12).unwrap().short());
        assert_eq!(first_half(None, &m, 12), None);
    }
}
