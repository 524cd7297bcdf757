//! Counts kept with every step: what one case contributes to its organization's (and every
//! ancestor's) counters. A change applies the difference between the case's contributions
//! before and after, so indicators read a few dozen rows instead of scanning cases.

use super::pipeline::dates::years_between;
use super::plan::{AdmissionFacts, categories_of};
use chrono::{Datelike, NaiveDate};

/// One counter: (year, dimension, value). Year 0 holds the current stock (stage counts).
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

fn key(year: i32, dimension: &'static str, value: impl Into<String>) -> CountKey {
    CountKey {
        year,
        dimension,
        value: value.into(),
    }
}

/// The counters one case adds 1 to.
///
/// - year 0: `stage` (current stage), `flag` EXTENDED;
/// - application year: `app_total`, `app_stage`, `app_gender`, `app_education`;
/// - approval year (admissions): `admitted` ALL or TALENT, and for ALL each `category`,
///   `education` and `occupation`;
/// - `invalidated` ALL in the application year for invalidated cases (counted nowhere else).
pub fn contributions(f: &CaseFacts) -> Vec<CountKey> {
    let applied = f.applied_on.year();
    if f.invalidated {
        return vec![key(applied, "invalidated", "ALL")];
    }
    let mut out = vec![
        key(0, "stage", f.stage.clone()),
        key(applied, "app_total", "ALL"),
        key(applied, "app_stage", f.stage.clone()),
        key(applied, "app_gender", f.gender.clone()),
        key(applied, "app_education", f.education.clone()),
    ];
    if f.extended {
        out.push(key(0, "flag", "EXTENDED"));
    }
    if let Some(approved) = f.approved_on {
        let y = approved.year();
        if f.is_high_level_talent {
            out.push(key(y, "admitted", "TALENT"));
        } else {
            out.push(key(y, "admitted", "ALL"));
            out.push(key(y, "admitted_month", format!("{:02}", approved.month())));
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
    }
    out
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
    "flag",
    "app_total",
    "app_stage",
    "app_gender",
    "app_education",
    "admitted",
    "admitted_month",
    "category",
    "education",
    "occupation",
    "invalidated",
];

/// The `'static` name of a stored dimension (unknown ones map to "unknown").
pub fn intern(d: &str) -> &'static str {
    DIMENSIONS
        .iter()
        .find(|x| **x == d)
        .copied()
        .unwrap_or("unknown")
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
        let talent = contributions(&CaseFacts {
            approved_on: Some(d("2025-12-15")),
            is_high_level_talent: true,
            ..case()
        });
        assert!(talent.contains(&key(2025, "admitted", "TALENT")));
        assert!(!talent.contains(&key(2025, "admitted", "ALL")));
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
        // stage and app_stage move at each of the three organizations.
        assert_eq!(ds.len(), 12);
        assert!(ds.contains(&(3, key(0, "stage", "ACTIVIST"), 1)));
        assert!(ds.contains(&(3, key(0, "stage", "APPLICANT"), -1)));
        // A transfer between branches of one parent changes only the branches' counters.
        let moved = deltas(
            &[(vec![1, 2, 3], before.clone())],
            &[(vec![1, 2, 4], before)],
        );
        assert!(moved.iter().all(|(o, _, _)| *o == 3 || *o == 4));
    }
}
