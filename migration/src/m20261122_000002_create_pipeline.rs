//! The candidate pipeline: people (candidates and members), cases, the append-only full-process
//! record, per-organization local rules, and idempotency keys.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
    OrganizationId,
    Name,
    Gender,
    Ethnicity,
    BirthDate,
    IdCardNumber,
    Phone,
    Education,
    Occupations,
    IsFrontline,
    IsLeagueMember,
    HouseholdRegistration,
    IsMigrant,
    OutflowOrganizationId,
    OutflowOrganizationName,
    IsHighLevelTalent,
    HasPoliticalViolation,
    ExpectedDepartureOn,
    IsPartyMember,
    PartyMemberSince,
    UnderPartyProbation,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Candidates {
    Table,
    Id,
    PersonId,
    OrganizationId,
    Stage,
    Version,
    AppliedOn,
    TalkedOn,
    ActivistOn,
    LastExaminationOn,
    TargetOn,
    AdmissionMeetingOn,
    ApprovedOn,
    OathOn,
    ProbationEndOn,
    ConversionMeetingOn,
    ConvertedOn,
    ArchivedOn,
    Extended,
    Invalidated,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CandidateEvents {
    Table,
    Id,
    CandidateId,
    Step,
    StepNumber,
    OccurredOn,
    RecordedAt,
    ActorUserId,
    OrganizationId,
    Details,
    Warnings,
    CorrectsEventId,
    Note,
}

#[derive(DeriveIden)]
enum OrganizationSettings {
    Table,
    OrganizationId,
    Rules,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    UserId,
    Key,
    Operation,
    RequestHash,
    ResultId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

fn fk(
    name: &str,
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from_table, from_col)
        .to(to_table, to_col)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(People::Table)
                    .col(big_pk_auto(People::Id))
                    .col(big_integer(People::OrganizationId))
                    .col(string(People::Name))
                    .col(string(People::Gender))
                    .col(string(People::Ethnicity))
                    .col(date(People::BirthDate))
                    .col(string_null(People::IdCardNumber))
                    .col(string_null(People::Phone))
                    .col(string(People::Education))
                    .col(string(People::Occupations))
                    .col(boolean(People::IsFrontline))
                    .col(boolean(People::IsLeagueMember))
                    .col(string_null(People::HouseholdRegistration))
                    .col(boolean(People::IsMigrant))
                    .col(big_integer_null(People::OutflowOrganizationId))
                    .col(string_null(People::OutflowOrganizationName))
                    .col(boolean(People::IsHighLevelTalent))
                    .col(boolean(People::HasPoliticalViolation))
                    .col(date_null(People::ExpectedDepartureOn))
                    .col(boolean(People::IsPartyMember))
                    .col(date_null(People::PartyMemberSince))
                    .col(boolean(People::UnderPartyProbation))
                    .col(timestamp_with_time_zone(People::CreatedAt))
                    .col(timestamp_with_time_zone(People::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_people_organization",
                        People::Table,
                        People::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_people_id_card_number")
                    .table(People::Table)
                    .col(People::IdCardNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_people_members")
                    .table(People::Table)
                    .col(People::OrganizationId)
                    .col(People::IsPartyMember)
                    .col(People::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Candidates::Table)
                    .col(big_pk_auto(Candidates::Id))
                    .col(big_integer_uniq(Candidates::PersonId))
                    .col(big_integer(Candidates::OrganizationId))
                    .col(string(Candidates::Stage))
                    .col(integer(Candidates::Version))
                    .col(date(Candidates::AppliedOn))
                    .col(date_null(Candidates::TalkedOn))
                    .col(date_null(Candidates::ActivistOn))
                    .col(date_null(Candidates::LastExaminationOn))
                    .col(date_null(Candidates::TargetOn))
                    .col(date_null(Candidates::AdmissionMeetingOn))
                    .col(date_null(Candidates::ApprovedOn))
                    .col(date_null(Candidates::OathOn))
                    .col(date_null(Candidates::ProbationEndOn))
                    .col(date_null(Candidates::ConversionMeetingOn))
                    .col(date_null(Candidates::ConvertedOn))
                    .col(date_null(Candidates::ArchivedOn))
                    .col(boolean(Candidates::Extended))
                    .col(boolean(Candidates::Invalidated))
                    .col(timestamp_with_time_zone(Candidates::CreatedAt))
                    .col(timestamp_with_time_zone(Candidates::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_candidates_person",
                        Candidates::Table,
                        Candidates::PersonId,
                        People::Table,
                        People::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_candidates_organization",
                        Candidates::Table,
                        Candidates::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_candidates_organization_id")
                    .table(Candidates::Table)
                    .col(Candidates::OrganizationId)
                    .col(Candidates::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CandidateEvents::Table)
                    .col(big_pk_auto(CandidateEvents::Id))
                    .col(big_integer(CandidateEvents::CandidateId))
                    .col(string(CandidateEvents::Step))
                    .col(small_integer(CandidateEvents::StepNumber))
                    .col(date(CandidateEvents::OccurredOn))
                    .col(timestamp_with_time_zone(CandidateEvents::RecordedAt))
                    .col(big_integer(CandidateEvents::ActorUserId))
                    .col(big_integer(CandidateEvents::OrganizationId))
                    .col(text(CandidateEvents::Details))
                    .col(text(CandidateEvents::Warnings))
                    .col(big_integer_null(CandidateEvents::CorrectsEventId))
                    .col(text_null(CandidateEvents::Note))
                    .foreign_key(&mut fk(
                        "fk_candidate_events_candidate",
                        CandidateEvents::Table,
                        CandidateEvents::CandidateId,
                        Candidates::Table,
                        Candidates::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_candidate_events_candidate")
                    .table(CandidateEvents::Table)
                    .col(CandidateEvents::CandidateId)
                    .col(CandidateEvents::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrganizationSettings::Table)
                    .col(big_integer(OrganizationSettings::OrganizationId).primary_key())
                    .col(text(OrganizationSettings::Rules))
                    .col(timestamp_with_time_zone(OrganizationSettings::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_organization_settings_organization",
                        OrganizationSettings::Table,
                        OrganizationSettings::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(big_integer(IdempotencyKeys::UserId))
                    .col(string(IdempotencyKeys::Key))
                    .col(string(IdempotencyKeys::Operation))
                    .col(string(IdempotencyKeys::RequestHash))
                    .col(big_integer(IdempotencyKeys::ResultId))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::UserId)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            OrganizationSettings::Table.into_iden(),
            CandidateEvents::Table.into_iden(),
            Candidates::Table.into_iden(),
            People::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
