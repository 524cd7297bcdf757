//! `users`: people and service accounts who use the API.

use sea_orm::entity::prelude::*;

/// A user account, belonging to one organization with one role.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub organization_id: i64,
    pub role: String,
    pub is_service_account: bool,
    pub active: bool,
    /// Bumped by a password change or reset, a deactivation, a role or organization change:
    /// tokens issued under an older generation stop working.
    pub token_generation: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
