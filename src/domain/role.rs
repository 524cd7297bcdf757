//! Roles and the permission matrix: the one place that says which role may do what.

use std::fmt;
use std::str::FromStr;

/// What a user may do, always limited to the subtree of their own organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Manages users and organizations in the subtree.
    Admin,
    /// 组织员: plans, candidates, letters and reports in the subtree.
    Organizer,
    /// Records the approving committee's decisions.
    Approver,
    /// Reads aggregated indicators, never personal data.
    Analyst,
    /// Service account of an integration partner: report submission and bulk import.
    Partner,
    /// Read-only, personal data masked.
    Viewer,
}

/// An operation class that the permission matrix decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read the organization tree (names, kinds, flags): not personal data.
    ReadOrganizations,
    /// Create, update, move and deactivate organizations.
    ManageOrganizations,
    /// List and read user accounts.
    ReadUsers,
    /// Create, deactivate users and reset their passwords.
    ManageUsers,
    /// Change organization-level local rules (settings inherited down the tree).
    ManageLocalRules,
    /// Record pipeline steps, plans, letters.
    ManagePipeline,
    /// Record approval decisions of an approving committee.
    Approve,
    /// Read candidate records (personal data shown per `personal_data`).
    ReadCandidates,
    /// Read aggregated indicators.
    ReadIndicators,
    /// Submit reports and bulk imports system-to-system.
    SubmitReports,
    /// Read a report's narrative and attachments (free text that may name people): the roles
    /// that read cases in full.
    ReadReportText,
    /// Read the audit log of the subtree.
    ReadAuditLog,
}

impl Permission {
    /// What the permission allows, in Chinese and English (for refusals).
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Permission::ReadOrganizations => ("查看组织", "read organizations"),
            Permission::ManageOrganizations => ("管理组织", "manage organizations"),
            Permission::ReadUsers => ("查看用户", "read users"),
            Permission::ManageUsers => ("管理用户", "manage users"),
            Permission::ManageLocalRules => ("设置本地规则", "set local rules"),
            Permission::ManagePipeline => (
                "记录发展步骤、计划和函件",
                "record pipeline steps, plans and letters",
            ),
            Permission::Approve => ("审批", "approve"),
            Permission::ReadCandidates => ("查看发展对象档案", "read candidate records"),
            Permission::ReadIndicators => ("查看统计指标和计划", "read indicators and plans"),
            Permission::SubmitReports => ("提交报告和导入", "submit reports and imports"),
            Permission::ReadReportText => ("查看报告正文", "read report texts"),
            Permission::ReadAuditLog => ("查看审计日志", "read the audit log"),
        }
    }
}

/// How much of a person's ID-card number and phone a role sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalDataAccess {
    Full,
    Masked,
    None,
}

/// A piece of personal data that is shown per [`PersonalDataAccess`], each with its own mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalDatum {
    /// The ID-card number (`11****…`).
    IdCardNumber,
    /// The phone (`138****5678`).
    Phone,
}

impl PersonalDataAccess {
    /// A stored value as this access shows it: whole, masked, or not at all.
    pub fn reveal(self, datum: PersonalDatum, value: Option<String>) -> Option<String> {
        use super::pipeline::id_card::{mask, mask_phone};
        match self {
            PersonalDataAccess::Full => value,
            PersonalDataAccess::Masked => value.map(|v| match datum {
                PersonalDatum::IdCardNumber => mask(&v),
                PersonalDatum::Phone => mask_phone(&v),
            }),
            PersonalDataAccess::None => None,
        }
    }
}

impl Role {
    /// Every role, in the order of the permission matrix.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Organizer,
        Role::Approver,
        Role::Analyst,
        Role::Partner,
        Role::Viewer,
    ];

    /// The permission matrix (documented in the README).
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            ReadOrganizations => true,
            ManageOrganizations | ReadUsers | ManageUsers | ManageLocalRules => self == Admin,
            ManagePipeline => self == Organizer,
            Approve => self == Approver,
            ReadCandidates => matches!(self, Admin | Organizer | Approver | Viewer),
            ReadIndicators => matches!(self, Admin | Organizer | Approver | Analyst | Viewer),
            SubmitReports => matches!(self, Organizer | Partner),
            ReadReportText => matches!(self, Admin | Organizer | Approver),
            ReadAuditLog => self == Admin,
        }
    }

    /// Personal data (ID-card number, phone) visibility for this role inside its subtree.
    pub fn personal_data(self) -> PersonalDataAccess {
        match self {
            Role::Admin | Role::Organizer | Role::Approver => PersonalDataAccess::Full,
            Role::Viewer => PersonalDataAccess::Masked,
            Role::Analyst | Role::Partner => PersonalDataAccess::None,
        }
    }

    /// The stored and wire name (`ADMIN`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Organizer => "ORGANIZER",
            Role::Approver => "APPROVER",
            Role::Analyst => "ANALYST",
            Role::Partner => "PARTNER",
            Role::Viewer => "VIEWER",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown role {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_manages_organizations_and_users() {
        for role in Role::ALL {
            assert_eq!(
                role.allows(Permission::ManageOrganizations),
                role == Role::Admin
            );
            assert_eq!(role.allows(Permission::ManageUsers), role == Role::Admin);
        }
    }

    #[test]
    fn analyst_and_partner_never_see_personal_data() {
        assert_eq!(Role::Analyst.personal_data(), PersonalDataAccess::None);
        assert_eq!(Role::Partner.personal_data(), PersonalDataAccess::None);
        assert_eq!(Role::Viewer.personal_data(), PersonalDataAccess::Masked);
        assert!(!Role::Analyst.allows(Permission::ReadCandidates));
    }

    #[test]
    fn personal_data_is_revealed_whole_masked_or_not_at_all() {
        let id = || Some("110101199001011234".to_string());
        let phone = || Some("13812345678".to_string());
        let full = PersonalDataAccess::Full;
        assert_eq!(full.reveal(PersonalDatum::IdCardNumber, id()), id());
        assert_eq!(full.reveal(PersonalDatum::Phone, phone()), phone());
        let masked = PersonalDataAccess::Masked;
        assert_eq!(
            masked.reveal(PersonalDatum::IdCardNumber, id()).as_deref(),
            Some("11****************")
        );
        assert_eq!(
            masked.reveal(PersonalDatum::Phone, phone()).as_deref(),
            Some("138****5678")
        );
        assert_eq!(masked.reveal(PersonalDatum::Phone, None), None);
        let none = PersonalDataAccess::None;
        assert_eq!(none.reveal(PersonalDatum::IdCardNumber, id()), None);
        assert_eq!(none.reveal(PersonalDatum::Phone, phone()), None);
    }

    #[test]
    fn partner_submits_but_reads_no_indicators_and_analyst_no_report_text() {
        assert!(Role::Partner.allows(Permission::SubmitReports));
        assert!(!Role::Partner.allows(Permission::ReadIndicators));
        assert!(!Role::Partner.allows(Permission::ReadCandidates));
        assert!(!Role::Analyst.allows(Permission::ReadReportText));
        assert!(!Role::Viewer.allows(Permission::ReadReportText));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("ROOT".parse::<Role>().is_err());
    }
}
