//! `candidates`: one development case; a projection of its events for lists and indicators.

use sea_orm::entity::prelude::*;

/// A development case (发展对象档案).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "candidates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub organization_id: i64,
    pub stage: String,
    pub version: i32,
    pub applied_on: Date,
    pub talked_on: Option<Date>,
    pub activist_on: Option<Date>,
    pub last_examination_on: Option<Date>,
    pub target_on: Option<Date>,
    pub admission_meeting_on: Option<Date>,
    pub approved_on: Option<Date>,
    pub oath_on: Option<Date>,
    pub probation_end_on: Option<Date>,
    pub conversion_meeting_on: Option<Date>,
    pub converted_on: Option<Date>,
    pub archived_on: Option<Date>,
    pub extended: bool,
    pub invalidated: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// A case belongs to its person and to the organization that handles it.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The person the case is about.
    #[sea_orm(
        belongs_to = "super::person::Entity",
        from = "Column::PersonId",
        to = "super::person::Column::Id"
    )]
    Person,
    /// The organization that handles the case.
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id"
    )]
    Organization,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
