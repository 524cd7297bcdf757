//! `fazhan seed`: a deterministic province for benchmarks and demos — the tree shape of
//! PERFORMANCE.md, plans for every level, people at every stage with plausible dates and the
//! key events that got them there, letters and reports, and the counters. PostgreSQL is loaded
//! with COPY, SQLite with large batched inserts, both in one transaction per table chunk.

mod cases;
mod letters;
mod plans;
mod tree;
mod writer;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};

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

/// One of `items`, drawn by weight.
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

/// A day of `year`.
fn date_in(rng: &mut StdRng, year: i32) -> NaiveDate {
    NaiveDate::from_yo_opt(year, rng.random_range(1..=365)).unwrap_or_default()
}

/// Generates the province into a migrated database whose only organization is the bootstrap root.
pub async fn run(db: &DatabaseConnection, opts: &SeedOptions) -> anyhow::Result<SeedReport> {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let (root, admin) = starting_point(db).await?;
    let mut report = SeedReport::default();
    let bar = ProgressBar::new(opts.organizations as u64 + opts.candidates as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let tree = tree::generate(db, &mut rng, &root, opts.organizations, &bar).await?;
    report.organizations = tree.orgs.len() - 1;
    anyhow::ensure!(
        !tree.branches.is_empty(),
        "too few organizations for a branch level"
    );
    report.plans = plans::write(db, &tree, opts.candidates, admin.id).await?;
    let candidates = opts.candidates;
    cases::write(db, &mut rng, &tree, candidates, admin.id, &bar, &mut report).await?;
    report.letters = letters::write_letters(db, &mut rng, &tree, candidates, admin.id).await?;
    report.reports = letters::write_reports(db, &tree, admin.id).await?;
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

/// The bootstrap root and the `admin` user, once the database is found empty.
async fn starting_point(
    db: &DatabaseConnection,
) -> anyhow::Result<(entity::organization::Model, entity::user::Model)> {
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
    Ok((root, admin))
}
