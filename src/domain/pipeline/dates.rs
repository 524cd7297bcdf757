//! Date arithmetic of the Rules: calendar months ("within one month", "one year or more") and
//! working days for public notices.

use chrono::{Datelike, Months, NaiveDate, Weekday};

/// `date` plus `n` calendar months (the last day of a shorter month when the day is missing).
pub fn add_months(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_add_months(Months::new(n))
        .unwrap_or(NaiveDate::MAX)
}

/// Whole years between two dates (age on `on` of someone born on `born`).
pub fn years_between(born: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

/// Whole calendar months and remaining days from `from` to `to` (e.g. 11 months 3 days).
pub fn months_and_days(from: NaiveDate, to: NaiveDate) -> (u32, i64) {
    let mut months = 0;
    while add_months(from, months + 1) <= to {
        months += 1;
    }
    (months, (to - add_months(from, months)).num_days())
}

/// Working days (Monday–Friday) from `start` to `end`, both included. Public holidays are not
/// known to the service: a notice that spans one should set calendar days instead.
pub fn working_days(start: NaiveDate, end: NaiveDate) -> i64 {
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn months_clamp_at_month_end() {
        assert_eq!(add_months(d("2025-01-31"), 1), d("2025-02-28"));
        assert_eq!(add_months(d("2024-02-29"), 12), d("2025-02-28"));
    }

    #[test]
    fn ages_turn_on_the_birthday() {
        assert_eq!(years_between(d("2007-06-01"), d("2025-05-31")), 17);
        assert_eq!(years_between(d("2007-06-01"), d("2025-06-01")), 18);
    }

    #[test]
    fn months_and_days_count_calendar_months() {
        assert_eq!(months_and_days(d("2024-03-10"), d("2025-02-13")), (11, 3));
        assert_eq!(months_and_days(d("2024-03-10"), d("2025-03-10")), (12, 0));
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2025-06-02 is a Monday.
        assert_eq!(working_days(d("2025-06-02"), d("2025-06-06")), 5);
        assert_eq!(working_days(d("2025-06-02"), d("2025-06-09")), 6);
    }
}
