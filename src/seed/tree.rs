//! The organization tree: 1 : 11 : 100 : 2,000 : the rest, as in PERFORMANCE.md.

use super::pick;
use super::writer::{Table, V, flush};
use indicatif::ProgressBar;
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::DatabaseConnection;

/// A generated organization.
pub(super) struct Org {
    pub(super) id: i64,
    pub(super) path: String,
    pub(super) depth: usize,
    pub(super) kind: &'static str,
    pub(super) two_new: bool,
}

impl Org {
    /// The id of the organization above (its own for the root).
    pub(super) fn parent_id(&self) -> i64 {
        crate::domain::organization::path_ids(&self.path)
            .iter()
            .rev()
            .nth(1)
            .copied()
            .unwrap_or(self.id)
    }
}

/// The generated tree.
pub(super) struct Tree {
    /// Every organization, the root first, level by level.
    pub(super) orgs: Vec<Org>,
    /// How many organizations the first four levels have.
    pub(super) sizes: [usize; 4],
    /// The positions of the branches in `orgs`.
    pub(super) branches: Vec<usize>,
}

/// Sector, whether it is a "two new" organization, weight: the branches' mix.
const BRANCH_SECTORS: &[(&str, bool, u32)] = &[
    ("COMMUNITY", false, 30),
    ("VILLAGE", false, 20),
    ("NON_PUBLIC_ENTERPRISE", true, 20),
    ("SOCIAL_ORGANIZATION", true, 5),
    ("GOVERNMENT_ORGAN", false, 10),
    ("PUBLIC_INSTITUTION", false, 10),
    ("STATE_OWNED_ENTERPRISE", false, 5),
];

const COLUMNS: &[&str] = &[
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
];

/// Generates and writes about `organizations` organizations (at least 5) under `root`.
pub(super) async fn generate(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    root: &entity::organization::Model,
    organizations: usize,
    bar: &ProgressBar,
) -> anyhow::Result<Tree> {
    let n = organizations.max(5);
    let scale = |k: usize| ((n as f64) * k as f64 / 19_862.0).round().max(1.0) as usize;
    let sizes = [1, scale(11), scale(100), scale(2_000)];
    let mut orgs: Vec<Org> = vec![Org {
        id: root.id,
        path: root.path.clone(),
        depth: 0,
        kind: "PROVINCIAL_ORGANIZATION_DEPARTMENT",
        two_new: false,
    }];
    let mut table = Table::new("organizations", COLUMNS);
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
            let (kind, sector, two_new, approve) = kind_of(rng, level, i, count, orgs[p].kind);
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
    let branches: Vec<usize> = (0..orgs.len())
        .filter(|i| orgs[*i].kind == "BRANCH")
        .collect();
    Ok(Tree {
        orgs,
        sizes,
        branches,
    })
}

/// The `i`-th of `count` organizations at `level` under a `parent_kind`: its kind, sector,
/// whether it is "two new" and whether it approves admissions.
fn kind_of(
    rng: &mut StdRng,
    level: usize,
    i: usize,
    count: usize,
    parent_kind: &str,
) -> (&'static str, &'static str, bool, bool) {
    let education = parent_kind == "EDUCATION_WORK_COMMITTEE"
        || parent_kind == "UNIVERSITY_COMMITTEE"
        || parent_kind == "SECOND_LEVEL_COMMITTEE";
    match level {
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
            let weights: Vec<(usize, u32)> = BRANCH_SECTORS
                .iter()
                .enumerate()
                .map(|(i, x)| (i, x.2))
                .collect();
            let (sector, two_new, _) = BRANCH_SECTORS[*pick(rng, &weights)];
            ("BRANCH", sector, two_new, false)
        }
    }
}

/// The name an organization of `kind` is given (with its id after it).
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
