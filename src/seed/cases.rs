//! People, their cases and the key events that got them to their stage, and the counters
//! (accumulated per branch, rolled up to every ancestor).

use super::tree::{Org, Tree};
use super::writer::{SecondaryIndexes, Table, V, Writer};
use super::{SeedReport, date_in, pick};
use crate::domain::counts::{CaseFacts, CountKey, contributions};
use crate::domain::pipeline::dates::add_months;
use crate::domain::pipeline::id_card::check_char;
use chrono::NaiveDate;
use indicatif::ProgressBar;
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::DatabaseConnection;
use std::collections::HashMap;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "平",
];
const EDUCATION: &[(&str, u32)] = &[
    ("POSTGRADUATE", 8),
    ("UNDERGRADUATE", 35),
    ("JUNIOR_COLLEGE", 22),
    ("TECHNICAL_SECONDARY", 10),
    ("SENIOR_HIGH", 15),
    ("JUNIOR_MIDDLE_AND_BELOW", 10),
];
const OCCUPATIONS: &[(&str, u32)] = &[
    ("WORKER", 18),
    ("MIGRANT_WORKER", 5),
    ("FARMER", 15),
    ("PROFESSIONAL_TECHNICAL", 15),
    ("MANAGER", 10),
    ("ORGAN_STAFF", 5),
    ("STUDENT", 27),
    ("OTHER", 5),
];
const STAGES: [&str; 5] = [
    "APPLICANT",
    "ACTIVIST",
    "DEVELOPMENT_TARGET",
    "PROBATIONARY",
    "FULL_MEMBER",
];

const PEOPLE: &[&str] = &[
    "id",
    "organization_id",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_card_number",
    "phone",
    "education",
    "occupations",
    "is_frontline",
    "is_league_member",
    "household_registration",
    "is_migrant",
    "outflow_organization_id",
    "outflow_organization_name",
    "is_high_level_talent",
    "has_political_violation",
    "expected_departure_on",
    "is_party_member",
    "party_member_since",
    "under_party_probation",
    "created_at",
    "updated_at",
];
const CASES: &[&str] = &[
    "id",
    "person_id",
    "organization_id",
    "stage",
    "version",
    "applied_on",
    "talked_on",
    "activist_on",
    "last_examination_on",
    "target_on",
    "admission_meeting_on",
    "approved_on",
    "oath_on",
    "probation_end_on",
    "conversion_meeting_on",
    "converted_on",
    "archived_on",
    "extended",
    "invalidated",
    "created_at",
    "updated_at",
];
const EVENTS: &[&str] = &[
    "candidate_id",
    "step",
    "step_number",
    "occurred_on",
    "recorded_at",
    "actor_user_id",
    "organization_id",
    "details",
    "warnings",
];

/// Rows of people (with their cases and events) written at a time.
const PEOPLE_PER_WRITE: usize = 50_000;
/// Counter rows written at a time.
const COUNTERS_PER_WRITE: usize = 200_000;

/// Generates and writes `candidates` people in the tree's branches, their cases, events and
/// the counters (events recorded by `admin_id`).
pub(super) async fn write(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    tree: &Tree,
    candidates: usize,
    admin_id: i64,
    bar: &ProgressBar,
    report: &mut SeedReport,
) -> anyhow::Result<()> {
    let horizon = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default();
    let year_weights: Vec<(i32, u32)> = (2017..=2025)
        .map(|y| {
            (
                y,
                if y == 2025 {
                    26
                } else {
                    1 + (y - 2016) as u32 * 2
                },
            )
        })
        .collect();
    let mut writer = Writer::new(db);
    let secondary = SecondaryIndexes::drop(
        db,
        &["people", "candidates", "candidate_events", "org_counts"],
    )
    .await?;
    let mut people = Table::new("people", PEOPLE);
    let mut cases = Table::new("candidates", CASES);
    let mut events = Table::new("candidate_events", EVENTS);
    let mut counters = Counters::default();
    for i in 0..candidates {
        let case = Case::generate(rng, i, tree, &year_weights, horizon);
        let b = &tree.orgs[case.branch];
        people.rows.push(case.person_row(b));
        cases.rows.push(case.case_row(b, horizon));
        case.events(b, admin_id, &mut events);
        counters.add(b.id, &case.facts(b));
        if people.rows.len() >= PEOPLE_PER_WRITE {
            report.events += events.rows.len();
            writer
                .write(vec![people.take(), cases.take(), events.take()])
                .await?;
        }
        bar.inc(1);
    }
    report.candidates = candidates;
    report.events += events.rows.len();
    writer
        .write(vec![people.take(), cases.take(), events.take()])
        .await?;
    bar.set_message("counters");
    counters.write(tree, &mut writer, report).await?;
    writer.finish().await?;
    bar.set_message("indexes");
    secondary.recreate(db).await?;
    Ok(())
}

/// One generated person and case: who, and the dates of the steps (those past its stage are
/// drawn too, and left out of the rows).
struct Case {
    /// The person's number, from 0 (the ids are one more).
    i: usize,
    /// The branch's position in the tree.
    branch: usize,
    female: bool,
    birth_year: i32,
    birth: NaiveDate,
    applied: NaiveDate,
    education: &'static str,
    occupation: &'static str,
    talent: bool,
    ethnicity: &'static str,
    frontline: bool,
    /// 0 (applicant) to 4 (full member): a position in [`STAGES`].
    stage: u8,
    talked: NaiveDate,
    activist: NaiveDate,
    target: NaiveDate,
    meeting: NaiveDate,
    approved: NaiveDate,
    end: NaiveDate,
    converted_approval: NaiveDate,
}

impl Case {
    /// The `i`-th person, drawn in a fixed order (the same seed gives the same people).
    fn generate(
        rng: &mut StdRng,
        i: usize,
        tree: &Tree,
        year_weights: &[(i32, u32)],
        horizon: NaiveDate,
    ) -> Case {
        let branch = tree.branches[rng.random_range(0..tree.branches.len())];
        let female = rng.random_bool(0.45);
        let birth_year = if rng.random_bool(0.7) {
            rng.random_range(1995..=2005)
        } else {
            rng.random_range(1965..1995)
        };
        let birth = date_in(rng, birth_year);
        let year = *pick(rng, year_weights);
        let applied = date_in(rng, year)
            .max(NaiveDate::from_ymd_opt(birth_year + 18, 12, 31).unwrap_or_default())
            .min(horizon);
        let education = *pick(rng, EDUCATION);
        let occupation = *pick(rng, OCCUPATIONS);
        let talent = rng.random_bool(0.005);
        let ethnicity = if rng.random_bool(0.1) {
            "壮族"
        } else {
            "汉族"
        };
        let frontline = rng.random_bool(0.3);
        // Stage 40/30/10/10/10, downgraded until its dates fit before the horizon.
        let mut stage = *pick(rng, &[(0u8, 40), (1, 30), (2, 10), (3, 10), (4, 10)]);
        let talked = applied + chrono::Duration::days(rng.random_range(7..28));
        let activist = add_months(applied, rng.random_range(6..10));
        let target = add_months(activist, rng.random_range(12..15));
        let meeting = add_months(target, rng.random_range(2..4));
        let approved = meeting + chrono::Duration::days(rng.random_range(14..45));
        let end = add_months(meeting, 12);
        let converted_approval = end + chrono::Duration::days(rng.random_range(7..40));
        let last = [talked, activist, approved, approved, converted_approval];
        while stage > 0 && last[stage as usize] > horizon {
            stage -= 1;
        }
        Case {
            i,
            branch,
            female,
            birth_year,
            birth,
            applied,
            education,
            occupation,
            talent,
            ethnicity,
            frontline,
            stage,
            talked,
            activist,
            target,
            meeting,
            approved,
            end,
            converted_approval,
        }
    }

    fn id(&self) -> i64 {
        self.i as i64 + 1
    }

    fn stage_name(&self) -> &'static str {
        STAGES[self.stage as usize]
    }

    fn gender(&self) -> &'static str {
        if self.female { "FEMALE" } else { "MALE" }
    }

    /// The `people` row, in branch `b`.
    fn person_row(&self, b: &Org) -> Vec<V> {
        let i = self.i;
        let first17 = format!(
            "{:06}{}{:03}",
            110_000 + i / 1000,
            self.birth.format("%Y%m%d"),
            i % 1000
        );
        let card = format!("{first17}{}", check_char(&first17).unwrap_or('0'));
        vec![
            V::I(self.id()),
            V::I(b.id),
            V::T(format!(
                "{}{}",
                SURNAMES[i % SURNAMES.len()],
                GIVEN[(i / 7) % GIVEN.len()]
            )),
            V::T(self.gender().into()),
            V::T(self.ethnicity.into()),
            V::D(self.birth),
            V::T(card),
            V::T(format!("138{:08}", i)),
            V::T(self.education.into()),
            V::T(self.occupation.into()),
            V::B(self.frontline),
            V::B(self.birth_year >= 1997),
            V::N,
            V::B(false),
            V::N,
            V::N,
            V::B(self.talent),
            V::B(false),
            V::N,
            V::B(false),
            V::N,
            V::B(false),
            V::Now,
            V::Now,
        ]
    }

    /// The `candidates` row, in branch `b`: the dates of the steps its stage reached.
    fn case_row(&self, b: &Org, horizon: NaiveDate) -> Vec<V> {
        let d = |s: u8, v: NaiveDate| if self.stage >= s { V::D(v) } else { V::N };
        vec![
            V::I(self.id()),
            V::I(self.id()),
            V::I(b.id),
            V::T(self.stage_name().into()),
            V::I(1),
            V::D(self.applied),
            V::D(self.talked),
            d(1, self.activist),
            d(1, add_months(self.activist, 6).min(horizon)),
            d(2, self.target),
            d(3, self.meeting),
            d(3, self.approved),
            d(3, self.approved + chrono::Duration::days(10)),
            d(3, self.end),
            d(4, self.end),
            d(4, self.end),
            V::N,
            V::B(false),
            V::B(false),
            V::Now,
            V::Now,
        ]
    }

    /// The key events of the steps its stage reached, recorded by `admin_id` in branch `b`.
    fn events(&self, b: &Org, admin_id: i64, events: &mut Table) {
        let street = b.parent_id();
        let vote =
            r#"{"expected":16,"present":12,"writtenOpinions":0,"yes":11,"no":1,"abstain":0}"#;
        let mut event = |number: i64, on: NaiveDate, details: String| {
            let step = serde_json::from_str::<serde_json::Value>(&details)
                .ok()
                .and_then(|v| v["step"].as_str().map(String::from))
                .unwrap_or_default();
            events.rows.push(vec![
                V::I(self.id()),
                V::T(step),
                V::I(number),
                V::D(on),
                V::Now,
                V::I(admin_id),
                V::I(b.id),
                V::T(details),
                V::T("[]".into()),
            ]);
        };
        event(
            1,
            self.applied,
            format!(
                r#"{{"step":"SUBMIT_APPLICATION","organizationId":{}}}"#,
                b.id
            ),
        );
        event(
            2,
            self.talked,
            r#"{"step":"APPLICATION_TALK","talker":"支部书记"}"#.into(),
        );
        if self.stage >= 1 {
            event(3, self.activist, r#"{"step":"DETERMINE_ACTIVIST","recommendation":"PARTY_MEMBERS","publicNotice":null}"#.into());
        }
        if self.stage >= 2 {
            event(
                7,
                self.target,
                r#"{"step":"DETERMINE_TARGET","points":null,"publicNotice":null}"#.into(),
            );
        }
        if self.stage >= 3 {
            event(
                15,
                self.meeting,
                format!(r#"{{"step":"ADMISSION_MEETING","vote":{vote},"publicNotice":null}}"#),
            );
            event(
                17,
                self.approved,
                format!(r#"{{"step":"ADMISSION_APPROVAL","approverOrganizationId":{street}}}"#),
            );
        }
        if self.stage >= 4 {
            event(
                23,
                self.end,
                format!(
                    r#"{{"step":"CONVERSION_MEETING","vote":{vote},"outcome":"CONVERT","extensionMonths":null,"publicNotice":null}}"#
                ),
            );
            event(
                24,
                self.converted_approval,
                format!(r#"{{"step":"CONVERSION_APPROVAL","approverOrganizationId":{street}}}"#),
            );
        }
    }

    /// What the counters know of the case, in branch `b`.
    fn facts(&self, b: &Org) -> CaseFacts {
        CaseFacts {
            stage: self.stage_name().into(),
            applied_on: self.applied,
            approved_on: (self.stage >= 3).then_some(self.approved),
            admission_meeting_on: (self.stage >= 3).then_some(self.meeting),
            extended: false,
            invalidated: false,
            gender: self.gender().into(),
            birth_date: self.birth,
            ethnicity: self.ethnicity.into(),
            education: self.education.into(),
            occupations: vec![self.occupation.into()],
            is_frontline: self.frontline,
            is_high_level_talent: self.talent,
            is_two_new: b.two_new,
        }
    }
}

/// The counters' contributions per branch, under keys numbered as they are met (a number is
/// smaller than a key, and millions of cases meet few keys).
#[derive(Default)]
struct Counters {
    keys: HashMap<CountKey, u32>,
    per_branch: HashMap<i64, HashMap<u32, i64>>,
}

impl Counters {
    /// Adds a case in `branch`.
    fn add(&mut self, branch: i64, facts: &CaseFacts) {
        let branch_counts = self.per_branch.entry(branch).or_default();
        for k in contributions(facts) {
            let next = self.keys.len() as u32;
            let kid = *self.keys.entry(k).or_insert(next);
            *branch_counts.entry(kid).or_default() += 1;
        }
    }

    /// Writes the branch totals rolled up to every ancestor.
    async fn write(
        self,
        tree: &Tree,
        writer: &mut Writer,
        report: &mut SeedReport,
    ) -> anyhow::Result<()> {
        let by_id: HashMap<i64, &Org> = tree.orgs.iter().map(|o| (o.id, o)).collect();
        let mut totals: HashMap<i64, HashMap<u32, i64>> = HashMap::new();
        for (branch, counts) in &self.per_branch {
            for a in crate::domain::organization::path_ids(&by_id[branch].path) {
                let t = totals.entry(a).or_default();
                for (k, n) in counts {
                    *t.entry(*k).or_default() += n;
                }
            }
        }
        let names: HashMap<u32, CountKey> = self.keys.into_iter().map(|(k, v)| (v, k)).collect();
        let mut counters = Table::new(
            "org_counts",
            &["organization_id", "year", "dimension", "value", "n"],
        );
        for (org, counts) in totals {
            for (k, n) in counts {
                let key = &names[&k];
                counters.rows.push(vec![
                    V::I(org),
                    V::I(i64::from(key.year)),
                    V::T(key.dimension.into()),
                    V::T(key.value.clone()),
                    V::I(n),
                ]);
                if counters.rows.len() >= COUNTERS_PER_WRITE {
                    report.counters += counters.rows.len();
                    writer.write(vec![counters.take()]).await?;
                }
            }
        }
        report.counters += counters.rows.len();
        writer.write(vec![counters.take()]).await?;
        Ok(())
    }
}
