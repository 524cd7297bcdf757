//! Relations between people (I1 kinship to a two-new organization's owner, I2 near relatives).

use crate::domain::kinship::{KINSHIP_GENERATIONS, RelationKind};
use entity::person_relation::{self, Column, Entity};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, FromQueryResult, QueryOrder};

/// The relations recorded between `person` and any of `others`, either way round.
pub async fn between(
    db: &impl ConnectionTrait,
    person: i64,
    others: &[i64],
) -> Result<Vec<person_relation::Model>, DbErr> {
    if others.is_empty() {
        return Ok(vec![]);
    }
    Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(Column::PersonId.eq(person))
                        .add(Column::RelativePersonId.is_in(others.iter().copied())),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(Column::PersonId.is_in(others.iter().copied()))
                        .add(Column::RelativePersonId.eq(person)),
                ),
        )
        .all(db)
        .await
}

/// Whether a person is recorded as related to the owner within three generations.
pub async fn related_to_owner(db: &impl ConnectionTrait, person: i64) -> Result<bool, DbErr> {
    Ok(Entity::find()
        .filter(Column::PersonId.eq(person))
        .filter(Column::RelativeIsOwner.eq(true))
        .filter(Column::Generations.between(1, KINSHIP_GENERATIONS as i32))
        .one(db)
        .await?
        .is_some())
}

#[derive(FromQueryResult)]
struct N {
    n: i64,
}

/// Members of an organization related to its owner within three generations.
pub async fn related_members(db: &impl ConnectionTrait, org_id: i64) -> Result<u32, DbErr> {
    let sql = "SELECT CAST(COUNT(DISTINCT p.id) AS BIGINT) AS n FROM people p JOIN person_relations r ON r.person_id = p.id \
               WHERE p.organization_id = $1 AND p.is_party_member AND r.relative_is_owner = $2 \
               AND r.generations >= 1 AND r.generations <= $3";
    // Each placeholder once: SQLite binds them by position. Membership is written plainly,
    // not bound, so that the partial index of members applies (see `person::members_under`).
    let values: Vec<sea_orm::Value> = vec![
        org_id.into(),
        true.into(),
        (KINSHIP_GENERATIONS as i32).into(),
    ];
    Ok(
        N::find_by_statement(super::raw(db.get_database_backend(), sql, values))
            .one(db)
            .await?
            .map_or(0, |r| u32::try_from(r.n).unwrap_or(0)),
    )
}

/// A person's relations, oldest first.
pub async fn of_person(
    db: &impl ConnectionTrait,
    person: i64,
) -> Result<Vec<person_relation::Model>, DbErr> {
    Entity::find()
        .filter(Column::PersonId.eq(person))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Inserts a relation: `person` to a member `relative`, or to the owner of a two-new
/// organization (`relative` `None`, `relative_is_owner`).
pub async fn insert(
    db: &impl ConnectionTrait,
    (person, relative, relative_is_owner): (i64, Option<i64>, bool),
    (kind, generations): (RelationKind, u8),
    created_by: i64,
) -> Result<person_relation::Model, DbErr> {
    person_relation::ActiveModel {
        person_id: Set(person),
        relative_person_id: Set(relative),
        relative_is_owner: Set(relative_is_owner),
        kind: Set(kind.as_str().into()),
        generations: Set(i32::from(generations)),
        created_by: Set(created_by),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// One relation.
pub async fn find(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<person_relation::Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Deletes a relation.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(db).await.map(|_| ())
}

/// Every relation recorded with a person on either side.
pub async fn touching(
    db: &impl ConnectionTrait,
    person: i64,
) -> Result<Vec<person_relation::Model>, DbErr> {
    Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(Column::PersonId.eq(person))
                .add(Column::RelativePersonId.eq(person)),
        )
        .all(db)
        .await
}
