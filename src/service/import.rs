//! Bulk import of applications (step 1 for many people), all-or-nothing.

use super::require;
use crate::db::bulk::{BulkTxn, NewApplication, Recorder};
use crate::db::{self, audit::AuditRecord};
use crate::domain::counts::{CaseFacts, CountKey, contributions};
use crate::domain::organization::{OrganizationKind, path_ids};
use crate::domain::pipeline::check::{PersonFacts, StepContext, check_step};
use crate::domain::pipeline::model::StepDetails;
use crate::domain::pipeline::person::{self, PersonDraft, PersonRecord};
use crate::domain::pipeline::rules::LocalRules;
use crate::domain::pipeline::state::CaseState;
use crate::domain::{Actor, DomainError, Permission};
use crate::error::{AppError, AppResult, RowError};
use chrono::NaiveDate;
use entity::organization::Model as Organization;
use sea_orm::DatabaseConnection;
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What the counters know of a new application.
fn application_facts(p: &PersonRecord, applied_on: NaiveDate, is_two_new: bool) -> CaseFacts {
    CaseFacts {
        stage: "APPLICANT".into(),
        applied_on,
        approved_on: None,
        admission_meeting_on: None,
        extended: false,
        invalidated: false,
        gender: p.gender.as_str().into(),
        birth_date: p.birth_date,
        ethnicity: p.ethnicity.clone(),
        education: p.education.as_str().into(),
        occupations: p.occupations.iter().map(|o| o.as_str().into()).collect(),
        is_frontline: p.is_frontline,
        is_high_level_talent: p.is_high_level_talent,
        is_two_new,
    }
}

/// Counter contributions of applications, per branch.
pub(super) type BranchCounts = HashMap<i64, HashMap<CountKey, i64>>;

/// Adds one new application to its branch's contributions.
fn count_application(
    per_branch: &mut BranchCounts,
    branch: i64,
    p: &PersonRecord,
    applied_on: NaiveDate,
    is_two_new: bool,
) {
    let keys = per_branch.entry(branch).or_default();
    for key in contributions(&application_facts(p, applied_on, is_two_new)) {
        *keys.entry(key).or_default() += 1;
    }
}

/// Writes a batch of applications and adds each to its branch's counter contributions.
pub(super) async fn write_applications(
    txn: &BulkTxn,
    rows: &[NewApplication<'_>],
    by: Recorder<'_>,
    per_branch: &mut BranchCounts,
    is_two_new: impl Fn(i64) -> bool,
) -> AppResult<()> {
    txn.insert_applications(rows, by).await?;
    for r in rows {
        let two_new = is_two_new(r.organization_id);
        count_application(
            per_branch,
            r.organization_id,
            r.person,
            r.applied_on,
            two_new,
        );
    }
    Ok(())
}

/// Each branch's totals rolled up to its ancestors, as counter deltas.
pub(super) fn rolled_up<'a>(
    per_branch: BranchCounts,
    path_of: impl Fn(i64) -> &'a str,
) -> Vec<(i64, CountKey, i64)> {
    let mut counts: BTreeMap<(i64, CountKey), i64> = BTreeMap::new();
    for (org_id, keys) in per_branch {
        for ancestor in path_ids(path_of(org_id)) {
            for (key, n) in &keys {
                *counts.entry((ancestor, key.clone())).or_default() += n;
            }
        }
    }
    counts.into_iter().map(|((o, k), n)| (o, k, n)).collect()
}

/// Applications are received by a branch (党支部), a general branch or a mobile Party
/// organization; otherwise the message to report.
pub(super) fn receives_applications(org: &entity::organization::Model) -> Result<(), String> {
    if OrganizationKind::parse(&org.kind).is_some_and(OrganizationKind::receives_applications) {
        Ok(())
    } else {
        Err("入党申请须向党支部递交 / applications are received by a branch".into())
    }
}

/// Step 1's own rules for one person (P3: dated by today; N1: 18 years old on the day), as the
/// field at fault (`appliedOn` or `birthDate`) and a row message.
pub(super) fn check_application(
    organization_id: i64,
    p: &PersonRecord,
    applied_on: NaiveDate,
    rules: &LocalRules,
) -> Result<(), (&'static str, String)> {
    let ctx = StepContext {
        today: crate::clock::today(),
        person: PersonFacts {
            birth_date: Some(p.birth_date),
            ..Default::default()
        },
        ..Default::default()
    };
    check_step(
        &CaseState::default(),
        &StepDetails::SubmitApplication { organization_id },
        applied_on,
        &ctx,
        rules,
    )
    .map(|_| ())
    .map_err(|v| {
        let field = if v.rule == "P3" {
            "appliedOn"
        } else {
            "birthDate"
        };
        let message = format!(
            "{} ({}): {} / {}",
            v.rule, v.source, v.message_zh, v.message_en
        );
        (field, message)
    })
}

/// A row's person through [`person::validate`]; a refusal as the field it names (empty when it
/// names none) and its message.
pub(super) fn validate_person(
    draft: PersonDraft,
    id_card_required: bool,
) -> Result<PersonRecord, (&'static str, String)> {
    person::validate(draft, id_card_required).map_err(|e| match e {
        DomainError::InvalidInput {
            field,
            message_zh,
            message_en,
        } => (field, format!("{message_zh} / {message_en}")),
        e => ("", e.to_string()),
    })
}

/// One application to import.
#[derive(serde::Serialize)]
pub struct ImportRow {
    pub organization_id: i64,
    pub applied_on: NaiveDate,
    pub person: PersonDraft,
}

/// A row that passed validation.
struct ValidRow {
    index: usize,
    organization_id: i64,
    applied_on: NaiveDate,
    person: PersonRecord,
}

/// The request's identity for its idempotency key: SHA-256 over the rows' serialized form.
fn request_hash(rows: &[ImportRow]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"importCandidates");
    for r in rows {
        h.update(serde_json::to_vec(r).unwrap_or_default());
        h.update(b"\n");
    }
    format!("{:x}", h.finalize())
}

/// Imports applications: every row is validated (including N1 and duplicate ID cards, in the
/// file and on record); any bad row and nothing is written. Returns the number imported and
/// whether this answers a retry of the same key (the whole import is one transaction, the key
/// is recorded in it: a crash leaves neither rows nor key, so the retry imports once).
pub async fn import_candidates(
    db: &DatabaseConnection,
    checks: &super::duplicates::DuplicateChecks,
    actor: &Actor,
    rows: Vec<ImportRow>,
    idempotency_key: Option<String>,
) -> AppResult<(usize, bool)> {
    if !actor.may(Permission::ManagePipeline) {
        require(actor, Permission::SubmitReports)?;
    }
    let request_hash = request_hash(&rows);
    let key = idempotency_key.as_deref();
    if let Some(rows) = earlier_import(db, actor, key, &request_hash, "different rows").await? {
        return Ok((rows, true));
    }
    let outcome = async {
        let orgs = db::organization::map_by_ids(db, rows.iter().map(|r| r.organization_id)).await?;
        let valid = validate_rows(db, checks, actor, &orgs, rows).await?;
        write(
            db,
            actor,
            &orgs,
            &valid,
            key.map(|k| (k, request_hash.as_str())),
        )
        .await?;
        Ok(valid.len())
    }
    .await;
    match outcome {
        Ok(rows) => Ok((rows, false)),
        // The same request sent again while the first was still running failed against the
        // first's rows: once the first has committed, the retry answers what it wrote.
        Err(e) => match earlier_import(db, actor, key, &request_hash, "different rows").await {
            Ok(Some(rows)) => Ok((rows, true)),
            _ => Err(e),
        },
    }
}

/// How many rows an earlier import by this user with this idempotency key wrote, if there was
/// one; a `CONFLICT` when the key was used for another request (`other`: "different rows").
pub(crate) async fn earlier_import(
    db: &DatabaseConnection,
    actor: &Actor,
    key: Option<&str>,
    request_hash: &str,
    other: &str,
) -> AppResult<Option<usize>> {
    let Some(key) = key else { return Ok(None) };
    let Some(prev) = db::idempotency::find(db, actor.user_id, key).await? else {
        return Ok(None);
    };
    if prev.request_hash != request_hash {
        return Err(AppError::Conflict(format!(
            "幂等键{key}已用于另一请求 / the idempotency key {key:?} was used for {other}"
        )));
    }
    Ok(Some(usize::try_from(prev.result_id).unwrap_or_default()))
}

/// Every row checked (organization, person, N1, ID cards in the input and on record); the rows
/// that pass, or every refusal.
async fn validate_rows(
    db: &DatabaseConnection,
    checks: &super::duplicates::DuplicateChecks,
    actor: &Actor,
    orgs: &HashMap<i64, Organization>,
    rows: Vec<ImportRow>,
) -> AppResult<Vec<ValidRow>> {
    let mut check = RowCheck {
        db,
        actor,
        orgs,
        rules: HashMap::new(),
        seen: HashSet::new(),
    };
    let mut errors = vec![];
    let mut valid = vec![];
    for (index, r) in rows.into_iter().enumerate() {
        match check.row(index, r).await? {
            Ok(v) => valid.push(v),
            Err(e) => errors.push(e),
        }
    }
    let places = valid.iter().map(|v| (v.index, &v.person));
    errors.extend(super::pipeline::unknown_places(db, places).await?);
    let numbers: Vec<String> = valid
        .iter()
        .filter_map(|v| v.person.id_card_number.clone())
        .collect();
    for dup in super::duplicates::find(db, checks, actor, &numbers).await? {
        if let Some(v) = valid
            .iter()
            .find(|v| v.person.id_card_number.as_deref() == Some(dup.as_str()))
        {
            errors.push(RowError {
                index: v.index,
                field: "idCardNumber".into(),
                message: super::duplicates::DUPLICATE_MESSAGE.into(),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.index);
        return Err(AppError::Rows(errors));
    }
    Ok(valid)
}

/// Checks rows one by one, remembering the rules of the organizations seen and the ID-card
/// numbers met so far.
struct RowCheck<'a> {
    db: &'a DatabaseConnection,
    actor: &'a Actor,
    orgs: &'a HashMap<i64, Organization>,
    rules: HashMap<i64, LocalRules>,
    seen: HashSet<String>,
}

impl RowCheck<'_> {
    /// One row: valid, or its refusal.
    async fn row(&mut self, index: usize, r: ImportRow) -> AppResult<Result<ValidRow, RowError>> {
        let refuse = |field: &str, message: String| {
            Ok(Err(RowError {
                index,
                field: field.into(),
                message,
            }))
        };
        let Some(org) = self
            .orgs
            .get(&r.organization_id)
            .filter(|o| self.actor.can_see(&o.path))
        else {
            return refuse("organizationId", "未找到 / not found".into());
        };
        if let Err(message) = receives_applications(org) {
            return refuse("organizationId", message);
        }
        let p = match validate_person(r.person, true) {
            Ok(p) => p,
            Err((field, message)) => return refuse(field, message),
        };
        if let Some(n) = &p.id_card_number
            && !self.seen.insert(n.clone())
        {
            return refuse(
                "idCardNumber",
                "文件中身份证号重复 / duplicate ID-card number in the input".into(),
            );
        }
        if let std::collections::hash_map::Entry::Vacant(e) = self.rules.entry(org.id) {
            e.insert(db::local_rules::effective(self.db, &org.path).await?);
        }
        if let Err((field, message)) =
            check_application(org.id, &p, r.applied_on, &self.rules[&org.id])
        {
            return refuse(field, message);
        }
        Ok(Ok(ValidRow {
            index,
            organization_id: org.id,
            applied_on: r.applied_on,
            person: p,
        }))
    }
}

/// Writes the valid rows, their counters, the audit row and the idempotency key (with the
/// request's hash) in one transaction.
async fn write(
    db: &DatabaseConnection,
    actor: &Actor,
    orgs: &HashMap<i64, Organization>,
    valid: &[ValidRow],
    idempotency_key: Option<(&str, &str)>,
) -> AppResult<()> {
    let txn = BulkTxn::begin(db).await?;
    let by = Recorder {
        user_id: actor.user_id,
        role: actor.role.as_str(),
        at: chrono::Utc::now(),
        note: "bulk import",
    };
    // Counter contributions are computed from the rows in memory and applied once at the end
    // (one batched upsert), instead of re-reading what was just written.
    let mut per_branch = BranchCounts::new();
    for chunk in valid.chunks(db::bulk::BATCH_ROWS) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|v| NewApplication::new(v.organization_id, v.applied_on, &v.person))
            .collect();
        write_applications(&txn, &rows, by, &mut per_branch, |id| orgs[&id].is_two_new).await?;
    }
    let deltas = rolled_up(per_branch, |id| orgs[&id].path.as_str());
    db::counts::apply(&txn, &deltas).await?;
    db::audit::record(
        &txn,
        AuditRecord {
            actor_user_id: Some(actor.user_id),
            organization_id: Some(actor.organization_id),
            action: "candidate.import",
            subject_type: "candidate",
            subject_id: None,
            detail: json!({ "rows": valid.len() }),
        },
    )
    .await?;
    if let Some((key, request_hash)) = idempotency_key {
        db::idempotency::record(
            &txn,
            actor.user_id,
            key,
            "importCandidates",
            request_hash,
            valid.len() as i64,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
