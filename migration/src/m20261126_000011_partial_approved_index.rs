//! The approval-date index holds approved cases only: every new application (a file import adds
//! 100,000 at a time) has no approval date, and the only reads of the index — admissions dated
//! after a period's cut — ask for a range of dates, which implies one. Same SQL on SQLite and
//! PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Candidates {
    Table,
    ApprovedOn,
}

/// The full index of migration 9, and the partial one that replaces it.
const FULL: &str = "ix_candidates_approved_on";
const PARTIAL: &str = "ix_candidates_approved";

fn drop(name: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Candidates::Table).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(drop(FULL)).await?;
        manager
            .create_index(
                Index::create()
                    .name(PARTIAL)
                    .table(Candidates::Table)
                    .col(Candidates::ApprovedOn)
                    .and_where(Expr::col(Candidates::ApprovedOn).is_not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(drop(PARTIAL)).await?;
        manager
            .create_index(
                Index::create()
                    .name(FULL)
                    .table(Candidates::Table)
                    .col(Candidates::ApprovedOn)
                    .to_owned(),
            )
            .await
    }
}
