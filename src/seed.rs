//! `fazhan seed`: a deterministic province for benchmarks and demos — the tree shape of
//! PERFORMANCE.md, plans for every level, people at every stage with plausible dates and the
//! key events that got them there, letters and reports, and the counters. PostgreSQL is loaded
//! with COPY, SQLite with large batched inserts, both in one transaction per table chunk.

use crate::domain::counts::{CaseFacts, CountKey, contributions};
use crate::domain::pipeline::dates::add_months;
use crate::domain::pipeline::id_card::check_char;
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, TransactionTrait, Value};
use std::collections::HashMap;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub organizations: usize,
    pub candidates: usize,
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub organizations: usize,
    pub candidates: usize,
    pub events: usize,
    pub plans: usize,
    pub letters: usize,
    pub reports: usize,
    pub counters: usize,
}

enum V {
    I(i64),
    T(String),
    B(bool),
    D(NaiveDate),
    N,
    Now,
}

struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<V>>,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Table {
            name,
            columns,
            rows: Vec::new(),
        }
    }

    /// The rows gathered so far, leaving this table empty.
    fn take(&mut self) -> Table {
        std::mem::replace(self, Table::new(self.name, self.columns))
    }
}

/// The secondary indexes of the bulk-loaded tables (PostgreSQL): dropped before the load and
/// built again after it, which sorts each index once instead of inserting millions of entries
/// one by one. Indexes that back a constraint (primary keys, unique constraints) stay. A seed
/// that fails between the two leaves a database to drop (a seed needs an empty one anyway).
struct SecondaryIndexes(Vec<String>);

impl SecondaryIndexes {
    async fn drop(db: &DatabaseConnection, tables: &[&str]) -> anyhow::Result<Self> {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(SecondaryIndexes(vec![]));
        }
        let list = tables
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                DatabaseBackend::Postgres,
                format!(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i \
                     WHERE i.schemaname = current_schema() AND i.tablename IN ({list}) \
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) \
                     ORDER BY i.indexname"
                ),
            ))
            .await?;
        let mut definitions = vec![];
        for row in rows {
            let name: String = row.try_get("", "indexname")?;
            definitions.push(row.try_get::<String>("", "indexdef")?);
            db.execute_unprepared(&format!("DROP INDEX \"{name}\""))
                .await?;
        }
        Ok(SecondaryIndexes(definitions))
    }

    async fn recreate(self, db: &DatabaseConnection) -> anyhow::Result<()> {
        for definition in self.0 {
            db.execute_unprepared(&definition).await?;
        }
        Ok(())
    }
}

/// Writes batches of tables while the next batch is generated: on PostgreSQL up to two batches
/// at once, each on its own connection (a batch's tables in order, for their foreign keys), so
/// that both cores work; on SQLite (one writer) in line.
struct Writer {
    db: DatabaseConnection,
    parallel: usize,
    running: std::collections::VecDeque<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Writer {
    fn new(db: &DatabaseConnection) -> Self {
        let parallel = match db.get_database_backend() {
            DatabaseBackend::Postgres => 2,
            _ => 1,
        };
        Writer {
            db: db.clone(),
            parallel,
            running: Default::default(),
        }
    }

    /// Writes the tables (in order), in the background when another writer is free.
    async fn write(&mut self, tables: Vec<Table>) -> anyhow::Result<()> {
        if self.parallel <= 1 {
            for mut t in tables {
                flush(&self.db, &mut t).await?;
            }
            return Ok(());
        }
        while self.running.len() >= self.parallel {
            self.wait_oldest().await?;
        }
        let db = self.db.clone();
        self.running.push_back(tokio::spawn(async move {
            for mut t in tables {
                flush(&db, &mut t).await?;
            }
            Ok(())
        }));
        Ok(())
    }

    async fn wait_oldest(&mut self) -> anyhow::Result<()> {
        if let Some(task) = self.running.pop_front() {
            task.await??;
        }
        Ok(())
    }

    /// Waits until everything is written.
    async fn finish(&mut self) -> anyhow::Result<()> {
        while !self.running.is_empty() {
            self.wait_oldest().await?;
        }
        Ok(())
    }
}

fn csv_field(v: &V, now: &str, out: &mut String) {
    match v {
        V::I(i) => out.push_str(&i.to_string()),
        V::T(s) => {
            out.push('"');
            out.push_str(&s.replace('"', "\"\""));
            out.push('"');
        }
        V::B(b) => out.push_str(if *b { "t" } else { "f" }),
        V::D(d) => out.push_str(&d.to_string()),
        V::N => {}
        V::Now => out.push_str(now),
    }
}

/// Writes a table's rows and empties it.
async fn flush(db: &DatabaseConnection, t: &mut Table) -> anyhow::Result<()> {
    if t.rows.is_empty() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            use sea_orm::sqlx::postgres::PgPoolCopyExt;
            let now_s = now.to_rfc3339();
            let mut buf = String::with_capacity(t.rows.len() * 64);
            for row in &t.rows {
                for (i, v) in row.iter().enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    csv_field(v, &now_s, &mut buf);
                }
                buf.push('\n');
            }
            let pool = db.get_postgres_connection_pool();
            let mut copy = pool
                .copy_in_raw(&format!(
                    "COPY {} ({}) FROM STDIN WITH (FORMAT csv)",
                    t.name,
                    t.columns.join(", ")
                ))
                .await?;
            copy.send(buf.into_bytes()).await?;
            copy.finish().await?;
        }
        _ => {
            let per = (30_000 / t.columns.len()).max(1);
            let txn = db.begin().await?;
            for chunk in t.rows.chunks(per) {
                let row = format!("({})", vec!["?"; t.columns.len()].join(", "));
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES {}",
                    t.name,
                    t.columns.join(", "),
                    vec![row; chunk.len()].join(", ")
                );
                let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * t.columns.len());
                for r in chunk {
                    for v in r {
                        values.push(match v {
                            V::I(i) => Value::from(*i),
                            V::T(s) => Value::from(s.clone()),
                            V::B(b) => Value::from(*b),
                            V::D(d) => Value::from(*d),
                            V::N => Value::String(None),
                            V::Now => Value::from(now),
                        });
                    }
                }
                txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                    DatabaseBackend::Sqlite,
                    sql,
                    values,
                ))
                .await?;
            }
            txn.commit().await?;
        }
    }
    t.rows.clear();
    Ok(())
}

struct Org {
    id: i64,
    path: String,
    depth: usize,
    kind: &'static str,
    two_new: bool,
}

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
const BRANCH_SECTORS: &[(&str, bool, u32)] = &[
    ("COMMUNITY", false, 30),
    ("VILLAGE", false, 20),
    ("NON_PUBLIC_ENTERPRISE", true, 20),
    ("SOCIAL_ORGANIZATION", true, 5),
    ("GOVERNMENT_ORGAN", false, 10),
    ("PUBLIC_INSTITUTION", false, 10),
    ("STATE_OWNED_ENTERPRISE", false, 5),
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut r = rng.random_range(0..total);
    for (v, w) in items {
        if r < *w {
            return v;
        }
        r -= w;
    }
    &items[0].0
}

fn date_in(rng: &mut StdRng, year: i32) -> NaiveDate {
    NaiveDate::from_yo_opt(year, rng.random_range(1..=365)).unwrap_or_default()
}

/// Generates the province into a migrated database whose only organization is the bootstrap root.
pub async fn run(db: &DatabaseConnection, opts: &SeedOptions) -> anyhow::Result<SeedReport> {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let existing: i64 = crate::db::organization::count(
        db,
        &crate::db::organization::OrganizationFilter {
            under_path: "/".into(),
            include_inactive: true,
            ..Default::default()
        },
    )
    .await? as i64;
    anyhow::ensure!(
        existing <= 1,
        "seed needs an empty database (only the bootstrap root); found {existing} organizations"
    );
    let root = crate::db::organization::find_by_id(db, 1)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the bootstrap root (id 1) is missing"))?;
    let admin = crate::db::user::find_by_username(db, "admin")
        .await?
        .ok_or_else(|| anyhow::anyhow!("user admin is missing"))?;
    let mut report = SeedReport::default();
    let bar = ProgressBar::new(opts.organizations as u64 + opts.candidates as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );

    // The tree: 1 : 11 : 100 : 2,000 : the rest, as in PERFORMANCE.md.
    let n = opts.organizations.max(5);
    let scale = |k: usize| ((n as f64) * k as f64 / 19_862.0).round().max(1.0) as usize;
    let sizes = [1, scale(11), scale(100), scale(2_000)];
    let mut orgs: Vec<Org> = vec![Org {
        id: root.id,
        path: root.path.clone(),
        depth: 0,
        kind: "PROVINCIAL_ORGANIZATION_DEPARTMENT",
        two_new: false,
    }];
    let mut table = Table::new(
        "organizations",
        &[
            "id",
            "parent_id",
            "path",
            "depth",
            "name",
            "kind",
            "sector",
            "is_two_new",
            "can_approve",
            "can_pre_review",
            "member_count",
            "active",
            "created_at",
            "updated_at",
        ],
    );
    let mut next_id = root.id + 1;
    let mut level_start = 0;
    for (level, count) in sizes
        .iter()
        .enumerate()
        .skip(1)
        .chain(std::iter::once((4, &0)))
    {
        let parents: Vec<usize> = (level_start..orgs.len()).collect();
        level_start = orgs.len();
        let count = if level == 4 {
            n.saturating_sub(orgs.len())
        } else {
            *count
        };
        for i in 0..count {
            let p = parents[i % parents.len()];
            let parent_kind = orgs[p].kind;
            let education = parent_kind == "EDUCATION_WORK_COMMITTEE"
                || parent_kind == "UNIVERSITY_COMMITTEE"
                || parent_kind == "SECOND_LEVEL_COMMITTEE";
            let (kind, sector, two_new, approve) = match level {
                1 if i + 1 == count && count > 1 => {
                    ("EDUCATION_WORK_COMMITTEE", "PARTY_ORGAN", false, false)
                }
                1 => ("CITY_ORGANIZATION_DEPARTMENT", "PARTY_ORGAN", false, false),
                2 if education => ("UNIVERSITY_COMMITTEE", "UNIVERSITY", false, true),
                2 => (
                    "COUNTY_ORGANIZATION_DEPARTMENT",
                    "PARTY_ORGAN",
                    false,
                    false,
                ),
                3 if education => ("SECOND_LEVEL_COMMITTEE", "UNIVERSITY", false, false),
                3 => ("STREET_WORKING_COMMITTEE", "GOVERNMENT_ORGAN", false, true),
                _ if education => ("BRANCH", "UNIVERSITY", false, false),
                _ => {
                    let (s, t, _) = BRANCH_SECTORS[{
                        let w: Vec<(usize, u32)> = BRANCH_SECTORS
                            .iter()
                            .enumerate()
                            .map(|(i, x)| (i, x.2))
                            .collect();
                        *pick(&mut rng, &w)
                    }];
                    ("BRANCH", s, t, false)
                }
            };
            let id = next_id;
            next_id += 1;
            let path = format!("{}{id}/", orgs[p].path);
            table.rows.push(vec![
                V::I(id),
                V::I(orgs[p].id),
                V::T(path.clone()),
                V::I(level as i64),
                V::T(format!("{}{}", kind_name(kind), id)),
                V::T(kind.into()),
                V::T(sector.into()),
                V::B(two_new),
                V::B(approve),
                V::B(approve),
                V::I(if kind == "BRANCH" {
                    rng.random_range(5..80)
                } else {
                    0
                }),
                V::B(true),
                V::Now,
                V::Now,
            ]);
            orgs.push(Org {
                id,
                path,
                depth: level,
                kind,
                two_new,
            });
            bar.inc(1);
        }
    }
    flush(db, &mut table).await?;
    report.organizations = orgs.len() - 1;
    let branches: Vec<usize> = (0..orgs.len())
        .filter(|i| orgs[*i].kind == "BRANCH")
        .collect();
    anyhow::ensure!(
        !branches.is_empty(),
        "too few organizations for a branch level"
    );

    // Plans: every non-branch level for every year, branches for the latest year.
    let mut plans = Table::new(
        "guidance_plans",
        &[
            "id",
            "organization_id",
            "year",
            "line",
            "issuer_organization_id",
            "created_at",
        ],
    );
    let mut revisions = Table::new(
        "plan_revisions",
        &[
            "plan_id",
            "revision",
            "effective_on",
            "recorded_at",
            "actor_user_id",
            "reason",
            "content",
        ],
    );
    let mut plan_id = 1;
    for o in &orgs {
        let years: Vec<i32> = if o.kind == "BRANCH" {
            vec![2025]
        } else {
            (2017..=2025).collect()
        };
        let subtree = (opts.candidates as f64 * 0.1
            / 9.0
            / (sizes.get(o.depth).copied().unwrap_or(branches.len()).max(1)) as f64)
            .ceil() as i64;
        for y in years {
            let parent = crate::domain::organization::path_ids(&o.path)
                .iter()
                .rev()
                .nth(1)
                .copied()
                .unwrap_or(o.id);
            plans.rows.push(vec![
                V::I(plan_id),
                V::I(o.id),
                V::I(y as i64),
                V::T("GENERAL".into()),
                V::I(parent),
                V::Now,
            ]);
            let total = subtree.max(1);
            let content = serde_json::json!({ "total": total, "under35": total * 8 / 10, "collegePlus": total * 6 / 10, "completionMonth": format!("{y}-11"), "targets": [{ "category": "AGE_35_AND_UNDER", "comparator": "AT_LEAST", "percent": 80.0 }] });
            revisions.rows.push(vec![
                V::I(plan_id),
                V::I(1),
                V::D(NaiveDate::from_ymd_opt(y, 2, 15).unwrap_or_default()),
                V::Now,
                V::I(admin.id),
                V::T(String::new()),
                V::T(content.to_string()),
            ]);
            plan_id += 1;
        }
    }
    report.plans = plans.rows.len();
    flush(db, &mut plans).await?;
    flush(db, &mut revisions).await?;

    // People, cases, key events, and the counters (accumulated per organization, rolled up).
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
    let mut people = Table::new(
        "people",
        &[
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
        ],
    );
    let mut cases = Table::new(
        "candidates",
        &[
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
        ],
    );
    let mut events = Table::new(
        "candidate_events",
        &[
            "candidate_id",
            "step",
            "step_number",
            "occurred_on",
            "recorded_at",
            "actor_user_id",
            "organization_id",
            "details",
            "warnings",
        ],
    );
    let mut keys: HashMap<CountKey, u32> = HashMap::new();
    let mut per_org: HashMap<i64, HashMap<u32, i64>> = HashMap::new();
    for i in 0..opts.candidates {
        let id = i as i64 + 1;
        let b = &orgs[branches[rng.random_range(0..branches.len())]];
        let female = rng.random_bool(0.45);
        let birth_year = if rng.random_bool(0.7) {
            rng.random_range(1995..=2005)
        } else {
            rng.random_range(1965..1995)
        };
        let birth = date_in(&mut rng, birth_year);
        let year = *pick(&mut rng, &year_weights);
        let applied = date_in(&mut rng, year)
            .max(NaiveDate::from_ymd_opt(birth_year + 18, 12, 31).unwrap_or_default())
            .min(horizon);
        let education = *pick(&mut rng, EDUCATION);
        let occupation = *pick(&mut rng, OCCUPATIONS);
        let talent = rng.random_bool(0.005);
        let ethnicity = if rng.random_bool(0.1) {
            "壮族"
        } else {
            "汉族"
        };
        let frontline = rng.random_bool(0.3);
        // Stage 40/30/10/10/10, downgraded until its dates fit before the horizon.
        let mut stage = *pick(&mut rng, &[(0u8, 40), (1, 30), (2, 10), (3, 10), (4, 10)]);
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
        let stage_name = [
            "APPLICANT",
            "ACTIVIST",
            "DEVELOPMENT_TARGET",
            "PROBATIONARY",
            "FULL_MEMBER",
        ][stage as usize];
        let d = |s: u8, v: NaiveDate| if stage >= s { V::D(v) } else { V::N };
        let first17 = format!(
            "{:06}{}{:03}",
            110_000 + i / 1000,
            birth.format("%Y%m%d"),
            i % 1000
        );
        let card = format!("{first17}{}", check_char(&first17).unwrap_or('0'));
        people.rows.push(vec![
            V::I(id),
            V::I(b.id),
            V::T(format!(
                "{}{}",
                SURNAMES[i % SURNAMES.len()],
                GIVEN[(i / 7) % GIVEN.len()]
            )),
            V::T(if female { "FEMALE" } else { "MALE" }.into()),
            V::T(ethnicity.into()),
            V::D(birth),
            V::T(card),
            V::T(format!("138{:08}", i)),
            V::T(education.into()),
            V::T(occupation.into()),
            V::B(frontline),
            V::B(birth_year >= 1997),
            V::N,
            V::B(false),
            V::N,
            V::N,
            V::B(talent),
            V::B(false),
            V::N,
            V::B(false),
            V::N,
            V::B(false),
            V::Now,
            V::Now,
        ]);
        cases.rows.push(vec![
            V::I(id),
            V::I(id),
            V::I(b.id),
            V::T(stage_name.into()),
            V::I(1),
            V::D(applied),
            V::D(talked),
            d(1, activist),
            d(1, add_months(activist, 6).min(horizon)),
            d(2, target),
            d(3, meeting),
            d(3, approved),
            d(3, approved + chrono::Duration::days(10)),
            d(3, end),
            d(4, end),
            d(4, end),
            V::N,
            V::B(false),
            V::B(false),
            V::Now,
            V::Now,
        ]);
        let street = crate::domain::organization::path_ids(&b.path)
            .iter()
            .rev()
            .nth(1)
            .copied()
            .unwrap_or(b.id);
        let vote =
            r#"{"expected":16,"present":12,"writtenOpinions":0,"yes":11,"no":1,"abstain":0}"#;
        let mut event = |number: i64, on: NaiveDate, details: String| {
            let step = serde_json::from_str::<serde_json::Value>(&details)
                .ok()
                .and_then(|v| v["step"].as_str().map(String::from))
                .unwrap_or_default();
            events.rows.push(vec![
                V::I(id),
                V::T(step),
                V::I(number),
                V::D(on),
                V::Now,
                V::I(admin.id),
                V::I(b.id),
                V::T(details),
                V::T("[]".into()),
            ]);
        };
        event(
            1,
            applied,
            format!(
                r#"{{"step":"SUBMIT_APPLICATION","organizationId":{}}}"#,
                b.id
            ),
        );
        event(
            2,
            talked,
            r#"{"step":"APPLICATION_TALK","talker":"支部书记"}"#.into(),
        );
        if stage >= 1 {
            event(3, activist, r#"{"step":"DETERMINE_ACTIVIST","recommendation":"PARTY_MEMBERS","publicNotice":null}"#.into());
        }
        if stage >= 2 {
            event(
                7,
                target,
                r#"{"step":"DETERMINE_TARGET","points":null,"publicNotice":null}"#.into(),
            );
        }
        if stage >= 3 {
            event(
                15,
                meeting,
                format!(r#"{{"step":"ADMISSION_MEETING","vote":{vote},"publicNotice":null}}"#),
            );
            event(
                17,
                approved,
                format!(r#"{{"step":"ADMISSION_APPROVAL","approverOrganizationId":{street}}}"#),
            );
        }
        if stage >= 4 {
            event(
                23,
                end,
                format!(
                    r#"{{"step":"CONVERSION_MEETING","vote":{vote},"outcome":"CONVERT","extensionMonths":null,"publicNotice":null}}"#
                ),
            );
            event(
                24,
                converted_approval,
                format!(r#"{{"step":"CONVERSION_APPROVAL","approverOrganizationId":{street}}}"#),
            );
        }
        let facts = CaseFacts {
            stage: stage_name.into(),
            applied_on: applied,
            approved_on: (stage >= 3).then_some(approved),
            admission_meeting_on: (stage >= 3).then_some(meeting),
            extended: false,
            invalidated: false,
            gender: if female { "FEMALE" } else { "MALE" }.into(),
            birth_date: birth,
            ethnicity: ethnicity.into(),
            education: education.into(),
            occupations: vec![occupation.into()],
            is_frontline: frontline,
            is_high_level_talent: talent,
            is_two_new: b.two_new,
        };
        let branch_counts = per_org.entry(b.id).or_default();
        for k in contributions(&facts) {
            let next = keys.len() as u32;
            let kid = *keys.entry(k).or_insert(next);
            *branch_counts.entry(kid).or_default() += 1;
        }
        if people.rows.len() >= 50_000 {
            report.events += events.rows.len();
            writer
                .write(vec![people.take(), cases.take(), events.take()])
                .await?;
        }
        bar.inc(1);
    }
    report.candidates = opts.candidates;
    report.events += events.rows.len();
    writer
        .write(vec![people.take(), cases.take(), events.take()])
        .await?;
    // The counters: branch totals rolled up to every ancestor.
    bar.set_message("counters");
    let by_id: HashMap<i64, &Org> = orgs.iter().map(|o| (o.id, o)).collect();
    let mut totals: HashMap<i64, HashMap<u32, i64>> = HashMap::new();
    for (branch, counts) in &per_org {
        for a in crate::domain::organization::path_ids(&by_id[branch].path) {
            let t = totals.entry(a).or_default();
            for (k, n) in counts {
                *t.entry(*k).or_default() += n;
            }
        }
    }
    let names: HashMap<u32, CountKey> = keys.into_iter().map(|(k, v)| (v, k)).collect();
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
            if counters.rows.len() >= 200_000 {
                report.counters += counters.rows.len();
                writer.write(vec![counters.take()]).await?;
            }
        }
    }
    report.counters += counters.rows.len();
    writer.write(vec![counters.take()]).await?;
    writer.finish().await?;
    bar.set_message("indexes");
    secondary.recreate(db).await?;
    // Letters and reports: a few of each.
    let mut letters = Table::new(
        "letters",
        &[
            "kind",
            "status",
            "candidate_id",
            "sender_organization_id",
            "receiver_organization_id",
            "subject",
            "questions",
            "sender_contact",
            "sent_on",
            "received_on",
            "due_on",
            "late",
            "overdue_notified",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ],
    );
    for i in 0..(opts.candidates / 1000).max(1) {
        let (a, b) = (
            &orgs[branches[i % branches.len()]],
            &orgs[branches[(i * 7 + 3) % branches.len()]],
        );
        let sent =
            date_in(&mut rng, 2025).min(NaiveDate::from_ymd_opt(2025, 12, 1).unwrap_or_default());
        letters.rows.push(vec![
            V::T("DEVELOPMENT_OPINION".into()),
            V::T("RECEIVED".into()),
            V::I((i * 997 % opts.candidates.max(1)) as i64 + 1),
            V::I(a.id),
            V::I(b.id),
            V::T("{}".into()),
            V::T("请出具意见".into()),
            V::T("组织员".into()),
            V::D(sent),
            V::D(sent + chrono::Duration::days(3)),
            V::D(sent + chrono::Duration::days(18)),
            V::B(false),
            V::B(false),
            V::I(1),
            V::I(admin.id),
            V::Now,
            V::Now,
        ]);
    }
    report.letters = letters.rows.len();
    flush(db, &mut letters).await?;
    let mut reports = Table::new(
        "reports",
        &[
            "organization_id",
            "year",
            "period",
            "status",
            "snapshot",
            "declared",
            "narrative",
            "attachments",
            "submitted_on",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ],
    );
    for o in orgs.iter().filter(|o| o.kind == "STREET_WORKING_COMMITTEE") {
        reports.rows.push(vec![
            V::I(o.id),
            V::I(2025),
            V::T("H1".into()),
            V::T("SUBMITTED".into()),
            V::T("{}".into()),
            V::T("{}".into()),
            V::T("上半年工作总结".into()),
            V::T("[]".into()),
            V::D(NaiveDate::from_ymd_opt(2025, 6, 26).unwrap_or_default()),
            V::I(1),
            V::I(admin.id),
            V::Now,
            V::Now,
        ]);
    }
    report.reports = reports.rows.len();
    flush(db, &mut reports).await?;
    // Identity sequences past the explicit ids (PostgreSQL).
    if db.get_database_backend() == DatabaseBackend::Postgres {
        for t in ["organizations", "people", "candidates", "guidance_plans"] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
            ))
            .await?;
        }
        db.execute_unprepared("ANALYZE").await?;
    }
    bar.finish_with_message("done");
    // Counted by this build: no recount at the first start.
    crate::db::setting::put(db, "counts_version", crate::service::counts::COUNTS_VERSION).await?;
    Ok(report)
}

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "CITY_ORGANIZATION_DEPARTMENT" => "市委组织部",
        "EDUCATION_WORK_COMMITTEE" => "省委教育工委",
        "COUNTY_ORGANIZATION_DEPARTMENT" => "区委组织部",
        "UNIVERSITY_COMMITTEE" => "大学党委",
        "STREET_WORKING_COMMITTEE" => "街道党工委",
        "SECOND_LEVEL_COMMITTEE" => "学院党委",
        _ => "党支部",
    }
}
