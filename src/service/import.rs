//! Bulk import of applications (step 1 for many people), all-or-nothing.

use super::require;
use crate::db::{self, audit::AuditRecord};
use crate::domain::counts::{CaseFacts, CountKey, contributions};
use crate::domain::organization::path_ids;
use crate::domain::pipeline::check::{PersonFacts, StepContext, check_step};
use crate::domain::pipeline::model::StepDetails;
use crate::domain::pipeline::person::{self, PersonDraft, PersonRecord};
use crate::domain::pipeline::rules::LocalRules;
use crate::domain::pipeline::state::CaseState;
use crate::domain::{Actor, DomainError, Permission};
use crate::error::{AppError, AppResult, RowError};
use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, TransactionTrait};
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
        if !matches!(
            org.kind.as_str(),
            "BRANCH" | "GENERAL_BRANCH" | "MOBILE_PARTY_ORGANIZATION"
        ) {
            errors.push(RowError {
                index,
                field: "organizationId".into(),
                message: "入党申请须向党支部递交 / applications are received by a branch".into(),
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
        let ctx = StepContext {
            person: PersonFacts {
                birth_date: Some(p.birth_date),
                ..Default::default()
            },
            ..Default::default()
        };
        if let Err(v) = check_step(
            &CaseState::default(),
            &StepDetails::SubmitApplication {
                organization_id: org.id,
            },
            r.applied_on,
            &ctx,
            &rules_cache[&org.id],
        ) {
            errors.push(RowError {
                index,
                field: "birthDate".into(),
                message: format!(
                    "{} ({}): {} / {}",
                    v.rule, v.source, v.message_zh, v.message_en
                ),
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
    let txn = db.begin().await?;
    let now = chrono::Utc::now();
    // Counter contributions are computed from the rows in memory and applied once at the end
    // (one batched upsert), instead of re-reading what was just written.
    let mut per_branch: HashMap<i64, HashMap<CountKey, i64>> = HashMap::new();
    // 1,000 rows per statement stays well under PostgreSQL's 65,535 bound parameters.
    for chunk in valid.chunks(1000) {
        let people: Vec<_> = chunk
            .iter()
            .map(|(_, org, _, p)| db::person::new_row(*org, p, None))
            .collect();
        let person_ids = entity::person::Entity::insert_many(people)
            .exec_with_returning_keys(&txn)
            .await?;
        let cases: Vec<_> = chunk
            .iter()
            .zip(&person_ids)
            .map(
                |((_, org, on, _), person_id)| entity::candidate::ActiveModel {
                    person_id: Set(*person_id),
                    organization_id: Set(*org),
                    stage: Set("APPLICANT".into()),
                    version: Set(1),
                    applied_on: Set(*on),
                    extended: Set(false),
                    invalidated: Set(false),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                },
            )
            .collect();
        let case_ids = entity::candidate::Entity::insert_many(cases)
            .exec_with_returning_keys(&txn)
            .await?;
        let events: Vec<_> = chunk
            .iter()
            .zip(&case_ids)
            .map(|((_, org, on, _), case_id)| {
                let details = StepDetails::SubmitApplication {
                    organization_id: *org,
                };
                entity::candidate_event::ActiveModel {
                    candidate_id: Set(*case_id),
                    step: Set(details.name()),
                    step_number: Set(1),
                    occurred_on: Set(*on),
                    recorded_at: Set(now),
                    actor_user_id: Set(actor.user_id),
                    organization_id: Set(*org),
                    details: Set(serde_json::to_string(&details).unwrap_or_default()),
                    warnings: Set("[]".into()),
                    corrects_event_id: Set(None),
                    note: Set(Some("bulk import".into())),
                    ..Default::default()
                }
            })
            .collect();
        entity::candidate_event::Entity::insert_many(events)
            .exec(&txn)
            .await?;
        for (_, org_id, on, p) in chunk {
            let branch = per_branch.entry(*org_id).or_default();
            for key in contributions(&application_facts(p, *on, orgs[org_id].is_two_new)) {
                *branch.entry(key).or_default() += 1;
            }
        }
    }
    // Each branch's totals rolled up to its ancestors.
    let mut counts: BTreeMap<(i64, CountKey), i64> = BTreeMap::new();
    for (org_id, keys) in per_branch {
        for ancestor in path_ids(&orgs[&org_id].path) {
            for (key, n) in &keys {
                *counts.entry((ancestor, key.clone())).or_default() += n;
            }
        }
    }
    let deltas: Vec<(i64, CountKey, i64)> =
        counts.into_iter().map(|((o, k), n)| (o, k, n)).collect();
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
