//! Candidates (development cases), their full-process record and alerts.

use super::context::ContextExt;
use super::enums::{AlertKind, Education, Gender, Occupation, PipelineStep, Stage};
use super::ids::{self, NodeType};
use super::loaders::{EventsByCandidateLoader, PersonByIdLoader};
use super::organization::Organization;
use super::pagination::connection_type;
use super::scalars::Date;
use crate::db::candidate::{
    CandidateFilter, CaseWithPerson, LookedUpCase, PersonPart, PersonRead, SharedCase,
};
use crate::domain::RuleViolation;
use crate::domain::pipeline::person::split_occupations;
use crate::domain::role::{PersonalDataAccess, PersonalDatum};
use crate::error::AppError;
use crate::service::list::Total;
use crate::service::{candidate as service, pipeline};
use async_graphql::{Context, ErrorExtensions, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{candidate, candidate_event, person};
use std::sync::Arc;

/// A development case (发展党员档案): one person's way from application to full membership.
/// Carries its person when the statement that read the case joined it (lists, `node`), or only
/// the person's name when a lookup's selection asked for no other field of the person; otherwise
/// (and for any other field then) the person comes through the batch loader. Shared, not
/// copied: a batch loader hands each field that waited on it a clone of its value.
#[derive(Clone)]
pub struct Candidate(pub Arc<candidate::Model>, KnownPerson);

/// What a case carries of its person.
#[derive(Clone)]
enum KnownPerson {
    /// Nothing: the person loader reads the person when a field needs it.
    Unread,
    /// The whole person.
    Whole(Arc<person::Model>),
    /// The person's name alone.
    Name(Arc<str>),
}

/// The fields of a case that a lookup answers without reading its person beyond the name: a
/// `node` or `candidate` selection of these alone reads 22 columns instead of 47 (the most
/// frequent statement; docs/BENCHMARK.md round thirteen). Either way every field answers: one
/// missing here costs the whole person's columns, one listed wrongly a load of the person.
const FIELDS_WITHOUT_PERSON: &[&str] = &[
    "__typename",
    "id",
    "version",
    "stage",
    "organization",
    "name",
    "appliedOn",
    "talkedOn",
    "activistOn",
    "lastExaminationOn",
    "targetOn",
    "admissionMeetingOn",
    "approvedOn",
    "oathOn",
    "probationEndOn",
    "conversionMeetingOn",
    "convertedOn",
    "archivedOn",
    "extended",
    "invalidated",
    "relations",
    "consultations",
    "timeline",
];

/// How much of the person a lookup of one case reads for the field being resolved (`node`,
/// `candidate`): the name alone when every field selected on it (through fragments too, and
/// whatever the type condition) is one of [`FIELDS_WITHOUT_PERSON`].
pub fn person_part(ctx: &Context<'_>) -> PersonPart {
    part_for(ctx.field().selection_set().map(|f| f.name()))
}

/// How much of the person a selection of these field names needs.
fn part_for<'a>(mut fields: impl Iterator<Item = &'a str>) -> PersonPart {
    match fields.all(|f| FIELDS_WITHOUT_PERSON.contains(&f)) {
        true => PersonPart::NameOnly,
        false => PersonPart::Whole,
    }
}

impl Candidate {
    /// A case whose person is loaded when a field needs it.
    pub fn new(case: candidate::Model) -> Self {
        Candidate(Arc::new(case), KnownPerson::Unread)
    }

    /// A case read together with its person.
    pub fn with_person(case: CaseWithPerson) -> Self {
        Self::shared(crate::db::candidate::shared(case))
    }

    /// A case and its person as a batch loader shares them.
    pub fn shared((case, person): SharedCase) -> Self {
        Candidate(case, person.map_or(KnownPerson::Unread, KnownPerson::Whole))
    }

    /// A case as a lookup read it, with its person or its person's name.
    pub fn looked_up((case, person): LookedUpCase) -> Self {
        Candidate(
            Arc::new(case),
            match person {
                PersonRead::Whole(p) => KnownPerson::Whole(p),
                PersonRead::NameOnly(name) => KnownPerson::Name(name.into()),
            },
        )
    }

    async fn person(&self, ctx: &Context<'_>) -> Result<Arc<person::Model>> {
        if let KnownPerson::Whole(p) = &self.1 {
            return Ok(p.clone());
        }
        ctx.load_one::<PersonByIdLoader, _>(self.0.person_id)
            .await?
            .ok_or_else(|| AppError::NotFound("person").extend())
    }

    fn access(ctx: &Context<'_>) -> PersonalDataAccess {
        ctx.actor()
            .map(|a| a.role.personal_data())
            .unwrap_or(PersonalDataAccess::None)
    }
}

/// A development case (发展党员档案): one person's way from application to full membership.
/// Personal data (ID-card number, phone) is shown in full to ORGANIZER, APPROVER and ADMIN of the
/// case's subtree, masked for VIEWER.
#[Object]
impl Candidate {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Candidate, self.0.id)
    }

    /// Version of the case: pass it as `expectedVersion` with the next step; a step with a stale
    /// version is `CONFLICT`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Current stage.
    async fn stage(&self) -> Option<Stage> {
        crate::domain::pipeline::model::Stage::parse(&self.0.stage).map(Into::into)
    }

    /// The branch that handles the case.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        super::organization::load_visible(ctx, self.0.organization_id).await
    }

    /// Name (姓名).
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        if let KnownPerson::Name(name) = &self.1 {
            return Ok(name.to_string());
        }
        Ok(self.person(ctx).await?.name.clone())
    }

    /// Gender.
    async fn gender(&self, ctx: &Context<'_>) -> Result<Option<Gender>> {
        Ok(
            crate::domain::pipeline::person::Gender::parse(&self.person(ctx).await?.gender)
                .map(Into::into),
        )
    }

    /// Ethnicity (民族), e.g. 汉族.
    async fn ethnicity(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.person(ctx).await?.ethnicity.clone())
    }

    /// Birth date.
    async fn birth_date(&self, ctx: &Context<'_>) -> Result<Date> {
        Ok(Date(self.person(ctx).await?.birth_date))
    }

    /// ID-card number: full for ORGANIZER, APPROVER and ADMIN; masked for VIEWER.
    async fn id_card_number(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let n = self.person(ctx).await?.id_card_number.clone();
        Ok(Self::access(ctx).reveal(PersonalDatum::IdCardNumber, n))
    }

    /// Phone: full for ORGANIZER, APPROVER and ADMIN; masked for VIEWER.
    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let p = self.person(ctx).await?.phone.clone();
        Ok(Self::access(ctx).reveal(PersonalDatum::Phone, p))
    }

    /// Education level.
    async fn education(&self, ctx: &Context<'_>) -> Result<Option<Education>> {
        Ok(
            crate::domain::pipeline::person::Education::parse(&self.person(ctx).await?.education)
                .map(Into::into),
        )
    }

    /// Occupation categories.
    async fn occupations(&self, ctx: &Context<'_>) -> Result<Vec<Occupation>> {
        Ok(split_occupations(&self.person(ctx).await?.occupations)
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Works on the front line of production and work (一线).
    async fn is_frontline(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.person(ctx).await?.is_frontline)
    }

    /// Member of the Communist Youth League (共青团员).
    async fn is_league_member(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.person(ctx).await?.is_league_member)
    }

    /// Household-registration place (户籍所在地).
    async fn household_registration(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.person(ctx).await?.household_registration.clone())
    }

    /// Migrant (流动人员).
    async fn is_migrant(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.person(ctx).await?.is_migrant)
    }

    /// The outflow organization (流出地党组织) when it is in the tree and visible to you.
    async fn outflow_organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        let Some(id) = self.person(ctx).await?.outflow_organization_id else {
            return Ok(None);
        };
        super::organization::load_visible(ctx, id).await
    }

    /// Name of the outflow organization (when it is outside the tree).
    async fn outflow_organization_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.person(ctx).await?.outflow_organization_name.clone())
    }

    /// High-level talent (高层次人才), filed with the province outside the general quota.
    async fn is_high_level_talent(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.person(ctx).await?.is_high_level_talent)
    }

    /// Has a record of violating political discipline or state law (5-year wait, N17).
    async fn has_political_violation(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.person(ctx).await?.has_political_violation)
    }

    /// Expected date of leaving the work or study unit (N9 departure block).
    async fn expected_departure_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        Ok(self.person(ctx).await?.expected_departure_on.map(Date))
    }

    /// Application date (step 1).
    async fn applied_on(&self) -> Date {
        Date(self.0.applied_on)
    }

    /// Date of the talk after the application (step 2).
    async fn talked_on(&self) -> Option<Date> {
        self.0.talked_on.map(Date)
    }

    /// Date determined as activist (step 3): the start of cultivation, kept across transfers.
    async fn activist_on(&self) -> Option<Date> {
        self.0.activist_on.map(Date)
    }

    /// Date of the latest activist examination (step 6).
    async fn last_examination_on(&self) -> Option<Date> {
        self.0.last_examination_on.map(Date)
    }

    /// Date determined as development target (step 7).
    async fn target_on(&self) -> Option<Date> {
        self.0.target_on.map(Date)
    }

    /// Date of the admission meeting (step 15): the start of probation.
    async fn admission_meeting_on(&self) -> Option<Date> {
        self.0.admission_meeting_on.map(Date)
    }

    /// Date of the committee's approval (step 17).
    async fn approved_on(&self) -> Option<Date> {
        self.0.approved_on.map(Date)
    }

    /// Date of the oath (step 20).
    async fn oath_on(&self) -> Option<Date> {
        self.0.oath_on.map(Date)
    }

    /// End of probation (a year after the admission meeting, later if extended).
    async fn probation_end_on(&self) -> Option<Date> {
        self.0.probation_end_on.map(Date)
    }

    /// Date of the conversion meeting (step 23).
    async fn conversion_meeting_on(&self) -> Option<Date> {
        self.0.conversion_meeting_on.map(Date)
    }

    /// Full membership from this date (the probation's end), once approved (step 24).
    async fn converted_on(&self) -> Option<Date> {
        self.0.converted_on.map(Date)
    }

    /// Date the materials were archived (step 25).
    async fn archived_on(&self) -> Option<Date> {
        self.0.archived_on.map(Date)
    }

    /// Whether probation was extended.
    async fn extended(&self) -> bool {
        self.0.extended
    }

    /// Whether the development was declared invalid (I7).
    async fn invalidated(&self) -> bool {
        self.0.invalidated
    }

    /// Relations recorded for the person (to the owner of a two-new organization, to members):
    /// I1 and I2. Roles that do not read cases in full get an error.
    #[graphql(complexity = "super::weights::unpaged(child_complexity)")]
    async fn relations(&self, ctx: &Context<'_>) -> Result<Vec<super::relation::PersonRelation>> {
        // Boxed, like every resolver that awaits a service call here: the largest field's
        // state sets the size of the future of every field of the type, which is moved into a
        // box once for each field of each case of a list (ARCHITECTURE, "Batch loaders").
        Box::pin(super::relation::relations_of(
            ctx,
            crate::service::relation::PersonRef::Candidate(self.0.id),
        ))
        .await
    }

    /// Requests to external departments and their answers (I5).
    #[graphql(complexity = "super::weights::unpaged(child_complexity)")]
    async fn consultations(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::consultation::Consultation>> {
        Box::pin(super::consultation::of_case(ctx, self.0.id)).await
    }

    /// The full-process record (全程纪实): every step in the order it was recorded.
    #[graphql(complexity = "super::weights::unpaged(child_complexity)")]
    async fn timeline(&self, ctx: &Context<'_>) -> Result<Vec<PipelineEvent>> {
        let events = ctx
            .load_one::<EventsByCandidateLoader, _>(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(events.into_iter().map(PipelineEvent).collect())
    }
}

/// One recorded step of the full-process record; never changed, corrected by a later event.
#[derive(Clone)]
pub struct PipelineEvent(pub candidate_event::Model);

/// One recorded step of the full-process record; never changed, corrected by a later event.
#[Object]
impl PipelineEvent {
    /// Global id (pass it as `eventId` to correct this event).
    async fn id(&self) -> ID {
        ids::encode(NodeType::PipelineEvent, self.0.id)
    }

    /// The step.
    async fn step(&self) -> Option<PipelineStep> {
        PipelineStep::from_name(&self.0.step)
    }

    /// Number of the step in the national flow chart (1–25; 0 for transfers and the like).
    async fn step_number(&self) -> i32 {
        i32::from(self.0.step_number)
    }

    /// The day it happened (as stated by the client).
    async fn occurred_on(&self) -> Date {
        Date(self.0.occurred_on)
    }

    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }

    /// Who recorded it: the user's global id when that user belongs to your subtree, otherwise
    /// null (a branch viewer does not learn the accounts of the street above it).
    async fn actor_user_id(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        super::user::visible_user_id(ctx, self.0.actor_user_id).await
    }

    /// The role the step was recorded in (I9; null for steps recorded before roles were kept).
    async fn actor_role(&self) -> Result<Option<super::enums::Role>> {
        let Some(role) = self.0.actor_role.as_deref() else {
            return Ok(None);
        };
        let role = role
            .parse::<crate::domain::Role>()
            .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
        Ok(Some(role.into()))
    }

    /// What the step recorded (votes, dates, people, numbers), as JSON.
    async fn details(&self) -> Json<serde_json::Value> {
        Json(serde_json::from_str(&self.0.details).unwrap_or_default())
    }

    /// Rules that did not block but were not met (a late talk, a late approval…).
    async fn warnings(&self) -> Vec<RuleFinding> {
        pipeline::parse_warnings(&self.0.warnings)
            .into_iter()
            .map(RuleFinding::from)
            .collect()
    }

    /// The event this one corrects, if it is a correction.
    async fn corrects_event_id(&self) -> Option<ID> {
        self.0
            .corrects_event_id
            .map(|id| ids::encode(NodeType::PipelineEvent, id))
    }

    /// Free-text note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// A rule finding: the rule, its source, a message and the numbers.
#[derive(SimpleObject, Clone)]
pub struct RuleFinding {
    /// Rule id (e.g. `N2`, `N12`).
    pub rule: String,
    /// Where the rule comes from (e.g. `细则 Art. 7`).
    pub source: String,
    /// Message in Chinese and English.
    pub message: String,
    /// The numbers (dates, days late, counts).
    pub details: Json<serde_json::Value>,
}

impl From<RuleViolation> for RuleFinding {
    fn from(w: RuleViolation) -> Self {
        RuleFinding {
            rule: w.rule.into(),
            source: w.source.into(),
            message: format!("{} / {}", w.message_zh, w.message_en),
            details: Json(w.details),
        }
    }
}

/// What a candidate connection's `totalCount` counts.
pub enum CandidateCounter {
    /// A subtree list, inside the viewer's scope.
    Subtree(Total<CandidateFilter>),
    /// The cases an organization handles itself.
    Organization(i64),
}

connection_type!(
    CandidateConnection,
    CandidateEdge,
    Candidate,
    CandidateCounter,
    "candidates"
);

impl CandidateCounter {
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        match self {
            CandidateCounter::Subtree(total) => Ok(total.count(&ctx.state().db).await?),
            CandidateCounter::Organization(org) => Ok(ctx
                .load_one::<super::loaders::CaseCountByOrganizationLoader, _>(*org)
                .await?
                .unwrap_or(0)),
        }
    }
}

/// Something due or overdue on a case.
#[derive(SimpleObject)]
pub struct Alert {
    /// What is due.
    pub kind: AlertKind,
    /// By when.
    pub due_on: Date,
    /// Whether the due date has passed (as of the date asked about).
    pub overdue: bool,
    /// The case (for case alerts).
    pub candidate: Option<Candidate>,
    /// The letter to answer (for letter alerts).
    pub letter: Option<super::letter::Letter>,
}

/// Candidate queries.
#[derive(Default)]
pub struct CandidateQuery;

#[Object]
impl CandidateQuery {
    /// One case of your subtree.
    async fn candidate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the case.")] id: ID,
    ) -> Result<Option<Candidate>> {
        let actor = ctx.actor()?;
        let id = ids::decode(NodeType::Candidate, &id, "id")?;
        let part = person_part(ctx);
        Ok(Some(Candidate::looked_up(
            pipeline::get_visible_with_person(&ctx.state().db, &ctx.state().lane, actor, id, part)
                .await?,
        )))
    }

    /// Cases of a subtree (yours by default), in creation order.
    #[graphql(complexity = "super::weights::page(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Root of the subtree; default: your organization.")] under: Option<ID>,
        #[graphql(desc = "Only cases in this stage.")] stage: Option<Stage>,
        #[graphql(desc = "Only applications of this calendar year.")] year: Option<i32>,
        #[graphql(
            desc = "Name contains this text as written (`%` and `_` are not wildcards), or the ID-card number equals it (the number only for roles that read numbers in full)."
        )]
        search: Option<String>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> Result<CandidateConnection> {
        let actor = ctx.actor()?;
        let only = service::CasesOnly {
            stage: stage.map(Into::into),
            year: year.map(|y| super::args::year(y, "year")).transpose()?,
            search: super::args::search(search)?,
        };
        let (query, args) = ctx.list_query(under, first, after.as_deref(), only)?;
        let listed = service::list(&ctx.state().db, actor, query).await?;
        Ok(CandidateConnection::new(
            listed.page,
            &args,
            |c| c.0.id,
            |c| Some(Candidate::with_person(c)),
            CandidateCounter::Subtree(listed.total),
        ))
    }

    /// What is due or overdue in a subtree (talks, examinations, eligibility, approvals, oaths,
    /// conversions, extensions ending), soonest first.
    #[graphql(
        complexity = "super::weights::aggregate(super::weights::rows(first, child_complexity))"
    )]
    async fn alerts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Root of the subtree; default: your organization.")] under: Option<ID>,
        #[graphql(desc = "The day to compute for (usually today).")] as_of: Date,
        #[graphql(desc = "Also list what falls due within this many days.", default = 30)]
        within_days: u32,
        #[graphql(desc = "At most this many alerts (1–500).", default = 100)] first: i32,
    ) -> Result<Vec<Alert>> {
        let actor = ctx.actor()?;
        if !(1..=500).contains(&first) {
            return Err(AppError::bad_input(
                "first",
                "条数须在1至500之间",
                "first must be between 1 and 500",
            )
            .extend());
        }
        let under = under
            .map(|u| ids::decode(NodeType::Organization, &u, "under"))
            .transpose()?;
        let list = service::alerts(
            &ctx.state().db,
            actor,
            under,
            as_of.0,
            super::args::within_days(within_days)?,
            first as usize,
        )
        .await?;
        // The letters' organizations load in one batch: every alert is built concurrently.
        futures_util::future::try_join_all(list.into_iter().map(|a| async move {
            let letter = match a.letter {
                Some(l) => Some(super::letter::Letter::load(ctx, l).await?),
                None => None,
            };
            Ok::<_, async_graphql::Error>(Alert {
                kind: a.kind.into(),
                due_on: Date(a.due_on),
                overdue: a.due_on < as_of.0,
                candidate: a.candidate.map(Candidate::new),
                letter,
            })
        }))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_reads_the_whole_person_only_when_it_asks_for_more_than_the_name() {
        assert_eq!(
            part_for(["id", "name", "stage"].into_iter()),
            PersonPart::NameOnly
        );
        assert_eq!(
            part_for(["__typename", "organization", "timeline"].into_iter()),
            PersonPart::NameOnly
        );
        assert_eq!(part_for(["name", "gender"].into_iter()), PersonPart::Whole);
        assert_eq!(part_for(["idCardNumber"].into_iter()), PersonPart::Whole);
    }

    #[test]
    fn the_fields_answered_without_the_person_are_fields_of_a_case() {
        // A misspelt name would never match a selection, and the lookup read the whole person.
        let sdl = crate::graphql::export_sdl();
        let start = sdl
            .find("\ntype Candidate implements Node {")
            .expect("Candidate");
        let body = &sdl[start..start + sdl[start..].find("\n}").unwrap()];
        let fields: Vec<&str> = body
            .lines()
            .filter_map(|l| l.strip_prefix('\t').or_else(|| l.strip_prefix("  ")))
            .filter(|l| !l.starts_with(|c: char| c.is_whitespace() || c == '"'))
            .filter_map(|l| l.split(['(', ':']).next())
            .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric()))
            .collect();
        assert!(fields.contains(&"gender"), "{fields:?}");
        for name in FIELDS_WITHOUT_PERSON.iter().filter(|n| **n != "__typename") {
            assert!(fields.contains(name), "{name} is not a field of Candidate");
        }
    }
}
