//! ID-card numbers compared byte by byte on PostgreSQL (`COLLATE "C"`), as organization paths
//! already are. The numbers are digits and `X`, so the order is the same, but under the
//! cluster's locale (`en_US.UTF-8`, `zh_CN.UTF-8`, even `C.UTF-8` before PostgreSQL 17) every
//! comparison in the unique index went through `strcoll`: 8 % of the server's time in a
//! 100,000-row file import, which inserts and looks up that many numbers. The index is rebuilt;
//! the rows are not rewritten. SQLite compares bytes already: nothing to do there.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn collate(manager: &SchemaManager<'_>, collation: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Ok(());
    }
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "ALTER TABLE people ALTER COLUMN id_card_number TYPE varchar COLLATE {collation}"
        ))
        .await
        .map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        collate(manager, "\"C\"").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        collate(manager, "\"default\"").await
    }
}
