//! Organizations: kinds and sectors (DOMAIN.md §1.1, §2.1), the approval-authority rule (§2.3),
//! and the materialized ancestor path that makes subtree questions one range scan.

use super::error::{DomainError, RuleViolation};
use serde_json::json;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        /// Serialized as its stored name.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// Read from its stored name; an unknown name is refused.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = <String as serde::Deserialize>::deserialize(d)?;
                $name::parse(&name)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown name {name:?}")))
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a stored name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

pub(crate) use string_enum;

string_enum! {
    /// The kind of a Party organization (DOMAIN.md §1.1).
    OrganizationKind {
        /// 省委组织部
        ProvincialOrganizationDepartment = "PROVINCIAL_ORGANIZATION_DEPARTMENT",
        /// 市委组织部
        CityOrganizationDepartment = "CITY_ORGANIZATION_DEPARTMENT",
        /// 区(县)委组织部
        CountyOrganizationDepartment = "COUNTY_ORGANIZATION_DEPARTMENT",
        /// 省委教育工委
        EducationWorkCommittee = "EDUCATION_WORK_COMMITTEE",
        /// 街道党工委
        StreetWorkingCommittee = "STREET_WORKING_COMMITTEE",
        /// 乡镇党委
        TownshipCommittee = "TOWNSHIP_COMMITTEE",
        /// 机关党工委
        OrgansWorkingCommittee = "ORGANS_WORKING_COMMITTEE",
        /// 高校党委
        UniversityCommittee = "UNIVERSITY_COMMITTEE",
        /// 院系/二级党委
        SecondLevelCommittee = "SECOND_LEVEL_COMMITTEE",
        /// 企业党委
        EnterpriseCommittee = "ENTERPRISE_COMMITTEE",
        /// 其他基层党委
        BasicLevelCommittee = "BASIC_LEVEL_COMMITTEE",
        /// 村/社区党委 under a township or street
        VillageCommunityCommittee = "VILLAGE_COMMUNITY_COMMITTEE",
        /// 党总支
        GeneralBranch = "GENERAL_BRANCH",
        /// 党支部
        Branch = "BRANCH",
        /// 流动党员党组织
        MobilePartyOrganization = "MOBILE_PARTY_ORGANIZATION",
    }
}

string_enum! {
    /// The sector an organization works in.
    Sector {
        PartyOrgan = "PARTY_ORGAN",
        GovernmentOrgan = "GOVERNMENT_ORGAN",
        PublicInstitution = "PUBLIC_INSTITUTION",
        StateOwnedEnterprise = "STATE_OWNED_ENTERPRISE",
        NonPublicEnterprise = "NON_PUBLIC_ENTERPRISE",
        SocialOrganization = "SOCIAL_ORGANIZATION",
        University = "UNIVERSITY",
        School = "SCHOOL",
        Community = "COMMUNITY",
        Village = "VILLAGE",
        Other = "OTHER",
    }
}

impl Sector {
    /// "Two new" (两新组织) = non-public economic organizations + social organizations.
    pub fn is_two_new(self) -> bool {
        matches!(
            self,
            Sector::NonPublicEnterprise | Sector::SocialOrganization
        )
    }
}

/// Whether an organization may approve admissions (DOMAIN.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalAuthority {
    /// Never approves (general branch, branch, village/community committee, a committee under a
    /// township or street, organization departments which file instead).
    Never,
    /// May approve; the value is the default when the input does not say.
    Allowed { default: bool },
}

impl OrganizationKind {
    /// A branch and a mobile Party organization are leaves of the tree.
    pub fn may_have_children(self) -> bool {
        !matches!(
            self,
            OrganizationKind::Branch | OrganizationKind::MobilePartyOrganization
        )
    }

    /// Organizations that receive applications (细则 Art. 6): branches, general branches and
    /// mobile Party organizations.
    pub fn receives_applications(self) -> bool {
        matches!(
            self,
            OrganizationKind::Branch
                | OrganizationKind::GeneralBranch
                | OrganizationKind::MobilePartyOrganization
        )
    }

    fn is_organization_department(self) -> bool {
        matches!(
            self,
            OrganizationKind::ProvincialOrganizationDepartment
                | OrganizationKind::CityOrganizationDepartment
                | OrganizationKind::CountyOrganizationDepartment
        )
    }
}

/// The approval authority of an organization of `kind` placed under `parent`.
pub fn approval_authority(
    kind: OrganizationKind,
    parent: Option<OrganizationKind>,
) -> ApprovalAuthority {
    use OrganizationKind::*;
    let under_township_or_street =
        matches!(parent, Some(StreetWorkingCommittee | TownshipCommittee));
    match kind {
        GeneralBranch | Branch | VillageCommunityCommittee | MobilePartyOrganization => {
            ApprovalAuthority::Never
        }
        k if k.is_organization_department() => ApprovalAuthority::Never,
        EducationWorkCommittee => ApprovalAuthority::Never,
        _ if under_township_or_street => ApprovalAuthority::Never,
        // Configurable per university: some let their second-level committees approve.
        SecondLevelCommittee => ApprovalAuthority::Allowed { default: false },
        _ => ApprovalAuthority::Allowed { default: true },
    }
}

/// Decides `canApprove` for an organization: the requested value if the Rules allow it, the
/// default otherwise; refuses `true` where the Rules never allow approval (rule `A1`).
pub fn decide_can_approve(
    kind: OrganizationKind,
    parent: Option<OrganizationKind>,
    requested: Option<bool>,
) -> Result<bool, DomainError> {
    match (approval_authority(kind, parent), requested) {
        (ApprovalAuthority::Never, Some(true)) => Err(DomainError::Rule(RuleViolation {
            rule: "A1",
            source: "细则 Art. 23",
            message_zh: format!(
                "{}{}不能审批接收预备党员",
                if parent_is_township_or_street(parent) {
                    "乡镇(街道)所属的"
                } else {
                    ""
                },
                kind_name_zh(kind)
            ),
            message_en: format!(
                "a {}{} may never approve admissions",
                kind.as_str(),
                if parent_is_township_or_street(parent) {
                    " under a township or street"
                } else {
                    ""
                }
            ),
            details: json!({ "kind": kind.as_str(), "parentKind": parent.map(|p| p.as_str()) }),
        })),
        (ApprovalAuthority::Never, _) => Ok(false),
        (ApprovalAuthority::Allowed { default }, requested) => Ok(requested.unwrap_or(default)),
    }
}

/// Decides `canPreReview` (预审): defaults to the approval authority; a county organization
/// department may be set to pre-review (a local arrangement); nobody else who cannot approve may.
pub fn decide_can_pre_review(
    kind: OrganizationKind,
    can_approve: bool,
    requested: Option<bool>,
) -> Result<bool, DomainError> {
    let allowed = can_approve || kind == OrganizationKind::CountyOrganizationDepartment;
    match requested {
        Some(true) if !allowed => Err(DomainError::Rule(RuleViolation {
            rule: "A2",
            source: "细则 Art. 19",
            message_zh: "预审由具有审批权限的基层党委(或县级组织部门)进行".into(),
            message_en: "pre-review is done by a committee that may approve, or a county organization department".into(),
            details: json!({ "kind": kind.as_str(), "canApprove": can_approve }),
        })),
        Some(v) => Ok(v),
        None => Ok(can_approve),
    }
}

fn parent_is_township_or_street(parent: Option<OrganizationKind>) -> bool {
    matches!(
        parent,
        Some(OrganizationKind::StreetWorkingCommittee | OrganizationKind::TownshipCommittee)
    )
}

fn kind_name_zh(kind: OrganizationKind) -> &'static str {
    use OrganizationKind::*;
    match kind {
        ProvincialOrganizationDepartment => "省委组织部",
        CityOrganizationDepartment => "市委组织部",
        CountyOrganizationDepartment => "区(县)委组织部",
        EducationWorkCommittee => "教育工委",
        StreetWorkingCommittee => "街道党工委",
        TownshipCommittee => "乡镇党委",
        OrgansWorkingCommittee => "机关党工委",
        UniversityCommittee => "高校党委",
        SecondLevelCommittee => "二级党委",
        EnterpriseCommittee => "企业党委",
        BasicLevelCommittee => "基层党委",
        VillageCommunityCommittee => "村(社区)党委",
        GeneralBranch => "党总支",
        Branch => "党支部",
        MobilePartyOrganization => "流动党员党组织",
    }
}

/// Checks that a child of `kind` may be placed under `parent` (branches are leaves).
pub fn check_parent(parent: OrganizationKind) -> Result<(), DomainError> {
    if parent.may_have_children() {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "parentId",
            format!("{}下不能再设下级组织", kind_name_zh(parent)),
            format!("a {} cannot have child organizations", parent.as_str()),
        ))
    }
}

/// Validates an organization name: 1–100 characters after trimming.
pub fn parse_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    let len = name.chars().count();
    if len == 0 || len > 100 {
        return Err(DomainError::invalid(
            "name",
            "组织名称须为1至100个字符",
            "the organization name must be 1 to 100 characters",
        ));
    }
    super::text::check_name("name", name)?;
    Ok(name.to_string())
}

/// Validates a member count (党员人数): 0 to 1,000,000.
pub fn parse_member_count(n: i32) -> Result<i32, DomainError> {
    if (0..=1_000_000).contains(&n) {
        Ok(n)
    } else {
        Err(DomainError::invalid(
            "memberCount",
            format!("党员人数须在0至1000000之间，收到{n}"),
            format!("the member count must be between 0 and 1,000,000, got {n}"),
        ))
    }
}

/// The path of a child with `id` under a parent whose path is `parent_path` (`/` for a root).
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// Whether `path` lies in the subtree rooted at `root` (the root itself included).
pub fn path_contains(root: &str, path: &str) -> bool {
    path.starts_with(root)
}

/// The exclusive upper bound of the range of paths under `root`: every descendant path `p`
/// satisfies `root <= p < upper`. Paths hold only digits and `/`, all below `~`.
pub fn subtree_upper_bound(root: &str) -> String {
    format!("{root}~")
}

/// The ids on a path, root first, the organization itself last.
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|s| s.parse().ok()).collect()
}

/// The path of the parent of the organization at `path`; `None` for a root.
pub fn parent_path(path: &str) -> Option<&str> {
    let trimmed = path.strip_suffix('/')?;
    let cut = trimmed.rfind('/')?;
    (cut > 0).then(|| &path[..=cut])
}

/// The depth of a path: 0 for a root.
pub fn path_depth(path: &str) -> i32 {
    path_ids(path).len() as i32 - 1
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_parent_path_drops_the_last_id() {
        assert_eq!(parent_path("/1/5/23/"), Some("/1/5/"));
        assert_eq!(parent_path("/1/5/"), Some("/1/"));
        assert_eq!(parent_path("/1/"), None);
    }

    use super::OrganizationKind::*;
    use super::*;

    #[test]
    fn general_branches_and_branches_never_approve() {
        for kind in [
            GeneralBranch,
            Branch,
            VillageCommunityCommittee,
            MobilePartyOrganization,
        ] {
            assert_eq!(
                approval_authority(kind, Some(UniversityCommittee)),
                ApprovalAuthority::Never
            );
            let err = decide_can_approve(kind, Some(EnterpriseCommittee), Some(true)).unwrap_err();
            assert!(matches!(
                err,
                DomainError::Rule(RuleViolation { rule: "A1", .. })
            ));
        }
    }

    #[test]
    fn a_committee_under_a_street_or_township_never_approves() {
        assert_eq!(
            approval_authority(EnterpriseCommittee, Some(StreetWorkingCommittee)),
            ApprovalAuthority::Never
        );
        assert_eq!(
            approval_authority(BasicLevelCommittee, Some(TownshipCommittee)),
            ApprovalAuthority::Never
        );
        assert_eq!(
            approval_authority(EnterpriseCommittee, Some(CountyOrganizationDepartment)),
            ApprovalAuthority::Allowed { default: true }
        );
    }

    #[test]
    fn street_and_university_committees_approve_by_default() {
        assert_eq!(
            decide_can_approve(
                StreetWorkingCommittee,
                Some(CountyOrganizationDepartment),
                None
            ),
            Ok(true)
        );
        assert_eq!(
            decide_can_approve(UniversityCommittee, Some(EducationWorkCommittee), None),
            Ok(true)
        );
        assert_eq!(
            decide_can_approve(UniversityCommittee, None, Some(false)),
            Ok(false)
        );
    }

    #[test]
    fn second_level_committees_are_configurable_per_university() {
        assert_eq!(
            decide_can_approve(SecondLevelCommittee, Some(UniversityCommittee), None),
            Ok(false)
        );
        assert_eq!(
            decide_can_approve(SecondLevelCommittee, Some(UniversityCommittee), Some(true)),
            Ok(true)
        );
    }

    #[test]
    fn pre_review_follows_approval_except_county_departments() {
        assert_eq!(
            decide_can_pre_review(StreetWorkingCommittee, true, None),
            Ok(true)
        );
        assert_eq!(
            decide_can_pre_review(CountyOrganizationDepartment, false, Some(true)),
            Ok(true)
        );
        assert!(decide_can_pre_review(Branch, false, Some(true)).is_err());
    }

    #[test]
    fn paths_nest_and_bound_their_subtrees() {
        let root = child_path(None, 1);
        assert_eq!(root, "/1/");
        let street = child_path(Some(&root), 5);
        assert_eq!(street, "/1/5/");
        assert!(path_contains(&root, &street));
        assert!(!path_contains(&street, "/1/50/"));
        let upper = subtree_upper_bound(&street);
        for inside in ["/1/5/", "/1/5/9/", "/1/5/999999/12/"] {
            assert!(
                inside >= street.as_str() && inside < upper.as_str(),
                "{inside}"
            );
        }
        for outside in ["/1/50/", "/1/6/", "/1/", "/1/4/"] {
            assert!(
                !(outside >= street.as_str() && outside < upper.as_str()),
                "{outside}"
            );
        }
        assert_eq!(path_ids("/1/5/9/"), vec![1, 5, 9]);
        assert_eq!(path_depth("/1/5/9/"), 2);
    }

    #[test]
    fn branches_are_leaves() {
        assert!(check_parent(Branch).is_err());
        assert!(check_parent(GeneralBranch).is_ok());
    }

    #[test]
    fn names_and_member_counts_are_bounded() {
        assert_eq!(parse_name("  第一支部 ").unwrap(), "第一支部");
        assert!(parse_name("   ").is_err());
        assert!(parse_member_count(-1).is_err());
        assert_eq!(parse_member_count(0), Ok(0));
    }

    #[test]
    fn branches_general_branches_and_mobile_organizations_receive_applications() {
        let receiving: Vec<_> = OrganizationKind::ALL
            .iter()
            .filter(|k| k.receives_applications())
            .collect();
        assert_eq!(
            receiving,
            [
                &OrganizationKind::GeneralBranch,
                &OrganizationKind::Branch,
                &OrganizationKind::MobilePartyOrganization
            ]
        );
    }

    #[test]
    fn two_new_sectors() {
        assert!(Sector::NonPublicEnterprise.is_two_new());
        assert!(Sector::SocialOrganization.is_two_new());
        assert!(!Sector::Community.is_two_new());
    }
}
