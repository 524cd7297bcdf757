//! Plans and periods: a person's residence organization (居住地党组织, the second place whose
//! agreement opens the development-opinion gate L1), the next year's plan proposed with a
//! year-end report, and indexes on the dates a figure cut at a day looks past.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum People {
    Table,
    ResidenceOrganizationId,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    ProposedPlan,
}

#[derive(DeriveIden)]
enum Candidates {
    Table,
    ApprovedOn,
    AppliedOn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .add_column(
                        ColumnDef::new(People::ResidenceOrganizationId)
                            .big_integer()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Reports::Table)
                    .add_column(ColumnDef::new(Reports::ProposedPlan).text().null())
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_candidates_approved_on", Candidates::ApprovedOn),
            ("ix_candidates_applied_on", Candidates::AppliedOn),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Candidates::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["ix_candidates_applied_on", "ix_candidates_approved_on"] {
            manager
                .drop_index(Index::drop().name(name).table(Candidates::Table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Reports::Table)
                    .drop_column(Reports::ProposedPlan)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .drop_column(People::ResidenceOrganizationId)
                    .to_owned(),
            )
            .await
    }
}
