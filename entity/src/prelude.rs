//! Entity aliases.

pub use super::audit_event::Entity as AuditEvent;
pub use super::organization::Entity as Organization;
pub use super::setting::Entity as Setting;
pub use super::user::Entity as User;
