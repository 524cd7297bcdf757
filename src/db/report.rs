//! Reports and report schedules.

use entity::{report, report_schedule};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ConnectionTrait, ExprTrait, QueryOrder};

/// The report of (organization, year, period).
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: i64,
    year: i32,
    period: &str,
) -> Result<Option<report::Model>, DbErr> {
    report::Entity::find()
        .filter(report::Column::OrganizationId.eq(organization_id))
        .filter(report::Column::Year.eq(year))
        .filter(report::Column::Period.eq(period))
        .one(db)
        .await
}

/// One report.
pub async fn find_by_id(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<report::Model>, DbErr> {
    report::Entity::find_by_id(id).one(db).await
}

/// Reports of some organizations for (year, period).
pub async fn of_orgs(
    db: &impl ConnectionTrait,
    orgs: &[i64],
    year: i32,
    period: &str,
) -> Result<Vec<report::Model>, DbErr> {
    report::Entity::find()
        .filter(report::Column::OrganizationId.is_in(orgs.iter().copied()))
        .filter(report::Column::Year.eq(year))
        .filter(report::Column::Period.eq(period))
        .order_by_asc(report::Column::Id)
        .all(db)
        .await
}

/// Inserts a report.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: report::ActiveModel,
) -> Result<report::Model, DbErr> {
    row.insert(db).await
}

/// Saves a report if its version is unchanged (bumping it).
pub async fn update_if_version(
    db: &impl ConnectionTrait,
    id: i64,
    expected_version: i32,
    mut row: report::ActiveModel,
) -> Result<bool, DbErr> {
    row.id = sea_orm::ActiveValue::NotSet;
    row.version = sea_orm::ActiveValue::NotSet;
    let res = report::Entity::update_many()
        .set(row)
        .col_expr(
            report::Column::Version,
            Expr::col(report::Column::Version).add(1),
        )
        .filter(report::Column::Id.eq(id))
        .filter(report::Column::Version.eq(expected_version))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Sets (or replaces) the due date a collector sets for a period.
pub async fn set_schedule(
    db: &impl ConnectionTrait,
    collector: i64,
    year: i32,
    period: &str,
    due_on: Date,
) -> Result<(), DbErr> {
    let existing = report_schedule::Entity::find()
        .filter(report_schedule::Column::CollectorOrganizationId.eq(collector))
        .filter(report_schedule::Column::Year.eq(year))
        .filter(report_schedule::Column::Period.eq(period))
        .one(db)
        .await?;
    match existing {
        Some(s) => {
            let mut a: report_schedule::ActiveModel = s.into();
            a.due_on = Set(due_on);
            a.update(db).await.map(|_| ())
        }
        None => report_schedule::ActiveModel {
            collector_organization_id: Set(collector),
            year: Set(year),
            period: Set(period.into()),
            due_on: Set(due_on),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .map(|_| ()),
    }
}

/// The schedules set by any of `collectors` for (year, period).
pub async fn schedules(
    db: &impl ConnectionTrait,
    collectors: &[i64],
    year: i32,
    period: &str,
) -> Result<Vec<report_schedule::Model>, DbErr> {
    report_schedule::Entity::find()
        .filter(report_schedule::Column::CollectorOrganizationId.is_in(collectors.iter().copied()))
        .filter(report_schedule::Column::Year.eq(year))
        .filter(report_schedule::Column::Period.eq(period))
        .all(db)
        .await
}
