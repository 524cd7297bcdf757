//! The integrity registers in the API: numbered application forms (I6) and the responsibility
//! chain (I9).

use super::candidate::Candidate;
use super::context::ContextExt;
use super::ids::{self, NodeType};
use super::organization::Organization;
use super::scalars::Date;
use crate::domain::integrity::{FormStatus, Responsibility as DomainResponsibility};
use crate::error::AppError;
use crate::service::integrity as service;
use async_graphql::{
    Context, Enum, ErrorExtensions, ID, InputObject, Object, Result, SimpleObject,
};
use entity::{case_responsibility, form_number};

super::enums::mirror_enum! {
    /// What became of a form number.
    FormNumberStatus => FormStatus {
        /// Issued by the committee, not yet given to anyone.
        Issued,
        /// Bound to one person at pre-review.
        Bound,
        /// The form was filled in (step 14).
        Used,
        /// Voided with a reason.
        Voided,
    }
}

/// One numbered application form (入党志愿书).
pub struct FormNumber(form_number::Model);

/// One numbered application form (入党志愿书).
#[Object]
impl FormNumber {
    /// The number.
    async fn number(&self) -> &str {
        &self.0.number
    }

    /// What became of it.
    async fn status(&self) -> Result<Option<FormNumberStatus>> {
        let status = FormStatus::parse(&self.0.status).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("unknown form status {}", self.0.status)).extend()
        })?;
        Ok(Some(status.into()))
    }

    /// The person's case it is bound to, when that case is in your subtree.
    async fn candidate(&self, ctx: &Context<'_>) -> Result<Option<Candidate>> {
        let Some(id) = self.0.candidate_id else {
            return Ok(None);
        };
        // Outside the viewer's subtree reads as no case; any other failure is an error.
        match crate::service::pipeline::get_visible(&ctx.state().db, ctx.actor()?, id).await {
            Ok(case) => Ok(Some(Candidate::new(case))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.extend()),
        }
    }

    /// Bound at pre-review on.
    async fn bound_on(&self) -> Option<Date> {
        self.0.bound_on.map(Date)
    }

    /// Used (form filled in) on.
    async fn used_on(&self) -> Option<Date> {
        self.0.used_on.map(Date)
    }

    /// Voided on.
    async fn voided_on(&self) -> Option<Date> {
        self.0.voided_on.map(Date)
    }

    /// Why it was voided.
    async fn void_reason(&self) -> Option<&str> {
        self.0.void_reason.as_deref()
    }
}

/// A pre-reviewing committee's register of form numbers.
#[derive(SimpleObject)]
pub struct FormRegister {
    /// The committee.
    pub committee: Organization,
    /// Numbers issued and not yet given to anyone.
    pub issued: i64,
    /// Numbers bound to a person at pre-review.
    pub bound: i64,
    /// Numbers whose form was filled in.
    pub used: i64,
    /// Numbers voided.
    pub voided: i64,
    /// The numbers (in order; of one status when asked; at most `first`).
    pub numbers: Vec<FormNumber>,
}

impl FormRegister {
    /// The register of `committee` (visible to the viewer) with its counts and the numbers read.
    async fn of(
        ctx: &Context<'_>,
        committee: i64,
        counts: service::RegisterCounts,
        numbers: Vec<entity::form_number::Model>,
    ) -> Result<Self> {
        let committee = super::organization::load_visible(ctx, committee)
            .await?
            .ok_or(AppError::NotFound("organization"))?;
        Ok(FormRegister {
            committee,
            issued: counts.issued,
            bound: counts.bound,
            used: counts.used,
            voided: counts.voided,
            numbers: numbers.into_iter().map(FormNumber).collect(),
        })
    }
}

/// Input of `registerFormNumbers`.
#[derive(InputObject)]
pub struct RegisterFormNumbersInput {
    /// The pre-reviewing committee that issued the forms (in your subtree).
    pub committee_organization_id: ID,
    /// What every number starts with, e.g. `440100-2025-`.
    pub prefix: String,
    /// The first sequence number.
    pub from: u32,
    /// The last sequence number (at most 10,000 numbers at once).
    pub to: u32,
    /// Digits of the sequence, zero-padded (default 6).
    #[graphql(default = 6)]
    pub width: u32,
}

/// Input of `voidFormNumber`.
#[derive(InputObject)]
pub struct VoidFormNumberInput {
    /// The committee whose register holds the number (needed only when several committees of
    /// your subtree registered the same number).
    pub committee_organization_id: Option<ID>,
    /// The number.
    pub number: String,
    /// Why (spoilt, lost…).
    pub reason: String,
    /// The day.
    pub on: Date,
}

super::enums::mirror_enum! {
    /// Who carried a responsibility on a case (I9).
    ResponsibilityKind => DomainResponsibility {
        /// 培养联系人.
        CultivationContact,
        /// 入党介绍人.
        Introducer,
        /// Recorded a talk.
        Talk,
        /// Recorded the political review.
        PoliticalReview,
        /// Recorded a review (branch committee, pre-review, intermediate review).
        Review,
        /// Recorded an approval (admission or conversion).
        Approval,
    }
}

/// One responsibility carried on one case.
pub struct CaseResponsibility {
    row: case_responsibility::Model,
    candidate: Candidate,
}

/// One responsibility carried on one case.
#[Object]
impl CaseResponsibility {
    /// What was carried.
    async fn responsibility(&self) -> Option<ResponsibilityKind> {
        DomainResponsibility::parse(&self.row.responsibility).map(Into::into)
    }

    /// The day of the step.
    async fn occurred_on(&self) -> Date {
        Date(self.row.occurred_on)
    }

    /// The step's event id.
    async fn event_id(&self) -> ID {
        ids::encode(NodeType::PipelineEvent, self.row.event_id)
    }

    /// The case.
    async fn candidate(&self) -> &Candidate {
        &self.candidate
    }
}

/// Register and responsibility queries.
#[derive(Default)]
pub struct IntegrityQuery;

#[Object]
impl IntegrityQuery {
    /// A pre-reviewing committee's register of form numbers: issued, bound, used and voided.
    #[graphql(
        complexity = "super::weights::aggregate(super::weights::child_rows(child_complexity))"
    )]
    async fn form_register(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The committee.")] committee_organization_id: ID,
        #[graphql(desc = "Only numbers in this state.")] status: Option<FormNumberStatus>,
        #[graphql(
            desc = "At most this many numbers (default 100, at most 500).",
            default = 100
        )]
        first: i32,
    ) -> Result<FormRegister> {
        let actor = ctx.actor()?;
        crate::service::require(actor, crate::domain::Permission::ReadCandidates)?;
        let id = ids::decode(
            NodeType::Organization,
            &committee_organization_id,
            "committeeOrganizationId",
        )?;
        let limit = u64::try_from(first.clamp(0, 500)).unwrap_or(100);
        let (counts, rows) =
            service::read(&ctx.state().db, actor, id, status.map(Into::into), limit).await?;
        FormRegister::of(ctx, id, counts, rows).await
    }

    /// Every case a member introduced or cultivated (`memberId`), or a user talked, reviewed or
    /// approved (`userId`), newest first — for accountability reviews (I9). Cases outside your
    /// subtree are left out.
    #[graphql(
        complexity = "super::weights::aggregate(super::weights::child_rows(child_complexity))"
    )]
    async fn responsibilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A Party member (global Member id).")] member_id: Option<ID>,
        #[graphql(desc = "A user (global User id).")] user_id: Option<ID>,
        #[graphql(desc = "At most this many (default 100, at most 500).", default = 100)]
        first: i32,
    ) -> Result<Vec<CaseResponsibility>> {
        let actor = ctx.actor()?;
        crate::service::require(actor, crate::domain::Permission::ReadCandidates)?;
        let db = &ctx.state().db;
        let (person, user) = match (member_id, user_id) {
            (Some(m), None) => {
                let id = ids::decode(NodeType::Member, &m, "memberId")?;
                crate::service::member::get_visible(db, actor, id).await?;
                (Some(id), None)
            }
            (None, Some(u)) => {
                let id = ids::decode(NodeType::User, &u, "userId")?;
                // The user's account is not read: only whether it belongs to your subtree.
                let user = crate::db::user::find_by_id(db, id)
                    .await
                    .map_err(AppError::from)?
                    .ok_or(AppError::NotFound("user"))?;
                crate::service::organization::get_visible(db, actor, user.organization_id)
                    .await
                    .map_err(|_| AppError::NotFound("user"))?;
                (None, Some(id))
            }
            _ => {
                return Err(AppError::bad_input(
                    "memberId",
                    "须且只须给出 memberId 或 userId 之一",
                    "give exactly one of memberId and userId",
                )
                .into());
            }
        };
        let limit = u64::try_from(first.clamp(0, 500)).unwrap_or(100);
        let rows = crate::db::integrity::responsibilities_of(db, person, user, limit)
            .await
            .map_err(AppError::from)?;
        let mut out = vec![];
        for row in rows {
            if let Ok(c) = crate::service::pipeline::get_visible(db, actor, row.candidate_id).await
            {
                out.push(CaseResponsibility {
                    row,
                    candidate: Candidate::new(c),
                });
            }
        }
        Ok(out)
    }
}

/// Register mutations (ORGANIZER).
#[derive(Default)]
pub struct IntegrityMutation;

#[Object]
impl IntegrityMutation {
    /// Registers a range of form numbers a pre-reviewing committee has issued; from then on its
    /// pre-reviews bind numbers from the register only.
    async fn register_form_numbers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The committee and the range.")] input: RegisterFormNumbersInput,
    ) -> Result<FormRegister> {
        let actor = ctx.actor()?;
        crate::service::require(actor, crate::domain::Permission::ManagePipeline)?;
        let id = ids::decode(
            NodeType::Organization,
            &input.committee_organization_id,
            "committeeOrganizationId",
        )?;
        let counts = service::register(
            &ctx.state().db,
            actor,
            id,
            &input.prefix,
            u64::from(input.from),
            u64::from(input.to),
            input.width,
        )
        .await?;
        FormRegister::of(ctx, id, counts, vec![]).await
    }

    /// Voids an issued or bound number with a reason (a used one stays on record).
    async fn void_form_number(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The number, why and when.")] input: VoidFormNumberInput,
    ) -> Result<FormNumber> {
        let actor = ctx.actor()?;
        crate::service::require(actor, crate::domain::Permission::ManagePipeline)?;
        let committee = input
            .committee_organization_id
            .map(|c| ids::decode(NodeType::Organization, &c, "committeeOrganizationId"))
            .transpose()?;
        Ok(FormNumber(
            service::void(
                &ctx.state().db,
                actor,
                committee,
                &input.number,
                &input.reason,
                input.on.0,
            )
            .await?,
        ))
    }
}
