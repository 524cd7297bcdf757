//! Recording relations between people (I1, I2): who is related to whom, or to the owner of a
//! two-new organization, and how closely. ORGANIZER of the people's subtree; every change audited.

use super::require;
use crate::db::{self, audit::AuditRecord};
use crate::domain::kinship::RelationKind;
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};
use entity::person_relation;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

/// A person named by a case or as a member.
#[derive(Debug, Clone, Copy)]
pub enum PersonRef {
    Candidate(i64),
    Member(i64),
}

/// A relation to record.
pub struct NewRelation {
    pub person: PersonRef,
    pub relative: Option<PersonRef>,
    pub relative_is_owner: bool,
    pub kind: RelationKind,
    pub generations: u32,
}

/// The person behind a reference, when in the actor's subtree (else `NOT_FOUND`).
pub async fn person_of(db: &impl ConnectionTrait, actor: &Actor, r: PersonRef) -> AppResult<i64> {
    match r {
        PersonRef::Candidate(id) => {
            Ok(super::pipeline::get_visible(db, actor, id).await?.person_id)
        }
        PersonRef::Member(id) => {
            let p = db::person::find_by_id(db, id)
                .await?
                .filter(|p| p.is_party_member)
                .ok_or(AppError::NotFound("member"))?;
            visible_person(db, actor, &p)
                .await
                .map_err(|_| AppError::NotFound("member"))?;
            Ok(p.id)
        }
    }
}

async fn visible_person(
    db: &impl ConnectionTrait,
    actor: &Actor,
    p: &entity::person::Model,
) -> AppResult<()> {
    super::organization::get_visible(db, actor, p.organization_id)
        .await
        .map(|_| ())
        .map_err(|_| AppError::NotFound("person"))
}

/// Records a relation.
pub async fn record(
    db: &DatabaseConnection,
    actor: &Actor,
    r: NewRelation,
) -> AppResult<person_relation::Model> {
    require(actor, Permission::ManagePipeline)?;
    if !(1..=10).contains(&r.generations) {
        return Err(AppError::bad_input(
            "generations",
            "代数须在1至10之间",
            "generations must be 1–10",
        ));
    }
    if let Some(g) = r.kind.generations()
        && g != r.generations
    {
        return Err(AppError::bad_input(
            "generations",
            format!("{}相隔{g}代", r.kind.as_str()),
            format!("a {} relation is {g} generation(s) apart", r.kind.as_str()),
        ));
    }
    if r.relative.is_some() == r.relative_is_owner {
        return Err(AppError::bad_input(
            "relativeIsOwner",
            "须且只须指明亲属（党员或发展对象）或业主之一",
            "name exactly one of the relative (a member or a candidate) and the owner",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let person = person_of(&txn, actor, r.person).await?;
    let relative = match r.relative {
        Some(x) => Some(person_of(&txn, actor, x).await?),
        None => None,
    };
    if relative == Some(person) {
        return Err(AppError::bad_input(
            "relativeMemberId",
            "不能与本人建立亲属关系",
            "a person is not their own relative",
        ));
    }
    let people = (person, relative, r.relative_is_owner);
    // 1–10, checked above.
    let kind = (r.kind, r.generations as u8);
    let row = db::relation::insert(&txn, people, kind, actor.user_id).await?;
    audit(&txn, actor, "relation.record", &row).await?;
    txn.commit().await?;
    Ok(row)
}

async fn audit(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &'static str,
    row: &person_relation::Model,
) -> AppResult<()> {
    let detail =
        json!({ "kind": row.kind, "generations": row.generations, "owner": row.relative_is_owner });
    AuditRecord::by(actor, action, "person_relation", Some(row.id))
        .with(detail)
        .write(db)
        .await?;
    Ok(())
}

/// Removes a relation recorded by mistake.
pub async fn remove(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<()> {
    require(actor, Permission::ManagePipeline)?;
    let txn = crate::db::begin_write(db).await?;
    let row = db::relation::find(&txn, id)
        .await?
        .ok_or(AppError::NotFound("relation"))?;
    let p = db::person::find_by_id(&txn, row.person_id)
        .await?
        .ok_or(AppError::NotFound("relation"))?;
    visible_person(&txn, actor, &p)
        .await
        .map_err(|_| AppError::NotFound("relation"))?;
    db::relation::delete(&txn, id).await?;
    audit(&txn, actor, "relation.remove", &row).await?;
    txn.commit().await?;
    Ok(())
}

/// The relations recorded for a person of the actor's subtree.
pub async fn of(
    db: &DatabaseConnection,
    actor: &Actor,
    r: PersonRef,
) -> AppResult<Vec<person_relation::Model>> {
    require(actor, Permission::ReadCandidates)?;
    let person = person_of(db, actor, r).await?;
    Ok(db::relation::of_person(db, person).await?)
}
