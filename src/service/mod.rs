//! Use cases: check the actor's permission and scope, parse input through the domain, write in
//! one transaction with its audit event. The only layer that begins transactions.

pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod candidate;
pub mod consultation;
pub mod counts;
pub mod demo;
pub mod duplicates;
pub mod duties;
pub mod file_import;
pub mod import;
pub mod indicators;
pub mod integrity;
pub mod letter;
pub mod list;
pub mod local_rules;
pub mod member;
pub mod organization;
pub mod period;
pub mod pipeline;
pub mod plan;
pub mod relation;
pub mod report;
pub mod user;

use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};

/// Refuses with `FORBIDDEN` when the actor's role lacks `permission`.
pub fn require(actor: &Actor, permission: Permission) -> AppResult<()> {
    if actor.may(permission) {
        Ok(())
    } else {
        let (zh, en) = permission.describe();
        Err(AppError::Forbidden(format!(
            "{}角色无权{zh} / role {} may not {en}",
            actor.role, actor.role
        )))
    }
}
