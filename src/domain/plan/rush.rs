//! Rush development (突击发展, I12; 细则 Art. 3 forbids it): December admissions that take too
//! large a share of the year, and graduating students admitted in their last two months.

use chrono::NaiveDate;

/// December against the year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearEndRush {
    pub december: u32,
    pub year: u32,
    /// December's share of the year, percent, one decimal (none without admissions).
    pub share_percent: Option<f64>,
    /// The local threshold (none: not flagged).
    pub threshold_percent: Option<u32>,
    /// December's share is above the threshold.
    pub flagged: bool,
}

/// Judges December's admissions against the year's.
pub fn year_end_rush(december: u32, year: u32, threshold_percent: Option<u32>) -> YearEndRush {
    let share = (year > 0).then(|| (f64::from(december) * 1000.0 / f64::from(year)).round() / 10.0);
    let flagged = match (threshold_percent, year) {
        (Some(t), y) if y > 0 => u64::from(december) * 100 > u64::from(t) * u64::from(y),
        _ => false,
    };
    YearEndRush {
        december,
        year,
        share_percent: share,
        threshold_percent,
        flagged,
    }
}

/// A student admitted (approved) within two months before leaving the school.
pub fn admitted_in_last_two_months(approved_on: NaiveDate, leaves_on: NaiveDate) -> bool {
    leaves_on >= approved_on
        && approved_on
            .checked_add_months(chrono::Months::new(2))
            .is_some_and(|limit| leaves_on <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_is_a_strict_share() {
        // 3 of 10 in December: 30 %; a 30 % threshold is not passed, 29 % is.
        assert!(!year_end_rush(3, 10, Some(30)).flagged);
        assert!(year_end_rush(3, 10, Some(29)).flagged);
        assert_eq!(year_end_rush(3, 10, None).share_percent, Some(30.0));
        assert!(!year_end_rush(3, 10, None).flagged);
        assert_eq!(year_end_rush(0, 0, Some(10)).share_percent, None);
    }

    #[test]
    fn the_last_two_months_end_on_the_day_two_months_later() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(admitted_in_last_two_months(
            d("2025-05-01"),
            d("2025-07-01")
        ));
        assert!(!admitted_in_last_two_months(
            d("2025-05-01"),
            d("2025-07-02")
        ));
        assert!(!admitted_in_last_two_months(
            d("2025-05-01"),
            d("2025-04-30")
        ));
    }
}
