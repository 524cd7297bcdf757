//! `person_relations`: a person's relation to another person in the system (a member, a
//! candidate) or to the owner of a two-new organization (I1, I2).

use sea_orm::entity::prelude::*;

/// One relation, as recorded: `person_id` is related to `relative_person_id` (or to the owner
/// of the person's two-new organization) as `kind`, within `generations` generations.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_relations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub relative_person_id: Option<i64>,
    pub relative_is_owner: bool,
    pub kind: String,
    pub generations: i32,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
