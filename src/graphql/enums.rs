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

pub(crate) use mirror_enum;

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

use crate::domain::pipeline::{alerts, model, person};

mirror_enum! {
    /// Where a candidate is in the pipeline (入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员).
    Stage => model::Stage {
        /// 入党申请人: has submitted a written application.
        Applicant,
        /// 入党积极分子: selected for at least a year of cultivation.
        Activist,
        /// 发展对象: approved for near-term admission.
        DevelopmentTarget,
        /// 预备党员: admitted, on probation for a year.
        Probationary,
        /// 延长预备期: probation extended once (6–12 months).
        ExtendedProbation,
        /// 正式党员: converted to full membership.
        FullMember,
        /// Removed from the pool (dynamic management).
        Dropped,
        /// 取消预备党员资格: probationary membership cancelled.
        Cancelled,
    }
}

mirror_enum! {
    /// Gender.
    Gender => person::Gender {
        /// Male.
        Male,
        /// Female.
        Female,
    }
}

mirror_enum! {
    /// Highest education level completed.
    Education => person::Education {
        /// 研究生
        Postgraduate,
        /// 大学本科
        Undergraduate,
        /// 大学专科
        JuniorCollege,
        /// 中专
        TechnicalSecondary,
        /// 高中
        SeniorHigh,
        /// 初中及以下
        JuniorMiddleAndBelow,
    }
}

mirror_enum! {
    /// Occupation category (several may apply).
    Occupation => person::Occupation {
        /// 工人
        Worker,
        /// 农民工
        MigrantWorker,
        /// 劳务派遣工
        DispatchedWorker,
        /// 农牧渔民
        Farmer,
        /// 专业技术人员
        ProfessionalTechnical,
        /// 管理人员
        Manager,
        /// 农村致富能人 (counted with managers and professionals in plans)
        RuralEntrepreneur,
        /// 党政机关工作人员
        OrganStaff,
        /// 学生
        Student,
        /// 其他
        Other,
    }
}

mirror_enum! {
    /// How an applicant was recommended as an activist (细则 Art. 8).
    Recommendation => model::Recommendation {
        /// 党员推荐
        PartyMembers,
        /// 团组织推优
        League,
        /// Both.
        Both,
    }
}

mirror_enum! {
    /// What a conversion meeting resolves.
    ConversionOutcome => model::ConversionOutcome {
        /// 按期转正: convert on time.
        Convert,
        /// 延长预备期: extend once by 6–12 months.
        Extend,
        /// 取消预备党员资格: cancel.
        Cancel,
    }
}

mirror_enum! {
    /// What an alert is about.
    AlertKind => alerts::AlertKind {
        /// N2: talk within a month of the application.
        TalkDue,
        /// N5: half-yearly activist examination.
        ExaminationDue,
        /// N4: a year of cultivation completed; may become a development target.
        EligibleForTarget,
        /// N12: approval within 3 months of the admission meeting.
        ApprovalDue,
        /// N13: oath within a month of approval.
        OathDue,
        /// N14: probation ends; the conversion must be discussed.
        ConversionDue,
        /// N15: an extended probation ends.
        ExtensionEnding,
        /// A received letter must be answered by its due date.
        LetterReplyDue,
        /// A department consulted about the case has not answered by its due date (I5).
        ConsultationAnswerDue,
    }
}

/// A step of the pipeline, as recorded in the timeline (number in the national flow chart).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineStep {
    /// 1 递交入党申请书
    SubmitApplication,
    /// 2 党组织派人谈话
    ApplicationTalk,
    /// 3 推荐和确定入党积极分子
    DetermineActivist,
    /// 4 上级党委备案
    FileActivist,
    /// 5 指定培养联系人
    AssignContacts,
    /// 6 培养教育考察
    ActivistExamination,
    /// 7 确定发展对象
    DetermineTarget,
    /// 8 报上级党委备案
    FileTarget,
    /// 9 确定入党介绍人
    AssignIntroducers,
    /// 10 进行政治审查
    PoliticalReview,
    /// 11 开展集中培训
    Training,
    /// 12 支部委员会审查
    BranchCommitteeReview,
    /// 13 上级党委预审
    PreReview,
    /// 14 填写入党志愿书
    FillApplicationForm,
    /// 15 支部大会讨论
    AdmissionMeeting,
    /// 审议 by a general branch or village/community committee
    IntermediateReview,
    /// 16 上级党委派人谈话
    PreApprovalTalk,
    /// 17 上级党委审批
    AdmissionApproval,
    /// 18 再上一级党委组织部门备案
    FileAdmission,
    /// 19 编入党支部和党小组
    PlaceInBranch,
    /// 20 入党宣誓
    Oath,
    /// 21 继续教育考察
    ProbationReport,
    /// 22 提出转正申请
    ConversionApplication,
    /// 23 支部大会讨论转正
    ConversionMeeting,
    /// 24 上级党委审批转正
    ConversionApproval,
    /// 25 材料归档
    Archive,
    /// Transfer to another organization (cultivation time continues)
    Transfer,
    /// Removed from the pool
    Drop,
    /// Development not recognized (I7)
    Invalidate,
    /// An APPROVER's override of the development-opinion letter requirement (L1)
    LetterOverride,
}

impl PipelineStep {
    /// From the stored step name.
    pub fn from_name(name: &str) -> Option<Self> {
        use PipelineStep::*;
        Some(match name {
            "SUBMIT_APPLICATION" => SubmitApplication,
            "APPLICATION_TALK" => ApplicationTalk,
            "DETERMINE_ACTIVIST" => DetermineActivist,
            "FILE_ACTIVIST" => FileActivist,
            "ASSIGN_CONTACTS" => AssignContacts,
            "ACTIVIST_EXAMINATION" => ActivistExamination,
            "DETERMINE_TARGET" => DetermineTarget,
            "FILE_TARGET" => FileTarget,
            "ASSIGN_INTRODUCERS" => AssignIntroducers,
            "POLITICAL_REVIEW" => PoliticalReview,
            "TRAINING" => Training,
            "BRANCH_COMMITTEE_REVIEW" => BranchCommitteeReview,
            "PRE_REVIEW" => PreReview,
            "FILL_APPLICATION_FORM" => FillApplicationForm,
            "ADMISSION_MEETING" => AdmissionMeeting,
            "INTERMEDIATE_REVIEW" => IntermediateReview,
            "PRE_APPROVAL_TALK" => PreApprovalTalk,
            "ADMISSION_APPROVAL" => AdmissionApproval,
            "FILE_ADMISSION" => FileAdmission,
            "PLACE_IN_BRANCH" => PlaceInBranch,
            "OATH" => Oath,
            "PROBATION_REPORT" => ProbationReport,
            "CONVERSION_APPLICATION" => ConversionApplication,
            "CONVERSION_MEETING" => ConversionMeeting,
            "CONVERSION_APPROVAL" => ConversionApproval,
            "ARCHIVE" => Archive,
            "TRANSFER" => Transfer,
            "DROP" => Drop,
            "INVALIDATE" => Invalidate,
            "LETTER_OVERRIDE" => LetterOverride,
            _ => return None,
        })
    }
}
