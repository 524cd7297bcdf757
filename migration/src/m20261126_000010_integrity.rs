//! Integrity registers: the numbered application forms (入党志愿书) each pre-reviewing committee
//! has issued and what became of each number; who carried each responsibility on a case (the
//! responsibility chain, I9); the role each step was recorded in; relations between people
//! (kinship to a two-new organization's owner, I1; near relatives, I2); consultations of
//! external departments (I5).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FormNumbers {
    Table,
    Id,
    CommitteeOrganizationId,
    Number,
    Status,
    CandidateId,
    BoundOn,
    UsedOn,
    VoidedOn,
    VoidReason,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CaseResponsibilities {
    Table,
    Id,
    CandidateId,
    EventId,
    PersonId,
    UserId,
    Responsibility,
    OccurredOn,
}

#[derive(DeriveIden)]
enum PersonRelations {
    Table,
    Id,
    PersonId,
    RelativePersonId,
    RelativeIsOwner,
    Kind,
    Generations,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Consultations {
    Table,
    Id,
    CandidateId,
    Department,
    Stage,
    Question,
    SentOn,
    DueOn,
    Written,
    AnsweredOn,
    Answer,
    Concern,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum People {
    Table,
    IsBusinessOwner,
}

#[derive(DeriveIden)]
enum CandidateEvents {
    Table,
    ActorRole,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FormNumbers::Table)
                    .col(big_pk_auto(FormNumbers::Id))
                    .col(big_integer(FormNumbers::CommitteeOrganizationId))
                    .col(string(FormNumbers::Number))
                    .col(string(FormNumbers::Status))
                    .col(big_integer_null(FormNumbers::CandidateId))
                    .col(date_null(FormNumbers::BoundOn))
                    .col(date_null(FormNumbers::UsedOn))
                    .col(date_null(FormNumbers::VoidedOn))
                    .col(string_null(FormNumbers::VoidReason))
                    .col(big_integer(FormNumbers::CreatedBy))
                    .col(timestamp_with_time_zone(FormNumbers::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_form_numbers_number")
                    .table(FormNumbers::Table)
                    .col(FormNumbers::CommitteeOrganizationId)
                    .col(FormNumbers::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_form_numbers_committee")
                    .table(FormNumbers::Table)
                    .col(FormNumbers::CommitteeOrganizationId)
                    .col(FormNumbers::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CaseResponsibilities::Table)
                    .col(big_pk_auto(CaseResponsibilities::Id))
                    .col(big_integer(CaseResponsibilities::CandidateId))
                    .col(big_integer(CaseResponsibilities::EventId))
                    .col(big_integer_null(CaseResponsibilities::PersonId))
                    .col(big_integer_null(CaseResponsibilities::UserId))
                    .col(string(CaseResponsibilities::Responsibility))
                    .col(date(CaseResponsibilities::OccurredOn))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            (
                "ix_case_responsibilities_person",
                CaseResponsibilities::PersonId,
            ),
            (
                "ix_case_responsibilities_user",
                CaseResponsibilities::UserId,
            ),
            (
                "ix_case_responsibilities_event",
                CaseResponsibilities::EventId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(CaseResponsibilities::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PersonRelations::Table)
                    .col(big_pk_auto(PersonRelations::Id))
                    .col(big_integer(PersonRelations::PersonId))
                    .col(big_integer_null(PersonRelations::RelativePersonId))
                    .col(boolean(PersonRelations::RelativeIsOwner))
                    .col(string(PersonRelations::Kind))
                    .col(integer(PersonRelations::Generations))
                    .col(big_integer(PersonRelations::CreatedBy))
                    .col(timestamp_with_time_zone(PersonRelations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_person_relations_person", PersonRelations::PersonId),
            (
                "ix_person_relations_relative",
                PersonRelations::RelativePersonId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(PersonRelations::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Consultations::Table)
                    .col(big_pk_auto(Consultations::Id))
                    .col(big_integer(Consultations::CandidateId))
                    .col(string(Consultations::Department))
                    .col(string(Consultations::Stage))
                    .col(text(Consultations::Question))
                    .col(date(Consultations::SentOn))
                    .col(date(Consultations::DueOn))
                    .col(boolean(Consultations::Written))
                    .col(date_null(Consultations::AnsweredOn))
                    .col(text_null(Consultations::Answer))
                    .col(boolean(Consultations::Concern))
                    .col(big_integer(Consultations::CreatedBy))
                    .col(timestamp_with_time_zone(Consultations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_consultations_candidate")
                    .table(Consultations::Table)
                    .col(Consultations::CandidateId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .add_column(
                        ColumnDef::new(People::IsBusinessOwner)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CandidateEvents::Table)
                    .add_column(ColumnDef::new(CandidateEvents::ActorRole).string().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .drop_column(People::IsBusinessOwner)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CandidateEvents::Table)
                    .drop_column(CandidateEvents::ActorRole)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Consultations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PersonRelations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CaseResponsibilities::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(FormNumbers::Table).to_owned())
            .await
    }
}
