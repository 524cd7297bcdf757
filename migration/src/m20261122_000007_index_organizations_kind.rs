//! Lists of organizations by kind ("every county department", "every branch") read an index in
//! id order instead of walking the whole tree.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Kind,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_organizations_kind_id")
                    .table(Organizations::Table)
                    .col(Organizations::Kind)
                    .col(Organizations::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_organizations_kind_id")
                    .table(Organizations::Table)
                    .to_owned(),
            )
            .await
    }
}
