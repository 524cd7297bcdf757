//! Stages, steps and what each step records (DOMAIN.md §1.3, §3).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a candidate is in the pipeline (DOMAIN.md §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Stage {
    Applicant,
    Activist,
    DevelopmentTarget,
    Probationary,
    ExtendedProbation,
    FullMember,
    Dropped,
    Cancelled,
}

impl Stage {
    /// Every stage.
    pub const ALL: [Stage; 8] = [
        Stage::Applicant,
        Stage::Activist,
        Stage::DevelopmentTarget,
        Stage::Probationary,
        Stage::ExtendedProbation,
        Stage::FullMember,
        Stage::Dropped,
        Stage::Cancelled,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Applicant => "APPLICANT",
            Stage::Activist => "ACTIVIST",
            Stage::DevelopmentTarget => "DEVELOPMENT_TARGET",
            Stage::Probationary => "PROBATIONARY",
            Stage::ExtendedProbation => "EXTENDED_PROBATION",
            Stage::FullMember => "FULL_MEMBER",
            Stage::Dropped => "DROPPED",
            Stage::Cancelled => "CANCELLED",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Before admission: the person may still be transferred or dropped.
    pub fn is_pre_member(self) -> bool {
        matches!(
            self,
            Stage::Applicant | Stage::Activist | Stage::DevelopmentTarget
        )
    }

    /// On probation (normal or extended).
    pub fn is_probation(self) -> bool {
        matches!(self, Stage::Probationary | Stage::ExtendedProbation)
    }
}

/// How an applicant was recommended as an activist (细则 Art. 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Recommendation {
    /// 党员推荐
    PartyMembers,
    /// 群团组织推优 (Youth League 推优)
    League,
    /// Both.
    Both,
}

/// A public notice (公示) and the objections it drew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicNotice {
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    /// How many objections were received (kept for older records; the records below name them).
    pub objections: u32,
    /// Each objection with its handling.
    #[serde(default)]
    pub objection_records: Vec<Objection>,
    /// Also published where a migrant comes from (the outflow or household place).
    #[serde(default)]
    pub published_at_origin: bool,
}

/// An objection raised during a public notice and how it was handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Objection {
    pub summary: String,
    /// The day it was resolved (looked into and answered); none: unresolved.
    pub resolved_on: Option<NaiveDate>,
    pub handling: Option<String>,
}

/// The political negative list (I8, town plan): each item a yes or a no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NegativeList {
    /// 两面人
    pub double_dealer: bool,
    /// 投机钻营者
    pub profiteer: bool,
    /// 信仰宗教或热衷封建迷信
    pub cult_or_superstition: bool,
    /// 正在接受调查
    pub under_investigation: bool,
}

impl NegativeList {
    /// The items answered yes, by their wire names.
    pub fn yes_items(&self) -> Vec<&'static str> {
        [
            (self.double_dealer, "DOUBLE_DEALER"),
            (self.profiteer, "PROFITEER"),
            (self.cult_or_superstition, "CULT_OR_SUPERSTITION"),
            (self.under_investigation, "UNDER_INVESTIGATION"),
        ]
        .into_iter()
        .filter(|(yes, _)| *yes)
        .map(|(_, name)| name)
        .collect()
    }
}

/// A vote of a branch general meeting (细则 Art. 20–21). `present` counts voting full members
/// in the room; written opinions of absent voting members count in the tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vote {
    pub expected: u32,
    pub present: u32,
    pub written_opinions: u32,
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

/// The outcome a conversion meeting resolves (T6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConversionOutcome {
    Convert,
    Extend,
    Cancel,
}

/// A step as a client asks for it. A transfer names only where the case goes: where it comes
/// from is the case's organization when the step is recorded ([`RequestedStep::on_case`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RequestedStep {
    /// T2a: transfer the case to this organization.
    Transfer { to_organization_id: i64 },
    /// Any other step, as it is recorded.
    Step(StepDetails),
}

impl RequestedStep {
    /// The step as recorded on a case handled by `organization_id`.
    pub fn on_case(self, organization_id: i64) -> StepDetails {
        match self {
            RequestedStep::Transfer { to_organization_id } => StepDetails::Transfer {
                from_organization_id: organization_id,
                to_organization_id,
            },
            RequestedStep::Step(details) => details,
        }
    }
}

/// What one step records. Stored as JSON in the event; `step` names the variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "step",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase"
)]
pub enum StepDetails {
    /// 1 递交入党申请书
    SubmitApplication { organization_id: i64 },
    /// 2 党组织派人谈话
    ApplicationTalk { talker: String },
    /// 3 推荐和确定入党积极分子
    DetermineActivist {
        recommendation: Recommendation,
        public_notice: Option<PublicNotice>,
    },
    /// 4 上级党委备案
    FileActivist { filed_with: String },
    /// 5 指定培养联系人
    AssignContacts { contact_ids: Vec<i64> },
    /// 6 培养教育考察 (half-yearly examination)
    ActivistExamination { summary: String },
    /// 7 确定发展对象
    DetermineTarget {
        points: Option<u32>,
        public_notice: Option<PublicNotice>,
    },
    /// 8 报上级党委备案
    FileTarget { filed_with: String },
    /// 9 确定入党介绍人
    AssignIntroducers { introducer_ids: Vec<i64> },
    /// 10 进行政治审查
    PoliticalReview {
        passed: bool,
        conclusion: String,
        household_opinion: bool,
        residence_opinion: bool,
        #[serde(default)]
        negative_list: Option<NegativeList>,
    },
    /// 11 开展集中培训
    Training {
        days: u32,
        hours: u32,
        organizer: String,
    },
    /// 12 支部委员会审查
    BranchCommitteeReview { opinion: String },
    /// 13 上级党委预审
    PreReview {
        reviewer_organization_id: i64,
        passed: bool,
        form_number: Option<String>,
    },
    /// 14 填写入党志愿书
    FillApplicationForm { form_number: String },
    /// 15 支部大会讨论
    AdmissionMeeting {
        vote: Vote,
        public_notice: Option<PublicNotice>,
    },
    /// 审议 by a general branch or village/community committee (细则 Art. 23)
    IntermediateReview {
        reviewer_organization_id: i64,
        agreed: bool,
    },
    /// 16 上级党委派人谈话
    PreApprovalTalk { talker: String },
    /// 17 上级党委审批
    AdmissionApproval { approver_organization_id: i64 },
    /// 18 再上一级党委组织部门备案
    FileAdmission { filed_with: String },
    /// 19 编入党支部和党小组
    PlaceInBranch { party_group: String },
    /// 20 入党宣誓
    Oath { presided_by: Option<String> },
    /// 21 继续教育考察 (quarterly thought report or examination)
    ProbationReport { summary: String },
    /// 22 提出转正申请
    ConversionApplication { summary: Option<String> },
    /// 23 支部大会讨论 (conversion)
    ConversionMeeting {
        vote: Vote,
        outcome: ConversionOutcome,
        extension_months: Option<u32>,
        public_notice: Option<PublicNotice>,
    },
    /// 24 上级党委审批 (conversion)
    ConversionApproval { approver_organization_id: i64 },
    /// 25 材料归档
    Archive { location: String },
    /// T2a transfer to another organization; cultivation time continues.
    Transfer {
        from_organization_id: i64,
        to_organization_id: i64,
    },
    /// Removed from the pool (dynamic management).
    Drop { reason: String },
    /// I7: development not recognized.
    Invalidate { reason: String },
    /// An APPROVER lets the admission go ahead without an agreed development-opinion letter
    /// (rule L1), with the reason recorded.
    LetterOverride { reason: String },
}

impl StepDetails {
    /// The step's number in the national flow chart (0 for steps outside the 25).
    pub fn number(&self) -> u8 {
        use StepDetails::*;
        match self {
            SubmitApplication { .. } => 1,
            ApplicationTalk { .. } => 2,
            DetermineActivist { .. } => 3,
            FileActivist { .. } => 4,
            AssignContacts { .. } => 5,
            ActivistExamination { .. } => 6,
            DetermineTarget { .. } => 7,
            FileTarget { .. } => 8,
            AssignIntroducers { .. } => 9,
            PoliticalReview { .. } => 10,
            Training { .. } => 11,
            BranchCommitteeReview { .. } => 12,
            PreReview { .. } => 13,
            FillApplicationForm { .. } => 14,
            AdmissionMeeting { .. } => 15,
            IntermediateReview { .. } => 15,
            PreApprovalTalk { .. } => 16,
            AdmissionApproval { .. } => 17,
            FileAdmission { .. } => 18,
            PlaceInBranch { .. } => 19,
            Oath { .. } => 20,
            ProbationReport { .. } => 21,
            ConversionApplication { .. } => 22,
            ConversionMeeting { .. } => 23,
            ConversionApproval { .. } => 24,
            Archive { .. } => 25,
            Transfer { .. } | Drop { .. } | Invalidate { .. } | LetterOverride { .. } => 0,
        }
    }

    /// The stored name of the step (`DETERMINE_ACTIVIST`, …).
    pub fn name(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("step").and_then(|s| s.as_str().map(String::from)))
            .unwrap_or_default()
    }

    /// Whether `other` records the same step (a correction must).
    pub fn same_step(&self, other: &StepDetails) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_round_trip_through_json_with_their_step_name() {
        let d = StepDetails::Training {
            days: 3,
            hours: 0,
            organizer: "区委党校".into(),
        };
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["step"], "TRAINING");
        assert_eq!(v["organizer"], "区委党校");
        assert_eq!(serde_json::from_value::<StepDetails>(v).unwrap(), d);
        assert_eq!(d.number(), 11);
        assert_eq!(d.name(), "TRAINING");
    }
}
