//! GraphQL enums mirroring the domain's (SCREAMING_SNAKE values).

use crate::domain::{self, organization as org};
use async_graphql::Enum;

macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident => $domain:path { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl From<$name> for $domain {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => <$domain>::$variant),+ }
            }
        }

        impl From<$domain> for $name {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$variant => $name::$variant),+ }
            }
        }
    };
}

mirror_enum! {
    /// The kind of a Party organization (组织类型). Whether it may approve admissions follows
    /// from its kind and position (细则 Art. 23): general branches, branches, village/community
    /// committees and committees under a township or street never approve.
    OrganizationKind => org::OrganizationKind {
        /// 省委组织部: provincial organization department.
        ProvincialOrganizationDepartment,
        /// 市委组织部: city organization department.
        CityOrganizationDepartment,
        /// 区(县)委组织部: district or county organization department; may be set to pre-review.
        CountyOrganizationDepartment,
        /// 省委教育工委: provincial education work committee, above the universities.
        EducationWorkCommittee,
        /// 街道党工委: street Party working committee (approves).
        StreetWorkingCommittee,
        /// 乡镇党委: township Party committee (approves).
        TownshipCommittee,
        /// 机关党工委: organs working committee (approves).
        OrgansWorkingCommittee,
        /// 高校党委: university Party committee (approves).
        UniversityCommittee,
        /// 院系/二级党委: a university's second-level committee; approval set per university.
        SecondLevelCommittee,
        /// 企业党委: enterprise Party committee.
        EnterpriseCommittee,
        /// 基层党委: another basic-level Party committee.
        BasicLevelCommittee,
        /// 村/社区党委: village or community committee under a township or street (reviews only).
        VillageCommunityCommittee,
        /// 党总支: general Party branch (reviews only, never approves).
        GeneralBranch,
        /// 党支部: Party branch, where development work happens; a leaf of the tree.
        Branch,
        /// 流动党员党组织: mobile Party organization set up by an outflow organization.
        MobilePartyOrganization,
    }
}

mirror_enum! {
    /// The sector (领域) an organization works in. Non-public enterprises and social
    /// organizations are "two new" organizations (两新组织).
    Sector => org::Sector {
        /// Party organs (党委机关).
        PartyOrgan,
        /// Government organs (政府机关).
        GovernmentOrgan,
        /// Public institutions (事业单位).
        PublicInstitution,
        /// State-owned enterprises (国有企业).
        StateOwnedEnterprise,
        /// Non-public enterprises (非公有制企业), two-new.
        NonPublicEnterprise,
        /// Social organizations (社会组织), two-new.
        SocialOrganization,
        /// Universities (高校).
        University,
        /// Primary and secondary schools (中小学).
        School,
        /// Urban communities (社区).
        Community,
        /// Villages (农村).
        Village,
        /// Anything else.
        Other,
    }
}

mirror_enum! {
    /// A user's role. What a role may do is limited to the subtree of the user's organization.
    Role => domain::Role {
        /// Users and organizations in the subtree.
        Admin,
        /// 组织员: plans, candidates, letters and reports in the subtree.
        Organizer,
        /// The approving committee's decisions.
        Approver,
        /// Aggregated indicators in the subtree, never personal data.
        Analyst,
        /// Service account of an integration partner: report submission and bulk import.
        Partner,
        /// Read-only; personal data masked.
        Viewer,
    }
}
