//! SeaORM entities: persistence rows of the fazhan service. They are not API types: the service
//! converts them into domain values and GraphQL types. One module per table.

pub mod audit_event;
pub mod organization;
pub mod prelude;
pub mod setting;
pub mod user;
