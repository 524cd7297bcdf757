//! Domain failures: invalid input (a field and why) and rule refusals (rule id, source, numbers).

use serde_json::Value;

/// A refusal by a rule of the national Rules or a local rule, with the numbers that failed.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleViolation {
    /// Stable rule id, e.g. `N4` or `A1`.
    pub rule: &'static str,
    /// Where the rule comes from, e.g. `细则 Art. 13`.
    pub source: &'static str,
    /// Message in Chinese.
    pub message_zh: String,
    /// Message in English.
    pub message_en: String,
    /// The numbers that failed, as a JSON object.
    pub details: Value,
}

/// A failure decided by domain rules, before anything is written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    /// Input that is invalid in itself.
    #[error("{message_zh} / {message_en}")]
    InvalidInput {
        field: &'static str,
        message_zh: String,
        message_en: String,
    },
    /// A rule refuses the operation.
    #[error("{} / {}", .0.message_zh, .0.message_en)]
    Rule(RuleViolation),
}

impl DomainError {
    /// Invalid input on one field, with a bilingual message.
    pub fn invalid(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::InvalidInput {
            field,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }
}
