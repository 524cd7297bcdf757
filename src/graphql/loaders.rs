//! Batch loaders, one per access path, each one statement per batch. Registered on the schema
//! without caching, so nothing read for one viewer is served to another.

use crate::db::{self, Page, organization::ChildrenPageKey};
use crate::error::AppError;
use async_graphql::dataloader::{DataLoader, Loader};
use entity::{organization, user};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::Arc;

/// Loader errors are shared between the fields that waited on one batch.
pub type LoaderError = Arc<AppError>;

fn shared(e: sea_orm::DbErr) -> LoaderError {
    Arc::new(AppError::from(e))
}

/// Organizations by id.
pub struct OrganizationByIdLoader(pub DatabaseConnection);

impl Loader<i64> for OrganizationByIdLoader {
    type Value = organization::Model;
    type Error = LoaderError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = db::organization::find_by_ids(&self.0, keys)
            .await
            .map_err(shared)?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

/// Users by id.
pub struct UserByIdLoader(pub DatabaseConnection);

impl Loader<i64> for UserByIdLoader {
    type Value = user::Model;
    type Error = LoaderError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = db::find_by_ids::<user::Entity>(&self.0, user::Column::Id, keys)
            .await
            .map_err(shared)?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }
}

/// One page of children per parent, paged in SQL.
pub struct ChildrenPageLoader(pub DatabaseConnection);

impl Loader<ChildrenPageKey> for ChildrenPageLoader {
    type Value = Page<organization::Model>;
    type Error = LoaderError;

    async fn load(
        &self,
        keys: &[ChildrenPageKey],
    ) -> Result<HashMap<ChildrenPageKey, Self::Value>, Self::Error> {
        db::organization::children_pages(&self.0, keys)
            .await
            .map_err(shared)
    }
}

/// Number of children per parent: key (parent id, include inactive).
pub struct ChildCountLoader(pub DatabaseConnection);

impl Loader<(i64, bool)> for ChildCountLoader {
    type Value = i64;
    type Error = LoaderError;

    async fn load(&self, keys: &[(i64, bool)]) -> Result<HashMap<(i64, bool), i64>, Self::Error> {
        let mut out = HashMap::new();
        for include_inactive in [false, true] {
            let parents: Vec<i64> = keys
                .iter()
                .filter(|k| k.1 == include_inactive)
                .map(|k| k.0)
                .collect();
            if parents.is_empty() {
                continue;
            }
            let counts = db::organization::child_counts(&self.0, &parents, include_inactive)
                .await
                .map_err(shared)?;
            for p in parents {
                out.insert((p, include_inactive), counts.get(&p).copied().unwrap_or(0));
            }
        }
        Ok(out)
    }
}

/// People by id.
pub struct PersonByIdLoader(pub DatabaseConnection);

impl Loader<i64> for PersonByIdLoader {
    /// Shared: the loader hands every field that waited a clone.
    type Value = Arc<entity::person::Model>;
    type Error = LoaderError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = db::person::find_by_ids(&self.0, keys)
            .await
            .map_err(shared)?;
        Ok(rows.into_iter().map(|r| (r.id, Arc::new(r))).collect())
    }
}

/// The full-process record of each case.
pub struct EventsByCandidateLoader(pub DatabaseConnection);

impl Loader<i64> for EventsByCandidateLoader {
    type Value = Vec<entity::candidate_event::Model>;
    type Error = LoaderError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        db::candidate::events_of(&self.0, keys)
            .await
            .map_err(shared)
    }
}

/// Cases in the pipeline now (every stage) in each organization's subtree, from the counters.
pub struct CandidateCountLoader(pub DatabaseConnection);

impl Loader<i64> for CandidateCountLoader {
    type Value = i64;
    type Error = LoaderError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, i64>, Self::Error> {
        db::counts::stage_totals(&self.0, keys)
            .await
            .map_err(shared)
    }
}

/// One page of each organization's own cases, paged in SQL.
pub struct CasesByOrganizationLoader(pub DatabaseConnection);

impl Loader<db::candidate::CasesPageKey> for CasesByOrganizationLoader {
    /// The cases shared: the loader hands every field that waited a clone of its page (copying
    /// the 400 cases and people of a street's branches-and-cases read was most of the 4 % of its
    /// instructions this and two boxed fields saved; docs/BENCHMARK.md round nine).
    type Value = Page<db::candidate::SharedCase>;
    type Error = LoaderError;

    async fn load(
        &self,
        keys: &[db::candidate::CasesPageKey],
    ) -> Result<HashMap<db::candidate::CasesPageKey, Self::Value>, Self::Error> {
        let pages = db::candidate::pages_by_organization(&self.0, keys)
            .await
            .map_err(shared)?;
        Ok(pages
            .into_iter()
            .map(|(key, page)| (key, page.map(db::candidate::shared)))
            .collect())
    }
}

/// Number of cases each organization handles itself.
pub struct CaseCountByOrganizationLoader(pub DatabaseConnection);

impl Loader<i64> for CaseCountByOrganizationLoader {
    type Value = i64;
    type Error = LoaderError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, i64>, Self::Error> {
        db::candidate::counts_by_organization(&self.0, keys)
            .await
            .map_err(shared)
    }
}

/// Registers every loader on a schema builder; each waits `delay` to gather a batch.
pub fn register<Q, M, S>(
    builder: async_graphql::SchemaBuilder<Q, M, S>,
    db: &DatabaseConnection,
    delay: std::time::Duration,
) -> async_graphql::SchemaBuilder<Q, M, S> {
    builder
        .data(DataLoader::new(OrganizationByIdLoader(db.clone()), tokio::spawn).delay(delay))
        .data(DataLoader::new(UserByIdLoader(db.clone()), tokio::spawn).delay(delay))
        .data(DataLoader::new(ChildrenPageLoader(db.clone()), tokio::spawn).delay(delay))
        .data(DataLoader::new(ChildCountLoader(db.clone()), tokio::spawn).delay(delay))
        .data(DataLoader::new(PersonByIdLoader(db.clone()), tokio::spawn).delay(delay))
        .data(DataLoader::new(CandidateCountLoader(db.clone()), tokio::spawn).delay(delay))
        .data(DataLoader::new(CasesByOrganizationLoader(db.clone()), tokio::spawn).delay(delay))
        .data(DataLoader::new(CaseCountByOrganizationLoader(db.clone()), tokio::spawn).delay(delay))
        .data(DataLoader::new(EventsByCandidateLoader(db.clone()), tokio::spawn).delay(delay))
}
