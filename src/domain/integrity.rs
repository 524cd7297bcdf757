//! Integrity registers (DOMAIN.md §7): numbered application forms (I6) and the responsibility
//! chain (I9).

use super::DomainError;
use super::pipeline::model::StepDetails;

/// The largest range of form numbers registered at once.
pub const MAX_FORM_RANGE: u64 = 10_000;

/// The numbers of a registered range: `prefix` + the sequence zero-padded to `width` digits.
pub fn form_numbers(
    prefix: &str,
    from: u64,
    to: u64,
    width: u32,
) -> Result<Vec<String>, DomainError> {
    let bad = |zh: String, en: String| Err(DomainError::invalid("range", zh, en));
    if prefix.trim().is_empty()
        || prefix.trim() != prefix
        || prefix.chars().count() > 40
        || prefix.chars().any(char::is_control)
    {
        return bad(
            "编号前缀须为1至40个字符，不含首尾空格和控制字符".into(),
            "the prefix must be 1–40 characters, without surrounding spaces or control characters"
                .into(),
        );
    }
    if from > to || to - from >= MAX_FORM_RANGE {
        return bad(
            format!("编号区间须从小到大且不超过{MAX_FORM_RANGE}个"),
            format!("a range runs upwards and holds at most {MAX_FORM_RANGE} numbers"),
        );
    }
    if !(1..=12).contains(&width) || to.to_string().len() > width as usize {
        return bad(
            "编号位数须在1至12之间且能容纳区间的最大编号".into(),
            "the width must be 1–12 digits and fit the largest number".into(),
        );
    }
    Ok((from..=to)
        .map(|n| format!("{prefix}{n:0w$}", w = width as usize))
        .collect())
}

super::organization::string_enum! {
    /// What became of a form number.
    FormStatus {
        Issued = "ISSUED",
        Bound = "BOUND",
        Used = "USED",
        Voided = "VOIDED",
    }
}

impl FormStatus {
    /// Whether a number in this state may be bound to a person at pre-review.
    pub fn bindable(self) -> bool {
        self == FormStatus::Issued
    }

    /// Whether a number in this state may be voided (a number already used stays on record).
    pub fn voidable(self) -> bool {
        matches!(self, FormStatus::Issued | FormStatus::Bound)
    }
}

super::organization::string_enum! {
    /// A responsibility carried on a case (I9).
    Responsibility {
        /// 培养联系人 (a member).
        CultivationContact = "CULTIVATION_CONTACT",
        /// 入党介绍人 (a member).
        Introducer = "INTRODUCER",
        /// A talk recorded (the recording user).
        Talk = "TALK",
        /// A political review recorded.
        PoliticalReview = "POLITICAL_REVIEW",
        /// A review by the branch committee, the pre-reviewing committee or the intermediate
        /// level.
        Review = "REVIEW",
        /// An approval (admission or conversion).
        Approval = "APPROVAL",
    }
}

/// Who a step makes answerable: the members it names (person ids), and the recording user for
/// the steps that are themselves a judgement.
pub fn responsibilities(
    step: &StepDetails,
) -> (Vec<(Responsibility, i64)>, Option<Responsibility>) {
    use StepDetails::*;
    match step {
        AssignContacts { contact_ids } => (
            contact_ids
                .iter()
                .map(|p| (Responsibility::CultivationContact, *p))
                .collect(),
            None,
        ),
        AssignIntroducers { introducer_ids } => (
            introducer_ids
                .iter()
                .map(|p| (Responsibility::Introducer, *p))
                .collect(),
            None,
        ),
        ApplicationTalk { .. } | PreApprovalTalk { .. } => (vec![], Some(Responsibility::Talk)),
        PoliticalReview { .. } => (vec![], Some(Responsibility::PoliticalReview)),
        BranchCommitteeReview { .. } | PreReview { .. } | IntermediateReview { .. } => {
            (vec![], Some(Responsibility::Review))
        }
        AdmissionApproval { .. } | ConversionApproval { .. } => {
            (vec![], Some(Responsibility::Approval))
        }
        _ => (vec![], None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_padded_and_bounded() {
        let n = form_numbers("440100-2025-", 98, 101, 6).unwrap();
        assert_eq!(
            n,
            [
                "440100-2025-000098",
                "440100-2025-000099",
                "440100-2025-000100",
                "440100-2025-000101"
            ]
        );
        assert!(form_numbers("X", 5, 4, 6).is_err());
        assert!(form_numbers("X", 0, MAX_FORM_RANGE - 1, 6).is_ok());
        assert!(form_numbers("X", 0, MAX_FORM_RANGE, 6).is_err());
        assert!(form_numbers("X", 1, 1_000_000, 6).is_err());
        assert!(form_numbers(" ", 1, 2, 6).is_err());
        assert!(form_numbers(" SP-", 1, 2, 6).is_err());
        assert!(form_numbers("NL\n-", 1, 2, 6).is_err());
    }

    #[test]
    fn only_an_issued_number_binds_and_a_used_one_is_never_voided() {
        assert!(FormStatus::Issued.bindable());
        assert!(!FormStatus::Voided.bindable());
        assert!(!FormStatus::Bound.bindable());
        assert!(FormStatus::Bound.voidable());
        assert!(!FormStatus::Used.voidable());
    }

    #[test]
    fn members_named_and_judgements_recorded_are_answerable() {
        let (members, user) = responsibilities(&StepDetails::AssignIntroducers {
            introducer_ids: vec![4, 5],
        });
        assert_eq!(
            members,
            [
                (Responsibility::Introducer, 4),
                (Responsibility::Introducer, 5)
            ]
        );
        assert_eq!(user, None);
        let (members, user) = responsibilities(&StepDetails::AdmissionApproval {
            approver_organization_id: 3,
        });
        assert!(members.is_empty());
        assert_eq!(user, Some(Responsibility::Approval));
    }
}
