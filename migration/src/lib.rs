//! Schema migrations, oldest first. Frozen history: a migration never imports the `entity` crate
//! and never changes once released; a schema change is a new file with a working `down`.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_foundation;
mod m20261122_000002_create_pipeline;
mod m20261122_000003_create_letters;
mod m20261122_000004_create_plans;
mod m20261122_000005_create_counts;
mod m20261122_000006_create_reports;
mod m20261122_000007_index_organizations_kind;
mod m20261126_000008_trust;
mod m20261126_000009_plans_periods;
mod m20261126_000010_integrity;
mod m20261126_000011_partial_approved_index;
mod m20261127_000012_id_card_collation;
mod m20261127_000013_index_organizations_path_id;
mod m20261128_000014_audit_chain_head;
mod m20261128_000015_partial_members_index;

/// Runs every migration of the service in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_foundation::Migration),
            Box::new(m20261122_000002_create_pipeline::Migration),
            Box::new(m20261122_000003_create_letters::Migration),
            Box::new(m20261122_000004_create_plans::Migration),
            Box::new(m20261122_000005_create_counts::Migration),
            Box::new(m20261122_000006_create_reports::Migration),
            Box::new(m20261122_000007_index_organizations_kind::Migration),
            Box::new(m20261126_000008_trust::Migration),
            Box::new(m20261126_000009_plans_periods::Migration),
            Box::new(m20261126_000010_integrity::Migration),
            Box::new(m20261126_000011_partial_approved_index::Migration),
            Box::new(m20261127_000012_id_card_collation::Migration),
            Box::new(m20261127_000013_index_organizations_path_id::Migration),
            Box::new(m20261128_000014_audit_chain_head::Migration),
            Box::new(m20261128_000015_partial_members_index::Migration),
        ]
    }
}
