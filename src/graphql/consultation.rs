//! Consultations of external departments (I5) in the API.

use super::context::ContextExt;
use super::ids::{self, NodeType};
use super::scalars::Date;
use crate::domain::consultation::{ConsultationStage as DomainStage, Department};
use crate::domain::role::PersonalDataAccess;
use crate::service::consultation::{self as service, NewConsultation};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use entity::consultation;

super::enums::mirror_enum! {
    /// An external department consulted (I5).
    ConsultationDepartment => Department {
        /// 综治 (comprehensive governance).
        ComprehensiveGovernance,
        /// 公安 / 派出所 (police).
        Police,
        /// 信用 (credit).
        Credit,
        /// 市场监管 (market regulation; for owners).
        MarketRegulation,
        /// 税务 (tax; for owners).
        Tax,
        /// 法院 (court; for owners).
        Court,
        /// 纪检监察 (discipline inspection).
        Discipline,
    }
}

super::enums::mirror_enum! {
    /// Which decision a consultation prepares.
    ConsultationStage => DomainStage {
        /// Before the admission meeting.
        Admission,
        /// Before the conversion meeting (in writing).
        Conversion,
    }
}

/// A request to an external department about a case, and its answer.
pub struct Consultation(pub consultation::Model);

/// A request to an external department about a case, and its answer.
#[Object]
impl Consultation {
    /// Global id (pass it to `answerConsultation`).
    async fn id(&self) -> ID {
        ids::encode(NodeType::Consultation, self.0.id)
    }

    /// The department.
    async fn department(&self) -> Option<ConsultationDepartment> {
        Department::parse(&self.0.department).map(Into::into)
    }

    /// Which meeting it prepares.
    async fn stage(&self) -> Option<ConsultationStage> {
        DomainStage::parse(&self.0.stage).map(Into::into)
    }

    /// What was asked: null for roles that do not read cases in full (it may name people).
    async fn question(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(full(ctx)?.then_some(self.0.question.as_str()))
    }

    /// Sent on.
    async fn sent_on(&self) -> Date {
        Date(self.0.sent_on)
    }

    /// The reply is due on (the letters' reply window of the local rules).
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }

    /// Asked in writing.
    async fn written(&self) -> bool {
        self.0.written
    }

    /// Answered on.
    async fn answered_on(&self) -> Option<Date> {
        self.0.answered_on.map(Date)
    }

    /// The answer: null for roles that do not read cases in full.
    async fn answer(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(full(ctx)?.then_some(self.0.answer.as_deref()).flatten())
    }

    /// The department raised a concern.
    async fn concern(&self) -> bool {
        self.0.concern
    }

    /// Unanswered after its due date (China Standard Time today).
    async fn overdue(&self) -> bool {
        self.0.answered_on.is_none() && self.0.due_on < crate::clock::today()
    }
}

fn full(ctx: &Context<'_>) -> Result<bool> {
    Ok(ctx.actor()?.role.personal_data() == PersonalDataAccess::Full)
}

/// Input of `recordConsultation`.
#[derive(InputObject)]
pub struct RecordConsultationInput {
    /// The case.
    pub candidate_id: ID,
    /// The department asked.
    pub department: ConsultationDepartment,
    /// Which meeting it prepares.
    pub stage: ConsultationStage,
    /// What was asked.
    pub question: String,
    /// Sent on.
    pub sent_on: Date,
    /// Asked in writing (required before the conversion meeting).
    #[graphql(default)]
    pub written: bool,
}

/// Input of `answerConsultation`.
#[derive(InputObject)]
pub struct AnswerConsultationInput {
    /// The consultation.
    pub id: ID,
    /// Answered on.
    pub answered_on: Date,
    /// The answer.
    pub answer: String,
    /// The department raised a concern (recorded as a warning on the meeting).
    #[graphql(default)]
    pub concern: bool,
}

/// Result of the consultation mutations.
#[derive(SimpleObject)]
pub struct ConsultationPayload {
    /// The consultation.
    pub consultation: Consultation,
}

/// Consultation mutations (ORGANIZER).
#[derive(Default)]
pub struct ConsultationMutation;

#[Object]
impl ConsultationMutation {
    /// Records a request to an external department about a case (I5).
    async fn record_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request.")] input: RecordConsultationInput,
    ) -> Result<ConsultationPayload> {
        let actor = ctx.actor()?;
        crate::service::require(actor, crate::domain::Permission::ManagePipeline)?;
        let row = service::record(
            &ctx.state().db,
            actor,
            NewConsultation {
                candidate_id: ids::decode(NodeType::Candidate, &input.candidate_id, "candidateId")?,
                department: input.department.into(),
                stage: input.stage.into(),
                question: input.question,
                sent_on: input.sent_on.0,
                written: input.written,
            },
        )
        .await?;
        Ok(ConsultationPayload {
            consultation: Consultation(row),
        })
    }

    /// Records the department's answer.
    async fn answer_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The answer.")] input: AnswerConsultationInput,
    ) -> Result<ConsultationPayload> {
        let actor = ctx.actor()?;
        crate::service::require(actor, crate::domain::Permission::ManagePipeline)?;
        let id = ids::decode(NodeType::Consultation, &input.id, "id")?;
        let row = service::answer(
            &ctx.state().db,
            actor,
            id,
            input.answered_on.0,
            input.answer,
            input.concern,
        )
        .await?;
        Ok(ConsultationPayload {
            consultation: Consultation(row),
        })
    }
}

/// A case's consultations (for `Candidate.consultations`).
pub async fn of_case(ctx: &Context<'_>, candidate_id: i64) -> Result<Vec<Consultation>> {
    Ok(
        crate::db::consultation::of_case(&ctx.state().db, candidate_id)
            .await
            .map_err(crate::error::AppError::from)?
            .into_iter()
            .map(Consultation)
            .collect(),
    )
}
