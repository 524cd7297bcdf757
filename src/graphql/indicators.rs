//! Indicators for higher levels (ANALYST included; no personal data) and the per-child table.

use super::context::ContextExt;
use super::enums::Stage;
use super::ids::{self, NodeType};
use super::organization::Organization;
use super::plan::PlanCategory;
use super::scalars::Date;
use crate::domain::pipeline::model;
use crate::domain::plan::figures::{self, Pools, percent as pct};
use crate::service::indicators::{self as service, CATEGORIES};
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};

/// A count with its share of a base (percent, one decimal; null when the base is 0).
#[derive(SimpleObject, Clone)]
pub struct Figure {
    /// What is counted (a code: a category, an education level, an occupation, a stage…).
    pub value: String,
    /// Count.
    pub count: i64,
    /// Share of the base, in percent.
    pub percent: Option<f64>,
}

fn figures(list: Vec<(String, i64)>, base: i64) -> Vec<Figure> {
    list.into_iter()
        .map(|(value, count)| Figure {
            percent: pct(count, base),
            value,
            count,
        })
        .collect()
}

/// A structure category of the admitted.
#[derive(SimpleObject)]
pub struct StructureFigure {
    /// Category.
    pub category: Option<PlanCategory>,
    /// New members in it.
    pub count: i64,
    /// Share of the admitted (talent-exempt apart), percent.
    pub percent: Option<f64>,
}

/// Cases in one stage now.
#[derive(SimpleObject)]
pub struct StageFigure {
    /// Stage.
    pub stage: Stage,
    /// Cases.
    pub count: i64,
}

/// A pipeline ratio and the target it is held against.
#[derive(SimpleObject)]
pub struct RatioFigure {
    /// Which ratio (APPLICANTS_ACTIVISTS_TARGETS, ACTIVISTS_TARGETS, ACTIVISTS_PLAN).
    pub kind: String,
    /// The target's parts, e.g. [6, 3, 1].
    pub target: Vec<u32>,
    /// The counts now, in the same order.
    pub actual: Vec<i64>,
    /// Whether every earlier pool is at least its share of the last.
    pub met: bool,
}

/// Process health (as of the day asked about).
#[derive(SimpleObject)]
pub struct ProcessHealth {
    /// Applicants not talked to within a month.
    pub talks_overdue: i64,
    /// Admissions voted but not approved within three months.
    pub approvals_overdue: i64,
    /// Approved probationers without an oath after a month.
    pub oaths_overdue: i64,
    /// Probations ended without a conversion meeting.
    pub conversions_overdue: i64,
    /// Letters received by the subtree, unanswered past their due date.
    pub letters_overdue: i64,
    /// Probations extended (now).
    pub extensions: i64,
    /// Probationary memberships cancelled (all time).
    pub cancellations: i64,
    /// Developments declared invalid (applications of the year).
    pub invalidated: i64,
}

/// Applications of the year (cases whose application date falls in it), by their current stage,
/// gender and education.
#[derive(SimpleObject)]
pub struct ApplicationFigures {
    /// Applications.
    pub total: i64,
    /// By current stage.
    pub by_stage: Vec<Figure>,
    /// By gender.
    pub by_gender: Vec<Figure>,
    /// By education.
    pub by_education: Vec<Figure>,
}

/// The indicators of a subtree for a year, read from the counters kept with every step.
pub struct Indicators(service::Indicators);

/// The indicators of a subtree for a year, read from the counters kept with every step.
#[Object]
impl Indicators {
    /// The organization (the root of the subtree).
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::visible_or_not_found(ctx.actor()?, self.0.organization.clone())
    }

    /// The year.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// The first day the admission and application figures count.
    async fn period_start(&self) -> Option<Date> {
        chrono::NaiveDate::from_ymd_opt(self.0.period.year, self.0.period.from, 1).map(Date)
    }

    /// The last day they count: the period's last day or `asOf`, whichever is first (null when
    /// `asOf` falls before the period).
    async fn period_end(&self) -> Option<Date> {
        self.0.period.end().map(Date)
    }

    /// The plan total (null without a plan).
    async fn plan_total(&self) -> Option<u32> {
        self.0.plan.as_ref().map(|p| p.content.total)
    }

    /// Allocated to the children (null without a plan).
    async fn allocated(&self) -> Option<u32> {
        self.0.allocated
    }

    /// New probationary members approved in the year (talent-exempt apart).
    async fn admitted(&self) -> i64 {
        self.0.counters.get(self.0.year, "admitted", "ALL")
    }

    /// High-level talent admitted in the year, outside the plan.
    async fn talent_exempt(&self) -> i64 {
        self.0.counters.get(self.0.year, "admitted", "TALENT")
    }

    /// Admitted / plan, percent.
    async fn completion_rate(&self) -> Option<f64> {
        let plan = i64::from(self.0.plan.as_ref()?.content.total);
        pct(self.0.counters.get(self.0.year, "admitted", "ALL"), plan)
    }

    /// (Admitted − plan) / plan, percent.
    async fn deviation_percent(&self) -> Option<f64> {
        let plan = self.0.plan.as_ref()?.content.total;
        figures::deviation_percent(self.0.counters.get(self.0.year, "admitted", "ALL"), plan)
    }

    /// Whether the deviation is inside the ±10 % band.
    async fn inside_band(&self) -> Option<bool> {
        let plan = self.0.plan.as_ref()?.content.total;
        figures::inside_band(self.0.counters.get(self.0.year, "admitted", "ALL"), plan)
    }

    /// Structure of the admitted: women, ethnic minority, ≤35, ≤25, education, occupations,
    /// two-new, frontline.
    async fn structure(&self) -> Vec<StructureFigure> {
        let y = self.0.year;
        let base = self.0.counters.get(y, "admitted", "ALL");
        CATEGORIES
            .iter()
            .map(|c| {
                let n = self.0.counters.get(y, "category", c.as_str());
                StructureFigure {
                    category: Some((*c).into()),
                    count: n,
                    percent: pct(n, base),
                }
            })
            .collect()
    }

    /// The admitted by education level.
    async fn by_education(&self) -> Vec<Figure> {
        let y = self.0.year;
        figures(
            self.0.counters.values(y, "education"),
            self.0.counters.get(y, "admitted", "ALL"),
        )
    }

    /// The admitted by occupation (one person may count in several).
    async fn by_occupation(&self) -> Vec<Figure> {
        let y = self.0.year;
        figures(
            self.0.counters.values(y, "occupation"),
            self.0.counters.get(y, "admitted", "ALL"),
        )
    }

    /// Cases per stage now.
    async fn pipeline(&self) -> Vec<StageFigure> {
        model::Stage::ALL
            .into_iter()
            .map(|s| StageFigure {
                stage: s.into(),
                count: self.0.counters.get(0, "stage", s.as_str()),
            })
            .collect()
    }

    /// Pipeline ratios against the plan's ratio targets.
    async fn ratios(&self) -> Vec<RatioFigure> {
        let Some(plan) = &self.0.plan else {
            return vec![];
        };
        let c = &self.0.counters;
        let pools = Pools {
            applicants: c.get(0, "stage", model::Stage::Applicant.as_str()),
            activists: c.get(0, "stage", model::Stage::Activist.as_str()),
            targets: c.get(0, "stage", model::Stage::DevelopmentTarget.as_str()),
        };
        plan.content
            .ratios
            .iter()
            .map(|r| {
                let actual = r.actual(pools, plan.content.total);
                RatioFigure {
                    kind: r.kind.as_str().into(),
                    target: r.parts.clone(),
                    met: r.met(&actual),
                    actual,
                }
            })
            .collect()
    }

    /// Applications of the year by current stage, gender and education.
    async fn applications(&self) -> ApplicationFigures {
        let y = self.0.year;
        let c = &self.0.counters;
        let total = c.get(y, "app_total", "ALL");
        ApplicationFigures {
            total,
            by_stage: figures(c.values(y, "app_stage"), total),
            by_gender: figures(c.values(y, "app_gender"), total),
            by_education: figures(c.values(y, "app_education"), total),
        }
    }

    /// Process health as of the day asked about (computed when selected).
    async fn process_health(&self, ctx: &Context<'_>) -> Result<ProcessHealth> {
        let db = &ctx.state().read_db;
        let [talks, approvals, oaths, conversions] =
            service::overdue(db, &self.0.organization.path, self.0.as_of).await?;
        let letters = crate::db::letter::count(
            db,
            &crate::db::letter::LetterFilter {
                under_path: self.0.organization.path.clone(),
                mailbox: crate::db::letter::Box::Inbox,
                status: None,
                overdue_on: Some(self.0.as_of),
                kind: None,
            },
        )
        .await
        .map_err(crate::error::AppError::from)? as i64;
        let c = &self.0.counters;
        Ok(ProcessHealth {
            talks_overdue: talks,
            approvals_overdue: approvals,
            oaths_overdue: oaths,
            conversions_overdue: conversions,
            letters_overdue: letters,
            extensions: c.get(0, "flag", "EXTENDED"),
            cancellations: c.get(0, "stage", model::Stage::Cancelled.as_str()),
            invalidated: c.get(self.0.year, "invalidated", "ALL"),
        })
    }

    /// Rush development (突击发展, I12): December's admissions against the year's, flagged when
    /// above the local rules' `yearEndRushPercent`, and graduating students admitted in their
    /// last two months at school.
    #[graphql(complexity = "super::weights::aggregate(child_complexity)")]
    async fn rush(&self, ctx: &Context<'_>) -> Result<Rush> {
        let db = &ctx.state().read_db;
        let (y, c) = (self.0.year, &self.0.counters);
        let n = |v: i64| u32::try_from(v.max(0)).unwrap_or(0);
        // December from the monthly counters, the year from the whole-year ones.
        let december = crate::service::period::counters(
            db,
            &self.0.organization.path,
            &[self.0.organization.id],
            &crate::service::period::Period {
                year: y,
                from: 12,
                to: 12,
                as_of: self.0.as_of,
            },
            crate::clock::today(),
        )
        .await?
        .remove(&self.0.organization.id)
        .unwrap_or_default()
        .get(y, "admitted", "ALL");
        let rules = crate::db::local_rules::effective(db, &self.0.organization.path)
            .await
            .map_err(crate::error::AppError::from)?;
        let r = crate::domain::plan::rush::year_end_rush(
            n(december),
            n(c.get(y, "admitted", "ALL")),
            rules.year_end_rush_percent,
        );
        Ok(Rush {
            december_admitted: r.december,
            year_admitted: r.year,
            december_share_percent: r.share_percent,
            threshold_percent: r.threshold_percent,
            flagged: r.flagged,
            graduating_students_admitted_late: service::graduating_students_rushed(
                db,
                &self.0.organization.path,
                y,
            )
            .await?,
        })
    }

    /// Two-new organizations with members related to their owner within three generations
    /// (I1): the related share of their members (at most 500, most related first).
    #[graphql(
        complexity = "super::weights::aggregate(super::weights::child_rows(child_complexity))"
    )]
    async fn kinship(&self, ctx: &Context<'_>) -> Result<Vec<KinshipShare>> {
        let actor = ctx.actor()?;
        Ok(
            service::kinship_shares(&ctx.state().read_db, &self.0.organization.path)
                .await?
                .into_iter()
                .filter_map(|(o, related)| {
                    let members = u32::try_from(o.member_count).unwrap_or(0);
                    Some(KinshipShare {
                        members,
                        related,
                        share_percent: pct(i64::from(related), i64::from(members)),
                        over_half: related * 2 > members,
                        organization: Organization::visible(actor, o)?,
                    })
                })
                .collect(),
        )
    }

    /// Branches with no admission in this year and the year before (at most 500 listed).
    #[graphql(
        complexity = "super::weights::aggregate(super::weights::child_rows(child_complexity))"
    )]
    async fn idle_branches(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        let actor = ctx.actor()?;
        Ok(
            service::idle_branches(&ctx.state().read_db, &self.0.organization.path, self.0.year)
                .await?
                .into_iter()
                .filter_map(|o| Organization::visible(actor, o))
                .collect(),
        )
    }
}

/// A two-new organization's members related to its owner (I1).
#[derive(SimpleObject)]
pub struct KinshipShare {
    /// The organization.
    pub organization: Organization,
    /// Its members (as the organization records its member count).
    pub members: u32,
    /// Of whom related to the owner within three generations.
    pub related: u32,
    /// The related share, percent.
    pub share_percent: Option<f64>,
    /// More than half are related.
    pub over_half: bool,
}

/// Rush development (I12) in a subtree's year.
#[derive(SimpleObject)]
pub struct Rush {
    /// Admitted in December (talent-exempt apart).
    pub december_admitted: u32,
    /// Admitted in the year (up to `asOf`).
    pub year_admitted: u32,
    /// December's share of the year, percent (null without admissions).
    pub december_share_percent: Option<f64>,
    /// The local threshold (`yearEndRushPercent`; null: not set, never flagged).
    pub threshold_percent: Option<u32>,
    /// December's share is above the threshold.
    pub flagged: bool,
    /// Students admitted within two months before their expected departure (graduation).
    pub graduating_students_admitted_late: u32,
}

/// How a table is broken down.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableBreakdown {
    /// One row per direct child.
    Child,
}

/// One row of the per-child table (the columns of the annex tables real plans print).
pub struct IndicatorRow {
    organization: Option<Organization>,
    row: service::TableRow,
}

impl IndicatorRow {
    /// A row of the table as the actor may see it (its organization through the scope check).
    fn new(actor: &crate::domain::Actor, row: service::TableRow) -> Self {
        IndicatorRow {
            organization: row
                .organization
                .clone()
                .and_then(|o| Organization::visible(actor, o)),
            row,
        }
    }
}

/// One row of the per-child table (the columns of the annex tables real plans print).
#[Object]
impl IndicatorRow {
    /// The child (null on the total row).
    async fn organization(&self) -> Option<&Organization> {
        self.organization.as_ref()
    }

    /// Whether this is the total row.
    async fn is_total(&self) -> bool {
        self.row.organization.is_none()
    }

    /// Planned (计划数).
    async fn planned(&self) -> Option<u32> {
        self.row.planned
    }

    /// Of which ≤ 35 planned.
    async fn planned_under_35(&self) -> Option<u32> {
        self.row.planned_under_35
    }

    /// Of which college+ planned.
    async fn planned_college_plus(&self) -> Option<u32> {
        self.row.planned_college_plus
    }

    /// Completion month.
    async fn completion_month(&self) -> Option<&str> {
        self.row.completion_month.as_deref()
    }

    /// Admitted so far this year.
    async fn admitted(&self) -> i64 {
        self.row.admitted
    }

    /// Of which ≤ 35.
    async fn admitted_under_35(&self) -> i64 {
        self.row.admitted_under_35
    }

    /// Of which college+.
    async fn admitted_college_plus(&self) -> i64 {
        self.row.admitted_college_plus
    }

    /// High-level talent, outside the plan.
    async fn talent_exempt(&self) -> i64 {
        self.row.talent_exempt
    }

    /// Cases in the pipeline now (every stage).
    async fn candidates(&self) -> i64 {
        self.row.candidates
    }
}

/// Indicator queries.
#[derive(Default)]
pub struct IndicatorQuery;

#[Object]
impl IndicatorQuery {
    /// The indicators of a subtree for a year (ANALYST included; nothing personal).
    #[graphql(complexity = "super::weights::aggregate(child_complexity)")]
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Root of the subtree; default: your organization.")]
        organization_id: Option<ID>,
        #[graphql(desc = "The year.")] year: i32,
        #[graphql(
            desc = "The day process health and the plan are judged on (default: today, China Standard Time)."
        )]
        as_of: Option<Date>,
        #[graphql(
            desc = "The months the admission and application figures (admitted, talent, structure, education, occupation, applications) count: the year (default), H1 or a quarter, cut at `asOf`; other figures are the year's or the current stock.",
            default_with = "super::report::ReportPeriod::Annual"
        )]
        period: super::report::ReportPeriod,
    ) -> Result<Indicators> {
        let actor = ctx.actor()?;
        let year = super::args::year(year, "year")?;
        let id = match organization_id {
            Some(id) => ids::decode(NodeType::Organization, &id, "organizationId")?,
            None => actor.organization_id,
        };
        let as_of = as_of.map(|d| d.0).unwrap_or_else(crate::clock::today);
        let period = crate::service::period::Period::named(year, period.code(), as_of)
            .unwrap_or_else(|| crate::service::period::Period::year(year, as_of));
        Ok(Indicators(
            service::get(&ctx.state().read_db, actor, id, period).await?,
        ))
    }

    /// One row per child plus a total row: planned, ≤35, college+, completion month, admitted.
    #[graphql(
        complexity = "super::weights::aggregate(super::weights::child_rows(child_complexity))"
    )]
    async fn indicator_table(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization whose children are listed.")] organization_id: ID,
        #[graphql(desc = "The year.")] year: i32,
        #[graphql(desc = "Breakdown (CHILD).", default_with = "TableBreakdown::Child")]
        by: TableBreakdown,
        #[graphql(desc = "The plans as of this day (default: today).")] as_of: Option<Date>,
    ) -> Result<Vec<IndicatorRow>> {
        let _ = by;
        let actor = ctx.actor()?;
        let year = super::args::year(year, "year")?;
        let id = ids::decode(NodeType::Organization, &organization_id, "organizationId")?;
        let as_of = as_of.map(|d| d.0).unwrap_or_else(crate::clock::today);
        Ok(service::table(&ctx.state().read_db, actor, id, year, as_of)
            .await?
            .into_iter()
            .map(|r| IndicatorRow::new(actor, r))
            .collect())
    }
}
