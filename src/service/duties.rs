//! Who falls short of the organization-level duties (DOMAIN.md §4.2), from the counters.

use super::indicators::counters;
use crate::db;
use crate::domain::Actor;
use crate::domain::organization::subtree_upper_bound;
use crate::domain::plan::duties::{CommunityFacts, Duty, community_shortfalls};
use crate::error::AppResult;
use entity::organization;
use sea_orm::{DatabaseConnection, FromQueryResult, Value};

/// At most this many organizations are listed per duty.
pub const LIST_LIMIT: u64 = 500;

/// One organization short of one duty, with its numbers.
#[derive(Debug, Clone)]
pub struct Shortfall {
    pub organization: organization::Model,
    pub duty: Duty,
    pub facts: CommunityFacts,
}

/// The shortfalls of a subtree in `year`: villages and communities (the topmost organization of
/// each) against the reserve and two-year duties, branches against developing someone in
/// `since_year..=year`.
pub async fn shortfalls(
    db: &DatabaseConnection,
    actor: &Actor,
    under: Option<i64>,
    year: i32,
    since_year: i32,
) -> AppResult<Vec<Shortfall>> {
    super::require(actor, crate::domain::Permission::ReadIndicators)?;
    let path = super::organization::resolve_under(db, actor, under).await?;
    let upper = subtree_upper_bound(&path);
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT o.* FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id \
         WHERE o.path >= $1 AND o.path < $2 AND o.active = $3 AND o.sector IN ('VILLAGE', 'COMMUNITY') \
         AND (p.id IS NULL OR p.sector NOT IN ('VILLAGE', 'COMMUNITY')) ORDER BY o.id LIMIT {LIST_LIMIT}"
    );
    let values: Vec<Value> = vec![path.clone().into(), upper.clone().into(), true.into()];
    let communities = organization::Model::find_by_statement(db::raw(backend, &sql, values))
        .all(db)
        .await?;
    let ids: Vec<i64> = communities.iter().map(|o| o.id).collect();
    let counts = counters(db, &ids, year).await?;
    let mut out = vec![];
    for o in communities {
        let k = counts.get(&o.id).cloned().unwrap_or_default();
        let n = |v: i64| u32::try_from(v.max(0)).unwrap_or(0);
        let facts = CommunityFacts {
            activists: n(k.get(0, "stage", "ACTIVIST")),
            admitted_two_years: n(
                k.get(year, "admitted", "ALL") + k.get(year - 1, "admitted", "ALL")
            ),
            young_two_years: n(k.get(year, "category", "AGE_35_AND_UNDER")
                + k.get(year - 1, "category", "AGE_35_AND_UNDER")),
        };
        for duty in community_shortfalls(&facts) {
            out.push(Shortfall {
                organization: o.clone(),
                duty,
                facts,
            });
        }
    }
    let sql = format!(
        "SELECT o.* FROM organizations o WHERE o.path >= $1 AND o.path < $2 AND o.kind = 'BRANCH' AND o.active = $3 \
         AND NOT EXISTS (SELECT 1 FROM org_counts c WHERE c.organization_id = o.id AND c.dimension = 'admitted' \
         AND c.value = 'ALL' AND c.year >= $4 AND c.year <= $5 AND c.n > 0) ORDER BY o.id LIMIT {LIST_LIMIT}"
    );
    let values: Vec<Value> = vec![
        path.into(),
        upper.into(),
        true.into(),
        since_year.into(),
        year.into(),
    ];
    for o in organization::Model::find_by_statement(db::raw(backend, &sql, values))
        .all(db)
        .await?
    {
        out.push(Shortfall {
            organization: o,
            duty: Duty::BranchDevelopment,
            facts: CommunityFacts::default(),
        });
    }
    Ok(out)
}
