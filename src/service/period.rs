//! Figures for a period of a year (the year, H1/H2, Q1–Q4) cut at any day, still read from the
//! counters: whole-year counters when the period starts in January and runs to the day asked
//! about, monthly counters (`YYYYMM`) otherwise; the few cases dated after the cut inside the
//! last month counted are subtracted, so the figures are exact to the day.

use super::indicators::Counters;
use crate::db;
use crate::domain::counts::{MONTHLY_DIMENSIONS, dated_within, month_period};
use crate::domain::organization::path_ids;
use crate::domain::plan::progress::Monthly;
use crate::error::AppResult;
use chrono::{Datelike, NaiveDate};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// Months `from..=to` (1–12) of a year, cut at `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    pub from: u32,
    pub to: u32,
    pub as_of: NaiveDate,
}

fn last_day(year: i32, month: u32) -> NaiveDate {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    first_next
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

impl Period {
    /// The whole year, cut at `as_of`.
    pub fn year(year: i32, as_of: NaiveDate) -> Self {
        Period {
            year,
            from: 1,
            to: 12,
            as_of,
        }
    }

    /// A named period: `ANNUAL`/`YEAR`, `H1`, `H2`, `Q1`–`Q4`.
    pub fn named(year: i32, name: &str, as_of: NaiveDate) -> Option<Self> {
        let (from, to) = match name {
            "ANNUAL" | "YEAR" => (1, 12),
            "H1" => (1, 6),
            "H2" => (7, 12),
            "Q1" => (1, 3),
            "Q2" => (4, 6),
            "Q3" => (7, 9),
            "Q4" => (10, 12),
            _ => return None,
        };
        Some(Period {
            year,
            from,
            to,
            as_of,
        })
    }

    /// The last day counted: the period's last day or `as_of`, whichever is first; none when
    /// `as_of` falls before the period.
    pub fn end(&self) -> Option<NaiveDate> {
        let start = NaiveDate::from_ymd_opt(self.year, self.from, 1)?;
        let end = last_day(self.year, self.to).min(self.as_of);
        (end >= start).then_some(end)
    }
}

/// The counters of some organizations (all inside the subtree at `scope_path`) with the monthly
/// dimensions' year figures replaced by the period's. Stock and whole-year-only dimensions are
/// as the counters hold them.
pub async fn counters(
    db: &impl ConnectionTrait,
    scope_path: &str,
    orgs: &[i64],
    p: &Period,
    today: NaiveDate,
) -> AppResult<HashMap<i64, Counters>> {
    let mut out = super::indicators::counters(db, orgs, p.year).await?;
    let Some(end) = p.end() else {
        for o in orgs {
            out.entry(*o)
                .or_default()
                .clear_year(p.year, MONTHLY_DIMENSIONS);
        }
        return Ok(out);
    };
    // From January to the day asked about (today, or a day after which nothing is dated): the
    // whole-year counters, less anything dated after the cut.
    let until = if p.from == 1 && (end >= today || end == last_day(p.year, 12)) {
        last_day(p.year, 12)
    } else {
        let months: Vec<i32> = (p.from..=end.month())
            .map(|m| month_period(p.year, m))
            .collect();
        let rows = db::counts::for_orgs(db, orgs, &months).await?;
        for o in orgs {
            out.entry(*o)
                .or_default()
                .clear_year(p.year, MONTHLY_DIMENSIONS);
        }
        for r in rows {
            out.entry(r.organization_id)
                .or_default()
                .add(p.year, &r.dimension, &r.value, r.n);
        }
        last_day(p.year, end.month())
    };
    if end < until {
        for (_, path, f) in db::counts::facts_dated_within(db, scope_path, end, until).await? {
            let keys = dated_within(&f, end, until);
            for o in path_ids(&path).iter().filter(|o| orgs.contains(o)) {
                let c = out.entry(*o).or_default();
                for k in &keys {
                    c.add(k.year, k.dimension, &k.value, -1);
                }
            }
        }
    }
    Ok(out)
}

/// Admissions (talent-exempt apart) of some organizations' subtrees by month of the year, up
/// to `as_of`.
pub async fn monthly_admitted(
    db: &impl ConnectionTrait,
    scope_path: &str,
    orgs: &[i64],
    year: i32,
    as_of: NaiveDate,
) -> AppResult<HashMap<i64, Monthly>> {
    let mut out: HashMap<i64, Monthly> = orgs.iter().map(|o| (*o, [0; 12])).collect();
    let Some(end) = Period::year(year, as_of).end() else {
        return Ok(out);
    };
    let months: Vec<i32> = (1..=end.month()).map(|m| month_period(year, m)).collect();
    for r in db::counts::for_orgs(db, orgs, &months).await? {
        if r.dimension == "admitted" && r.value == "ALL" {
            let m = (r.year % 100) as usize;
            if let Some(slot) = out
                .get_mut(&r.organization_id)
                .and_then(|a| a.get_mut(m - 1))
            {
                *slot = (*slot as i64 + r.n).max(0) as u32;
            }
        }
    }
    let until = last_day(year, end.month());
    if end < until {
        for (_, path, f) in db::counts::facts_dated_within(db, scope_path, end, until).await? {
            let admitted = dated_within(&f, end, until)
                .iter()
                .any(|k| k.dimension == "admitted" && k.value == "ALL");
            if !admitted {
                continue;
            }
            for o in path_ids(&path) {
                if let Some(a) = out.get_mut(&o) {
                    let slot = &mut a[end.month() as usize - 1];
                    *slot = slot.saturating_sub(1);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_end_at_their_last_day_or_the_day_asked_about() {
        let h1 = Period::named(2025, "H1", d("2025-07-20")).unwrap();
        assert_eq!(h1.end(), Some(d("2025-06-30")));
        let h1 = Period::named(2025, "H1", d("2025-05-20")).unwrap();
        assert_eq!(h1.end(), Some(d("2025-05-20")));
        let q3 = Period::named(2025, "Q3", d("2025-06-30")).unwrap();
        assert_eq!(q3.end(), None);
        assert_eq!(
            Period::named(2024, "Q1", d("2030-01-01")).unwrap().end(),
            Some(d("2024-03-31"))
        );
        assert_eq!(last_day(2024, 2), d("2024-02-29"));
        assert!(Period::named(2024, "Q5", d("2024-01-01")).is_none());
    }
}
