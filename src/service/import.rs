//! Bulk import of applications (step 1 for many people), all-or-nothing.

use super::require;
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
pub(super) fn count_application(
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

/// Step 1's own rules for one person (N1: 18 years old on the day), as a row message.
pub(super) fn check_application(
    organization_id: i64,
    p: &PersonRecord,
    applied_on: NaiveDate,
    rules: &LocalRules,
) -> Result<(), String> {
    let ctx = StepContext {
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
        format!(
            "{} ({}): {} / {}",
            v.rule, v.source, v.message_zh, v.message_en
        )
    })
}

/// One application to import.
pub struct ImportRow {
    pub organization_id: i64,
    pub applied_on: NaiveDate,
    pub person: PersonDraft,
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
    let request_hash = {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"importCandidates");
        for r in &rows {
            h.update(format!("{}|{}|{:?}\n", r.organization_id, r.applied_on, r.person).as_bytes());
        }
        format!("{:x}", h.finalize())
    };
    if let Some(key) = &idempotency_key
        && let Some(prev) = db::idempotency::find(db, actor.user_id, key).await?
    {
        if prev.request_hash != request_hash {
            return Err(AppError::Conflict(format!(
                "幂等键{key}已用于另一请求 / the idempotency key {key:?} was used for different rows"
            )));
        }
        return Ok((usize::try_from(prev.result_id).unwrap_or_default(), true));
    }
    let org_ids: Vec<i64> = rows
        .iter()
        .map(|r| r.organization_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let orgs: HashMap<i64, _> = db::organization::find_by_ids(db, &org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut rules_cache: HashMap<i64, LocalRules> = HashMap::new();
    let mut errors = vec![];
    let mut valid = vec![];
    let mut seen = HashSet::new();
    for (index, r) in rows.into_iter().enumerate() {
        let Some(org) = orgs
            .get(&r.organization_id)
            .filter(|o| actor.can_see(&o.path))
        else {
            errors.push(RowError {
                index,
                field: "organizationId".into(),
                message: "未找到 / not found".into(),
            });
            continue;
        };
        if let Err(message) = receives_applications(org) {
            errors.push(RowError {
                index,
                field: "organizationId".into(),
                message,
            });
            continue;
        }
        let p = match person::validate(r.person, true) {
            Ok(p) => p,
            Err(DomainError::InvalidInput {
                field,
                message_zh,
                message_en,
            }) => {
                errors.push(RowError {
                    index,
                    field: field.into(),
                    message: format!("{message_zh} / {message_en}"),
                });
                continue;
            }
            Err(e) => {
                errors.push(RowError {
                    index,
                    field: "".into(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        if let Some(n) = &p.id_card_number
            && !seen.insert(n.clone())
        {
            errors.push(RowError {
                index,
                field: "idCardNumber".into(),
                message: "文件中身份证号重复 / duplicate ID-card number in the input".into(),
            });
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(e) = rules_cache.entry(org.id) {
            e.insert(db::local_rules::effective(db, &org.path).await?);
        }
        if let Err(message) = check_application(org.id, &p, r.applied_on, &rules_cache[&org.id]) {
            errors.push(RowError {
                index,
                field: "birthDate".into(),
                message,
            });
            continue;
        }
        valid.push((index, org.id, r.applied_on, p));
    }
    let numbers: Vec<String> = valid
        .iter()
        .filter_map(|v| v.3.id_card_number.clone())
        .collect();
    for dup in super::duplicates::find(db, checks, actor, &numbers).await? {
        if let Some(v) = valid
            .iter()
            .find(|v| v.3.id_card_number.as_deref() == Some(dup.as_str()))
        {
            errors.push(RowError {
                index: v.0,
                field: "idCardNumber".into(),
                message: super::duplicates::DUPLICATE_MESSAGE.into(),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.index);
        return Err(AppError::Rows(errors));
    }
    let txn = db::bulk::BulkTxn::begin(db).await?;
    let by = db::bulk::Recorder {
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
            .map(|(_, org, on, p)| db::bulk::NewApplication {
                organization_id: *org,
                applied_on: *on,
                person: p,
            })
            .collect();
        txn.insert_applications(&rows, by).await?;
        for (_, org_id, on, p) in chunk {
            count_application(&mut per_branch, *org_id, p, *on, orgs[org_id].is_two_new);
        }
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
    if let Some(key) = &idempotency_key {
        db::idempotency::record(
            &txn,
            actor.user_id,
            key,
            "importCandidates",
            &request_hash,
            valid.len() as i64,
        )
        .await?;
    }
    txn.commit().await?;
    Ok((valid.len(), false))
}
