//! The pure business layer: rules and value types of the domain. It imports neither sea_orm,
//! async_graphql, axum nor tokio, and every rule here has unit tests beside it.

pub mod actor;
pub mod consultation;
pub mod counts;
pub mod error;
pub mod export;
pub mod import_file;
pub mod integrity;
pub mod kinship;
pub mod letter;
pub mod organization;
pub mod pipeline;
pub mod plan;
pub mod report;
pub mod role;
pub mod text;
pub mod user;

pub use actor::Actor;
pub use error::{DomainError, RuleViolation};
pub use role::{Permission, Role};
