//! Counts kept with every step: what one case contributes to its organization's (and every
//! ancestor's) counters. A change applies the difference between the case's contributions
//! before and after, so indicators read a few dozen rows instead of scanning cases.

use super::pipeline::dates::years_between;
use super::plan::{AdmissionFacts, categories_of};
use chrono::{Datelike, NaiveDate};

/// One counter: (period, dimension, value). The period is 0 for the current stock (stage
/// counts), a year (`2025`) for whole-year figures, or a month as `YYYYMM` (`202503`) for the
/// monthly figures a period (H1, a quarter, any `asOf`) is summed from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountKey {
    pub year: i32,
    pub dimension: &'static str,
    pub value: String,
}

/// What the counters need to know about a case.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub stage: String,
    pub applied_on: NaiveDate,
    pub approved_on: Option<NaiveDate>,
    pub admission_meeting_on: Option<NaiveDate>,
    pub extended: bool,
    pub invalidated: bool,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub ethnicity: String,
    pub education: String,
    pub occupations: Vec<String>,
    pub is_frontline: bool,
    pub is_high_level_talent: bool,
    pub is_two_new: bool,
}

/// The period key of a month: `YYYYMM`.
pub fn month_period(year: i32, month: u32) -> i32 {
    year * 100 + month as i32
}

/// The dimensions also kept by month (the month of approval, or of application for
/// `app_total`); the others are whole-year or stock figures.
pub const MONTHLY_DIMENSIONS: &[&str] = &[
    "admitted",
    "category",
    "education",
    "occupation",
    "app_total",
];

fn key(year: i32, dimension: &'static str, value: impl Into<String>) -> CountKey {
    CountKey {
        year,
        dimension,
        value: value.into(),
    }
}

/// The counters one case adds 1 to.
///
/// - year 0: `stage` (current stage), `stage_two_new` (the same, for cases in two-new
///   organizations), `flag` EXTENDED;
/// - application year: `app_total`, `app_stage`, `app_gender`, `app_education`;
/// - approval year (admissions): `admitted` ALL or TALENT, and for ALL each `category`,
///   `education` and `occupation`;
/// - each of [`MONTHLY_DIMENSIONS`] again under its month (`YYYYMM`);
/// - invalidated cases are counted nowhere else: `invalidated` ALL in the application year,
///   and by the stage they stopped at — `invalidated_stage` (year 0) and
///   `invalidated_app_stage` (application year) — so that a list filtered by stage, which still
///   shows them, is counted exactly.
pub fn contributions(f: &CaseFacts) -> Vec<CountKey> {
    let applied = f.applied_on.year();
    if f.invalidated {
        return vec![
            key(applied, "invalidated", "ALL"),
            key(0, "invalidated_stage", f.stage.clone()),
            key(applied, "invalidated_app_stage", f.stage.clone()),
        ];
    }
    let mut out = vec![
        key(0, "stage", f.stage.clone()),
        key(applied, "app_total", "ALL"),
        key(
            month_period(applied, f.applied_on.month()),
            "app_total",
            "ALL",
        ),
        key(applied, "app_stage", f.stage.clone()),
        key(applied, "app_gender", f.gender.clone()),
        key(applied, "app_education", f.education.clone()),
    ];
    if f.is_two_new {
        out.push(key(0, "stage_two_new", f.stage.clone()));
    }
    if f.extended {
        out.push(key(0, "flag", "EXTENDED"));
    }
    if let Some(approved) = f.approved_on {
        let y = approved.year();
        let start = out.len();
        if f.is_high_level_talent {
            out.push(key(y, "admitted", "TALENT"));
        } else {
            out.push(key(y, "admitted", "ALL"));
            let facts = AdmissionFacts {
                age: years_between(f.birth_date, f.admission_meeting_on.unwrap_or(approved)),
                female: f.gender == "FEMALE",
                ethnicity: f.ethnicity.clone(),
                education: f.education.clone(),
                occupations: f.occupations.clone(),
                is_frontline: f.is_frontline,
                is_two_new: f.is_two_new,
            };
            for c in categories_of(&facts) {
                out.push(key(y, "category", c.as_str()));
            }
            out.push(key(y, "education", f.education.clone()));
            for o in &f.occupations {
                out.push(key(y, "occupation", o.clone()));
            }
        }
        let month = month_period(y, approved.month());
        let monthly: Vec<CountKey> = out[start..]
            .iter()
            .map(|k| CountKey {
                year: month,
                ..k.clone()
            })
            .collect();
        out.extend(monthly);
    }
    out
}

/// The whole-year keys of the monthly dimensions a case adds for what happened in
/// `(after, until]`: its approval figures if it was approved then, `app_total` if it applied
/// then. A figure cut at `after` subtracts them from counters that run to `until`.
pub fn dated_within(f: &CaseFacts, after: NaiveDate, until: NaiveDate) -> Vec<CountKey> {
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| d > after && d <= until);
    let (approved, applied) = (within(f.approved_on), within(Some(f.applied_on)));
    contributions(f)
        .into_iter()
        .filter(|k| (1000..=9999).contains(&k.year) && MONTHLY_DIMENSIONS.contains(&k.dimension))
        .filter(|k| {
            if k.dimension == "app_total" {
                applied
            } else {
                approved
            }
        })
        .collect()
}

/// The changes to apply when a case goes from `before` to `after` contributions, at the
/// organization ids on its path: (organization, key, +1/-1).
pub fn deltas(
    before: &[(Vec<i64>, Vec<CountKey>)],
    after: &[(Vec<i64>, Vec<CountKey>)],
) -> Vec<(i64, CountKey, i64)> {
    let mut m: std::collections::BTreeMap<(i64, CountKey), i64> = Default::default();
    for (sign, side) in [(-1, before), (1, after)] {
        for (orgs, keys) in side {
            for o in orgs {
                for k in keys {
                    *m.entry((*o, k.clone())).or_default() += sign;
                }
            }
        }
    }
    m.into_iter()
        .filter(|(_, d)| *d != 0)
        .map(|((o, k), d)| (o, k, d))
        .collect()
}

/// The dimensions there are, as `'static` names.
pub const DIMENSIONS: &[&str] = &[
    "stage",
    "stage_two_new",
    "flag",
    "app_total",
    "app_stage",
    "app_gender",
    "app_education",
    "admitted",
    "category",
    "education",
    "occupation",
    "invalidated",
    "invalidated_stage",
    "invalidated_app_stage",
];

/// The `'static` name of a stored dimension (unknown ones map to "unknown").
pub fn intern(d: &str) -> &'static str {
    DIMENSIONS
        .iter()
        .find(|x| **x == d)
        .copied()
        .unwrap_or("unknown")
}

/// Which counters answer a case list's `totalCount`: the list's filters (a subtree, a stage, an
/// application year) as the counter keys to read, live cases and invalidated ones (a list still
/// shows invalidated cases; the counters keep them apart). A list with a search or of one
/// organization's own cases is not answered from counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCount {
    /// The live cases' counter: dimension, year, value (`None`: every value).
    pub live: (&'static str, i32, Option<String>),
    /// The invalidated cases' counter: dimension, year (`None`: every year), value.
    pub invalidated: (&'static str, Option<i32>, Option<String>),
}

impl ListCount {
    /// The counters for a list of a subtree filtered by `stage` and `year`.
    pub fn for_filter(stage: Option<&str>, year: Option<i32>) -> ListCount {
        let s = stage.map(String::from);
        match year {
            None => ListCount {
                live: ("stage", 0, s.clone()),
                invalidated: match s {
                    None => ("invalidated", None, None),
                    Some(_) => ("invalidated_stage", Some(0), s),
                },
            },
            Some(y) => match s {
                None => ListCount {
                    live: ("app_total", y, Some("ALL".into())),
                    invalidated: ("invalidated", Some(y), None),
                },
                Some(_) => ListCount {
                    live: ("app_stage", y, s.clone()),
                    invalidated: ("invalidated_app_stage", Some(y), s),
                },
            },
        }
    }
}

/// Whether a page of a subtree's cases is better read in id order across the whole table
/// (skipping cases outside the subtree) than organization by organization. A subtree rooted at
/// the first two levels (the province, a city or the education committee) holds a fiftieth or
/// more of the cases (the province set has 10 cities at 1 M candidates, 54 at 5 M), so id order
/// meets a page's rows within about a thousand, while its thousands of organizations would each
/// be probed; deeper subtrees (districts, streets, communities) have
/// few enough organizations that probing each is cheaper than skipping the rest of the province.
/// Judged from the depth alone, so it costs no statement.
pub fn prefer_id_order(subtree_depth: usize) -> bool {
    subtree_depth <= 2
}

/// Whether a page read in id order ([`prefer_id_order`]) should read the subtree's organization
/// ids once and check each case against them, rather than look up each case's organization.
/// Reading the ids costs the subtree's size once; looking up costs one probe per case met on
/// the way to a full page, about the page size divided by the subtree's share of the cases.
/// Under the province every case belongs (the page meets no other case, and reading the ids
/// would read all organizations); under a city or the education committee the page meets some
/// fifty cases of other cities for each of its own at 5 M (the page's statement 3.5–4 times
/// faster read this way), three at 1 M, where a city holds 31 % of the cases (5–23 % slower):
/// one rule for both, judged from the depth alone (see docs/BENCHMARK.md, round seven).
pub fn read_subtree_ids_once(subtree_depth: usize) -> bool {
    subtree_depth == 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn case() -> CaseFacts {
        CaseFacts {
            stage: "APPLICANT".into(),
            applied_on: d("2024-03-01"),
            approved_on: None,
            admission_meeting_on: None,
            extended: false,
            invalidated: false,
            gender: "FEMALE".into(),
            birth_date: d("1999-01-01"),
            ethnicity: "汉族".into(),
            education: "UNDERGRADUATE".into(),
            occupations: vec!["WORKER".into()],
            is_frontline: false,
            is_high_level_talent: false,
            is_two_new: true,
        }
    }

    #[test]
    fn an_applicant_counts_in_the_stock_and_its_application_year() {
        let c = contributions(&case());
        assert!(c.contains(&key(0, "stage", "APPLICANT")));
        assert!(c.contains(&key(2024, "app_gender", "FEMALE")));
        assert!(!c.iter().any(|k| k.dimension == "admitted"));
    }

    #[test]
    fn an_admission_counts_in_its_approval_year_with_its_structure() {
        let c = contributions(&CaseFacts {
            stage: "PROBATIONARY".into(),
            approved_on: Some(d("2025-12-15")),
            admission_meeting_on: Some(d("2025-11-21")),
            ..case()
        });
        assert!(c.contains(&key(2025, "admitted", "ALL")));
        assert!(c.contains(&key(2025, "category", "WOMEN")));
        assert!(c.contains(&key(2025, "category", "TWO_NEW")));
        assert!(c.contains(&key(2025, "category", "AGE_35_AND_UNDER")));
        // The same again under the month of approval, and the application under its month.
        assert!(c.contains(&key(202512, "admitted", "ALL")));
        assert!(c.contains(&key(202512, "category", "WOMEN")));
        assert!(c.contains(&key(202403, "app_total", "ALL")));
        assert!(c.contains(&key(0, "stage_two_new", "PROBATIONARY")));
        assert!(
            c.iter()
                .filter(|k| k.year > 9999)
                .all(|k| MONTHLY_DIMENSIONS.contains(&k.dimension))
        );
        let talent = contributions(&CaseFacts {
            approved_on: Some(d("2025-12-15")),
            is_high_level_talent: true,
            ..case()
        });
        assert!(talent.contains(&key(2025, "admitted", "TALENT")));
        assert!(!talent.contains(&key(2025, "admitted", "ALL")));
        assert!(talent.contains(&key(202512, "admitted", "TALENT")));
    }

    #[test]
    fn a_cut_leaves_out_only_what_happened_after_it() {
        let f = CaseFacts {
            stage: "PROBATIONARY".into(),
            applied_on: d("2025-06-10"),
            approved_on: Some(d("2025-06-20")),
            admission_meeting_on: Some(d("2025-06-01")),
            ..case()
        };
        // Cut on 2025-06-15: the approval is after it, the application before.
        let k = dated_within(&f, d("2025-06-15"), d("2025-06-30"));
        assert!(k.contains(&key(2025, "admitted", "ALL")));
        assert!(k.contains(&key(2025, "category", "WOMEN")));
        assert!(
            !k.iter()
                .any(|k| k.dimension == "app_total" || k.year != 2025)
        );
        // Cut on 2025-06-05: both after it.
        let k = dated_within(&f, d("2025-06-05"), d("2025-06-30"));
        assert!(k.contains(&key(2025, "app_total", "ALL")));
        // Cut on 2025-06-20: nothing after it.
        assert!(dated_within(&f, d("2025-06-20"), d("2025-06-30")).is_empty());
    }

    #[test]
    fn deltas_cancel_what_did_not_change_and_move_between_paths() {
        let before = contributions(&case());
        let after = contributions(&CaseFacts {
            stage: "ACTIVIST".into(),
            ..case()
        });
        let ds = deltas(
            &[(vec![1, 2, 3], before.clone())],
            &[(vec![1, 2, 3], after)],
        );
        // stage, stage_two_new and app_stage move at each of the three organizations.
        assert_eq!(ds.len(), 18);
        assert!(ds.contains(&(3, key(0, "stage", "ACTIVIST"), 1)));
        assert!(ds.contains(&(3, key(0, "stage", "APPLICANT"), -1)));
        // A transfer between branches of one parent changes only the branches' counters.
        let moved = deltas(
            &[(vec![1, 2, 3], before.clone())],
            &[(vec![1, 2, 4], before)],
        );
        assert!(moved.iter().all(|(o, _, _)| *o == 3 || *o == 4));
    }

    #[test]
    fn a_list_count_reads_live_and_invalidated_counters_of_the_same_filter() {
        let all = ListCount::for_filter(None, None);
        assert_eq!(all.live, ("stage", 0, None));
        assert_eq!(all.invalidated, ("invalidated", None, None));
        let stage = ListCount::for_filter(Some("ACTIVIST"), None);
        assert_eq!(
            stage.invalidated,
            ("invalidated_stage", Some(0), Some("ACTIVIST".into()))
        );
        let year = ListCount::for_filter(None, Some(2025));
        assert_eq!(year.live, ("app_total", 2025, Some("ALL".into())));
        let both = ListCount::for_filter(Some("APPLICANT"), Some(2025));
        assert_eq!(
            both.invalidated,
            (
                "invalidated_app_stage",
                Some(2025),
                Some("APPLICANT".into())
            )
        );
        // An invalidated case is counted by the stage it stopped at, and nowhere live.
        let gone = contributions(&CaseFacts {
            invalidated: true,
            stage: "ACTIVIST".into(),
            ..case()
        });
        assert!(gone.contains(&key(0, "invalidated_stage", "ACTIVIST")));
        assert!(!gone.iter().any(|k| k.dimension == "stage"));
        assert!(prefer_id_order(1) && prefer_id_order(2) && !prefer_id_order(3));
        assert!(!read_subtree_ids_once(1) && read_subtree_ids_once(2));
        assert!(
            !read_subtree_ids_once(3),
            "deeper subtrees are read organization by organization"
        );
    }
}
