//! Guidance plans (指导性计划): entry as issued, revisions, allocation rows, findings.

use super::context::ContextExt;
use super::ids::{self, NodeType};
use super::organization::Organization;
use super::scalars::Date;
use crate::domain::plan::{self as rules, PlanContent, PlanLine as DomainLine};
use crate::error::{AppError, AppResult};
use crate::service::plan::{self as service, PlanView};
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Datelike, Utc};

/// A structure category (结构目标类别).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanCategory {
    /// 35 周岁及以下 (age at the admission meeting, inclusive).
    Age35AndUnder,
    /// 25 周岁及以下.
    Age25AndUnder,
    /// 大专及以上.
    CollegePlus,
    /// 高中及以上.
    HighSchoolPlus,
    /// 研究生和大学本科.
    PostgraduateUndergraduate,
    /// 女性.
    Women,
    /// 少数民族.
    EthnicMinority,
    /// 产业工人 (incl. migrant and dispatched workers).
    Workers,
    /// 农牧渔民.
    Farmers,
    /// 管理和专业技术人员.
    ManagersProfessionals,
    /// 学生 (usually a cap).
    Students,
    /// 非公企业和社会组织 (两新).
    TwoNew,
    /// 生产和工作一线.
    Frontline,
}

/// How a structure target compares.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// 不少于 (a percentage rounds up).
    AtLeast,
    /// 不超过 (a percentage rounds down).
    AtMost,
    /// 左右 (±10 %).
    About,
    /// 力争 (reported as information).
    StriveFor,
}

/// Plan lines.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanLine {
    /// The general quota.
    General,
    /// High-level talent filed with the province, outside the general quota.
    Talent,
    /// Single-listed plans for high-knowledge groups, outside the general quota.
    SingleListed,
}

/// A reserve pool (后备力量).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReservePool {
    /// 孵化对象.
    Incubation,
    /// 入党申请人.
    Applicants,
    /// 入党积极分子.
    Activists,
}

/// A pipeline ratio.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatioKind {
    /// applicants : activists : targets (e.g. 6:3:1).
    ApplicantsActivistsTargets,
    /// activists : targets (e.g. 3:1).
    ActivistsTargets,
    /// activists : the plan total (e.g. 3:1).
    ActivistsPlan,
}

/// Severity of a finding.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// For information.
    Info,
    /// Should be looked at.
    Warning,
    /// The plan contradicts itself.
    Error,
}

fn screaming(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn name_of<T: std::fmt::Debug>(v: T) -> String {
    let s = screaming(&format!("{v:?}"));
    // Age35AndUnder → AGE35_AND_UNDER: put the underscore before digits too.
    s.replacen("AGE35", "AGE_35", 1)
        .replacen("AGE25", "AGE_25", 1)
}

/// The GraphQL category of a stored category name.
pub fn category_of(s: &str) -> Option<PlanCategory> {
    category(s)
}

fn category(s: &str) -> Option<PlanCategory> {
    use PlanCategory::*;
    [
        Age35AndUnder,
        Age25AndUnder,
        CollegePlus,
        HighSchoolPlus,
        PostgraduateUndergraduate,
        Women,
        EthnicMinority,
        Workers,
        Farmers,
        ManagersProfessionals,
        Students,
        TwoNew,
        Frontline,
    ]
    .into_iter()
    .find(|c| name_of(*c) == s)
}

/// A structure target.
#[derive(InputObject)]
pub struct StructureTargetInput {
    /// Category.
    pub category: PlanCategory,
    /// How it compares.
    pub comparator: Comparator,
    /// An absolute count.
    pub count: Option<i32>,
    /// A percentage (0–100).
    pub percent: Option<f64>,
    /// The category the percentage is of (e.g. ≤25 of ≤35); omit for the plan total.
    pub base: Option<PlanCategory>,
}

/// A reserve-pool target.
#[derive(InputObject)]
pub struct ReserveTargetInput {
    /// The pool.
    pub pool: ReservePool,
    /// Count.
    pub count: i32,
    /// Of which in non-public enterprises and social organizations.
    pub non_public: Option<i32>,
}

/// A pipeline ratio target.
#[derive(InputObject)]
pub struct RatioTargetInput {
    /// Which ratio.
    pub kind: RatioKind,
    /// Its parts, e.g. [6, 3, 1].
    pub parts: Vec<i32>,
}

/// What a plan states, as the issuing document states it.
#[derive(InputObject)]
pub struct PlanContentInput {
    /// Planned new members (计划发展党员数).
    pub total: i32,
    /// Of which aged 35 and under (allocation rows).
    pub under_35: Option<i32>,
    /// Of which college and above (allocation rows).
    pub college_plus: Option<i32>,
    /// Completion month (完成时限), `YYYY-MM` in the plan year.
    pub completion_month: Option<String>,
    /// Planned in the first half-year.
    pub first_half: Option<i32>,
    /// Structure targets.
    #[graphql(default)]
    pub targets: Vec<StructureTargetInput>,
    /// Reserve-pool targets.
    #[graphql(default)]
    pub reserve: Vec<ReserveTargetInput>,
    /// Pipeline ratio targets.
    #[graphql(default)]
    pub ratios: Vec<RatioTargetInput>,
    /// The issuing document's number.
    pub document_number: Option<String>,
    /// The issuing document's date.
    pub document_date: Option<Date>,
    /// A note.
    pub note: Option<String>,
    /// The issuer approved allocating more than received (Q1 becomes information).
    #[graphql(default)]
    pub over_allocation_approved: bool,
}

fn count(v: i32, field: &'static str) -> AppResult<u32> {
    u32::try_from(v).map_err(|_| {
        AppError::bad_input(
            field,
            format!("人数不能为负数（{v}）"),
            format!("a count cannot be negative ({v})"),
        )
    })
}

fn opt(v: Option<i32>, field: &'static str) -> AppResult<Option<u32>> {
    v.map(|v| count(v, field)).transpose()
}

impl PlanContentInput {
    fn into_content(self) -> AppResult<PlanContent> {
        Ok(PlanContent {
            total: count(self.total, "total")?,
            under_35: opt(self.under_35, "under35")?,
            college_plus: opt(self.college_plus, "collegePlus")?,
            completion_month: self.completion_month,
            first_half: opt(self.first_half, "firstHalf")?,
            targets: self
                .targets
                .into_iter()
                .map(|t| {
                    Ok(rules::StructureTarget {
                        category: name_of(t.category),
                        comparator: name_of(t.comparator),
                        count: opt(t.count, "targets.count")?,
                        percent: t.percent,
                        base: t.base.map(name_of),
                    })
                })
                .collect::<AppResult<_>>()?,
            reserve: self
                .reserve
                .into_iter()
                .map(|r| {
                    Ok(rules::ReserveTarget {
                        pool: name_of(r.pool),
                        count: count(r.count, "reserve.count")?,
                        non_public: opt(r.non_public, "reserve.nonPublic")?,
                    })
                })
                .collect::<AppResult<_>>()?,
            ratios: self
                .ratios
                .into_iter()
                .map(|r| {
                    Ok(rules::RatioTarget {
                        kind: name_of(r.kind),
                        parts: r
                            .parts
                            .into_iter()
                            .map(|p| count(p, "ratios.parts"))
                            .collect::<AppResult<_>>()?,
                    })
                })
                .collect::<AppResult<_>>()?,
            document_number: self.document_number,
            document_date: self.document_date.map(|d| d.0.to_string()),
            note: self.note,
            over_allocation_approved: self.over_allocation_approved,
        })
    }
}

fn to_domain_line(l: PlanLine) -> DomainLine {
    match l {
        PlanLine::General => DomainLine::General,
        PlanLine::Talent => DomainLine::Talent,
        PlanLine::SingleListed => DomainLine::SingleListed,
    }
}

/// A structure target as stated.
#[derive(SimpleObject)]
pub struct StructureTarget {
    /// Category.
    pub category: Option<PlanCategory>,
    /// Comparator (AT_LEAST, AT_MOST, ABOUT, STRIVE_FOR).
    pub comparator: String,
    /// Count.
    pub count: Option<u32>,
    /// Percentage.
    pub percent: Option<f64>,
    /// The category the percentage is of (null: the plan total).
    pub base: Option<PlanCategory>,
}

/// Progress by month (cumulative).
#[derive(SimpleObject)]
pub struct MonthProgress {
    /// `YYYY-MM`.
    pub month: String,
    /// Planned by the end of the month, per the allocation rows' completion months.
    pub planned_cumulative: u32,
    /// New members admitted by the end of the month (talent-exempt apart).
    pub admitted_cumulative: u32,
}

/// One revision of a plan.
#[derive(SimpleObject)]
pub struct PlanRevision {
    /// Revision number (1 = as first issued).
    pub revision: i32,
    /// In force from this day.
    pub effective_on: Date,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Who recorded it.
    pub actor_user_id: ID,
    /// Why it changed.
    pub reason: String,
    /// The total it states.
    pub total: u32,
}

/// A finding about a plan: rule id (Q1–Q10), severity, message and the numbers.
#[derive(SimpleObject)]
pub struct PlanFinding {
    /// Rule id.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// Message in Chinese and English.
    pub message: String,
    /// The numbers.
    pub details: Json<serde_json::Value>,
}

impl From<rules::Finding> for PlanFinding {
    fn from(f: rules::Finding) -> Self {
        PlanFinding {
            rule: f.rule.into(),
            severity: match f.severity {
                rules::Severity::Info => Severity::Info,
                rules::Severity::Warning => Severity::Warning,
                rules::Severity::Error => Severity::Error,
            },
            message: format!("{} / {}", f.message_zh, f.message_en),
            details: Json(f.details),
        }
    }
}

/// A guidance plan (指导性计划) as of a date: what it states, its allocation rows to the
/// children, what has been admitted, and findings.
pub struct GuidancePlan(pub PlanView, Cached);

/// What several fields of one plan share, read once per plan and request.
#[derive(Default)]
pub struct Cached {
    allocations: tokio::sync::OnceCell<Vec<PlanView>>,
    admitted: tokio::sync::OnceCell<(u32, u32)>,
}

impl GuidancePlan {
    /// Wraps a plan as of a date.
    pub fn new(view: PlanView) -> Self {
        GuidancePlan(view, Cached::default())
    }

    /// The children's plans (read once).
    async fn allocation_views(&self, ctx: &Context<'_>) -> Result<&Vec<PlanView>> {
        Ok(self
            .1
            .allocations
            .get_or_try_init(|| service::allocations(&ctx.state().db, &self.0))
            .await?)
    }

    /// (admitted, talent-exempt) so far (read once).
    async fn admitted_counts(&self, ctx: &Context<'_>) -> Result<(u32, u32)> {
        let (path, year, as_of) = (&self.0.organization.path, self.0.plan.year, self.0.as_of);
        Ok(*self
            .1
            .admitted
            .get_or_try_init(|| async move {
                let (a, _) = service::actuals(&ctx.state().db, path, year, as_of).await?;
                Ok::<_, crate::error::AppError>((a.admitted, a.talent_exempt))
            })
            .await?)
    }
}

/// A guidance plan (指导性计划) as of a date: what it states, its allocation rows to the
/// children, what has been admitted, and findings.
#[Object]
impl GuidancePlan {
    /// Global id.
    async fn id(&self) -> ID {
        ids::encode(NodeType::GuidancePlan, self.0.plan.id)
    }

    /// The organization the plan is for.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::visible_or_not_found(ctx.actor()?, self.0.organization.clone())
    }

    /// Plan year.
    async fn year(&self) -> i32 {
        self.0.plan.year
    }

    /// Line.
    async fn line(&self) -> PlanLine {
        match DomainLine::parse(&self.0.plan.line) {
            Some(DomainLine::Talent) => PlanLine::Talent,
            Some(DomainLine::SingleListed) => PlanLine::SingleListed,
            _ => PlanLine::General,
        }
    }

    /// The issuing organization, when it is in your subtree.
    async fn issuer(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        super::organization::load_visible(ctx, self.0.plan.issuer_organization_id).await
    }

    /// The revision in force on the date asked about.
    async fn revision(&self) -> i32 {
        self.0.revision.revision
    }

    /// The day that revision took effect.
    async fn effective_on(&self) -> Date {
        Date(self.0.revision.effective_on)
    }

    /// Planned new members.
    async fn total(&self) -> u32 {
        self.0.content.total
    }

    /// Of which aged 35 and under.
    async fn under_35(&self) -> Option<u32> {
        self.0.content.under_35
    }

    /// Of which college and above.
    async fn college_plus(&self) -> Option<u32> {
        self.0.content.college_plus
    }

    /// Completion month, `YYYY-MM`.
    async fn completion_month(&self) -> Option<&str> {
        self.0.content.completion_month.as_deref()
    }

    /// Planned in the first half-year.
    async fn first_half(&self) -> Option<u32> {
        self.0.content.first_half
    }

    /// Structure targets.
    async fn targets(&self) -> Vec<StructureTarget> {
        self.0
            .content
            .targets
            .iter()
            .map(|t| StructureTarget {
                category: category(&t.category),
                comparator: t.comparator.clone(),
                count: t.count,
                percent: t.percent,
                base: t.base.as_deref().and_then(category),
            })
            .collect()
    }

    /// Reserve-pool and ratio targets, document number and date, note, as JSON.
    async fn other_targets(&self) -> Json<serde_json::Value> {
        let c = &self.0.content;
        Json(
            serde_json::json!({ "reserve": c.reserve, "ratios": c.ratios, "documentNumber": c.document_number, "documentDate": c.document_date, "note": c.note, "overAllocationApproved": c.over_allocation_approved }),
        )
    }

    /// The allocation rows: the plans of the children (the annex table).
    #[graphql(complexity = "super::weights::CHILD_ROWS * child_complexity")]
    async fn allocations(&self, ctx: &Context<'_>) -> Result<Vec<GuidancePlan>> {
        Ok(self
            .allocation_views(ctx)
            .await?
            .iter()
            .cloned()
            .map(GuidancePlan::new)
            .collect())
    }

    /// Sum of the children's planned totals.
    async fn allocated_total(&self, ctx: &Context<'_>) -> Result<u32> {
        Ok(self
            .allocation_views(ctx)
            .await?
            .iter()
            .map(|a| a.content.total)
            .sum())
    }

    /// Total minus allocated (negative when over-allocated).
    async fn remaining(&self, ctx: &Context<'_>) -> Result<i64> {
        let allocated: u32 = self
            .allocation_views(ctx)
            .await?
            .iter()
            .map(|a| a.content.total)
            .sum();
        Ok(i64::from(self.0.content.total) - i64::from(allocated))
    }

    /// New members admitted so far in the subtree this year (talent-exempt not counted).
    async fn admitted_so_far(&self, ctx: &Context<'_>) -> Result<u32> {
        Ok(self.admitted_counts(ctx).await?.0)
    }

    /// High-level talent admitted, outside the plan.
    async fn talent_exempt(&self, ctx: &Context<'_>) -> Result<u32> {
        Ok(self.admitted_counts(ctx).await?.1)
    }

    /// Completion by month, cumulative.
    #[graphql(complexity = "super::weights::UNPAGED_LIST * child_complexity")]
    async fn completion_by_month(&self, ctx: &Context<'_>) -> Result<Vec<MonthProgress>> {
        let db = &ctx.state().db;
        let year = self.0.plan.year;
        let allocations = self.allocation_views(ctx).await?;
        let rows = service::admissions(db, &self.0.organization.path, year, self.0.as_of).await?;
        let month_of = |c: &PlanContent| {
            c.completion_month
                .as_deref()
                .and_then(rules::parse_month)
                .map(|(_, m)| m)
                .unwrap_or(12)
        };
        let planned: Vec<(u32, u32)> = if allocations.is_empty() {
            vec![(month_of(&self.0.content), self.0.content.total)]
        } else {
            allocations
                .iter()
                .map(|a| (month_of(&a.content), a.content.total))
                .collect()
        };
        Ok((1..=12u32)
            .map(|m| MonthProgress {
                month: format!("{year}-{m:02}"),
                planned_cumulative: planned
                    .iter()
                    .filter(|(pm, _)| *pm <= m)
                    .map(|(_, n)| n)
                    .sum(),
                admitted_cumulative: rows
                    .iter()
                    .filter(|r| !r.is_high_level_talent && r.approved_on.month() <= m)
                    .count() as u32,
            })
            .collect())
    }

    /// Every revision, oldest first.
    #[graphql(complexity = "super::weights::UNPAGED_LIST * child_complexity")]
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Vec<PlanRevision>> {
        Ok(service::revisions(&ctx.state().db, self.0.plan.id)
            .await?
            .into_iter()
            .map(|r| PlanRevision {
                revision: r.revision,
                effective_on: Date(r.effective_on),
                recorded_at: r.recorded_at,
                actor_user_id: ids::encode(NodeType::User, r.actor_user_id),
                total: serde_json::from_str::<PlanContent>(&r.content)
                    .map(|c| c.total)
                    .unwrap_or(0),
                reason: r.reason,
            })
            .collect())
    }

    /// Findings (Q1–Q10) as of the date asked about.
    #[graphql(complexity = "super::weights::UNPAGED_LIST * child_complexity")]
    async fn findings(&self, ctx: &Context<'_>) -> Result<Vec<PlanFinding>> {
        Ok(service::findings(&ctx.state().db, &self.0)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

/// Plan queries (any role, in its subtree: plans hold no personal data).
#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// The plan of an organization for a year, as of a date (default: today).
    #[graphql(complexity = "super::weights::AGGREGATE + child_complexity")]
    async fn guidance_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization.")] organization_id: ID,
        #[graphql(desc = "Plan year.")] year: i32,
        #[graphql(desc = "Line (default GENERAL).", default_with = "PlanLine::General")]
        line: PlanLine,
        #[graphql(
            desc = "Read the plan as it stood on this day (default: today, China Standard Time)."
        )]
        as_of: Option<Date>,
    ) -> Result<Option<GuidancePlan>> {
        let actor = ctx.actor()?;
        let year = super::args::year(year, "year")?;
        crate::service::plan::may_read(actor)?;
        let id = ids::decode(NodeType::Organization, &organization_id, "organizationId")?;
        let as_of = as_of
            .map(|d| d.0)
            .unwrap_or_else(crate::service::letter::today);
        Ok(Some(GuidancePlan::new(
            service::get(
                &ctx.state().db,
                actor,
                id,
                year,
                to_domain_line(line),
                as_of,
            )
            .await?,
        )))
    }

    /// The findings (Q1–Q10) of a plan, as of a date (default: today).
    #[graphql(
        complexity = "super::weights::AGGREGATE + super::weights::UNPAGED_LIST * child_complexity"
    )]
    async fn plan_findings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization.")] organization_id: ID,
        #[graphql(desc = "Plan year.")] year: i32,
        #[graphql(desc = "The day to judge on.")] as_of: Option<Date>,
    ) -> Result<Vec<PlanFinding>> {
        let actor = ctx.actor()?;
        let year = super::args::year(year, "year")?;
        crate::service::plan::may_read(actor)?;
        let id = ids::decode(NodeType::Organization, &organization_id, "organizationId")?;
        let as_of = as_of
            .map(|d| d.0)
            .unwrap_or_else(crate::service::letter::today);
        let view =
            service::get(&ctx.state().db, actor, id, year, DomainLine::General, as_of).await?;
        Ok(service::findings(&ctx.state().db, &view)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The plans of a subtree for a year (all lines), as of a date.
    #[graphql(
        complexity = "super::weights::AGGREGATE + super::weights::CHILD_ROWS * child_complexity"
    )]
    async fn guidance_plans(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Root of the subtree; default: your organization.")] under: Option<ID>,
        #[graphql(desc = "Plan year.")] year: i32,
        #[graphql(desc = "As of this day (default: today).")] as_of: Option<Date>,
    ) -> Result<Vec<GuidancePlan>> {
        let actor = ctx.actor()?;
        let year = super::args::year(year, "year")?;
        crate::service::plan::may_read(actor)?;
        let db = &ctx.state().db;
        let under = under
            .map(|u| ids::decode(NodeType::Organization, &u, "under"))
            .transpose()?;
        let path = crate::service::organization::resolve_under(db, actor, under).await?;
        let as_of = as_of
            .map(|d| d.0)
            .unwrap_or_else(crate::service::letter::today);
        let mut out = vec![];
        for p in crate::db::plan::under(db, &path, year)
            .await
            .map_err(AppError::from)?
        {
            let l = DomainLine::parse(&p.line).unwrap_or(DomainLine::General);
            if let Ok(v) = service::get(db, actor, p.organization_id, year, l, as_of).await {
                out.push(GuidancePlan::new(v));
            }
        }
        Ok(out)
    }
}

/// Input of `setGuidancePlan`.
#[derive(InputObject)]
pub struct SetGuidancePlanInput {
    /// The organization the plan is for (inside the issuer's subtree).
    pub organization_id: ID,
    /// Plan year.
    pub year: i32,
    /// Line (default GENERAL).
    #[graphql(default_with = "PlanLine::General")]
    pub line: PlanLine,
    /// The issuing organization (in your subtree; the plan's organization itself for a plan
    /// received from outside the tree).
    pub issuer_organization_id: ID,
    /// In force from this day (the plan as of any date can be read back).
    pub effective_on: Date,
    /// Why (required for a revision).
    #[graphql(default)]
    pub reason: String,
    /// What the plan states.
    pub plan: PlanContentInput,
}

/// Result of `setGuidancePlan`.
#[derive(SimpleObject)]
pub struct SetGuidancePlanPayload {
    /// The plan as now in force.
    pub guidance_plan: GuidancePlan,
}

/// Plan mutations (ORGANIZER of the issuing level).
#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Records a plan as issued, or a new revision of it; plans are stored as the documents
    /// state them and checked by `findings`, not refused (only input invalid in itself is).
    async fn set_guidance_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan.")] input: SetGuidancePlanInput,
    ) -> Result<SetGuidancePlanPayload> {
        let actor = ctx.actor()?;
        let view = service::set(
            &ctx.state().db,
            actor,
            service::SetPlan {
                organization_id: ids::decode(
                    NodeType::Organization,
                    &input.organization_id,
                    "organizationId",
                )?,
                year: input.year,
                line: to_domain_line(input.line),
                issuer_organization_id: ids::decode(
                    NodeType::Organization,
                    &input.issuer_organization_id,
                    "issuerOrganizationId",
                )?,
                effective_on: input.effective_on.0,
                reason: input.reason,
                content: input.plan.into_content()?,
            },
        )
        .await?;
        Ok(SetGuidancePlanPayload {
            guidance_plan: GuidancePlan::new(view),
        })
    }
}
