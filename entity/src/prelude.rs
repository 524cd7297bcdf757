//! Entity aliases.

pub use super::audit_event::Entity as AuditEvent;
pub use super::candidate::Entity as Candidate;
pub use super::candidate_event::Entity as CandidateEvent;
pub use super::guidance_plan::Entity as GuidancePlan;
pub use super::idempotency_key::Entity as IdempotencyKey;
pub use super::letter::Entity as Letter;
pub use super::organization::Entity as Organization;
pub use super::organization_setting::Entity as OrganizationSetting;
pub use super::person::Entity as Person;
pub use super::plan_revision::Entity as PlanRevision;
pub use super::report::Entity as Report;
pub use super::report_schedule::Entity as ReportSchedule;
pub use super::setting::Entity as Setting;
pub use super::user::Entity as User;
