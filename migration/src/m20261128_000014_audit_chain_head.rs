//! The audit chain's head on PostgreSQL: one row holding the hash of the chain's last row.
//! An append updates it and inserts the audit row in one statement; the updated row stays
//! locked until the writing transaction ends, so the next writer waits inside PostgreSQL and
//! then computes its hash from the one this writer committed (a row lock re-reads the row it
//! waited for). Before, an append took an advisory lock, read the last hash and inserted the row:
//! three round trips and the commit with the lock held, during which every other write waited.
//! PostgreSQL only: SQLite has one writer at a time and appends as before.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE audit_chain_head (\
               id int4 PRIMARY KEY CHECK (id = 1), \
               hash text NULL, \
               prev_hash text NULL)",
        )
        .await?;
        // Starts where the chain stands (no row yet: no hash, as the first row's link).
        db.execute_unprepared(
            "INSERT INTO audit_chain_head (id, hash) \
             SELECT 1, (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE audit_chain_head")
            .await?;
        Ok(())
    }
}
