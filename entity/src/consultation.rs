//! `consultations`: a case's requests to external departments (I5) and their answers.

use sea_orm::entity::prelude::*;

/// One request to an external department, recorded by the organizer, and its answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub candidate_id: i64,
    pub department: String,
    pub stage: String,
    pub question: String,
    pub sent_on: Date,
    pub due_on: Date,
    pub written: bool,
    pub answered_on: Option<Date>,
    pub answer: Option<String>,
    pub concern: bool,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
