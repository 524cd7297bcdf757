//! Counts kept with every step (org_counts): per organization (its whole subtree), year,
//! dimension and value.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrgCounts {
    Table,
    OrganizationId,
    Year,
    Dimension,
    Value,
    N,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrgCounts::Table)
                    .col(big_integer(OrgCounts::OrganizationId))
                    .col(integer(OrgCounts::Year))
                    .col(string(OrgCounts::Dimension))
                    .col(string(OrgCounts::Value))
                    .col(big_integer(OrgCounts::N))
                    .primary_key(
                        Index::create()
                            .col(OrgCounts::OrganizationId)
                            .col(OrgCounts::Year)
                            .col(OrgCounts::Dimension)
                            .col(OrgCounts::Value),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrgCounts::Table).to_owned())
            .await
    }
}
