//! The integrity registers: form numbers and case responsibilities.

use crate::domain::integrity::{FormStatus, Responsibility};
use entity::{case_responsibility, form_number};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, FromQueryResult, QueryOrder, QuerySelect};

/// Registers new ISSUED numbers for a committee; a number it registered before makes the insert
/// fail (unique per committee).
pub async fn insert_numbers(
    db: &impl ConnectionTrait,
    committee_id: i64,
    numbers: &[String],
    user_id: i64,
) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    for chunk in numbers.chunks(500) {
        form_number::Entity::insert_many(chunk.iter().map(|n| form_number::ActiveModel {
            committee_organization_id: Set(committee_id),
            number: Set(n.clone()),
            status: Set("ISSUED".into()),
            created_by: Set(user_id),
            created_at: Set(now),
            ..Default::default()
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Which of these numbers a committee has already.
pub async fn existing(
    db: &impl ConnectionTrait,
    committee_id: i64,
    numbers: &[String],
) -> Result<Vec<String>, DbErr> {
    let mut out = vec![];
    for chunk in numbers.chunks(500) {
        out.extend(
            form_number::Entity::find()
                .filter(form_number::Column::CommitteeOrganizationId.eq(committee_id))
                .filter(form_number::Column::Number.is_in(chunk.iter().cloned()))
                .all(db)
                .await?
                .into_iter()
                .map(|m| m.number),
        );
    }
    Ok(out)
}

/// One number of a committee's register.
pub async fn find(
    db: &impl ConnectionTrait,
    committee_id: i64,
    number: &str,
) -> Result<Option<form_number::Model>, DbErr> {
    form_number::Entity::find()
        .filter(form_number::Column::CommitteeOrganizationId.eq(committee_id))
        .filter(form_number::Column::Number.eq(number))
        .one(db)
        .await
}

/// The numbers bound to (or used by) a case.
pub async fn of_case(
    db: &impl ConnectionTrait,
    candidate_id: i64,
) -> Result<Vec<form_number::Model>, DbErr> {
    form_number::Entity::find()
        .filter(form_number::Column::CandidateId.eq(candidate_id))
        .all(db)
        .await
}

/// The registers' rows holding a number (each committee keeps its own).
pub async fn by_number(
    db: &impl ConnectionTrait,
    number: &str,
) -> Result<Vec<form_number::Model>, DbErr> {
    form_number::Entity::find()
        .filter(form_number::Column::Number.eq(number))
        .all(db)
        .await
}

/// Whether a committee keeps a register (has registered any number).
pub async fn has_register(db: &impl ConnectionTrait, committee_id: i64) -> Result<bool, DbErr> {
    Ok(form_number::Entity::find()
        .filter(form_number::Column::CommitteeOrganizationId.eq(committee_id))
        .limit(1)
        .one(db)
        .await?
        .is_some())
}

/// Voids a number (spoilt, lost, or replaced by a corrected pre-review).
pub async fn void(
    db: &impl ConnectionTrait,
    row: form_number::Model,
    on: Date,
    reason: String,
) -> Result<(), DbErr> {
    let mut a: form_number::ActiveModel = row.into();
    a.status = Set(FormStatus::Voided.as_str().into());
    a.voided_on = Set(Some(on));
    a.void_reason = Set(Some(reason));
    a.update(db).await.map(|_| ())
}

/// Binds a registered number to a case at pre-review.
pub async fn bind(
    db: &impl ConnectionTrait,
    row: form_number::Model,
    case_id: i64,
    on: Date,
) -> Result<(), DbErr> {
    let mut a: form_number::ActiveModel = row.into();
    a.status = Set(FormStatus::Bound.as_str().into());
    a.candidate_id = Set(Some(case_id));
    a.bound_on = Set(Some(on));
    a.update(db).await.map(|_| ())
}

/// Marks a number used: its form was filled in.
pub async fn mark_used(
    db: &impl ConnectionTrait,
    row: form_number::Model,
    on: Date,
) -> Result<(), DbErr> {
    let mut a: form_number::ActiveModel = row.into();
    a.status = Set(FormStatus::Used.as_str().into());
    a.used_on = Set(Some(on));
    a.update(db).await.map(|_| ())
}

/// Records a number bound at pre-review by a committee that keeps no register (still one per
/// person).
pub async fn insert_bound(
    db: &impl ConnectionTrait,
    (committee, number): (i64, &str),
    case_id: i64,
    on: Date,
    created_by: i64,
) -> Result<(), DbErr> {
    let row = form_number::ActiveModel {
        committee_organization_id: Set(committee),
        number: Set(number.to_string()),
        status: Set(FormStatus::Bound.as_str().into()),
        candidate_id: Set(Some(case_id)),
        bound_on: Set(Some(on)),
        created_by: Set(created_by),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    row.insert(db).await.map(|_| ())
}

/// Counts per status of a committee's register.
pub async fn counts(
    db: &impl ConnectionTrait,
    committee_id: i64,
) -> Result<Vec<(String, i64)>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        status: String,
        n: i64,
    }
    let sql = "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM form_numbers WHERE committee_organization_id = $1 GROUP BY status";
    Ok(Row::find_by_statement(super::raw(
        db.get_database_backend(),
        sql,
        vec![committee_id.into()],
    ))
    .all(db)
    .await?
    .into_iter()
    .map(|r| (r.status, r.n))
    .collect())
}

/// A committee's numbers, in order, optionally of one status (at most `limit`).
pub async fn numbers(
    db: &impl ConnectionTrait,
    committee_id: i64,
    status: Option<&str>,
    limit: u64,
) -> Result<Vec<form_number::Model>, DbErr> {
    let mut q = form_number::Entity::find()
        .filter(form_number::Column::CommitteeOrganizationId.eq(committee_id));
    if let Some(s) = status {
        q = q.filter(form_number::Column::Status.eq(s));
    }
    q.order_by_asc(form_number::Column::Number)
        .limit(limit)
        .all(db)
        .await
}

/// Who carries one responsibility on a recorded step: a member (person) or a user.
pub enum Answerable {
    Person(i64),
    User(i64),
}

/// Writes the responsibilities one step (`event`) carries.
pub async fn add_responsibilities(
    db: &impl ConnectionTrait,
    event: &entity::candidate_event::Model,
    carried: Vec<(Responsibility, Answerable)>,
) -> Result<(), DbErr> {
    if carried.is_empty() {
        return Ok(());
    }
    let rows = carried.into_iter().map(|(r, who)| {
        let (person, user) = match who {
            Answerable::Person(p) => (Some(p), None),
            Answerable::User(u) => (None, Some(u)),
        };
        case_responsibility::ActiveModel {
            candidate_id: Set(event.candidate_id),
            event_id: Set(event.id),
            person_id: Set(person),
            user_id: Set(user),
            responsibility: Set(r.as_str().into()),
            occurred_on: Set(event.occurred_on),
            ..Default::default()
        }
    });
    case_responsibility::Entity::insert_many(rows)
        .exec(db)
        .await
        .map(|_| ())
}

/// Drops the responsibilities of an event that a correction replaces.
pub async fn drop_responsibilities(db: &impl ConnectionTrait, event_id: i64) -> Result<(), DbErr> {
    case_responsibility::Entity::delete_many()
        .filter(case_responsibility::Column::EventId.eq(event_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// The responsibilities of a member (person) or a user, newest first (at most `limit`).
pub async fn responsibilities_of(
    db: &impl ConnectionTrait,
    person_id: Option<i64>,
    user_id: Option<i64>,
    limit: u64,
) -> Result<Vec<case_responsibility::Model>, DbErr> {
    let mut q = case_responsibility::Entity::find();
    if let Some(p) = person_id {
        q = q.filter(case_responsibility::Column::PersonId.eq(p));
    }
    if let Some(u) = user_id {
        q = q.filter(case_responsibility::Column::UserId.eq(u));
    }
    q.order_by_desc(case_responsibility::Column::OccurredOn)
        .order_by_desc(case_responsibility::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
