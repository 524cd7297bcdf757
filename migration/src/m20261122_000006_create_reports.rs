//! Reports exchanged with higher levels, and the due dates the collecting levels set.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReportSchedules {
    Table,
    Id,
    CollectorOrganizationId,
    Year,
    Period,
    DueOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    OrganizationId,
    Year,
    Period,
    Status,
    Snapshot,
    Declared,
    Narrative,
    Attachments,
    ReturnReason,
    SubmittedOn,
    AcceptedOn,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReportSchedules::Table)
                    .col(big_pk_auto(ReportSchedules::Id))
                    .col(big_integer(ReportSchedules::CollectorOrganizationId))
                    .col(integer(ReportSchedules::Year))
                    .col(string(ReportSchedules::Period))
                    .col(date(ReportSchedules::DueOn))
                    .col(timestamp_with_time_zone(ReportSchedules::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_report_schedules")
                    .table(ReportSchedules::Table)
                    .col(ReportSchedules::CollectorOrganizationId)
                    .col(ReportSchedules::Year)
                    .col(ReportSchedules::Period)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .col(big_pk_auto(Reports::Id))
                    .col(big_integer(Reports::OrganizationId))
                    .col(integer(Reports::Year))
                    .col(string(Reports::Period))
                    .col(string(Reports::Status))
                    .col(text(Reports::Snapshot))
                    .col(text(Reports::Declared))
                    .col(text(Reports::Narrative))
                    .col(text(Reports::Attachments))
                    .col(text_null(Reports::ReturnReason))
                    .col(date_null(Reports::SubmittedOn))
                    .col(date_null(Reports::AcceptedOn))
                    .col(integer(Reports::Version))
                    .col(big_integer(Reports::CreatedBy))
                    .col(timestamp_with_time_zone(Reports::CreatedAt))
                    .col(timestamp_with_time_zone(Reports::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_reports_org_year_period")
                    .table(Reports::Table)
                    .col(Reports::OrganizationId)
                    .col(Reports::Year)
                    .col(Reports::Period)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Reports::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ReportSchedules::Table).to_owned())
            .await
    }
}
