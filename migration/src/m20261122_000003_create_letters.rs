//! Request letters (函调) between organizations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Letters {
    Table,
    Id,
    Kind,
    Status,
    CandidateId,
    SenderOrganizationId,
    ReceiverOrganizationId,
    Subject,
    Questions,
    SenderContact,
    RequestedReplyOn,
    SentOn,
    ReceivedOn,
    DueOn,
    RepliedOn,
    WithdrawnOn,
    VotingBody,
    VoteExpected,
    VotePresent,
    VoteYes,
    VoteNo,
    VoteAbstain,
    MeetingOn,
    ReplyText,
    Decision,
    Late,
    OverdueNotified,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
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
                    .table(Letters::Table)
                    .col(big_pk_auto(Letters::Id))
                    .col(string(Letters::Kind))
                    .col(string(Letters::Status))
                    .col(big_integer_null(Letters::CandidateId))
                    .col(big_integer(Letters::SenderOrganizationId))
                    .col(big_integer(Letters::ReceiverOrganizationId))
                    .col(text(Letters::Subject))
                    .col(text(Letters::Questions))
                    .col(string(Letters::SenderContact))
                    .col(date_null(Letters::RequestedReplyOn))
                    .col(date_null(Letters::SentOn))
                    .col(date_null(Letters::ReceivedOn))
                    .col(date_null(Letters::DueOn))
                    .col(date_null(Letters::RepliedOn))
                    .col(date_null(Letters::WithdrawnOn))
                    .col(string_null(Letters::VotingBody))
                    .col(integer_null(Letters::VoteExpected))
                    .col(integer_null(Letters::VotePresent))
                    .col(integer_null(Letters::VoteYes))
                    .col(integer_null(Letters::VoteNo))
                    .col(integer_null(Letters::VoteAbstain))
                    .col(date_null(Letters::MeetingOn))
                    .col(text_null(Letters::ReplyText))
                    .col(string_null(Letters::Decision))
                    .col(boolean(Letters::Late))
                    .col(boolean(Letters::OverdueNotified))
                    .col(integer(Letters::Version))
                    .col(big_integer(Letters::CreatedBy))
                    .col(timestamp_with_time_zone(Letters::CreatedAt))
                    .col(timestamp_with_time_zone(Letters::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_letters_sender")
                            .from(Letters::Table, Letters::SenderOrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_letters_receiver")
                            .from(Letters::Table, Letters::ReceiverOrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_letters_receiver", Letters::ReceiverOrganizationId),
            ("ix_letters_sender", Letters::SenderOrganizationId),
            ("ix_letters_candidate", Letters::CandidateId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Letters::Table)
                        .col(col)
                        .col(Letters::Id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Letters::Table).to_owned())
            .await
    }
}
