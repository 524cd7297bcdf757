//! Reports to higher levels (H1, annual, quarterly) and who has submitted them.

use super::context::ContextExt;
use super::ids::{self, NodeType};
use super::organization::Organization;
use super::scalars::Date;
use crate::domain::report as rules;
use crate::service::report as service;
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject};
use entity::report::Model;

super::enums::mirror_enum! {
    /// A report period.
    ReportPeriod => rules::ReportPeriod {
        /// First half (上半年), usually due late June.
        H1,
        /// The year (年报), usually due late December.
        Annual,
        /// First quarter.
        Q1,
        /// Second quarter.
        Q2,
        /// Third quarter.
        Q3,
        /// Fourth quarter.
        Q4,
    }
}

impl ReportPeriod {
    /// The stored name (also the period's name for indicators).
    pub fn code(self) -> &'static str {
        rules::ReportPeriod::from(self).as_str()
    }
}

/// Where a report is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    /// Nothing submitted yet (only in `reportSubmissions`).
    NotSubmitted,
    /// Saved, not submitted.
    Draft,
    /// Submitted, awaiting review.
    Submitted,
    /// Returned by the collecting level, with a reason.
    Returned,
    /// Submitted again after a return.
    Resubmitted,
    /// Accepted: locked.
    Accepted,
}

impl From<Option<rules::ReportStatus>> for ReportStatus {
    fn from(s: Option<rules::ReportStatus>) -> Self {
        use rules::ReportStatus as S;
        match s {
            None => ReportStatus::NotSubmitted,
            Some(S::Draft) => ReportStatus::Draft,
            Some(S::Submitted) => ReportStatus::Submitted,
            Some(S::Returned) => ReportStatus::Returned,
            Some(S::Resubmitted) => ReportStatus::Resubmitted,
            Some(S::Accepted) => ReportStatus::Accepted,
        }
    }
}

fn stored_status(r: &Model) -> Option<rules::ReportStatus> {
    rules::ReportStatus::parse(&r.status)
}

/// A declared figure that differs from the computed one.
#[derive(SimpleObject)]
pub struct ReconciliationFinding {
    /// The figure (e.g. `admitted`, `category.WOMEN`, `stage.ACTIVIST`).
    pub key: String,
    /// As declared.
    pub declared: Json<serde_json::Value>,
    /// As computed at submission.
    pub computed: Json<serde_json::Value>,
}

/// An attachment (as text).
#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "AttachmentInput")]
pub struct Attachment {
    /// File name or title.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// A report of an organization for a period.
pub struct Report(pub Model);

/// Whether the viewer reads indicators (a report's snapshot and its reconciliation).
fn may_read_indicators(ctx: &Context<'_>) -> Result<bool> {
    Ok(ctx.actor()?.may(crate::domain::Permission::ReadIndicators))
}

/// Whether the viewer may read reports' free text (narrative, attachments).
fn may_read_text(ctx: &Context<'_>) -> Result<bool> {
    Ok(ctx.actor()?.may(crate::domain::Permission::ReadReportText))
}

/// A report of an organization for a period.
#[Object]
impl Report {
    /// Global id.
    async fn id(&self) -> ID {
        ids::encode(NodeType::Report, self.0.id)
    }

    /// Version: pass it to return or accept.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The reporting organization.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        super::organization::load_visible(ctx, self.0.organization_id).await
    }

    /// Year.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// Period (H1, ANNUAL, Q1–Q4).
    async fn period(&self) -> &str {
        &self.0.period
    }

    /// Status.
    async fn status(&self) -> ReportStatus {
        stored_status(&self.0).into()
    }

    /// The computed indicators at submission: null for roles that do not read indicators
    /// (PARTNER).
    async fn snapshot(&self, ctx: &Context<'_>) -> Result<Option<Json<serde_json::Value>>> {
        Ok(may_read_indicators(ctx)?
            .then(|| Json(serde_json::from_str(&self.0.snapshot).unwrap_or_default())))
    }

    /// The next year's plan proposed with an ANNUAL report (null without one, and for roles
    /// that do not read plans).
    async fn proposed_plan(&self, ctx: &Context<'_>) -> Result<Option<super::plan::PlanDraft>> {
        if !may_read_indicators(ctx)? {
            return Ok(None);
        }
        Ok(self
            .0
            .proposed_plan
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .map(|content| super::plan::PlanDraft {
                year: self.0.year + 1,
                content,
            }))
    }

    /// The figures the submitter declares.
    async fn declared(&self) -> Json<serde_json::Value> {
        Json(serde_json::from_str(&self.0.declared).unwrap_or_default())
    }

    /// The narrative: free text that may name people, so null for ANALYST, PARTNER and VIEWER.
    async fn narrative(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(may_read_text(ctx)?.then_some(self.0.narrative.as_str()))
    }

    /// Attachments, as text: null for ANALYST, PARTNER and VIEWER (as `narrative`).
    #[graphql(complexity = "super::weights::unpaged(child_complexity)")]
    async fn attachments(&self, ctx: &Context<'_>) -> Result<Option<Vec<Attachment>>> {
        if !may_read_text(ctx)? {
            return Ok(None);
        }
        Ok(Some(
            serde_json::from_str::<Vec<serde_json::Value>>(&self.0.attachments)
                .unwrap_or_default()
                .into_iter()
                .map(|a| Attachment {
                    name: a["name"].as_str().unwrap_or("").into(),
                    text: a["text"].as_str().unwrap_or("").into(),
                })
                .collect(),
        ))
    }

    /// Why it was returned.
    async fn return_reason(&self) -> Option<&str> {
        self.0.return_reason.as_deref()
    }

    /// The day it was (last) submitted.
    async fn submitted_on(&self) -> Option<Date> {
        self.0.submitted_on.map(Date)
    }

    /// The day it was accepted.
    async fn accepted_on(&self) -> Option<Date> {
        self.0.accepted_on.map(Date)
    }

    /// The due date set by the nearest collecting level.
    async fn due_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        let db = &ctx.state().db;
        let org = crate::db::organization::find_by_id(db, self.0.organization_id)
            .await
            .map_err(crate::error::AppError::from)?;
        match org {
            Some(o) => Ok(service::due_on(db, &o, self.0.year, &self.0.period)
                .await?
                .map(Date)),
            None => Ok(None),
        }
    }

    /// Declared figures that differ from the computed ones: null for roles that do not read
    /// indicators (PARTNER).
    #[graphql(complexity = "super::weights::unpaged(child_complexity)")]
    async fn findings(&self, ctx: &Context<'_>) -> Result<Option<Vec<ReconciliationFinding>>> {
        if !may_read_indicators(ctx)? {
            return Ok(None);
        }
        Ok(Some(
            service::reconcile(&self.0)
                .into_iter()
                .map(|(key, d, c)| ReconciliationFinding {
                    key,
                    declared: Json(d),
                    computed: Json(c),
                })
                .collect(),
        ))
    }
}

/// One child's submission status under a collecting organization.
#[derive(SimpleObject)]
pub struct ReportSubmission {
    /// The child.
    pub organization: Organization,
    /// Its report's status (NOT_SUBMITTED when there is none).
    pub status: ReportStatus,
    /// Submitted on.
    pub submitted_on: Option<Date>,
    /// Submitted after the due date, or still missing after it (as of the day asked about).
    pub late: bool,
    /// The report, if any.
    pub report: Option<Report>,
}

/// The collecting level's view of a period.
#[derive(SimpleObject)]
pub struct ReportSubmissions {
    /// The due date this level set (null if none).
    pub due_on: Option<Date>,
    /// One row per direct child.
    pub rows: Vec<ReportSubmission>,
    /// How many have submitted (any status past draft).
    pub submitted: i32,
    /// How many have not.
    pub missing: i32,
    /// How many are late.
    pub late: i32,
}

/// Report queries.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// One report of your subtree.
    async fn report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id.")] id: ID,
    ) -> Result<Option<Report>> {
        let actor = ctx.actor()?;
        let id = ids::decode(NodeType::Report, &id, "id")?;
        Ok(Some(Report(
            service::get_visible(&ctx.state().db, actor, id).await?.0,
        )))
    }

    /// Who among the direct children of a collecting organization has submitted, and who is late.
    #[graphql(
        complexity = "super::weights::aggregate(super::weights::child_rows(child_complexity))"
    )]
    async fn report_submissions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The collecting organization.")] collector_organization_id: ID,
        #[graphql(desc = "Year.")] year: i32,
        #[graphql(desc = "Period.")] period: ReportPeriod,
        #[graphql(desc = "The day lateness is judged on (default: today).")] as_of: Option<Date>,
    ) -> Result<ReportSubmissions> {
        let actor = ctx.actor()?;
        let year = super::args::year(year, "year")?;
        let id = ids::decode(
            NodeType::Organization,
            &collector_organization_id,
            "collectorOrganizationId",
        )?;
        let as_of = as_of.map(|d| d.0).unwrap_or_else(crate::clock::today);
        let (due, rows) =
            service::submissions(&ctx.state().db, actor, id, year, period.code()).await?;
        let mut out = ReportSubmissions {
            due_on: due.map(Date),
            rows: vec![],
            submitted: 0,
            missing: 0,
            late: 0,
        };
        for (org, r) in rows {
            let submitted_on = r.as_ref().and_then(|r| r.submitted_on);
            let stored = r.as_ref().and_then(stored_status);
            let late = rules::is_late(due, stored, submitted_on, as_of);
            let st = ReportStatus::from(stored);
            let is_submitted = !matches!(st, ReportStatus::NotSubmitted | ReportStatus::Draft);
            out.submitted += i32::from(is_submitted);
            out.missing += i32::from(!is_submitted);
            out.late += i32::from(late);
            out.rows.push(ReportSubmission {
                organization: Organization::visible_or_not_found(actor, org)?,
                status: st,
                submitted_on: submitted_on.map(Date),
                late,
                report: r.map(Report),
            });
        }
        Ok(out)
    }
}

/// Input of `submitReport`.
#[derive(InputObject)]
pub struct SubmitReportInput {
    /// The reporting organization (in your subtree).
    pub organization_id: ID,
    /// Year.
    pub year: i32,
    /// Period.
    pub period: ReportPeriod,
    /// Declared figures, a JSON object of numbers keyed like the snapshot (`admitted`,
    /// `category.WOMEN`, `stage.ACTIVIST`, …).
    #[graphql(default)]
    pub declared: Json<serde_json::Map<String, serde_json::Value>>,
    /// Narrative.
    #[graphql(default)]
    pub narrative: String,
    /// Attachments as text.
    #[graphql(default)]
    pub attachments: Vec<Attachment>,
    /// The day of submission.
    pub submitted_on: Date,
    /// Save as a draft without submitting.
    #[graphql(default)]
    pub draft: bool,
    /// The next year's proposed plan, with an ANNUAL report only (the year-end package is the
    /// summary, the H2 figures and the plan requested for next year); the collecting level
    /// adopts it with `adoptProposedPlan`.
    pub proposed_plan: Option<super::plan::PlanContentInput>,
    /// Idempotency key: the same key and payload return the first result; another payload with
    /// the same key is `CONFLICT`.
    pub idempotency_key: Option<String>,
}

/// Result of `submitReport`.
#[derive(SimpleObject)]
pub struct SubmitReportPayload {
    /// The report.
    pub report: Report,
    /// True when this answers a retry with the same idempotency key.
    pub replayed: bool,
}

/// Input of `returnReport` and `acceptReport`.
#[derive(InputObject)]
pub struct ReviewReportInput {
    /// The report.
    pub id: ID,
    /// Its current version.
    pub expected_version: i32,
    /// Why it is returned (for `returnReport`).
    pub reason: Option<String>,
    /// The day it is accepted (for `acceptReport`).
    pub accepted_on: Option<Date>,
}

/// Result of a review.
#[derive(SimpleObject)]
pub struct ReviewReportPayload {
    /// The report.
    pub report: Report,
}

/// Input of `setReportSchedule`.
#[derive(InputObject)]
pub struct SetReportScheduleInput {
    /// The collecting organization.
    pub collector_organization_id: ID,
    /// Year.
    pub year: i32,
    /// Period.
    pub period: ReportPeriod,
    /// The due date (e.g. late June, late December, or a fixed date such as 12-15).
    pub due_on: Date,
}

/// Result of `setReportSchedule`.
#[derive(SimpleObject)]
pub struct SetReportSchedulePayload {
    /// The due date set.
    pub due_on: Date,
}

/// Report mutations.
#[derive(Default)]
pub struct ReportMutation;

/// Returns (no day) or accepts (on a day) a report.
async fn review(
    ctx: &Context<'_>,
    input: &ReviewReportInput,
    accept: Option<chrono::NaiveDate>,
    reason: Option<String>,
) -> Result<ReviewReportPayload> {
    let (state, actor) = (ctx.state(), ctx.actor()?);
    let id = ids::decode(NodeType::Report, &input.id, "id")?;
    let version = input.expected_version;
    let r = service::review(
        &state.db,
        &state.letter_events,
        actor,
        id,
        version,
        accept,
        reason,
    )
    .await?;
    Ok(ReviewReportPayload { report: Report(r) })
}

#[Object]
impl ReportMutation {
    /// Saves or submits a report (ORGANIZER, PARTNER); idempotent by key.
    async fn submit_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report.")] input: SubmitReportInput,
    ) -> Result<SubmitReportPayload> {
        let actor = ctx.actor()?;
        let out = service::submit(
            &ctx.state().db,
            actor,
            service::Submission {
                organization_id: ids::decode(
                    NodeType::Organization,
                    &input.organization_id,
                    "organizationId",
                )?,
                year: super::args::year(input.year, "year")?,
                period: input.period.code().into(),
                declared: input.declared.0,
                narrative: input.narrative,
                attachments: input
                    .attachments
                    .into_iter()
                    .map(|a| (a.name, a.text))
                    .collect(),
                submitted_on: input.submitted_on.0,
                draft: input.draft,
                proposed_plan: input
                    .proposed_plan
                    .map(super::plan::PlanContentInput::into_content)
                    .transpose()?,
                idempotency_key: input.idempotency_key,
            },
        )
        .await?;
        Ok(SubmitReportPayload {
            report: Report(out.report),
            replayed: out.replayed,
        })
    }

    /// Returns a submitted report with a reason (the collecting level).
    async fn return_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which report and why.")] input: ReviewReportInput,
    ) -> Result<ReviewReportPayload> {
        let reason = input.reason.clone();
        review(ctx, &input, None, reason).await
    }

    /// Accepts a submitted report; it is locked afterwards (the collecting level).
    async fn accept_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which report and when.")] input: ReviewReportInput,
    ) -> Result<ReviewReportPayload> {
        let on = input.accepted_on.map_or_else(crate::clock::today, |d| d.0);
        review(ctx, &input, Some(on), None).await
    }

    /// Sets the due date of a period for the organizations under a collecting one (ORGANIZER).
    async fn set_report_schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The schedule.")] input: SetReportScheduleInput,
    ) -> Result<SetReportSchedulePayload> {
        let actor = ctx.actor()?;
        let id = ids::decode(
            NodeType::Organization,
            &input.collector_organization_id,
            "collectorOrganizationId",
        )?;
        service::set_schedule(
            &ctx.state().db,
            actor,
            id,
            super::args::year(input.year, "year")?,
            input.period.code(),
            input.due_on.0,
        )
        .await?;
        Ok(SetReportSchedulePayload {
            due_on: input.due_on,
        })
    }
}

super::enums::mirror_enum! {
    /// What happened to a report.
    ReportEventKind => crate::events::ReportEventKind {
        /// Returned to the submitter with a reason.
        Returned,
        /// Accepted and locked.
        Accepted,
    }
}

/// A report event: fetch the report by id for its details.
#[derive(SimpleObject)]
pub struct ReportNotice {
    /// What happened.
    pub kind: ReportEventKind,
    /// The report.
    pub report_id: ID,
}

/// Report subscriptions.
#[derive(Default)]
pub struct ReportSubscription;

#[async_graphql::Subscription]
impl ReportSubscription {
    /// Reports of your subtree returned or accepted by the level above (on PostgreSQL from any
    /// instance). Before each event the connection's token is checked again: once it is expired
    /// or revoked, the stream ends.
    async fn report_events(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl futures_util::Stream<Item = ReportNotice>> {
        use futures_util::StreamExt;
        let actor = ctx.actor()?.clone();
        let rx = ctx.state().letter_events.subscribe_reports();
        let open = crate::metrics::OpenSubscription::new(&ctx.state().metrics.subscriptions);
        let stream = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(move |e| {
            let _open = &open;
            let actor = actor.clone();
            async move {
                let e = e.ok()?;
                actor.can_see(&e.organization_path).then(|| ReportNotice {
                    kind: e.kind.into(),
                    report_id: ids::encode(NodeType::Report, e.report_id),
                })
            }
        });
        Ok(super::context::while_token_stands(ctx, stream))
    }
}
