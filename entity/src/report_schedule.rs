//! `report_schedules`: the due date a collecting organization sets for a period.

use sea_orm::entity::prelude::*;

/// When reports for a period are due at a collecting organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_schedules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub collector_organization_id: i64,
    pub year: i32,
    pub period: String,
    pub due_on: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
