//! Indicators for higher levels: read from the counters kept with every step (a few dozen rows
//! per organization), with the plan they are held against. No personal data.

use super::period::Period;
use crate::clock::today;
use crate::db;
use crate::domain::plan::{Category, PlanLine};
use crate::domain::{Actor, Permission};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::organization;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::collections::HashMap;

fn may_read(actor: &Actor) -> AppResult<()> {
    if actor.may(Permission::ReadIndicators) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "role {} may not read indicators",
            actor.role
        )))
    }
}

/// The counters of one organization for the year (and the stock).
#[derive(Debug, Clone, Default)]
pub struct Counters(HashMap<(i32, String, String), i64>);

impl Counters {
    /// One counter.
    pub fn get(&self, year: i32, dimension: &str, value: &str) -> i64 {
        self.0
            .get(&(year, dimension.to_string(), value.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Every value of a dimension in a year, sorted by value.
    pub fn values(&self, year: i32, dimension: &str) -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = self
            .0
            .iter()
            .filter(|((y, d, _), _)| *y == year && d == dimension)
            .map(|((_, _, v), n)| (v.clone(), *n))
            .collect();
        v.sort();
        v
    }

    /// Adds to one counter.
    pub fn add(&mut self, year: i32, dimension: &str, value: &str, n: i64) {
        *self
            .0
            .entry((year, dimension.to_string(), value.to_string()))
            .or_default() += n;
    }

    /// Drops a year's counters of some dimensions (before a period's figures replace them).
    pub fn clear_year(&mut self, year: i32, dimensions: &[&str]) {
        self.0
            .retain(|(y, d, _), _| *y != year || !dimensions.contains(&d.as_str()));
    }

    /// The current number of cases in each stage, summed.
    pub fn pipeline_total(&self) -> i64 {
        self.values(0, "stage").iter().map(|(_, n)| n).sum()
    }
}

/// Counters of several organizations at once (one statement).
pub async fn counters(
    db: &impl ConnectionTrait,
    orgs: &[i64],
    year: i32,
) -> AppResult<HashMap<i64, Counters>> {
    let rows = db::counts::for_orgs(db, orgs, &[0, year, year - 1]).await?;
    let mut out: HashMap<i64, Counters> = HashMap::new();
    for r in rows {
        out.entry(r.organization_id)
            .or_default()
            .0
            .insert((r.year, r.dimension, r.value), r.n);
    }
    Ok(out)
}

/// The indicators of a subtree for a period of a year.
pub struct Indicators {
    pub organization: organization::Model,
    pub year: i32,
    pub period: Period,
    pub as_of: NaiveDate,
    pub counters: Counters,
    pub plan: Option<crate::service::plan::PlanView>,
    pub allocated: Option<u32>,
}

/// Reads the indicators of an organization of the actor's subtree.
pub async fn get(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: i64,
    period: Period,
) -> AppResult<Indicators> {
    may_read(actor)?;
    let org = super::organization::get_visible(db, actor, organization_id).await?;
    of_organization(db, actor, org, period).await
}

/// The indicators of a visible organization, without the role check: the snapshot a report
/// submission (ORGANIZER or PARTNER) stores. PARTNER never reads them through `indicators`.
pub(crate) async fn of_organization(
    db: &DatabaseConnection,
    actor: &Actor,
    org: organization::Model,
    period: Period,
) -> AppResult<Indicators> {
    let (year, as_of) = (period.year, period.as_of);
    let counters = super::period::counters(db, &org.path, &[org.id], &period, today())
        .await?
        .remove(&org.id)
        .unwrap_or_default();
    let plan = match super::plan::get(db, actor, org.id, year, PlanLine::General, as_of).await {
        Ok(p) => Some(p),
        Err(AppError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let allocated = match &plan {
        Some(p) => Some(
            super::plan::allocations(db, p)
                .await?
                .iter()
                .map(|a| a.content.total)
                .sum(),
        ),
        None => None,
    };
    Ok(Indicators {
        organization: org,
        year,
        period,
        as_of,
        counters,
        plan,
        allocated,
    })
}

/// The structure categories in the order the annex tables print them.
pub const CATEGORIES: &[Category] = &[
    Category::Women,
    Category::EthnicMinority,
    Category::Age35AndUnder,
    Category::Age25AndUnder,
    Category::CollegePlus,
    Category::HighSchoolPlus,
    Category::PostgraduateUndergraduate,
    Category::Workers,
    Category::Farmers,
    Category::ManagersProfessionals,
    Category::Students,
    Category::TwoNew,
    Category::Frontline,
];

/// Process health as of a day: overdue talks, approvals, oaths, conversions (date-dependent, so
/// counted from the cases of the subtree when asked for).
pub async fn overdue(
    db: &impl ConnectionTrait,
    path: &str,
    as_of: NaiveDate,
) -> AppResult<[i64; 4]> {
    Ok(db::indicators::overdue(db, path, as_of).await?)
}

/// Branches of a subtree with no admission in the year and the year before.
pub async fn idle_branches(
    db: &impl ConnectionTrait,
    path: &str,
    year: i32,
) -> AppResult<Vec<organization::Model>> {
    Ok(db::indicators::idle_branches(db, path, year).await?)
}

/// One row of the per-child table.
#[derive(Debug, Clone)]
pub struct TableRow {
    pub organization: Option<organization::Model>,
    pub planned: Option<u32>,
    pub planned_under_35: Option<u32>,
    pub planned_college_plus: Option<u32>,
    pub completion_month: Option<String>,
    pub admitted: i64,
    pub admitted_under_35: i64,
    pub admitted_college_plus: i64,
    pub talent_exempt: i64,
    pub candidates: i64,
}

/// One row per child plus a total row (`organization` = None), as the annex tables print.
pub async fn table(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: i64,
    year: i32,
    as_of: NaiveDate,
) -> AppResult<Vec<TableRow>> {
    may_read(actor)?;
    let org = super::organization::get_visible(db, actor, organization_id).await?;
    let children = db::indicators::children(db, org.id).await?;
    let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let counts =
        super::period::counters(db, &org.path, &ids, &Period::year(year, as_of), today()).await?;
    let plans =
        db::plan::children_plans(db, org.id, year, PlanLine::General.as_str(), as_of).await?;
    let mut rows = vec![];
    let mut total = TableRow {
        organization: None,
        planned: Some(0),
        planned_under_35: Some(0),
        planned_college_plus: Some(0),
        completion_month: None,
        admitted: 0,
        admitted_under_35: 0,
        admitted_college_plus: 0,
        talent_exempt: 0,
        candidates: 0,
    };
    for c in children {
        let k = counts.get(&c.id).cloned().unwrap_or_default();
        let plan = plans
            .iter()
            .find(|(o, _, _)| o.id == c.id)
            .and_then(|(_, _, r)| {
                serde_json::from_str::<crate::domain::plan::PlanContent>(&r.content).ok()
            });
        let row = TableRow {
            planned: plan.as_ref().map(|p| p.total),
            planned_under_35: plan.as_ref().and_then(|p| p.under_35),
            planned_college_plus: plan.as_ref().and_then(|p| p.college_plus),
            completion_month: plan.as_ref().and_then(|p| p.completion_month.clone()),
            admitted: k.get(year, "admitted", "ALL"),
            admitted_under_35: k.get(year, "category", "AGE_35_AND_UNDER"),
            admitted_college_plus: k.get(year, "category", "COLLEGE_PLUS"),
            talent_exempt: k.get(year, "admitted", "TALENT"),
            candidates: k.pipeline_total(),
            organization: Some(c),
        };
        let add = |a: &mut Option<u32>, b: Option<u32>| *a = Some(a.unwrap_or(0) + b.unwrap_or(0));
        add(&mut total.planned, row.planned);
        add(&mut total.planned_under_35, row.planned_under_35);
        add(&mut total.planned_college_plus, row.planned_college_plus);
        total.admitted += row.admitted;
        total.admitted_under_35 += row.admitted_under_35;
        total.admitted_college_plus += row.admitted_college_plus;
        total.talent_exempt += row.talent_exempt;
        total.candidates += row.candidates;
        rows.push(row);
    }
    rows.push(total);
    Ok(rows)
}

/// The flat figures of the indicators (for report snapshots and reconciliation).
pub fn figures(i: &Indicators) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::json;
    let y = i.year;
    let mut m = serde_json::Map::new();
    m.insert(
        "planTotal".into(),
        json!(i.plan.as_ref().map(|p| p.content.total)),
    );
    m.insert("allocated".into(), json!(i.allocated));
    m.insert(
        "admitted".into(),
        json!(i.counters.get(y, "admitted", "ALL")),
    );
    m.insert(
        "talentExempt".into(),
        json!(i.counters.get(y, "admitted", "TALENT")),
    );
    for c in CATEGORIES {
        m.insert(
            format!("category.{}", c.as_str()),
            json!(i.counters.get(y, "category", c.as_str())),
        );
    }
    for s in crate::domain::pipeline::model::Stage::ALL {
        m.insert(
            format!("stage.{}", s.as_str()),
            json!(i.counters.get(0, "stage", s.as_str())),
        );
    }
    m.insert(
        "applications".into(),
        json!(i.counters.get(y, "app_total", "ALL")),
    );
    m
}

/// Students admitted in the year within two months before leaving school (I12), of a subtree.
pub async fn graduating_students_rushed(
    db: &impl ConnectionTrait,
    path: &str,
    year: i32,
) -> AppResult<u32> {
    let rows = db::indicators::students_admitted(db, path, year).await?;
    Ok(rows
        .iter()
        .filter(|(approved_on, departure_on)| {
            crate::domain::plan::rush::admitted_in_last_two_months(*approved_on, *departure_on)
        })
        .count() as u32)
}

/// Two-new organizations of a subtree with members related to their owner within three
/// generations (I1): the organization and how many (at most 500, most related first).
pub async fn kinship_shares(
    db: &impl ConnectionTrait,
    path: &str,
) -> AppResult<Vec<(organization::Model, u32)>> {
    let rows = db::indicators::kinship_counts(db, path).await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let orgs = db::organization::find_by_ids(db, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| {
            orgs.iter()
                .find(|o| o.id == id)
                .map(|o| (o.clone(), u32::try_from(n).unwrap_or(0)))
        })
        .collect())
}
