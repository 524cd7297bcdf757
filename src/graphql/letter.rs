//! Request letters (函调) between organizations, and the subscription that announces them.

use super::candidate::Candidate;
use super::context::ContextExt;
use super::enums::mirror_enum;
use super::ids::{self, NodeType};
use super::organization::Organization;
use super::pagination::connection_type;
use super::scalars::Date;
use crate::db::letter::{Box as Mailbox, LetterFilter};
use crate::domain::letter as rules;
use crate::domain::letter::LetterEventKind as Kind;
use crate::domain::role::{PersonalDataAccess, PersonalDatum};
use crate::service::letter as service;
use crate::service::list::Total;
use async_graphql::{
    Context, Enum, ErrorExtensions, ID, InputObject, Object, Result, SimpleObject, Subscription,
};
use entity::letter::Model;
use futures_util::{Stream, StreamExt};

mirror_enum! {
    /// Why a letter is sent.
    LetterKind => rules::LetterKind {
        /// 征求意见函: an inflow two-new organization asks the outflow organization before developing a migrant (村企联审).
        DevelopmentOpinion,
        /// 政审函调: political review, to the household-registration or residence organization.
        PoliticalReview,
        /// 亲属政审函调: to the organization of a parent's or spouse's unit.
        RelativeReview,
        /// 积极分子转接: hands over an activist's cultivation; an accepted transfer moves the case.
        ActivistTransfer,
    }
}

mirror_enum! {
    /// Where a letter is in its lifecycle.
    LetterStatus => rules::LetterStatus {
        /// Being written by the sender; the receiver cannot see it.
        Draft,
        /// Sent, not yet registered by the receiver.
        Sent,
        /// Registered by the receiver: the reply is due by `dueOn`.
        Received,
        /// Answered.
        Replied,
        /// Withdrawn by the sender before a reply.
        Withdrawn,
    }
}

mirror_enum! {
    /// The receiving body that voted.
    VotingBody => rules::VotingBody {
        /// 支部委员会 (committee members expected are the denominator).
        BranchCommittee,
        /// 党员大会 (voting full members expected are the denominator).
        GeneralMeeting,
    }
}

mirror_enum! {
    /// The receiver's answer, computed from the vote.
    LetterDecision => rules::LetterDecision {
        /// Yes × 2 > expected (or a transfer accepted).
        Agreed,
        /// Otherwise.
        Disagreed,
    }
}

mirror_enum! {
    /// Which side of the exchange.
    LetterBox => Mailbox {
        /// Letters received by organizations of the subtree.
        Inbox,
        /// Letters sent by organizations of the subtree.
        Outbox,
    }
}

/// A status to filter on, including the derived OVERDUE.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterStatusFilter {
    /// Drafts (outbox only).
    Draft,
    /// Sent, not yet received.
    Sent,
    /// Received, awaiting the reply.
    Received,
    /// Answered.
    Replied,
    /// Withdrawn.
    Withdrawn,
    /// Received and unanswered after the due date (as of `asOf`).
    Overdue,
}

mirror_enum! {
    /// What happened to a letter.
    LetterEventKind => Kind {
        /// The receiver registered it.
        Received,
        /// The receiver answered.
        Replied,
        /// The due date passed without a reply.
        Overdue,
        /// The sender withdrew it.
        Withdrawn,
    }
}

impl LetterStatusFilter {
    /// The stored status filtered on (none for the derived OVERDUE).
    fn stored(self) -> Option<rules::LetterStatus> {
        use rules::LetterStatus as S;
        match self {
            LetterStatusFilter::Draft => Some(S::Draft),
            LetterStatusFilter::Sent => Some(S::Sent),
            LetterStatusFilter::Received => Some(S::Received),
            LetterStatusFilter::Replied => Some(S::Replied),
            LetterStatusFilter::Withdrawn => Some(S::Withdrawn),
            LetterStatusFilter::Overdue => None,
        }
    }
}

/// A request letter (函调): what it carries about the person, the questions, and the reply.
pub struct Letter {
    model: Model,
    sender_name: String,
    receiver_name: String,
}

impl From<service::VisibleLetter> for Letter {
    fn from(v: service::VisibleLetter) -> Self {
        Letter {
            model: v.letter,
            sender_name: v.sender.name,
            receiver_name: v.receiver.name,
        }
    }
}

/// The person as the letter carries them (not the whole record).
#[derive(SimpleObject)]
pub struct LetterSubject {
    /// Name.
    pub name: Option<String>,
    /// Gender (MALE or FEMALE).
    pub gender: Option<String>,
    /// Birth date.
    pub birth_date: Option<String>,
    /// ID-card number: full for ORGANIZER, APPROVER and ADMIN, masked for VIEWER.
    pub id_card_number: Option<String>,
    /// Ethnicity.
    pub ethnicity: Option<String>,
    /// Household-registration place.
    pub household_registration: Option<String>,
    /// Education level.
    pub education: Option<String>,
    /// Current unit (the sending branch).
    pub unit: Option<String>,
    /// Stage when the letter was written.
    pub stage: Option<String>,
    /// Application date.
    pub applied_on: Option<String>,
    /// Activist date.
    pub activist_on: Option<String>,
    /// Development-target date.
    pub target_on: Option<String>,
}

/// The receiving body's reply.
#[derive(SimpleObject)]
pub struct LetterReply {
    /// The body that voted (absent for a transfer).
    pub voting_body: Option<VotingBody>,
    /// Members expected to attend.
    pub expected: Option<i32>,
    /// Members present.
    pub present: Option<i32>,
    /// Yes votes.
    pub yes: Option<i32>,
    /// No votes.
    pub no: Option<i32>,
    /// Abstentions.
    pub abstain: Option<i32>,
    /// Meeting date.
    pub meeting_on: Option<Date>,
    /// The reply's text.
    pub text: Option<String>,
    /// The decision, computed (yes × 2 > expected).
    pub decision: Option<LetterDecision>,
    /// Answered after the due date.
    pub late: bool,
}

/// A request letter (函调): what it carries about the person, the questions, and the reply.
#[Object]
impl Letter {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Letter, self.model.id)
    }

    /// Version: pass it with the next change (`CONFLICT` if stale).
    async fn version(&self) -> i32 {
        self.model.version
    }

    /// Kind.
    async fn kind(&self) -> Option<LetterKind> {
        rules::LetterKind::parse(&self.model.kind).map(Into::into)
    }

    /// Status.
    async fn status(&self) -> Option<LetterStatus> {
        rules::LetterStatus::parse(&self.model.status).map(Into::into)
    }

    /// Received and unanswered after the due date, as of today (China Standard Time).
    async fn overdue(&self) -> bool {
        rules::LetterStatus::parse(&self.model.status)
            .is_some_and(|s| rules::is_overdue(s, self.model.due_on, crate::clock::today()))
    }

    /// The sending organization's name.
    async fn sender_name(&self) -> &str {
        &self.sender_name
    }

    /// The receiving organization's name.
    async fn receiver_name(&self) -> &str {
        &self.receiver_name
    }

    /// The sending organization, when it is in your subtree.
    async fn sender_organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        super::organization::load_visible(ctx, self.model.sender_organization_id).await
    }

    /// The receiving organization, when it is in your subtree.
    async fn receiver_organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        super::organization::load_visible(ctx, self.model.receiver_organization_id).await
    }

    /// The case, for the sending side only (the receiver sees what the letter carries).
    async fn candidate(&self, ctx: &Context<'_>) -> Result<Option<Candidate>> {
        let actor = ctx.actor()?;
        let Some(id) = self.model.candidate_id else {
            return Ok(None);
        };
        Ok(
            crate::service::pipeline::get_visible(&ctx.state().db, actor, id)
                .await
                .ok()
                .map(Candidate::new),
        )
    }

    /// The person as the letter carries them.
    async fn subject(&self, ctx: &Context<'_>) -> Result<LetterSubject> {
        let v: serde_json::Value = serde_json::from_str(&self.model.subject).unwrap_or_default();
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(String::from);
        let access = ctx
            .actor()
            .map(|a| a.role.personal_data())
            .unwrap_or(PersonalDataAccess::None);
        Ok(LetterSubject {
            name: s("name"),
            gender: s("gender"),
            birth_date: s("birthDate"),
            id_card_number: access.reveal(PersonalDatum::IdCardNumber, s("idCardNumber")),
            ethnicity: s("ethnicity"),
            household_registration: s("householdRegistration"),
            education: s("education"),
            unit: s("unit"),
            stage: s("stage"),
            applied_on: s("appliedOn"),
            activist_on: s("activistOn"),
            target_on: s("targetOn"),
        })
    }

    /// The questions asked.
    async fn questions(&self) -> &str {
        &self.model.questions
    }

    /// The sender's contact.
    async fn sender_contact(&self) -> &str {
        &self.model.sender_contact
    }

    /// The reply date the sender asks for.
    async fn requested_reply_on(&self) -> Option<Date> {
        self.model.requested_reply_on.map(Date)
    }

    /// Sent on.
    async fn sent_on(&self) -> Option<Date> {
        self.model.sent_on.map(Date)
    }

    /// Received on: the reply clock starts.
    async fn received_on(&self) -> Option<Date> {
        self.model.received_on.map(Date)
    }

    /// The reply is due by this day (15 days after receipt by default; local rules may change
    /// the days or count working days).
    async fn due_on(&self) -> Option<Date> {
        self.model.due_on.map(Date)
    }

    /// Replied on.
    async fn replied_on(&self) -> Option<Date> {
        self.model.replied_on.map(Date)
    }

    /// Withdrawn on.
    async fn withdrawn_on(&self) -> Option<Date> {
        self.model.withdrawn_on.map(Date)
    }

    /// The reply, once answered.
    async fn reply(&self) -> Option<LetterReply> {
        self.model.decision.as_ref()?;
        Some(LetterReply {
            voting_body: self
                .model
                .voting_body
                .as_deref()
                .and_then(rules::VotingBody::parse)
                .map(Into::into),
            expected: self.model.vote_expected,
            present: self.model.vote_present,
            yes: self.model.vote_yes,
            no: self.model.vote_no,
            abstain: self.model.vote_abstain,
            meeting_on: self.model.meeting_on.map(Date),
            text: self.model.reply_text.clone(),
            decision: self
                .model
                .decision
                .as_deref()
                .and_then(rules::LetterDecision::parse)
                .map(Into::into),
            late: self.model.late,
        })
    }
}

/// Counts the rows of a letter connection.
pub struct LetterCounter(Total<LetterFilter>);

connection_type!(
    LetterConnection,
    LetterEdge,
    Letter,
    LetterCounter,
    "letters"
);

impl LetterCounter {
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.0.count(&ctx.state().db).await?)
    }
}

/// Letters per status, for dashboards.
#[derive(SimpleObject)]
pub struct LetterCounts {
    /// Drafts.
    pub draft: i64,
    /// Sent, not yet received.
    pub sent: i64,
    /// Received, awaiting a reply (overdue ones included).
    pub received: i64,
    /// Answered.
    pub replied: i64,
    /// Withdrawn.
    pub withdrawn: i64,
    /// Received and unanswered past the due date.
    pub overdue: i64,
}

impl Letter {
    /// Wraps a letter row, loading both organizations' names (batched).
    pub async fn load(ctx: &Context<'_>, m: Model) -> Result<Letter> {
        let orgs = ctx
            .loader::<super::loaders::OrganizationByIdLoader>()
            .load_many([m.sender_organization_id, m.receiver_organization_id])
            .await
            .map_err(|e| e.extend())?;
        let name = |id: i64| orgs.get(&id).map(|o| o.name.clone()).unwrap_or_default();
        Ok(Letter {
            sender_name: name(m.sender_organization_id),
            receiver_name: name(m.receiver_organization_id),
            model: m,
        })
    }
}

fn letters_only(
    mailbox: LetterBox,
    status: Option<LetterStatusFilter>,
    kind: Option<LetterKind>,
    as_of: chrono::NaiveDate,
) -> service::LettersOnly {
    let overdue = status == Some(LetterStatusFilter::Overdue);
    service::LettersOnly {
        mailbox: mailbox.into(),
        status: status.and_then(LetterStatusFilter::stored),
        overdue_on: overdue.then_some(as_of),
        kind: kind.map(Into::into),
    }
}

/// Letter queries.
#[derive(Default)]
pub struct LetterQuery;

#[Object]
impl LetterQuery {
    /// One letter you may see (your subtree sent or received it).
    async fn letter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id.")] id: ID,
    ) -> Result<Option<Letter>> {
        let actor = ctx.actor()?;
        let id = ids::decode(NodeType::Letter, &id, "id")?;
        Ok(Some(
            service::get_visible(&ctx.state().db, actor, id)
                .await?
                .into(),
        ))
    }

    /// Letters of your subtree's inbox or outbox.
    #[graphql(complexity = "super::weights::page(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn letters(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Inbox or outbox.")] mailbox: LetterBox,
        #[graphql(
            desc = "Only this status (OVERDUE: received and unanswered after the due date)."
        )]
        status: Option<LetterStatusFilter>,
        #[graphql(desc = "Only this kind.")] kind: Option<LetterKind>,
        #[graphql(desc = "Root of the subtree; default: your organization.")] under: Option<ID>,
        #[graphql(desc = "The day OVERDUE is judged on; default today (China Standard Time).")]
        as_of: Option<Date>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> Result<LetterConnection> {
        let actor = ctx.actor()?;
        let as_of = as_of.map(|d| d.0).unwrap_or_else(crate::clock::today);
        let only = letters_only(mailbox, status, kind, as_of);
        let (query, args) = ctx.list_query(under, first, after.as_deref(), only)?;
        let listed = service::list(&ctx.state().db, actor, query).await?;
        // Every letter's organizations load in one batch: the letters are built concurrently.
        let rows = futures_util::future::try_join_all(
            listed.page.rows.into_iter().map(|m| Letter::load(ctx, m)),
        )
        .await?;
        Ok(LetterConnection::new(
            crate::db::Page {
                rows,
                has_next: listed.page.has_next,
            },
            &args,
            |l| l.model.id,
            Some,
            LetterCounter(listed.total),
        ))
    }

    /// Letters per status for a box (aggregated; ANALYST may read it).
    #[graphql(complexity = "super::weights::aggregate(child_complexity)")]
    async fn letter_counts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Inbox or outbox.")] mailbox: LetterBox,
        #[graphql(desc = "Root of the subtree; default: your organization.")] under: Option<ID>,
        #[graphql(desc = "The day overdue is judged on; default today (China Standard Time).")]
        as_of: Option<Date>,
    ) -> Result<LetterCounts> {
        let actor = ctx.actor()?;
        let under = under
            .map(|u| ids::decode(NodeType::Organization, &u, "under"))
            .transpose()?;
        let as_of = as_of.map(|d| d.0).unwrap_or_else(crate::clock::today);
        let (by, overdue) =
            service::counts(&ctx.state().db, actor, mailbox.into(), under, as_of).await?;
        let n = |s: rules::LetterStatus| by.get(s.as_str()).copied().unwrap_or(0);
        Ok(LetterCounts {
            draft: n(rules::LetterStatus::Draft),
            sent: n(rules::LetterStatus::Sent),
            received: n(rules::LetterStatus::Received),
            replied: n(rules::LetterStatus::Replied),
            withdrawn: n(rules::LetterStatus::Withdrawn),
            overdue: overdue as i64,
        })
    }
}

/// Input of `createLetter`.
#[derive(InputObject)]
pub struct CreateLetterInput {
    /// Kind.
    pub kind: LetterKind,
    /// The case the letter is about (in your subtree); its branch is the sender.
    pub candidate_id: ID,
    /// The receiving organization (anywhere in the tree).
    pub receiver_organization_id: ID,
    /// The questions (political attitude, conduct, family relations…).
    pub questions: String,
    /// The sender's contact (name and phone).
    pub sender_contact: String,
    /// The reply date asked for.
    pub requested_reply_on: Option<Date>,
}

/// A letter change: which letter, its version, and the day.
#[derive(InputObject)]
pub struct LetterDateInput {
    /// The letter.
    pub id: ID,
    /// Its current version.
    pub expected_version: i32,
    /// The day it happened.
    pub on: Date,
}

/// The receiving body's vote.
#[derive(InputObject)]
pub struct LetterVoteInput {
    /// Members expected to attend (the denominator).
    pub expected: u32,
    /// Members present.
    pub present: u32,
    /// Yes votes.
    pub yes: u32,
    /// No votes.
    #[graphql(default)]
    pub no: u32,
    /// Abstentions.
    #[graphql(default)]
    pub abstain: u32,
}

/// Input of `replyLetter`.
#[derive(InputObject)]
pub struct ReplyLetterInput {
    /// The letter.
    pub id: ID,
    /// Its current version.
    pub expected_version: i32,
    /// The day of the reply (after the due date: accepted and marked late).
    pub replied_on: Date,
    /// The body that voted (not for transfers).
    pub voting_body: Option<VotingBody>,
    /// The vote (not for transfers); the decision is computed from it.
    pub vote: Option<LetterVoteInput>,
    /// The meeting date (not for transfers).
    pub meeting_on: Option<Date>,
    /// For a transfer letter: whether the case is accepted (it then moves here).
    pub accepted: Option<bool>,
    /// The reply's text.
    pub text: String,
}

/// Input of `withdrawLetter`.
#[derive(InputObject)]
pub struct WithdrawLetterInput {
    /// The letter.
    pub id: ID,
    /// Its current version.
    pub expected_version: i32,
    /// The day.
    pub on: Date,
    /// Why.
    pub reason: String,
}

/// Result of a letter change.
#[derive(SimpleObject)]
pub struct LetterPayload {
    /// The letter after the change.
    pub letter: Letter,
}

/// Letter mutations (ORGANIZER of the sending or receiving side).
#[derive(Default)]
pub struct LetterMutation;

/// A change to one letter: who makes it, which letter, at which version.
struct Change<'a> {
    state: &'a crate::AppState,
    actor: &'a crate::domain::Actor,
    id: i64,
    version: i32,
}

impl<'a> Change<'a> {
    fn new(ctx: &'a Context<'_>, id: &ID, version: i32) -> Result<Self> {
        Ok(Change {
            state: ctx.state(),
            actor: ctx.actor()?,
            id: ids::decode(NodeType::Letter, id, "id")?,
            version,
        })
    }
}

impl LetterPayload {
    async fn of(ctx: &Context<'_>, m: Model) -> Result<Self> {
        Ok(LetterPayload {
            letter: Letter::load(ctx, m).await?,
        })
    }
}

#[Object]
impl LetterMutation {
    /// Drafts a letter about a case of your subtree.
    async fn create_letter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The letter.")] input: CreateLetterInput,
    ) -> Result<LetterPayload> {
        let actor = ctx.actor()?;
        let m = service::create(
            &ctx.state().db,
            actor,
            service::NewLetter {
                kind: input.kind.into(),
                candidate_id: ids::decode(NodeType::Candidate, &input.candidate_id, "candidateId")?,
                receiver_organization_id: ids::decode(
                    NodeType::Organization,
                    &input.receiver_organization_id,
                    "receiverOrganizationId",
                )?,
                questions: input.questions,
                sender_contact: input.sender_contact,
                requested_reply_on: input.requested_reply_on.map(|d| d.0),
            },
        )
        .await?;
        LetterPayload::of(ctx, m).await
    }

    /// Sends a draft (sending side).
    async fn send_letter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which letter, and when.")] input: LetterDateInput,
    ) -> Result<LetterPayload> {
        let c = Change::new(ctx, &input.id, input.expected_version)?;
        let m = service::send(&c.state.db, c.actor, c.id, c.version, input.on.0).await?;
        LetterPayload::of(ctx, m).await
    }

    /// Registers receipt (receiving side): the reply is due by `dueOn`.
    async fn receive_letter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which letter, and when.")] input: LetterDateInput,
    ) -> Result<LetterPayload> {
        let c = Change::new(ctx, &input.id, input.expected_version)?;
        let (db, events) = (&c.state.db, &c.state.letter_events);
        let m = service::receive(db, events, c.actor, c.id, c.version, input.on.0).await?;
        LetterPayload::of(ctx, m).await
    }

    /// Replies (receiving side). The decision is computed from the vote.
    async fn reply_letter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reply.")] input: ReplyLetterInput,
    ) -> Result<LetterPayload> {
        let c = Change::new(ctx, &input.id, input.expected_version)?;
        let reply = service::Reply {
            replied_on: input.replied_on.0,
            voting_body: input.voting_body.map(Into::into),
            vote: input.vote.map(|v| rules::LetterVote {
                expected: v.expected,
                present: v.present,
                yes: v.yes,
                no: v.no,
                abstain: v.abstain,
            }),
            meeting_on: input.meeting_on.map(|d| d.0),
            accepted: input.accepted,
            text: input.text,
        };
        let (db, events) = (&c.state.db, &c.state.letter_events);
        let m = service::reply(db, events, c.actor, c.id, c.version, reply).await?;
        LetterPayload::of(ctx, m).await
    }

    /// Withdraws a letter before it is answered (sending side).
    async fn withdraw_letter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which letter, when and why.")] input: WithdrawLetterInput,
    ) -> Result<LetterPayload> {
        let c = Change::new(ctx, &input.id, input.expected_version)?;
        let (db, events) = (&c.state.db, &c.state.letter_events);
        let (on, reason) = (input.on.0, input.reason);
        let m = service::withdraw(db, events, c.actor, c.id, c.version, on, reason).await?;
        LetterPayload::of(ctx, m).await
    }
}

/// A letter event delivered to a subscriber.
pub struct LetterNotice {
    kind: Kind,
    letter_id: i64,
}

/// A letter event delivered to a subscriber.
#[Object]
impl LetterNotice {
    /// What happened.
    async fn kind(&self) -> LetterEventKind {
        self.kind.into()
    }

    /// The letter now (as you may see it).
    async fn letter(&self, ctx: &Context<'_>) -> Result<Option<Letter>> {
        let actor = ctx.actor()?;
        Ok(service::get_visible(&ctx.state().db, actor, self.letter_id)
            .await
            .ok()
            .map(Into::into))
    }
}

/// Subscriptions (graphql-transport-ws at `/graphql/ws`; the token goes in `connection_init` as
/// `{"token": "…"}` or `{"Authorization": "Bearer …"}`).
#[derive(Default)]
pub struct LetterSubscription;

#[Subscription]
impl LetterSubscription {
    /// Letter events (received, replied, overdue, withdrawn) for letters your subtree sent or
    /// received.
    ///
    /// Roles that read letters only (ANALYST and PARTNER get `FORBIDDEN`). Before each event
    /// the connection's token is checked again: once it is expired or revoked, the stream ends.
    async fn letter_events(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = LetterNotice>> {
        let actor = ctx.actor()?.clone();
        crate::service::letter::may_read(&actor)?;
        let rx = ctx.state().letter_events.subscribe_letters();
        let open = crate::metrics::OpenSubscription::new(&ctx.state().metrics.subscriptions);
        let stream = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(move |e| {
            let _open = &open;
            let actor = actor.clone();
            async move {
                let e = e.ok()?;
                let mine = actor.can_see(&e.sender_path) || (actor.can_see(&e.receiver_path));
                mine.then_some(LetterNotice {
                    kind: e.kind,
                    letter_id: e.letter_id,
                })
            }
        });
        Ok(super::context::while_token_stands(ctx, stream))
    }
}
