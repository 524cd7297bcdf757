//! SeaORM entities: persistence rows of the fazhan service. They are not API types: the service
//! converts them into domain values and GraphQL types. One module per table.

pub mod audit_event;
pub mod candidate;
pub mod candidate_event;
pub mod case_responsibility;
pub mod consultation;
pub mod form_number;
pub mod guidance_plan;
pub mod idempotency_key;
pub mod letter;
pub mod organization;
pub mod organization_setting;
pub mod person;
pub mod person_relation;
pub mod plan_revision;
pub mod prelude;
pub mod report;
pub mod report_schedule;
pub mod setting;
pub mod user;
