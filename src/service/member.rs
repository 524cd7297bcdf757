//! Party members (introducers and cultivation contacts must be full members): bulk import, lists.

use super::list::{ListQuery, Listed, Total};
use super::organization::resolve_under;
use super::require;
use crate::db::{self, audit::AuditRecord};
use crate::domain::pipeline::person::{self, PersonDraft};
use crate::domain::{Actor, DomainError, Permission};
use crate::error::{AppError, AppResult, RowError};
use chrono::NaiveDate;
use entity::person::Model;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

/// One member to import.
pub struct MemberRow {
    pub organization_id: i64,
    pub person: PersonDraft,
    pub member_since: Option<NaiveDate>,
    pub under_party_probation: bool,
}

/// A member row that passed its own checks, with its index in the request.
struct ValidMember {
    index: usize,
    organization_id: i64,
    person: person::PersonRecord,
    member_since: Option<NaiveDate>,
    under_party_probation: bool,
}

/// Imports members all-or-nothing; every bad row is reported with its index and field.
pub async fn import(
    db: &DatabaseConnection,
    checks: &super::duplicates::DuplicateChecks,
    actor: &Actor,
    rows: Vec<MemberRow>,
) -> AppResult<Vec<Model>> {
    require(actor, Permission::ManagePipeline)
        .or_else(|_| require(actor, Permission::SubmitReports))?;
    let orgs = db::organization::map_by_ids(db, rows.iter().map(|r| r.organization_id)).await?;
    let mut errors = vec![];
    let mut valid = vec![];
    let today = crate::clock::today();
    for (index, r) in rows.into_iter().enumerate() {
        if !orgs
            .get(&r.organization_id)
            .is_some_and(|o| actor.can_see(&o.path))
        {
            errors.push(RowError {
                index,
                field: "organizationId".into(),
                message: "未找到 / not found".into(),
            });
            continue;
        }
        let checked = person::validate(r.person, false).and_then(|p| {
            person::born_by(p.birth_date, today)?;
            if let Some(since) = r.member_since {
                person::joined_as_adult(p.birth_date, since, today)?;
            }
            Ok(p)
        });
        match checked {
            Ok(p) => valid.push(ValidMember {
                index,
                organization_id: r.organization_id,
                person: p,
                member_since: r.member_since,
                under_party_probation: r.under_party_probation,
            }),
            Err(DomainError::InvalidInput {
                field,
                message_zh,
                message_en,
            }) => errors.push(RowError {
                index,
                field: field.into(),
                message: format!("{message_zh} / {message_en}"),
            }),
            Err(e) => errors.push(RowError {
                index,
                field: "".into(),
                message: e.to_string(),
            }),
        }
    }
    let places = valid.iter().map(|v| (v.index, &v.person));
    errors.extend(super::pipeline::unknown_places(db, places).await?);
    if errors.is_empty() {
        let numbers: Vec<String> = valid
            .iter()
            .filter_map(|v| v.person.id_card_number.clone())
            .collect();
        for dup in super::duplicates::find(db, checks, actor, &numbers).await? {
            let index = valid
                .iter()
                .find(|v| v.person.id_card_number.as_deref() == Some(dup.as_str()))
                .map_or(0, |v| v.index);
            errors.push(RowError {
                index,
                field: "person.idCardNumber".into(),
                message: super::duplicates::DUPLICATE_MESSAGE.into(),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.index);
        return Err(AppError::Rows(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    let rows: Vec<_> = valid
        .iter()
        .map(|v| {
            let membership = Some((v.member_since, v.under_party_probation));
            db::person::new_row(v.organization_id, &v.person, membership)
        })
        .collect();
    let out = db::person::insert_all(&txn, rows).await?;
    audit(&txn, actor, out.len()).await?;
    txn.commit().await?;
    Ok(out)
}

async fn audit(db: &impl ConnectionTrait, actor: &Actor, n: usize) -> AppResult<()> {
    AuditRecord::by(actor, "member.import", "person", None)
        .in_organization(actor.organization_id)
        .with(json!({ "rows": n }))
        .write(db)
        .await?;
    Ok(())
}

fn may_read(actor: &Actor) -> AppResult<()> {
    if !actor.may(Permission::ReadCandidates) {
        return Err(AppError::Forbidden(format!(
            "role {} may not read members (personal data)",
            actor.role
        )));
    }
    Ok(())
}

/// One Party member of the actor's subtree (the read path of `node`); the same role check as
/// `list`, out of scope is `NOT_FOUND`.
pub async fn get_visible(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<Model> {
    may_read(actor)?;
    let m = db::person::find_by_id(db, id)
        .await?
        .filter(|m| m.is_party_member)
        .ok_or(AppError::NotFound("node"))?;
    match db::organization::find_by_id(db, m.organization_id).await? {
        Some(o) if actor.can_see(&o.path) => Ok(m),
        _ => Err(AppError::NotFound("node")),
    }
}

/// Members of a subtree in the actor's scope.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    query: ListQuery<()>,
) -> AppResult<Listed<Model, MembersUnder>> {
    may_read(actor)?;
    let under = MembersUnder(resolve_under(db, actor, query.under).await?);
    let page = db::person::list_members(db, &under.0, query.after_id, query.limit).await?;
    Ok(Listed {
        page,
        total: Total(under),
    })
}

/// The subtree (its path) a member list was read under.
#[derive(Debug, Clone)]
pub struct MembersUnder(String);

impl Total<MembersUnder> {
    /// The number of members in the subtree.
    pub async fn count(&self, db: &DatabaseConnection) -> AppResult<i64> {
        Ok(db::person::count_members(db, &self.0.0).await? as i64)
    }
}
