//! The intermediate review (审议, 细则 Art. 23): a general branch or a village/community
//! committee between a case's organization and the approving committee reviews the admission
//! before it is approved.

use crate::domain::organization::OrganizationKind;

/// Whether an organization of this kind reviews (审议) admissions before approval.
pub fn is_intermediate_reviewer(kind: OrganizationKind) -> bool {
    matches!(
        kind,
        OrganizationKind::GeneralBranch | OrganizationKind::VillageCommunityCommittee
    )
}

/// An organization above a case, as the intermediate-review rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathOrganization {
    /// Its kind (none when the stored kind is unknown).
    pub kind: Option<OrganizationKind>,
    /// Whether it may approve admissions.
    pub can_approve: bool,
}

/// Whether an intermediate review is required: `above_case` lists the organizations above the
/// case's organization, nearest first; a reviewer below the nearest approving one requires it.
pub fn needs_intermediate_review(above_case: impl IntoIterator<Item = PathOrganization>) -> bool {
    above_case
        .into_iter()
        .take_while(|o| !o.can_approve)
        .any(|o| o.kind.is_some_and(is_intermediate_reviewer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrganizationKind::*;

    fn org(kind: OrganizationKind, can_approve: bool) -> PathOrganization {
        PathOrganization {
            kind: Some(kind),
            can_approve,
        }
    }

    #[test]
    fn general_branches_and_village_committees_review() {
        assert!(is_intermediate_reviewer(GeneralBranch));
        assert!(is_intermediate_reviewer(VillageCommunityCommittee));
        assert!(!is_intermediate_reviewer(Branch));
        assert!(!is_intermediate_reviewer(StreetWorkingCommittee));
    }

    #[test]
    fn a_reviewer_below_the_approving_committee_is_required() {
        assert!(needs_intermediate_review([
            org(GeneralBranch, false),
            org(StreetWorkingCommittee, true),
        ]));
        assert!(needs_intermediate_review([
            org(VillageCommunityCommittee, false),
            org(TownshipCommittee, true),
        ]));
    }

    #[test]
    fn a_reviewer_above_the_approving_committee_or_none_is_not() {
        assert!(!needs_intermediate_review([
            org(StreetWorkingCommittee, true),
            org(GeneralBranch, false),
        ]));
        assert!(!needs_intermediate_review([org(EnterpriseCommittee, true)]));
        assert!(!needs_intermediate_review([]));
        assert!(!needs_intermediate_review([PathOrganization {
            kind: None,
            can_approve: false,
        }]));
    }
}
