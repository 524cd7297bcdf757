//! `people`: candidates and Party members. Personal data (ID card, phone) lives only here.

use sea_orm::entity::prelude::*;

/// A person known to the service.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: Date,
    pub id_card_number: Option<String>,
    pub phone: Option<String>,
    pub education: String,
    pub occupations: String,
    pub is_frontline: bool,
    pub is_league_member: bool,
    pub household_registration: Option<String>,
    pub is_migrant: bool,
    pub outflow_organization_id: Option<i64>,
    pub outflow_organization_name: Option<String>,
    pub residence_organization_id: Option<i64>,
    pub is_business_owner: bool,
    pub is_high_level_talent: bool,
    pub has_political_violation: bool,
    pub expected_departure_on: Option<Date>,
    pub is_party_member: bool,
    pub party_member_since: Option<Date>,
    pub under_party_probation: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
