//! Pipeline mutations: applications, the 25 steps, corrections, bulk import.

use super::candidate::{Candidate, PipelineEvent, RuleFinding};
use super::context::ContextExt;
use super::enums::{ConversionOutcome, Education, Gender, Occupation, Recommendation};
use super::ids::{self, NodeType};
use super::scalars::Date;
use crate::domain::pipeline::model::{self, RequestedStep, StepDetails};
use crate::domain::pipeline::person::PersonDraft;
use crate::domain::pipeline::state::correction_note;
use crate::error::{AppError, AppResult};
use crate::service::{import, pipeline as service};
use async_graphql::{Context, ID, InputObject, Object, OneofObject, Result, SimpleObject};

/// A person as entered on an application.
#[derive(InputObject)]
pub struct PersonInput {
    /// Name (姓名), 1–50 characters.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Ethnicity (民族); default 汉族.
    #[graphql(default)]
    pub ethnicity: String,
    /// Birth date; must match the ID-card number.
    pub birth_date: Date,
    /// ID-card number: 18 characters with a valid GB 11643 check digit.
    pub id_card_number: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Highest education level.
    pub education: Education,
    /// Occupation categories (at least one).
    pub occupations: Vec<Occupation>,
    /// Works on the front line (一线).
    #[graphql(default)]
    pub is_frontline: bool,
    /// Youth League member.
    #[graphql(default)]
    pub is_league_member: bool,
    /// Household-registration place (户籍所在地).
    pub household_registration: Option<String>,
    /// Migrant (流动人员): then an outflow organization is required.
    #[graphql(default)]
    pub is_migrant: bool,
    /// The outflow organization, when it is in the tree.
    pub outflow_organization_id: Option<ID>,
    /// The outflow organization's name, when it is outside the tree.
    pub outflow_organization_name: Option<String>,
    /// The residence organization (居住地党组织) of a migrant, when it is in the tree: with the
    /// outflow organization, the second place whose agreed letter opens rule L1.
    pub residence_organization_id: Option<ID>,
    /// A private business owner (业主): the local rules may name more departments to consult
    /// (I5).
    #[graphql(default)]
    pub is_business_owner: bool,
    /// High-level talent (高层次人才).
    #[graphql(default)]
    pub is_high_level_talent: bool,
    /// Has a record of violating political discipline or state law.
    #[graphql(default)]
    pub has_political_violation: bool,
    /// Expected date of leaving the work or study unit.
    pub expected_departure_on: Option<Date>,
}

impl PersonInput {
    /// Into the domain draft (ids decoded).
    pub fn into_draft(self) -> AppResult<PersonDraft> {
        Ok(PersonDraft {
            name: self.name,
            gender: Some(self.gender.into()),
            ethnicity: self.ethnicity,
            birth_date: Some(self.birth_date.0),
            id_card_number: self.id_card_number,
            phone: self.phone,
            education: Some(self.education.into()),
            occupations: self.occupations.into_iter().map(Into::into).collect(),
            is_frontline: self.is_frontline,
            is_league_member: self.is_league_member,
            household_registration: self.household_registration,
            is_migrant: self.is_migrant,
            outflow_organization_id: self
                .outflow_organization_id
                .map(|id| ids::decode(NodeType::Organization, &id, "outflowOrganizationId"))
                .transpose()?,
            outflow_organization_name: self.outflow_organization_name,
            is_business_owner: self.is_business_owner,
            residence_organization_id: self
                .residence_organization_id
                .map(|id| ids::decode(NodeType::Organization, &id, "residenceOrganizationId"))
                .transpose()?,
            is_high_level_talent: self.is_high_level_talent,
            has_political_violation: self.has_political_violation,
            expected_departure_on: self.expected_departure_on.map(|d| d.0),
        })
    }
}

/// A public notice (公示).
#[derive(InputObject)]
pub struct PublicNoticeInput {
    /// First day of the notice.
    pub start_on: Date,
    /// Last day of the notice.
    pub end_on: Date,
    /// Objections received (a count; `objectionRecords` names them).
    #[graphql(default)]
    pub objections: u32,
    /// Each objection with its handling: one not resolved by the decision day blocks the
    /// decision (rule PN1).
    #[graphql(default)]
    pub objection_records: Vec<ObjectionInput>,
    /// A migrant's notice was also published where the person comes from (required for
    /// migrants, rule PN2).
    #[graphql(default)]
    pub published_at_origin: bool,
}

/// An objection raised during a public notice.
#[derive(InputObject)]
pub struct ObjectionInput {
    /// What was objected (no names needed).
    pub summary: String,
    /// The day it was resolved; omit while it is open.
    pub resolved_on: Option<Date>,
    /// How it was handled (looked into, answered).
    pub handling: Option<String>,
}

impl From<PublicNoticeInput> for model::PublicNotice {
    fn from(n: PublicNoticeInput) -> Self {
        model::PublicNotice {
            start_on: n.start_on.0,
            end_on: n.end_on.0,
            objections: n.objections.max(n.objection_records.len() as u32),
            objection_records: n
                .objection_records
                .into_iter()
                .map(|o| model::Objection {
                    summary: o.summary,
                    resolved_on: o.resolved_on.map(|d| d.0),
                    handling: o.handling,
                })
                .collect(),
            published_at_origin: n.published_at_origin,
        }
    }
}

/// The political negative list (政治审查负面清单, I8): any yes fails the review.
#[derive(InputObject)]
pub struct NegativeListInput {
    /// 两面人 (double-dealer).
    pub double_dealer: bool,
    /// 投机钻营者 (profiteer).
    pub profiteer: bool,
    /// 信仰宗教或热衷封建迷信 (religious belief or feudal superstition).
    pub cult_or_superstition: bool,
    /// 正在接受调查 (under investigation).
    pub under_investigation: bool,
}

/// A branch general meeting's vote (secret ballot). Quorum and pass count against the voting
/// full members expected, not those present.
#[derive(InputObject)]
pub struct VoteInput {
    /// Voting full members expected to attend (应到会有表决权的正式党员).
    pub expected: u32,
    /// Voting full members present.
    pub present: u32,
    /// Absent voting members who gave a written opinion beforehand (counted in the tally).
    #[graphql(default)]
    pub written_opinions: u32,
    /// Yes votes (including written opinions).
    pub yes: u32,
    /// No votes.
    #[graphql(default)]
    pub no: u32,
    /// Abstentions.
    #[graphql(default)]
    pub abstain: u32,
}

impl From<VoteInput> for model::Vote {
    fn from(v: VoteInput) -> Self {
        model::Vote {
            expected: v.expected,
            present: v.present,
            written_opinions: v.written_opinions,
            yes: v.yes,
            no: v.no,
            abstain: v.abstain,
        }
    }
}

/// A talk (steps 2 and 16).
#[derive(InputObject)]
pub struct TalkInput {
    /// Who talked (name and post, e.g. 支部书记张三).
    pub talker: String,
}

/// Activist determination (step 3).
#[derive(InputObject)]
pub struct DetermineActivistInput {
    /// How the applicant was recommended.
    pub recommendation: Recommendation,
    /// The public notice, where local rules require one.
    pub public_notice: Option<PublicNoticeInput>,
}

/// A filing with a higher committee (steps 4, 8, 18).
#[derive(InputObject)]
pub struct FilingInput {
    /// The body filed with.
    pub filed_with: String,
}

/// Members named for a role (contacts, step 5; introducers, step 9).
#[derive(InputObject)]
pub struct AssignMembersInput {
    /// Member ids (see `members` and `importMembers`).
    pub member_ids: Vec<ID>,
}

/// A summary (examinations, step 6; thought reports, step 21).
#[derive(InputObject)]
pub struct SummaryInput {
    /// What was found.
    pub summary: String,
}

/// Development-target determination (step 7).
#[derive(InputObject)]
pub struct DetermineTargetInput {
    /// Points (积分), where local rules set a threshold.
    pub points: Option<u32>,
    /// The public notice, where local rules require one.
    pub public_notice: Option<PublicNoticeInput>,
}

/// Political review (step 10).
#[derive(InputObject)]
pub struct PoliticalReviewInput {
    /// Whether the review passed.
    pub passed: bool,
    /// The written conclusion.
    pub conclusion: String,
    /// The household-registration organization's opinion was obtained (required for migrants).
    #[graphql(default)]
    pub household_opinion: bool,
    /// The residence organization's opinion was obtained (required for migrants).
    #[graphql(default)]
    pub residence_opinion: bool,
    /// The negative-list checklist, each item answered (required where the local rules say so;
    /// any yes refuses the review with the item named, rule I8).
    pub negative_list: Option<NegativeListInput>,
}

/// Short concentrated training (step 11): at least 3 days or 24 class hours.
#[derive(InputObject)]
pub struct TrainingInput {
    /// Days.
    #[graphql(default)]
    pub days: u32,
    /// Class hours.
    #[graphql(default)]
    pub hours: u32,
    /// Who ran it (the basic-level committee or the county organization department).
    pub organizer: String,
}

/// An opinion (step 12).
#[derive(InputObject)]
pub struct OpinionInput {
    /// The branch committee's opinion.
    pub opinion: String,
}

/// Pre-review (step 13) by the committee that may pre-review.
#[derive(InputObject)]
pub struct PreReviewInput {
    /// The reviewing committee (an ancestor of the case's branch).
    pub reviewer_organization_id: ID,
    /// Whether the target passed.
    pub passed: bool,
    /// Number of the 入党志愿书 issued to this person (required when passed).
    pub form_number: Option<String>,
}

/// The application form (step 14).
#[derive(InputObject)]
pub struct FillApplicationFormInput {
    /// The form's printed number: must be the one issued at pre-review.
    pub form_number: String,
}

/// The admission meeting (step 15).
#[derive(InputObject)]
pub struct AdmissionMeetingInput {
    /// The vote.
    pub vote: VoteInput,
    /// The public notice, where local rules require one.
    pub public_notice: Option<PublicNoticeInput>,
}

/// Review (审议) by a general branch or village/community committee.
#[derive(InputObject)]
pub struct IntermediateReviewInput {
    /// The reviewing general branch or committee.
    pub reviewer_organization_id: ID,
    /// Whether it agreed.
    pub agreed: bool,
}

/// An approval (steps 17 and 24) by a committee with approval authority.
#[derive(InputObject)]
pub struct ApprovalInput {
    /// The approving committee (an ancestor of the case's branch that may approve).
    pub approver_organization_id: ID,
}

/// Placement in a branch and Party group (step 19).
#[derive(InputObject)]
pub struct PlaceInBranchInput {
    /// The Party group (党小组).
    pub party_group: String,
}

/// The oath (step 20).
#[derive(InputObject)]
pub struct OathInput {
    /// Who presided.
    pub presided_by: Option<String>,
}

/// The written conversion application (step 22).
#[derive(InputObject)]
pub struct ConversionApplicationInput {
    /// A summary of the application.
    pub summary: Option<String>,
}

/// The conversion meeting (step 23).
#[derive(InputObject)]
pub struct ConversionMeetingInput {
    /// The vote on the resolution.
    pub vote: VoteInput,
    /// What the meeting resolves.
    pub outcome: ConversionOutcome,
    /// Months of extension (6–12), when extending.
    pub extension_months: Option<u32>,
    /// The public notice, where local rules require one.
    pub public_notice: Option<PublicNoticeInput>,
}

/// Archiving (step 25).
#[derive(InputObject)]
pub struct ArchiveInput {
    /// Where the materials are kept.
    pub location: String,
}

/// A transfer to another organization (the cultivation start date is kept).
#[derive(InputObject)]
pub struct TransferInput {
    /// The receiving organization, in your subtree.
    pub to_organization_id: ID,
}

/// A reason (dropping a case, invalidating it).
#[derive(InputObject)]
pub struct ReasonInput {
    /// Why.
    pub reason: String,
}

/// The step to record and what it records: exactly one field.
#[derive(OneofObject)]
pub enum PipelineStepInput {
    /// 2 党组织派人谈话 (within a month of the application).
    ApplicationTalk(TalkInput),
    /// 3 推荐和确定入党积极分子.
    DetermineActivist(DetermineActivistInput),
    /// 4 上级党委备案.
    FileActivist(FilingInput),
    /// 5 指定培养联系人 (1–2 full members).
    AssignContacts(AssignMembersInput),
    /// 6 培养教育考察 (every half year).
    ActivistExamination(SummaryInput),
    /// 7 确定发展对象 (after a year of cultivation).
    DetermineTarget(DetermineTargetInput),
    /// 8 报上级党委备案.
    FileTarget(FilingInput),
    /// 9 确定入党介绍人 (exactly 2 full members).
    AssignIntroducers(AssignMembersInput),
    /// 10 进行政治审查.
    PoliticalReview(PoliticalReviewInput),
    /// 11 开展集中培训.
    Training(TrainingInput),
    /// 12 支部委员会审查.
    BranchCommitteeReview(OpinionInput),
    /// 13 上级党委预审.
    PreReview(PreReviewInput),
    /// 14 填写入党志愿书.
    FillApplicationForm(FillApplicationFormInput),
    /// 15 支部大会讨论.
    AdmissionMeeting(AdmissionMeetingInput),
    /// 审议 by a general branch or village/community committee.
    IntermediateReview(IntermediateReviewInput),
    /// 16 上级党委派人谈话.
    PreApprovalTalk(TalkInput),
    /// 17 上级党委审批 (APPROVER).
    AdmissionApproval(ApprovalInput),
    /// 18 再上一级党委组织部门备案.
    FileAdmission(FilingInput),
    /// 19 编入党支部和党小组.
    PlaceInBranch(PlaceInBranchInput),
    /// 20 入党宣誓 (within a month of approval).
    Oath(OathInput),
    /// 21 继续教育考察.
    ProbationReport(SummaryInput),
    /// 22 提出转正申请.
    ConversionApplication(ConversionApplicationInput),
    /// 23 支部大会讨论转正.
    ConversionMeeting(ConversionMeetingInput),
    /// 24 上级党委审批转正 (APPROVER).
    ConversionApproval(ApprovalInput),
    /// 25 材料归档.
    Archive(ArchiveInput),
    /// Transfer to another organization in your subtree.
    Transfer(TransferInput),
    /// Remove from the pool.
    Drop(ReasonInput),
    /// Declare the development invalid (I7).
    Invalidate(ReasonInput),
    /// Let the admission go ahead without an agreed development-opinion letter (APPROVER, L1).
    LetterOverride(ReasonInput),
}

fn members(ids_: Vec<ID>, field: &'static str) -> AppResult<Vec<i64>> {
    ids_.iter()
        .map(|id| ids::decode(NodeType::Member, id, field))
        .collect()
}

fn org(id: &ID, field: &'static str) -> AppResult<i64> {
    ids::decode(NodeType::Organization, id, field)
}

impl PipelineStepInput {
    /// Into the domain step.
    pub fn into_details(self) -> AppResult<RequestedStep> {
        use PipelineStepInput as I;
        use StepDetails as D;
        Ok(RequestedStep::Step(match self {
            I::ApplicationTalk(t) => D::ApplicationTalk { talker: t.talker },
            I::DetermineActivist(a) => D::DetermineActivist {
                recommendation: a.recommendation.into(),
                public_notice: a.public_notice.map(Into::into),
            },
            I::FileActivist(f) => D::FileActivist {
                filed_with: f.filed_with,
            },
            I::AssignContacts(m) => D::AssignContacts {
                contact_ids: members(m.member_ids, "memberIds")?,
            },
            I::ActivistExamination(s) => D::ActivistExamination { summary: s.summary },
            I::DetermineTarget(t) => D::DetermineTarget {
                points: t.points,
                public_notice: t.public_notice.map(Into::into),
            },
            I::FileTarget(f) => D::FileTarget {
                filed_with: f.filed_with,
            },
            I::AssignIntroducers(m) => D::AssignIntroducers {
                introducer_ids: members(m.member_ids, "memberIds")?,
            },
            I::PoliticalReview(p) => D::PoliticalReview {
                passed: p.passed,
                conclusion: p.conclusion,
                household_opinion: p.household_opinion,
                residence_opinion: p.residence_opinion,
                negative_list: p.negative_list.map(|l| model::NegativeList {
                    double_dealer: l.double_dealer,
                    profiteer: l.profiteer,
                    cult_or_superstition: l.cult_or_superstition,
                    under_investigation: l.under_investigation,
                }),
            },
            I::Training(t) => D::Training {
                days: t.days,
                hours: t.hours,
                organizer: t.organizer,
            },
            I::BranchCommitteeReview(o) => D::BranchCommitteeReview { opinion: o.opinion },
            I::PreReview(p) => D::PreReview {
                reviewer_organization_id: org(
                    &p.reviewer_organization_id,
                    "reviewerOrganizationId",
                )?,
                passed: p.passed,
                form_number: p.form_number.map(|f| f.trim().to_string()),
            },
            I::FillApplicationForm(f) => D::FillApplicationForm {
                form_number: f.form_number.trim().to_string(),
            },
            I::AdmissionMeeting(m) => D::AdmissionMeeting {
                vote: m.vote.into(),
                public_notice: m.public_notice.map(Into::into),
            },
            I::IntermediateReview(r) => D::IntermediateReview {
                reviewer_organization_id: org(
                    &r.reviewer_organization_id,
                    "reviewerOrganizationId",
                )?,
                agreed: r.agreed,
            },
            I::PreApprovalTalk(t) => D::PreApprovalTalk { talker: t.talker },
            I::AdmissionApproval(a) => D::AdmissionApproval {
                approver_organization_id: org(
                    &a.approver_organization_id,
                    "approverOrganizationId",
                )?,
            },
            I::FileAdmission(f) => D::FileAdmission {
                filed_with: f.filed_with,
            },
            I::PlaceInBranch(p) => D::PlaceInBranch {
                party_group: p.party_group,
            },
            I::Oath(o) => D::Oath {
                presided_by: o.presided_by,
            },
            I::ProbationReport(s) => D::ProbationReport { summary: s.summary },
            I::ConversionApplication(c) => D::ConversionApplication { summary: c.summary },
            I::ConversionMeeting(m) => D::ConversionMeeting {
                vote: m.vote.into(),
                outcome: m.outcome.into(),
                extension_months: m.extension_months,
                public_notice: m.public_notice.map(Into::into),
            },
            I::ConversionApproval(a) => D::ConversionApproval {
                approver_organization_id: org(
                    &a.approver_organization_id,
                    "approverOrganizationId",
                )?,
            },
            I::Archive(a) => D::Archive {
                location: a.location,
            },
            I::Transfer(t) => {
                let to_organization_id = org(&t.to_organization_id, "toOrganizationId")?;
                return Ok(RequestedStep::Transfer { to_organization_id });
            }
            I::Drop(r) => D::Drop { reason: r.reason },
            I::Invalidate(r) => D::Invalidate { reason: r.reason },
            I::LetterOverride(r) => D::LetterOverride { reason: r.reason },
        }))
    }
}

/// Input of `submitApplication` (step 1).
#[derive(InputObject)]
pub struct SubmitApplicationInput {
    /// The branch that receives the application, in your subtree.
    pub organization_id: ID,
    /// The day the written application was submitted.
    pub applied_on: Date,
    /// The applicant.
    pub person: PersonInput,
    /// A key of your choosing: a retry with the same key returns the first result.
    pub client_key: Option<String>,
    /// Free-text note.
    pub note: Option<String>,
}

/// Input of `recordPipelineStep`.
#[derive(InputObject)]
pub struct RecordPipelineStepInput {
    /// The case.
    pub candidate_id: ID,
    /// The case's `version` as you last read it (`CONFLICT` if it changed since).
    pub expected_version: i32,
    /// The day the step happened (not the day it is recorded).
    pub occurred_on: Date,
    /// The step and what it records.
    pub step: PipelineStepInput,
    /// A key of your choosing: a retry with the same key returns the first result.
    pub client_key: Option<String>,
    /// Free-text note.
    pub note: Option<String>,
}

/// Input of `correctPipelineEvent`: records the same step again, replacing an earlier event in
/// the case's state; the earlier event stays in the record.
#[derive(InputObject)]
pub struct CorrectPipelineEventInput {
    /// The case.
    pub candidate_id: ID,
    /// The case's current `version`.
    pub expected_version: i32,
    /// The event to correct.
    pub event_id: ID,
    /// The corrected date.
    pub occurred_on: Date,
    /// The corrected step (the same step as the event).
    pub step: PipelineStepInput,
    /// Why the correction is made.
    pub reason: String,
    /// A key of your choosing: a retry with the same key returns the first result.
    pub client_key: Option<String>,
}

/// Result of a step.
#[derive(SimpleObject)]
pub struct PipelineStepPayload {
    /// The case after the step.
    pub candidate: Candidate,
    /// The recorded event.
    pub event: PipelineEvent,
    /// Rules not met that do not block (recorded with the event).
    pub warnings: Vec<RuleFinding>,
    /// True when this answers a retry with the same client key (nothing changed).
    pub replayed: bool,
}

impl From<service::StepOutcome> for PipelineStepPayload {
    fn from(o: service::StepOutcome) -> Self {
        PipelineStepPayload {
            candidate: Candidate::new(o.candidate),
            event: PipelineEvent(o.event),
            warnings: o.warnings.into_iter().map(RuleFinding::from).collect(),
            replayed: o.replayed,
        }
    }
}

impl From<crate::domain::pipeline::check::RecordedWarning> for RuleFinding {
    fn from(w: crate::domain::pipeline::check::RecordedWarning) -> Self {
        RuleFinding {
            rule: w.rule,
            source: w.source,
            message: format!("{} / {}", w.message_zh, w.message_en),
            details: async_graphql::Json(w.details),
        }
    }
}

/// One application of a bulk import.
#[derive(InputObject)]
pub struct ImportCandidateRowInput {
    /// The receiving branch.
    pub organization_id: ID,
    /// Application date.
    pub applied_on: Date,
    /// The applicant.
    pub person: PersonInput,
}

/// Input of `importCandidates`.
#[derive(InputObject)]
pub struct ImportCandidatesInput {
    /// The applications (at most 1,000; larger files go to `POST /imports/candidates`); all are imported or none.
    pub rows: Vec<ImportCandidateRowInput>,
    /// Makes a retry safe: the same key with the same rows returns the first result (even after
    /// a crash mid-way, which imported nothing); the same key with other rows is `CONFLICT`.
    pub idempotency_key: Option<String>,
}

/// Result of `importCandidates`.
#[derive(SimpleObject)]
pub struct ImportCandidatesPayload {
    /// Number of cases created.
    pub imported: i32,
    /// True when this answers a retry with the same `idempotencyKey`.
    pub replayed: bool,
}

/// Records a step, or with `corrects` a correction of that event.
async fn record(
    ctx: &Context<'_>,
    input: RecordPipelineStepInput,
    corrects: Option<ID>,
) -> Result<PipelineStepPayload> {
    let actor = ctx.actor()?;
    let out = service::record_step(
        &ctx.state().db,
        actor,
        service::StepRequest {
            candidate_id: ids::decode(NodeType::Candidate, &input.candidate_id, "candidateId")?,
            expected_version: input.expected_version,
            client_key: input.client_key,
            occurred_on: input.occurred_on.0,
            details: input.step.into_details()?,
            note: input.note,
            corrects: corrects
                .map(|id| ids::decode(NodeType::PipelineEvent, &id, "eventId"))
                .transpose()?,
        },
    )
    .await?;
    Ok(out.into())
}

/// Pipeline mutations.
#[derive(Default)]
pub struct PipelineMutation;

#[Object]
impl PipelineMutation {
    /// Step 1: records a written application and opens a case (ORGANIZER).
    async fn submit_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application.")] input: SubmitApplicationInput,
    ) -> Result<PipelineStepPayload> {
        let actor = ctx.actor()?;
        let out = service::submit_application(
            &ctx.state().db,
            &ctx.state().duplicate_checks,
            actor,
            service::Application {
                organization_id: org(&input.organization_id, "organizationId")?,
                applied_on: input.applied_on.0,
                person: input.person.into_draft()?,
                client_key: input.client_key,
                note: input.note,
            },
        )
        .await?;
        Ok(out.into())
    }

    /// Records one step on a case (ORGANIZER; approvals: APPROVER). Refusals are
    /// `RULE_VIOLATION` with the rule id, its source and the numbers.
    async fn record_pipeline_step(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The step.")] input: RecordPipelineStepInput,
    ) -> Result<PipelineStepPayload> {
        record(ctx, input, None).await
    }

    /// Corrects an earlier event with a new one (the record is append-only).
    async fn correct_pipeline_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The correction.")] input: CorrectPipelineEventInput,
    ) -> Result<PipelineStepPayload> {
        ctx.actor()?;
        let note = correction_note(&input.reason).map_err(AppError::from)?;
        let step = RecordPipelineStepInput {
            candidate_id: input.candidate_id,
            expected_version: input.expected_version,
            occurred_on: input.occurred_on,
            step: input.step,
            client_key: input.client_key,
            note: Some(note),
        };
        record(ctx, step, Some(input.event_id)).await
    }

    /// Imports applications in bulk (PARTNER, ORGANIZER): all rows or none; every bad row is
    /// reported in `extensions.rows` with its index and field.
    async fn import_candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The rows.")] input: ImportCandidatesInput,
    ) -> Result<ImportCandidatesPayload> {
        let actor = ctx.actor()?;
        super::args::import_rows(input.rows.len())?;
        let mut rows = Vec::with_capacity(input.rows.len());
        for r in input.rows {
            rows.push(import::ImportRow {
                organization_id: org(&r.organization_id, "organizationId")?,
                applied_on: r.applied_on.0,
                person: r.person.into_draft()?,
            });
        }
        let (n, replayed) = import::import_candidates(
            &ctx.state().db,
            &ctx.state().duplicate_checks,
            actor,
            rows,
            input.idempotency_key,
        )
        .await?;
        Ok(ImportCandidatesPayload {
            imported: n as i32,
            replayed,
        })
    }
}
