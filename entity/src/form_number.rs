//! `form_numbers`: the numbered application forms (入党志愿书) a pre-reviewing committee issued.

use sea_orm::entity::prelude::*;

/// One form number: ISSUED, BOUND to one person at pre-review, USED when the form is filled in,
/// or VOIDED with a reason.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "form_numbers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub committee_organization_id: i64,
    pub number: String,
    pub status: String,
    pub candidate_id: Option<i64>,
    pub bound_on: Option<Date>,
    pub used_on: Option<Date>,
    pub voided_on: Option<Date>,
    pub void_reason: Option<String>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
