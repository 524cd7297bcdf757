//! `letters`: request letters (函调) between two organizations about a person.

use sea_orm::entity::prelude::*;

/// One letter and, once answered, its reply.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "letters")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub candidate_id: Option<i64>,
    pub sender_organization_id: i64,
    pub receiver_organization_id: i64,
    pub subject: String,
    pub questions: String,
    pub sender_contact: String,
    pub requested_reply_on: Option<Date>,
    pub sent_on: Option<Date>,
    pub received_on: Option<Date>,
    pub due_on: Option<Date>,
    pub replied_on: Option<Date>,
    pub withdrawn_on: Option<Date>,
    pub voting_body: Option<String>,
    pub vote_expected: Option<i32>,
    pub vote_present: Option<i32>,
    pub vote_yes: Option<i32>,
    pub vote_no: Option<i32>,
    pub vote_abstain: Option<i32>,
    pub meeting_on: Option<Date>,
    pub reply_text: Option<String>,
    pub decision: Option<String>,
    pub late: bool,
    pub overdue_notified: bool,
    pub version: i32,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
