//! The candidate pipeline: applications, the 25 steps, corrections, transfers. Every step is
//! checked by `domain::pipeline::check`, appended to the full-process record and projected onto
//! the case in one transaction guarded by the case's version; a client key makes a retry safe.

use super::require;
use crate::db::{self, audit::AuditRecord};
use crate::domain::kinship::{KinshipFacts, RelationKind};
use crate::domain::organization::{OrganizationKind, path_ids};
use crate::domain::pipeline::check::{
    MemberFacts, OrgFacts, PersonFacts, RecordedWarning, RuleWarning, StepContext, check_step,
};
use crate::domain::pipeline::model::{RequestedStep, StepDetails};
use crate::domain::pipeline::person::{self, PersonDraft, PersonRecord};
use crate::domain::pipeline::review::{PathOrganization, needs_intermediate_review};
use crate::domain::pipeline::state::{
    CaseState, CorrectionError, RecordedStep, state_before_correction,
};
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult, RowError};
use chrono::NaiveDate;
use entity::{candidate, candidate_event, organization, person as person_row};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// What a step produced.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    pub candidate: candidate::Model,
    pub event: candidate_event::Model,
    pub warnings: Vec<RecordedWarning>,
    /// True when this answers a retry with the same client key.
    pub replayed: bool,
}

/// A step to record on a case.
#[derive(Debug, Clone)]
pub struct StepRequest {
    pub candidate_id: i64,
    pub expected_version: i32,
    pub client_key: Option<String>,
    pub occurred_on: NaiveDate,
    pub details: RequestedStep,
    pub note: Option<String>,
    /// The event this step corrects (a correction of the same step).
    pub corrects: Option<i64>,
}

/// Loads a case the actor may read; out of scope is `NOT_FOUND`.
pub async fn get_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<candidate::Model> {
    may_read_cases(actor)?;
    db::candidate::find_in_subtree(db, id, &actor.scope_path)
        .await?
        .ok_or(AppError::NotFound("candidate"))
}

/// A case of the actor's subtree with its person (or only its name, by `part`), in one statement
/// (the read path of `candidate` and `node`).
pub async fn get_visible_with_person(
    db: &impl ConnectionTrait,
    lane: &db::lane::Lane,
    actor: &Actor,
    id: i64,
    part: db::candidate::PersonPart,
) -> AppResult<db::candidate::LookedUpCase> {
    may_read_cases(actor)?;
    // Boxed: the lane's lookup is a future of 4.4 KB, which made `node` and `candidate` the
    // largest root fields, and the query root's every level as large (see graphql::QueryRoot).
    Box::pin(db::candidate::find_in_subtree_with_person_on_lane(
        db,
        lane,
        id,
        &actor.scope_path,
        part,
    ))
    .await?
    .ok_or(AppError::NotFound("candidate"))
}

fn may_read_cases(actor: &Actor) -> AppResult<()> {
    if !actor.may(Permission::ReadCandidates)
        && !actor.may(Permission::ManagePipeline)
        && !actor.may(Permission::Approve)
    {
        return Err(AppError::Forbidden(format!(
            "role {} may not read candidates",
            actor.role
        )));
    }
    Ok(())
}

/// A request as its client key remembers it: the operation and the hash of its serialized
/// input.
struct Request<'a> {
    operation: &'static str,
    client_key: &'a Option<String>,
    hash: String,
}

impl<'a> Request<'a> {
    fn new(
        operation: &'static str,
        client_key: &'a Option<String>,
        input: &impl Serialize,
    ) -> AppResult<Self> {
        let mut h = Sha256::new();
        h.update(operation.as_bytes());
        h.update(serde_json::to_string(input).map_err(AppError::internal)?);
        Ok(Request {
            operation,
            client_key,
            hash: format!("{:x}", h.finalize()),
        })
    }
}

/// If the key was used before: the first result (same request) or `CONFLICT` (another request).
async fn replay(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    request: &Request<'_>,
) -> AppResult<Option<StepOutcome>> {
    let Some(key) = request.client_key else {
        return Ok(None);
    };
    let Some(prev) = db::idempotency::find(txn, actor.user_id, key).await? else {
        return Ok(None);
    };
    if prev.request_hash != request.hash {
        return Err(AppError::Conflict(format!(
            "客户端键{key}已用于另一请求 / the client key {key:?} was used for a different request"
        )));
    }
    let event = db::candidate::event_by_id(txn, prev.result_id)
        .await?
        .ok_or(AppError::NotFound("event"))?;
    // A replay answers only what a fresh call would: the case must still be readable by the
    // caller now (it may have moved out of the caller's subtree since).
    let candidate = get_visible(txn, actor, event.candidate_id).await?;
    let warnings = parse_warnings(&event.warnings);
    Ok(Some(StepOutcome {
        candidate,
        event,
        warnings,
        replayed: true,
    }))
}

/// Warnings stored with an event, back as findings (none when the text is not a list of them).
pub fn parse_warnings(text: &str) -> Vec<RecordedWarning> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(crate) fn recorded(events: &[candidate_event::Model]) -> AppResult<Vec<RecordedStep>> {
    events
        .iter()
        .map(|e| {
            let details: StepDetails =
                serde_json::from_str(&e.details).map_err(AppError::internal)?;
            Ok(RecordedStep {
                id: e.id,
                occurred_on: e.occurred_on,
                details,
                corrects: e.corrects_event_id,
            })
        })
        .collect()
}

/// Input of an application (step 1).
#[derive(Serialize)]
pub struct Application {
    pub organization_id: i64,
    pub applied_on: NaiveDate,
    pub person: PersonDraft,
    /// The key is not part of what it identifies.
    #[serde(skip)]
    pub client_key: Option<String>,
    pub note: Option<String>,
}

/// Whether an organization of this stored kind receives applications.
pub(super) fn receives_applications(kind: &str) -> bool {
    OrganizationKind::parse(kind).is_some_and(OrganizationKind::receives_applications)
}

/// Step 1: a written application opens a case.
pub async fn submit_application(
    db: &DatabaseConnection,
    checks: &super::duplicates::DuplicateChecks,
    actor: &Actor,
    input: Application,
) -> AppResult<StepOutcome> {
    require(actor, Permission::ManagePipeline)?;
    let client_key = input.client_key.clone();
    let request = Request::new("submitApplication", &client_key, &input)?;
    // Everything is read before the write transaction opens: the duplicate check writes its
    // own audit row, and the transaction (`db::begin_write`) holds the write lock on SQLite.
    if let Some(done) = replay(db, actor, &request).await? {
        return Ok(done);
    }
    let outcome = new_application(db, checks, actor, input, &request).await;
    match outcome {
        // The same request sent again while the first was still running failed against the
        // first's person (or key): once the first has committed, the retry answers its result.
        Err(e) if request.client_key.is_some() => match replay(db, actor, &request).await {
            Ok(Some(done)) => Ok(done),
            _ => Err(e),
        },
        outcome => outcome,
    }
}

/// Records an application not seen before (the body of [`submit_application`]).
async fn new_application(
    db: &DatabaseConnection,
    checks: &super::duplicates::DuplicateChecks,
    actor: &Actor,
    input: Application,
    request: &Request<'_>,
) -> AppResult<StepOutcome> {
    let org = super::organization::get_visible(db, actor, input.organization_id).await?;
    if !receives_applications(&org.kind) || !org.active {
        return Err(AppError::bad_input(
            "organizationId",
            "入党申请须向党支部（或党总支、流动党员党组织）递交",
            "applications are received by an active branch, general branch or mobile Party organization",
        ));
    }
    let p = person::validate(input.person, true)?;
    places_exist(db, &p).await?;
    if let Some(n) = &p.id_card_number
        && !super::duplicates::find(db, checks, actor, std::slice::from_ref(n))
            .await?
            .is_empty()
    {
        return Err(AppError::Conflict(
            super::duplicates::DUPLICATE_MESSAGE.into(),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let details = StepDetails::SubmitApplication {
        organization_id: org.id,
    };
    let ctx = StepContext {
        today: crate::clock::today(),
        person: PersonFacts {
            birth_date: Some(p.birth_date),
            ..Default::default()
        },
        ..Default::default()
    };
    let rules = db::local_rules::effective(&txn, &org.path).await?;
    let on = input.applied_on;
    let warnings = check_step(&CaseState::default(), &details, on, &ctx, &rules)?;
    let person_row = db::step::insert_applicant(&txn, org.id, &p).await?;
    let mut state = CaseState::default();
    state.apply(on, &details);
    let case = db::candidate::insert(&txn, person_row.id, org.id, &state).await?;
    let counted = super::counts::snapshot(&txn, &[case.id]).await?;
    super::counts::apply_change(&txn, &[], &counted).await?;
    let event = append(
        &txn, actor, case.id, org.id, on, &details, &warnings, input.note, None,
    )
    .await?;
    let action = "candidate.submit_application";
    finish(txn, actor, request, action, case, event, warnings).await
}

/// The organizations a person names as places (the outflow and the residence Party
/// organization), each with its field and the refusal when it does not exist. Existence only:
/// a migrant's hometown branch is usually outside the writer's subtree.
fn named_places(
    p: &PersonRecord,
) -> impl Iterator<Item = (i64, &'static str, &'static str, &'static str)> {
    [
        (
            p.outflow_organization_id,
            "outflowOrganizationId",
            "流出地党组织不存在",
            "the outflow organization does not exist",
        ),
        (
            p.residence_organization_id,
            "residenceOrganizationId",
            "居住地党组织不存在",
            "the residence organization does not exist",
        ),
    ]
    .into_iter()
    .filter_map(|(id, field, zh, en)| id.map(|id| (id, field, zh, en)))
}

/// The outflow and residence organizations a person names exist.
async fn places_exist(db: &impl ConnectionTrait, p: &PersonRecord) -> AppResult<()> {
    match missing_places(db, [(0, p)]).await?.first() {
        Some(&(_, field, zh, en)) => Err(AppError::bad_input(field, zh, en)),
        None => Ok(()),
    }
}

/// A place a row's person names that does not exist: the row's index, the field, and the
/// refusal in Chinese and in English.
type MissingPlace = (usize, &'static str, &'static str, &'static str);

/// The places the people of a batch (row index, person) name that do not exist, as bad rows.
pub(super) async fn unknown_places<'a>(
    db: &impl ConnectionTrait,
    people: impl IntoIterator<Item = (usize, &'a PersonRecord)>,
) -> AppResult<Vec<RowError>> {
    let missing = missing_places(db, people).await?;
    Ok(missing
        .into_iter()
        .map(|(index, field, zh, en)| RowError {
            index,
            field: field.into(),
            message: format!("{zh} / {en}"),
        })
        .collect())
}

/// The places the people of a batch name that do not exist (one statement for the batch), in
/// the batch's order.
async fn missing_places<'a>(
    db: &impl ConnectionTrait,
    people: impl IntoIterator<Item = (usize, &'a PersonRecord)>,
) -> AppResult<Vec<MissingPlace>> {
    let named: Vec<(i64, MissingPlace)> = people
        .into_iter()
        .flat_map(|(index, p)| {
            named_places(p).map(move |(id, field, zh, en)| (id, (index, field, zh, en)))
        })
        .collect();
    if named.is_empty() {
        return Ok(vec![]);
    }
    let found = db::organization::map_by_ids(db, named.iter().map(|(id, _)| *id)).await?;
    Ok(named
        .into_iter()
        .filter(|(id, _)| !found.contains_key(id))
        .map(|(_, missing)| missing)
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn append(
    txn: &DatabaseTransaction,
    actor: &Actor,
    candidate_id: i64,
    organization_id: i64,
    on: NaiveDate,
    details: &StepDetails,
    warnings: &[RuleWarning],
    note: Option<String>,
    corrects: Option<i64>,
) -> AppResult<candidate_event::Model> {
    let warnings: Vec<RecordedWarning> = warnings.iter().cloned().map(Into::into).collect();
    let event = db::step::NewEvent {
        candidate_id,
        organization_id,
        occurred_on: on,
        actor_user_id: actor.user_id,
        actor_role: actor.role.as_str(),
        step: details.name(),
        step_number: i16::from(details.number()),
        details: serde_json::to_string(details).map_err(AppError::internal)?,
        warnings: serde_json::to_string(&warnings).map_err(AppError::internal)?,
        note,
        corrects,
    };
    Ok(db::step::append(txn, event).await?)
}

/// Remembers the step's client key, audits it, commits and answers. The audit row goes last:
/// from it to the commit every other audited write waits (the audit chain's order).
async fn finish(
    txn: DatabaseTransaction,
    actor: &Actor,
    request: &Request<'_>,
    action: &str,
    case: candidate::Model,
    event: candidate_event::Model,
    warnings: Vec<RuleWarning>,
) -> AppResult<StepOutcome> {
    if let Some(key) = request.client_key {
        db::idempotency::record(
            &txn,
            actor.user_id,
            key,
            request.operation,
            &request.hash,
            event.id,
        )
        .await?;
    }
    db::audit::record(&txn, AuditRecord {
        actor_user_id: Some(actor.user_id),
        organization_id: Some(case.organization_id),
        action,
        subject_type: "candidate",
        subject_id: Some(case.id),
        detail: json!({ "eventId": event.id, "step": event.step, "occurredOn": event.occurred_on }),
    })
    .await?;
    txn.commit().await?;
    Ok(StepOutcome {
        candidate: case,
        event,
        warnings: warnings.into_iter().map(Into::into).collect(),
        replayed: false,
    })
}

fn permissions_for(details: &StepDetails) -> &'static [Permission] {
    use StepDetails::*;
    match details {
        AdmissionApproval { .. } | ConversionApproval { .. } | LetterOverride { .. } => {
            &[Permission::Approve]
        }
        PreReview { .. } | IntermediateReview { .. } | PreApprovalTalk { .. } => {
            &[Permission::ManagePipeline, Permission::Approve]
        }
        _ => &[Permission::ManagePipeline],
    }
}

fn named_organization(details: &StepDetails) -> Option<i64> {
    use StepDetails::*;
    match details {
        PreReview {
            reviewer_organization_id: id,
            ..
        }
        | IntermediateReview {
            reviewer_organization_id: id,
            ..
        }
        | AdmissionApproval {
            approver_organization_id: id,
        }
        | ConversionApproval {
            approver_organization_id: id,
        }
        | Transfer {
            to_organization_id: id,
            ..
        } => Some(*id),
        _ => None,
    }
}

fn named_members(details: &StepDetails) -> &[i64] {
    match details {
        StepDetails::AssignContacts { contact_ids } => contact_ids,
        StepDetails::AssignIntroducers { introducer_ids } => introducer_ids,
        _ => &[],
    }
}

/// The relation kinds recorded between the person and `other`.
fn relations_with(
    relations: &[entity::person_relation::Model],
    other: i64,
) -> impl Iterator<Item = RelationKind> + '_ {
    relations
        .iter()
        .filter(move |r| r.person_id == other || r.relative_person_id == Some(other))
        .filter_map(|r| RelationKind::parse(&r.kind))
}

/// The members a step names (contacts, introducers), each visible to the actor.
async fn member_facts(
    txn: &DatabaseTransaction,
    actor: &Actor,
    person_id: i64,
    ids: &[i64],
) -> AppResult<Vec<MemberFacts>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let distinct: std::collections::HashSet<i64> = ids.iter().copied().collect();
    if distinct.len() != ids.len() {
        return Err(AppError::bad_input(
            "memberIds",
            "同一党员不能重复列出",
            "the same member is named twice",
        ));
    }
    let people = db::person::find_by_ids(txn, ids).await?;
    // A missing member is answered like one outside the subtree: no existence oracle.
    if people.len() != ids.len() {
        return Err(AppError::NotFound("member"));
    }
    let org_ids: Vec<i64> = people.iter().map(|m| m.organization_id).collect();
    let orgs = db::organization::find_by_ids(txn, &org_ids).await?;
    let relations = db::relation::between(txn, person_id, ids).await?;
    let mut members = vec![];
    for m in &people {
        let visible = orgs
            .iter()
            .any(|o| o.id == m.organization_id && actor.can_see(&o.path));
        if !visible {
            return Err(AppError::NotFound("member"));
        }
        members.push(MemberFacts {
            id: m.id,
            is_full_member: m.is_party_member,
            under_party_probation: m.under_party_probation,
            relation_to_candidate: relations_with(&relations, m.id).max_by_key(|k| k.is_near()),
        });
    }
    Ok(members)
}

/// The organization a step names, in the actor's scope; a transfer's target must receive
/// applications.
async fn organization_facts(
    txn: &DatabaseTransaction,
    actor: &Actor,
    case: &candidate::Model,
    ancestors: &[i64],
    details: &StepDetails,
) -> AppResult<Option<OrgFacts>> {
    let Some(id) = named_organization(details) else {
        return Ok(None);
    };
    // Every organization a step names lies in the actor's own scope: an approving or
    // pre-reviewing committee above the actor's organization, or a transfer target
    // outside it, is answered like a missing one.
    let o = db::organization::find_by_id(txn, id)
        .await?
        .filter(|o| actor.can_see(&o.path))
        .ok_or(AppError::NotFound("organization"))?;
    let is_ancestor = ancestors[..ancestors.len().saturating_sub(1)].contains(&o.id);
    if matches!(details, StepDetails::Transfer { .. })
        && (!o.active || !receives_applications(&o.kind) || o.id == case.organization_id)
    {
        return Err(AppError::bad_input(
            "toOrganizationId",
            "转接目标须为本级范围内另一个有效的党支部（或党总支、流动党员党组织）",
            "a transfer goes to another active branch, general branch or mobile Party organization in your scope",
        ));
    }
    let kind = OrganizationKind::parse(&o.kind).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("organization {} has kind {}", o.id, o.kind))
    })?;
    Ok(Some(OrgFacts {
        id: o.id,
        kind,
        can_approve: o.can_approve,
        can_pre_review: o.can_pre_review,
        is_ancestor_of_case: is_ancestor,
    }))
}

/// Whether a general branch or a village/community committee between the case's organization
/// and the nearest approving ancestor reviews (审议) first.
async fn intermediate_review_required(
    txn: &DatabaseTransaction,
    ancestors: &[i64],
) -> AppResult<bool> {
    let path_orgs = db::organization::find_by_ids(txn, ancestors).await?;
    let above_case = ancestors.iter().rev().skip(1).filter_map(|id| {
        let o = path_orgs.iter().find(|o| o.id == *id)?;
        Some(PathOrganization {
            kind: OrganizationKind::parse(&o.kind),
            can_approve: o.can_approve,
        })
    });
    Ok(needs_intermediate_review(above_case))
}

/// Near relatives of the person among the full members of the case's organization (I2 at the
/// vote).
async fn near_relatives(
    txn: &DatabaseTransaction,
    person_id: i64,
    organization_id: i64,
) -> AppResult<Vec<(i64, RelationKind)>> {
    let relations = db::relation::touching(txn, person_id).await?;
    let others: Vec<i64> = relations
        .iter()
        .filter_map(|r| {
            if r.person_id == person_id {
                r.relative_person_id
            } else {
                Some(r.person_id)
            }
        })
        .collect();
    let mut near = vec![];
    for other in db::person::find_by_ids(txn, &others).await? {
        if !other.is_party_member || other.organization_id != organization_id {
            continue;
        }
        if let Some(kind) = relations_with(&relations, other.id).find(|k| k.is_near()) {
            near.push((other.id, kind));
        }
    }
    Ok(near)
}

/// The two-new organization's kinship figures (I1), for the admission meeting and approval.
async fn kinship_facts(
    txn: &DatabaseTransaction,
    case_org: &organization::Model,
    person_id: i64,
    details: &StepDetails,
) -> AppResult<Option<KinshipFacts>> {
    let admission = matches!(
        details,
        StepDetails::AdmissionMeeting { .. } | StepDetails::AdmissionApproval { .. }
    );
    if !(case_org.is_two_new && admission) {
        return Ok(None);
    }
    Ok(Some(KinshipFacts {
        members: u32::try_from(case_org.member_count).unwrap_or(0),
        related_members: db::relation::related_members(txn, case_org.id).await?,
        candidate_related: db::relation::related_to_owner(txn, person_id).await?,
    }))
}

fn person_facts(p: &person_row::Model) -> PersonFacts {
    PersonFacts {
        birth_date: Some(p.birth_date),
        is_league_member: p.is_league_member,
        has_political_violation: p.has_political_violation,
        is_migrant: p.is_migrant,
        is_business_owner: p.is_business_owner,
        expected_departure_on: p.expected_departure_on,
    }
}

/// Builds what the checks need: the person, the members and the organization the step names,
/// and whether an intermediate review is required.
async fn context(
    txn: &DatabaseTransaction,
    actor: &Actor,
    case: &candidate::Model,
    case_org: &organization::Model,
    details: &StepDetails,
) -> AppResult<StepContext> {
    let p = db::person::find_by_id(txn, case.person_id)
        .await?
        .ok_or(AppError::NotFound("person"))?;
    let members = member_facts(txn, actor, p.id, named_members(details)).await?;
    let ancestors = path_ids(&case_org.path);
    let organization = organization_facts(txn, actor, case, &ancestors, details).await?;
    let needs_intermediate_review = intermediate_review_required(txn, &ancestors).await?;
    let migrant_in_two_new = p.is_migrant && case_org.is_two_new;
    // Only the person's own outflow or residence organization can agree (L1).
    let own_places: Vec<i64> = [p.outflow_organization_id, p.residence_organization_id]
        .into_iter()
        .flatten()
        .collect();
    let agreed_development_letter = migrant_in_two_new
        && db::letter::has_agreed_from(txn, case.id, "DEVELOPMENT_OPINION", &own_places).await?;
    let kinship = kinship_facts(txn, case_org, p.id, details).await?;
    let meeting = matches!(
        details,
        StepDetails::AdmissionMeeting { .. } | StepDetails::ConversionMeeting { .. }
    );
    let (consultations, near_relatives) = if meeting {
        (
            super::consultation::facts(txn, case.id).await?,
            near_relatives(txn, p.id, case.organization_id).await?,
        )
    } else {
        (vec![], vec![])
    };
    Ok(StepContext {
        today: crate::clock::today(),
        person: person_facts(&p),
        members,
        organization,
        needs_intermediate_review,
        migrant_in_two_new,
        agreed_development_letter,
        kinship,
        consultations,
        near_relatives,
    })
}

/// The state a step is checked against: the case as its events stand, or, for a correction,
/// as it stood before the corrected event.
fn base_state(
    events: &[RecordedStep],
    corrects: Option<i64>,
    details: &StepDetails,
) -> AppResult<CaseState> {
    let Some(target) = corrects else {
        return Ok(CaseState::fold(events));
    };
    state_before_correction(events, target, details).map_err(|e| match e {
        CorrectionError::NotInCase => AppError::bad_input(
            "eventId",
            "要更正的记录不属于本档案",
            "the event to correct is not part of this case",
        ),
        CorrectionError::OtherStep => AppError::bad_input(
            "step",
            "更正须为同一步骤",
            "a correction must record the same step as the event it corrects",
        ),
    })
}

/// Who may record the step, and that it is not an application.
fn may_record(actor: &Actor, step: &RequestedStep) -> AppResult<()> {
    let perms = match step {
        RequestedStep::Transfer { .. } => &[Permission::ManagePipeline],
        RequestedStep::Step(details) => permissions_for(details),
    };
    if !perms.iter().any(|p| actor.may(*p)) {
        require(actor, perms[0])?;
    }
    if matches!(
        step,
        RequestedStep::Step(StepDetails::SubmitApplication { .. })
    ) {
        return Err(AppError::bad_input(
            "step",
            "递交申请请用 submitApplication",
            "applications are submitted with submitApplication",
        ));
    }
    Ok(())
}

/// Records one step (or a correction) on a case.
pub async fn record_step(
    db: &DatabaseConnection,
    actor: &Actor,
    req: StepRequest,
) -> AppResult<StepOutcome> {
    may_record(actor, &req.details)?;
    let request = Request::new(
        "recordPipelineStep",
        &req.client_key,
        &json!({ "c": req.candidate_id, "v": req.expected_version, "on": req.occurred_on, "d": req.details, "n": req.note, "x": req.corrects }),
    )?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(done) = replay(&txn, actor, &request).await? {
        return Ok(done);
    }
    let case = get_visible(&txn, actor, req.candidate_id).await?;
    let counted_before = super::counts::snapshot(&txn, &[case.id]).await?;
    if case.version != req.expected_version {
        return Err(AppError::Conflict(format!(
            "档案已被修改（当前版本{}，提交的版本{}）/ the case changed: version {} is current, {} was given",
            case.version, req.expected_version, case.version, req.expected_version
        )));
    }
    let case_org = db::organization::find_by_id(&txn, case.organization_id)
        .await?
        .ok_or(AppError::NotFound("organization"))?;
    let mut events = recorded(&db::candidate::events(&txn, case.id).await?)?;
    let details = req.details.clone().on_case(case.organization_id);
    let base = base_state(&events, req.corrects, &details)?;
    let ctx = context(&txn, actor, &case, &case_org, &details).await?;
    let rules = db::local_rules::effective(&txn, &case_org.path).await?;
    let (on, corrects) = (req.occurred_on, req.corrects);
    let warnings = check_step(&base, &details, on, &ctx, &rules)?;
    super::integrity::on_step(&txn, actor, case.id, &details, on).await?;
    let event = append(
        &txn,
        actor,
        case.id,
        case.organization_id,
        on,
        &details,
        &warnings,
        req.note.clone(),
        corrects,
    )
    .await?;
    super::integrity::record_responsibilities(&txn, actor, &event, &details).await?;
    events.push(RecordedStep {
        id: event.id,
        occurred_on: event.occurred_on,
        details,
        corrects,
    });
    let state = CaseState::fold(&events);
    let org_id = state.organization_id.unwrap_or(case.organization_id);
    if !db::candidate::update_if_version(&txn, case.id, req.expected_version, org_id, &state)
        .await?
    {
        return Err(AppError::Conflict(
            "档案已被并发修改 / the case was changed concurrently; reload and retry".into(),
        ));
    }
    let case = db::candidate::find_by_id(&txn, case.id)
        .await?
        .ok_or(AppError::NotFound("candidate"))?;
    let counted_after = super::counts::snapshot(&txn, &[case.id]).await?;
    super::counts::apply_change(&txn, &counted_before, &counted_after).await?;
    let action = if corrects.is_some() {
        "candidate.correct_step"
    } else {
        "candidate.record_step"
    };
    finish(txn, actor, &request, action, case, event, warnings).await
}
