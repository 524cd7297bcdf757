//! The calendar the service reads "now" from: dates in China Standard Time.

use chrono::NaiveDate;

/// Today in China Standard Time (UTC+8), for reads that ask "as of now" without a date.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}
