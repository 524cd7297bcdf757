//! The foundation: organizations (tree with a materialized path), users, audit events, settings.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    ParentId,
    Path,
    Depth,
    Name,
    Code,
    Kind,
    Sector,
    IsTwoNew,
    CanApprove,
    CanPreReview,
    MemberCount,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    OrganizationId,
    Role,
    IsServiceAccount,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    ActorUserId,
    OrganizationId,
    Action,
    SubjectType,
    SubjectId,
    Detail,
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The subtree filter is a range on `path` (`path >= p AND path < p || '~'`); on
        // PostgreSQL the column uses the "C" collation so the range and its index are bytewise.
        let mut path = string(Organizations::Path);
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            path.extra("COLLATE \"C\"");
        }
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(big_pk_auto(Organizations::Id))
                    .col(big_integer_null(Organizations::ParentId))
                    .col(path)
                    .col(integer(Organizations::Depth))
                    .col(string(Organizations::Name))
                    .col(string_null(Organizations::Code))
                    .col(string(Organizations::Kind))
                    .col(string(Organizations::Sector))
                    .col(boolean(Organizations::IsTwoNew))
                    .col(boolean(Organizations::CanApprove))
                    .col(boolean(Organizations::CanPreReview))
                    .col(integer(Organizations::MemberCount))
                    .col(boolean(Organizations::Active))
                    .col(timestamp_with_time_zone(Organizations::CreatedAt))
                    .col(timestamp_with_time_zone(Organizations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organizations_parent")
                            .from(Organizations::Table, Organizations::ParentId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_organizations_path")
                    .table(Organizations::Table)
                    .col(Organizations::Path)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_organizations_parent_id")
                    .table(Organizations::Table)
                    .col(Organizations::ParentId)
                    .col(Organizations::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    .col(string_uniq(Users::Username))
                    .col(string(Users::DisplayName))
                    .col(string(Users::PasswordHash))
                    .col(big_integer(Users::OrganizationId))
                    .col(string(Users::Role))
                    .col(boolean(Users::IsServiceAccount))
                    .col(boolean(Users::Active))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_organization")
                            .from(Users::Table, Users::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_users_organization_id")
                    .table(Users::Table)
                    .col(Users::OrganizationId)
                    .col(Users::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(big_pk_auto(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                    .col(big_integer_null(AuditEvents::ActorUserId))
                    .col(big_integer_null(AuditEvents::OrganizationId))
                    .col(string(AuditEvents::Action))
                    .col(string(AuditEvents::SubjectType))
                    .col(big_integer_null(AuditEvents::SubjectId))
                    .col(text(AuditEvents::Detail))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_subject")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::SubjectType)
                    .col(AuditEvents::SubjectId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .col(string(Settings::Key).primary_key())
                    .col(text(Settings::Value))
                    .col(timestamp_with_time_zone(Settings::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Settings::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            Users::Table.into_iden(),
            Organizations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
