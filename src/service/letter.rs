//! Request letters (函调) across the tree: draft → sent → received (the clock starts) → replied,
//! or withdrawn by the sender before a reply; overdue when the due date passes unanswered.
//! Every change is one transaction, guarded by the letter's version, and announced to
//! subscribers who may see the letter.

use super::list::{ListQuery, Listed, Total};
use super::require;
use crate::db::{self, audit::AuditRecord, letter::LetterFilter};
use crate::domain::letter::{
    self as rules, LetterDecision, LetterKind, LetterStatus, LetterVote, VotingBody,
};
use crate::domain::pipeline::model::StepDetails;
use crate::domain::pipeline::state::{CaseState, RecordedStep};
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::events::Bus;
use chrono::NaiveDate;
use entity::{letter, organization};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DatabaseTransaction, IntoActiveModel,
};
use serde_json::json;

use crate::domain::letter::LetterEventKind;
pub use crate::events::LetterEvent;

/// A letter with both organizations, as the actor may see it.
pub struct VisibleLetter {
    pub letter: letter::Model,
    pub sender: organization::Model,
    pub receiver: organization::Model,
}

impl VisibleLetter {
    /// Whether the actor is on the sending side.
    pub fn is_sender(&self, actor: &Actor) -> bool {
        actor.can_see(&self.sender.path)
    }

    /// Whether the actor is on the receiving side.
    pub fn is_receiver(&self, actor: &Actor) -> bool {
        actor.can_see(&self.receiver.path) && self.letter.status != LetterStatus::Draft.as_str()
    }
}

/// Letters carry personal data: the roles that read cases or manage the pipeline.
pub fn may_read(actor: &Actor) -> AppResult<()> {
    if actor.may(Permission::ReadCandidates) || actor.may(Permission::ManagePipeline) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "role {} may not read letters (personal data)",
            actor.role
        )))
    }
}

/// Loads a letter visible to the actor: the sender's organization and its ancestors, the
/// receiver's organization and its ancestors (once sent); anyone else gets `NOT_FOUND`.
pub async fn get_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<VisibleLetter> {
    may_read(actor)?;
    let letter = db::letter::find_by_id(db, id)
        .await?
        .ok_or(AppError::NotFound("letter"))?;
    let sender = db::organization::find_by_id(db, letter.sender_organization_id)
        .await?
        .ok_or(AppError::NotFound("letter"))?;
    let receiver = db::organization::find_by_id(db, letter.receiver_organization_id)
        .await?
        .ok_or(AppError::NotFound("letter"))?;
    let v = VisibleLetter {
        letter,
        sender,
        receiver,
    };
    if v.is_sender(actor) || v.is_receiver(actor) {
        Ok(v)
    } else {
        Err(AppError::NotFound("letter"))
    }
}

/// Input of `createLetter`.
pub struct NewLetter {
    pub kind: LetterKind,
    pub candidate_id: i64,
    pub receiver_organization_id: i64,
    pub questions: String,
    pub sender_contact: String,
    pub requested_reply_on: Option<NaiveDate>,
}

/// Drafts a letter about a case of the actor's subtree, carrying the fields the receiver needs.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewLetter,
) -> AppResult<letter::Model> {
    require(actor, Permission::ManagePipeline)?;
    let txn = crate::db::begin_write(db).await?;
    let case = super::pipeline::get_visible(&txn, actor, input.candidate_id).await?;
    let sender = db::organization::find_by_id(&txn, case.organization_id)
        .await?
        .ok_or(AppError::NotFound("organization"))?;
    let receiver = db::organization::find_by_id(&txn, input.receiver_organization_id)
        .await?
        .filter(|o| o.active)
        .ok_or_else(|| {
            AppError::bad_input(
                "receiverOrganizationId",
                "收函组织不存在或已撤销",
                "the receiving organization does not exist or is deactivated",
            )
        })?;
    if receiver.id == sender.id {
        return Err(AppError::bad_input(
            "receiverOrganizationId",
            "不能向本组织发函",
            "a letter goes to another organization",
        ));
    }
    if input.questions.trim().is_empty() || input.sender_contact.trim().is_empty() {
        return Err(AppError::bad_input(
            "questions",
            "须填写所询问题和联系人",
            "the questions and the sender's contact are required",
        ));
    }
    // A transferred case lands in the receiver's care: only where applications are kept.
    if input.kind == LetterKind::ActivistTransfer
        && !super::pipeline::receives_applications(&receiver.kind)
    {
        return Err(AppError::bad_input(
            "receiverOrganizationId",
            "转接须转至党支部（或党总支、流动党员党组织）",
            "a transfer goes to a branch, general branch or mobile Party organization",
        ));
    }
    if input.kind == LetterKind::ActivistTransfer
        && !matches!(
            case.stage.as_str(),
            "APPLICANT" | "ACTIVIST" | "DEVELOPMENT_TARGET"
        )
    {
        return Err(AppError::Conflict("只有入党申请人、积极分子或发展对象可以转接 / only applicants, activists and targets are transferred".into()));
    }
    let person = db::person::find_by_id(&txn, case.person_id)
        .await?
        .ok_or(AppError::NotFound("person"))?;
    let subject = json!({
        "name": person.name, "gender": person.gender, "birthDate": person.birth_date, "idCardNumber": person.id_card_number,
        "ethnicity": person.ethnicity, "householdRegistration": person.household_registration, "education": person.education,
        "unit": sender.name, "stage": case.stage, "appliedOn": case.applied_on, "activistOn": case.activist_on, "targetOn": case.target_on,
    });
    let now = chrono::Utc::now();
    let row = letter::ActiveModel {
        kind: Set(input.kind.as_str().into()),
        status: Set(LetterStatus::Draft.as_str().into()),
        candidate_id: Set(Some(case.id)),
        sender_organization_id: Set(sender.id),
        receiver_organization_id: Set(receiver.id),
        subject: Set(subject.to_string()),
        questions: Set(input.questions.trim().into()),
        sender_contact: Set(input.sender_contact.trim().into()),
        requested_reply_on: Set(input.requested_reply_on),
        late: Set(false),
        overdue_notified: Set(false),
        version: Set(1),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let l = db::letter::insert(&txn, row).await?;
    audit(
        &txn,
        actor,
        "letter.create",
        &l,
        json!({ "kind": l.kind, "receiver": receiver.id }),
    )
    .await?;
    txn.commit().await?;
    Ok(l)
}

async fn audit(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    l: &letter::Model,
    detail: serde_json::Value,
) -> AppResult<()> {
    db::audit::record(
        db,
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            // Filed under the acting side (the actor's own organization), so each side's
            // superiors see their own side's actions and nothing of the other's.
            organization_id: Some(actor.organization_id),
            action,
            subject_type: "letter",
            subject_id: Some(l.id),
            detail,
        },
    )
    .await?;
    Ok(())
}

fn status_of(l: &letter::Model) -> AppResult<LetterStatus> {
    LetterStatus::parse(&l.status)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown letter status {}", l.status)))
}

/// Loads a letter for a change by one side, checking the version and the transition.
async fn for_change(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: i64,
    version: i32,
    sender_side: bool,
    to: LetterStatus,
) -> AppResult<VisibleLetter> {
    require(actor, Permission::ManagePipeline)?;
    let v = get_visible(txn, actor, id).await?;
    let allowed = if sender_side {
        v.is_sender(actor)
    } else {
        v.is_receiver(actor)
    };
    if !allowed {
        return Err(AppError::Forbidden(if sender_side {
            "only the sending side may do this".into()
        } else {
            "only the receiving side may do this".into()
        }));
    }
    if v.letter.version != version {
        return Err(AppError::Conflict(format!(
            "函件已被修改（当前版本{}）/ the letter changed: version {} is current",
            v.letter.version, v.letter.version
        )));
    }
    rules::check_transition(status_of(&v.letter)?, to)
        .map_err(|m| AppError::Conflict(format!("函件状态不允许此操作 / {m}")))?;
    Ok(v)
}

async fn save(
    txn: &DatabaseTransaction,
    v: &VisibleLetter,
    row: letter::ActiveModel,
) -> AppResult<letter::Model> {
    if !db::letter::update_if_version(txn, row, v.letter.version).await? {
        return Err(AppError::Conflict(
            "函件已被并发修改 / the letter was changed concurrently".into(),
        ));
    }
    db::letter::find_by_id(txn, v.letter.id)
        .await?
        .ok_or(AppError::NotFound("letter"))
}

fn announce(events: &Bus, kind: LetterEventKind, v: &VisibleLetter) {
    events.letter(LetterEvent {
        kind,
        letter_id: v.letter.id,
        sender_path: v.sender.path.clone(),
        receiver_path: v.receiver.path.clone(),
    });
}

/// A letter's dates record what happened: between 1900-01-01 and today (as steps, P3).
fn dated(on: NaiveDate, field: &'static str) -> AppResult<()> {
    crate::domain::pipeline::check::recorded_date(on, crate::clock::today())
        .map_err(|v| AppError::bad_input(field, v.message_zh, v.message_en))
}

fn not_before(on: NaiveDate, earlier: Option<NaiveDate>, field: &'static str) -> AppResult<()> {
    match earlier {
        Some(e) if on < e => Err(AppError::bad_input(
            field,
            format!("日期不能早于{e}"),
            format!("the date cannot be before {e}"),
        )),
        _ => Ok(()),
    }
}

/// Sends a draft.
pub async fn send(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    version: i32,
    sent_on: NaiveDate,
) -> AppResult<letter::Model> {
    dated(sent_on, "on")?;
    let txn = crate::db::begin_write(db).await?;
    let v = for_change(&txn, actor, id, version, true, LetterStatus::Sent).await?;
    rules::check_requested_reply(sent_on, v.letter.requested_reply_on)?;
    let mut row = v.letter.clone().into_active_model();
    row.status = Set(LetterStatus::Sent.as_str().into());
    row.sent_on = Set(Some(sent_on));
    row.updated_at = Set(chrono::Utc::now());
    let l = save(&txn, &v, row).await?;
    audit(&txn, actor, "letter.send", &l, json!({ "sentOn": sent_on })).await?;
    txn.commit().await?;
    Ok(l)
}

/// The receiving side registers receipt: the reply clock starts (due date from the receiving
/// subtree's local rules).
pub async fn receive(
    db: &DatabaseConnection,
    events: &Bus,
    actor: &Actor,
    id: i64,
    version: i32,
    received_on: NaiveDate,
) -> AppResult<letter::Model> {
    dated(received_on, "on")?;
    let txn = crate::db::begin_write(db).await?;
    let v = for_change(&txn, actor, id, version, false, LetterStatus::Received).await?;
    not_before(received_on, v.letter.sent_on, "receivedOn")?;
    let local = db::local_rules::effective(&txn, &v.receiver.path).await?;
    let due = rules::due_date(
        received_on,
        local.letter_reply_days,
        local.letter_reply_working_days,
    );
    let mut row = v.letter.clone().into_active_model();
    row.status = Set(LetterStatus::Received.as_str().into());
    row.received_on = Set(Some(received_on));
    row.due_on = Set(Some(due));
    row.updated_at = Set(chrono::Utc::now());
    let l = save(&txn, &v, row).await?;
    audit(
        &txn,
        actor,
        "letter.receive",
        &l,
        json!({ "receivedOn": received_on, "dueOn": due }),
    )
    .await?;
    txn.commit().await?;
    announce(events, LetterEventKind::Received, &v);
    Ok(l)
}

/// A reply: the receiving body's vote (the decision is computed), or for an activist transfer
/// whether the receiver accepts the case.
pub struct Reply {
    pub replied_on: NaiveDate,
    pub voting_body: Option<VotingBody>,
    pub vote: Option<LetterVote>,
    pub meeting_on: Option<NaiveDate>,
    pub accepted: Option<bool>,
    pub text: String,
}

/// Replies to a received letter; a reply after the due date is accepted and marked late. An
/// accepted transfer moves the case to the receiver, keeping its cultivation start date.
pub async fn reply(
    db: &DatabaseConnection,
    events: &Bus,
    actor: &Actor,
    id: i64,
    version: i32,
    r: Reply,
) -> AppResult<letter::Model> {
    let txn = crate::db::begin_write(db).await?;
    let v = for_change(&txn, actor, id, version, false, LetterStatus::Replied).await?;
    dated(r.replied_on, "repliedOn")?;
    if let Some(m) = r.meeting_on {
        dated(m, "meetingOn")?;
    }
    not_before(r.replied_on, v.letter.received_on, "repliedOn")?;
    let kind = LetterKind::parse(&v.letter.kind).unwrap_or(LetterKind::DevelopmentOpinion);
    let mut row = v.letter.clone().into_active_model();
    let decision = if kind == LetterKind::ActivistTransfer {
        let accepted = r.accepted.ok_or_else(|| {
            AppError::bad_input(
                "accepted",
                "转接函须答复是否接收",
                "a transfer letter's reply says whether the case is accepted",
            )
        })?;
        if accepted {
            LetterDecision::Agreed
        } else {
            LetterDecision::Disagreed
        }
    } else {
        let vote = r.vote.ok_or_else(|| {
            AppError::bad_input(
                "vote",
                "回函须记录表决情况",
                "the reply records the receiving body's vote",
            )
        })?;
        let body = r.voting_body.ok_or_else(|| {
            AppError::bad_input(
                "votingBody",
                "须说明表决机构",
                "the voting body is required",
            )
        })?;
        let meeting = r.meeting_on.ok_or_else(|| {
            AppError::bad_input(
                "meetingOn",
                "须填写会议日期",
                "the meeting date is required",
            )
        })?;
        not_before(meeting, v.letter.received_on, "meetingOn")?;
        if meeting > r.replied_on {
            return Err(AppError::bad_input(
                "meetingOn",
                "会议日期不能晚于回函日期",
                "the meeting cannot be after the reply",
            ));
        }
        row.voting_body = Set(Some(body.as_str().into()));
        row.vote_expected = Set(Some(vote.expected as i32));
        row.vote_present = Set(Some(vote.present as i32));
        row.vote_yes = Set(Some(vote.yes as i32));
        row.vote_no = Set(Some(vote.no as i32));
        row.vote_abstain = Set(Some(vote.abstain as i32));
        row.meeting_on = Set(Some(meeting));
        rules::decide(&vote)?
    };
    let late = v.letter.due_on.is_some_and(|d| r.replied_on > d);
    row.status = Set(LetterStatus::Replied.as_str().into());
    row.replied_on = Set(Some(r.replied_on));
    row.reply_text = Set(Some(r.text.trim().to_string()));
    row.decision = Set(Some(decision.as_str().into()));
    row.late = Set(late);
    row.updated_at = Set(chrono::Utc::now());
    let l = save(&txn, &v, row).await?;
    if kind == LetterKind::ActivistTransfer
        && decision == LetterDecision::Agreed
        && let Some(case_id) = l.candidate_id
    {
        transfer_case(&txn, actor, case_id, v.receiver.id, r.replied_on).await?;
    }
    audit(
        &txn,
        actor,
        "letter.reply",
        &l,
        json!({ "decision": decision.as_str(), "late": late }),
    )
    .await?;
    txn.commit().await?;
    announce(events, LetterEventKind::Replied, &v);
    Ok(l)
}

/// Moves a case to the receiving organization of an accepted transfer letter: a transfer event
/// on the case's record, the cultivation start date kept.
async fn transfer_case(
    txn: &DatabaseTransaction,
    actor: &Actor,
    case_id: i64,
    to: i64,
    on: NaiveDate,
) -> AppResult<()> {
    let case = db::candidate::find_by_id(txn, case_id)
        .await?
        .ok_or(AppError::NotFound("candidate"))?;
    let mut steps = super::pipeline::recorded(&db::candidate::events(txn, case.id).await?)?;
    let details = StepDetails::Transfer {
        from_organization_id: case.organization_id,
        to_organization_id: to,
    };
    let receiver = db::organization::find_by_id(txn, to).await?;
    if !receiver.is_some_and(|o| o.active && super::pipeline::receives_applications(&o.kind)) {
        return Err(AppError::Conflict(
            "接收组织不能接收转接的案件 / the receiving organization cannot take a transferred case".into(),
        ));
    }
    let state = CaseState::fold(&steps);
    if !state.stage.is_some_and(|s| s.is_pre_member()) {
        return Err(AppError::Conflict(
            "该案件已不能转接 / the case can no longer be transferred".into(),
        ));
    }
    let event = super::pipeline::append(
        txn,
        actor,
        case.id,
        case.organization_id,
        on,
        &details,
        &[],
        Some("转接函已接收 / accepted transfer letter".into()),
        None,
    )
    .await?;
    steps.push(RecordedStep {
        id: event.id,
        occurred_on: on,
        details,
        corrects: None,
    });
    let state = CaseState::fold(&steps);
    let before = super::counts::snapshot(txn, &[case.id]).await?;
    if !db::candidate::update_if_version(txn, case.id, case.version, to, &state).await? {
        return Err(AppError::Conflict(
            "档案已被并发修改 / the case was changed concurrently".into(),
        ));
    }
    let after = super::counts::snapshot(txn, &[case.id]).await?;
    super::counts::apply_change(txn, &before, &after).await?;
    Ok(())
}

/// The sender withdraws a letter before it is answered.
pub async fn withdraw(
    db: &DatabaseConnection,
    events: &Bus,
    actor: &Actor,
    id: i64,
    version: i32,
    withdrawn_on: NaiveDate,
    reason: String,
) -> AppResult<letter::Model> {
    dated(withdrawn_on, "on")?;
    let txn = crate::db::begin_write(db).await?;
    let v = for_change(&txn, actor, id, version, true, LetterStatus::Withdrawn).await?;
    let mut row = v.letter.clone().into_active_model();
    row.status = Set(LetterStatus::Withdrawn.as_str().into());
    row.withdrawn_on = Set(Some(withdrawn_on));
    row.updated_at = Set(chrono::Utc::now());
    let l = save(&txn, &v, row).await?;
    audit(
        &txn,
        actor,
        "letter.withdraw",
        &l,
        json!({ "reason": reason }),
    )
    .await?;
    txn.commit().await?;
    if v.letter.status != LetterStatus::Draft.as_str() {
        announce(events, LetterEventKind::Withdrawn, &v);
    }
    Ok(l)
}

/// Which letters of a subtree a list or a count keeps.
#[derive(Debug, Clone)]
pub struct LettersOnly {
    /// Inbox (received by the subtree) or outbox (sent from it).
    pub mailbox: db::letter::Box,
    /// Only this stored status.
    pub status: Option<LetterStatus>,
    /// Only received letters unanswered past their due date on this day.
    pub overdue_on: Option<NaiveDate>,
    /// Only this kind.
    pub kind: Option<LetterKind>,
}

impl LettersOnly {
    /// The database filter for the subtree at `under_path` (inside the actor's scope).
    fn under(self, under_path: String) -> LetterFilter {
        LetterFilter {
            under_path,
            mailbox: self.mailbox,
            status: self.status.map(|s| s.as_str().to_string()),
            overdue_on: self.overdue_on,
            kind: self.kind.map(|k| k.as_str().to_string()),
        }
    }
}

/// Lists letters of one box under a subtree in the actor's scope.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    query: ListQuery<LettersOnly>,
) -> AppResult<Listed<letter::Model, LetterFilter>> {
    may_read(actor)?;
    let under_path = super::organization::resolve_under(db, actor, query.under).await?;
    let filter = query.only.under(under_path);
    let page = db::letter::list(db, &filter, query.after_id, query.limit).await?;
    Ok(Listed {
        page,
        total: Total(filter),
    })
}

impl Total<LetterFilter> {
    /// The number of letters the list matches.
    pub async fn count(&self, db: &DatabaseConnection) -> AppResult<i64> {
        Ok(db::letter::count(db, &self.0).await? as i64)
    }
}

/// Counts per status (and overdue on `as_of`) for one box; aggregated, so ANALYST may read it.
pub async fn counts(
    db: &DatabaseConnection,
    actor: &Actor,
    mailbox: db::letter::Box,
    under: Option<i64>,
    as_of: NaiveDate,
) -> AppResult<(std::collections::HashMap<String, i64>, u64)> {
    if !actor.may(Permission::ReadIndicators) && !actor.may(Permission::ManagePipeline) {
        return Err(AppError::Forbidden(format!(
            "role {} may not read letter counts",
            actor.role
        )));
    }
    let under_path = super::organization::resolve_under(db, actor, under).await?;
    let only = LettersOnly {
        mailbox,
        status: None,
        overdue_on: None,
        kind: None,
    };
    let filter = only.under(under_path);
    let by_status = db::letter::counts_by_status(db, &filter).await?;
    let overdue = db::letter::count(
        db,
        &LetterFilter {
            overdue_on: Some(as_of),
            ..filter
        },
    )
    .await?;
    Ok((by_status, overdue))
}

/// Letters a sweep announces per transaction. After a long pause there can be thousands (the
/// first start after a 5 M seed found 5,000: 22 MB held at once for them and their
/// organizations); a page at a time holds a page.
pub const SWEEP_PAGE: u64 = 500;

/// Announces letters that became overdue by `as_of` (once each), a page per transaction. Run by
/// a background task with today's date; tests call it with a date.
pub async fn sweep_overdue(
    db: &DatabaseConnection,
    events: &Bus,
    as_of: NaiveDate,
) -> AppResult<usize> {
    sweep_overdue_in_pages(db, events, as_of, SWEEP_PAGE).await
}

/// [`sweep_overdue`] with pages of `page` letters (tests use small ones).
pub async fn sweep_overdue_in_pages(
    db: &DatabaseConnection,
    events: &Bus,
    as_of: NaiveDate,
    page: u64,
) -> AppResult<usize> {
    let page = page.max(1);
    let mut swept = 0;
    loop {
        let n = sweep_page(db, events, as_of, page).await?;
        swept += n;
        // A short page is the last; so is an empty one (none left, or another instance holds
        // the sweep).
        if (n as u64) < page {
            return Ok(swept);
        }
    }
}

/// One page of [`sweep_overdue`]; 0 when another instance is sweeping.
async fn sweep_page(
    db: &DatabaseConnection,
    events: &Bus,
    as_of: NaiveDate,
    page: u64,
) -> AppResult<usize> {
    let txn = crate::db::begin_write(db).await?;
    // One instance sweeps at a time: the others skip this tick (the lock ends with the
    // transaction, so a dead instance never holds it).
    if !db::try_job_lock(&txn, db::JOB_OVERDUE_SWEEP).await? {
        return Ok(0);
    }
    let due = db::letter::newly_overdue(&txn, as_of, page).await?;
    let ids: Vec<i64> = due.iter().map(|l| l.id).collect();
    if ids.is_empty() {
        return Ok(0);
    }
    db::letter::mark_overdue_notified(&txn, &ids).await?;
    // Both sides of every letter in one statement.
    let orgs = db::organization::map_by_ids(
        &txn,
        due.iter()
            .flat_map(|l| [l.sender_organization_id, l.receiver_organization_id]),
    )
    .await?;
    let announce_list: Vec<VisibleLetter> = due
        .into_iter()
        .filter_map(|l| {
            let sender = orgs.get(&l.sender_organization_id)?.clone();
            let receiver = orgs.get(&l.receiver_organization_id)?.clone();
            Some(VisibleLetter {
                letter: l,
                sender,
                receiver,
            })
        })
        .collect();
    txn.commit().await?;
    for v in &announce_list {
        announce(events, LetterEventKind::Overdue, v);
    }
    Ok(ids.len())
}
