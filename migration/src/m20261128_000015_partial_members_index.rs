//! The index of Party members holds members only. `people` holds every applicant too (a file
//! import adds 100,000 at a time, none of them members), and every applicant was an entry in
//! the full index of migration 2 (`organization_id, is_party_member, id`: 106 MB on the
//! benchmark's million applicants, none of them a member, and never read for them); its reads
//! — an organization's or a subtree's members, by id — all ask for members. Same SQL on SQLite
//! and PostgreSQL; the queries state the condition plainly (`db::person::members_under`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum People {
    Table,
    OrganizationId,
    IsPartyMember,
    Id,
}

/// The full index of migration 2, and the partial one that replaces it.
const FULL: &str = "ix_people_members";
const PARTIAL: &str = "ix_people_party_members";

fn drop(name: &str) -> IndexDropStatement {
    Index::drop().name(name).table(People::Table).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(drop(FULL)).await?;
        manager
            .create_index(
                Index::create()
                    .name(PARTIAL)
                    .table(People::Table)
                    .col(People::OrganizationId)
                    .col(People::Id)
                    .and_where(Expr::col(People::IsPartyMember))
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
                    .table(People::Table)
                    .col(People::OrganizationId)
                    .col(People::IsPartyMember)
                    .col(People::Id)
                    .to_owned(),
            )
            .await
    }
}
