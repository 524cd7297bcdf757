//! People rows: candidates' personal data and Party members.

use super::Page;
use crate::domain::organization::subtree_upper_bound;
use crate::domain::pipeline::person::{PersonRecord, join_occupations};
use entity::organization;
use entity::person::{ActiveModel, Column, Entity, Model};
use sea_orm::prelude::*;
use sea_orm::sea_query::Query;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder, QuerySelect};

/// Inserts new people (rows from [`new_row`]) in statements of 500 and returns them.
pub async fn insert_all(
    db: &impl ConnectionTrait,
    rows: Vec<ActiveModel>,
) -> Result<Vec<Model>, DbErr> {
    let mut out = Vec::with_capacity(rows.len());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<ActiveModel> = rows.by_ref().take(500).collect();
        out.extend(Entity::insert_many(chunk).exec_with_returning(db).await?);
    }
    Ok(out)
}

/// An active model for a new person in an organization.
pub fn new_row(org_id: i64, p: &PersonRecord, member: Option<(Option<Date>, bool)>) -> ActiveModel {
    let now = chrono::Utc::now();
    ActiveModel {
        organization_id: Set(org_id),
        name: Set(p.name.clone()),
        gender: Set(p.gender.as_str().into()),
        ethnicity: Set(p.ethnicity.clone()),
        birth_date: Set(p.birth_date),
        id_card_number: Set(p.id_card_number.clone()),
        phone: Set(p.phone.clone()),
        education: Set(p.education.as_str().into()),
        occupations: Set(join_occupations(&p.occupations)),
        is_frontline: Set(p.is_frontline),
        is_league_member: Set(p.is_league_member),
        household_registration: Set(p.household_registration.clone()),
        is_migrant: Set(p.is_migrant),
        outflow_organization_id: Set(p.outflow_organization_id),
        outflow_organization_name: Set(p.outflow_organization_name.clone()),
        residence_organization_id: Set(p.residence_organization_id),
        is_business_owner: Set(p.is_business_owner),
        is_high_level_talent: Set(p.is_high_level_talent),
        has_political_violation: Set(p.has_political_violation),
        expected_departure_on: Set(p.expected_departure_on),
        is_party_member: Set(member.is_some()),
        party_member_since: Set(member.and_then(|m| m.0)),
        under_party_probation: Set(member.is_some_and(|m| m.1)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// People by ids (for batch loaders and step checks).
pub async fn find_by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// One person.
pub async fn find_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// ID-card numbers among `numbers` that are already on file (asked 1,000 at a time).
pub async fn existing_id_cards(
    db: &impl ConnectionTrait,
    numbers: &[String],
) -> Result<Vec<String>, DbErr> {
    let mut found = vec![];
    for chunk in numbers.chunks(1000) {
        let rows = Entity::find()
            .select_only()
            .column(Column::IdCardNumber)
            .filter(Column::IdCardNumber.is_in(chunk.iter().cloned()))
            .into_tuple::<Option<String>>()
            .all(db)
            .await?;
        found.extend(rows.into_iter().flatten());
    }
    Ok(found)
}

/// The Party members of a subtree.
///
/// Membership is a plain condition on the column, not a bound `= true`: the index of members
/// (`ix_people_party_members`, migration 15) holds members only, and PostgreSQL can use a
/// partial index in a generic plan only when the query states the index's condition itself.
fn members_under(path: &str) -> Select<Entity> {
    let orgs = Query::select()
        .column(organization::Column::Id)
        .from(organization::Entity)
        .and_where(organization::Column::Path.gte(path.to_string()))
        .and_where(organization::Column::Path.lt(subtree_upper_bound(path)))
        .to_owned();
    Entity::find()
        .filter(Expr::col((Entity, Column::IsPartyMember)))
        .filter(Column::OrganizationId.in_subquery(orgs))
}

/// A page of the Party members of a subtree.
pub async fn list_members(
    db: &impl ConnectionTrait,
    path: &str,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let rows = members_page(path, after_id, limit).all(db).await?;
    Ok(Page::from_overfetch(rows, limit))
}

/// The query of [`list_members`] (one row more than the page, to tell whether more follow).
pub fn members_page(path: &str, after_id: Option<i64>, limit: u64) -> Select<Entity> {
    let mut q = members_under(path);
    if let Some(a) = after_id {
        q = q.filter(Column::Id.gt(a));
    }
    q.order_by_asc(Column::Id).limit(limit + 1)
}

/// Number of Party members in a subtree.
pub async fn count_members(db: &impl ConnectionTrait, path: &str) -> Result<u64, DbErr> {
    members_under(path).count(db).await
}
