//! `case_responsibilities`: who carried which responsibility on a case (I9), one row per member
//! or user named by a step.

use sea_orm::entity::prelude::*;

/// A member (person) or user answerable for one step of one case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_responsibilities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub candidate_id: i64,
    pub event_id: i64,
    pub person_id: Option<i64>,
    pub user_id: Option<i64>,
    pub responsibility: String,
    pub occurred_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
