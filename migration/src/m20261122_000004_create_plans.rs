//! Guidance plans (指导性计划) and their revisions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum GuidancePlans {
    Table,
    Id,
    OrganizationId,
    Year,
    Line,
    IssuerOrganizationId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PlanRevisions {
    Table,
    Id,
    PlanId,
    Revision,
    EffectiveOn,
    RecordedAt,
    ActorUserId,
    Reason,
    Content,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GuidancePlans::Table)
                    .col(big_pk_auto(GuidancePlans::Id))
                    .col(big_integer(GuidancePlans::OrganizationId))
                    .col(integer(GuidancePlans::Year))
                    .col(string(GuidancePlans::Line))
                    .col(big_integer(GuidancePlans::IssuerOrganizationId))
                    .col(timestamp_with_time_zone(GuidancePlans::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_guidance_plans_organization")
                            .from(GuidancePlans::Table, GuidancePlans::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_guidance_plans_org_year_line")
                    .table(GuidancePlans::Table)
                    .col(GuidancePlans::OrganizationId)
                    .col(GuidancePlans::Year)
                    .col(GuidancePlans::Line)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlanRevisions::Table)
                    .col(big_pk_auto(PlanRevisions::Id))
                    .col(big_integer(PlanRevisions::PlanId))
                    .col(integer(PlanRevisions::Revision))
                    .col(date(PlanRevisions::EffectiveOn))
                    .col(timestamp_with_time_zone(PlanRevisions::RecordedAt))
                    .col(big_integer(PlanRevisions::ActorUserId))
                    .col(text(PlanRevisions::Reason))
                    .col(text(PlanRevisions::Content))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_revisions_plan")
                            .from(PlanRevisions::Table, PlanRevisions::PlanId)
                            .to(GuidancePlans::Table, GuidancePlans::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_plan_revisions_plan_revision")
                    .table(PlanRevisions::Table)
                    .col(PlanRevisions::PlanId)
                    .col(PlanRevisions::Revision)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlanRevisions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(GuidancePlans::Table).to_owned())
            .await
    }
}
