//! Guidance plans (指导性计划): entry as issued, revisions, allocation rows, findings.

use super::context::ContextExt;
use super::ids::{self, NodeType};
use super::organization::Organization;
use super::scalars::Date;
use crate::domain::plan::{self as rules, PlanContent, PlanLine as DomainLine};
use crate::error::{AppError, AppResult};
use crate::service::plan::{self as service, PlanView};
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject,
};
use chrono::{DateTime, Utc};

super::enums::mirror_enum! {
    /// A structure category (结构目标类别). Which new members count in each is fixed by
    /// DOMAIN.md §4.1 and §6.2; ages are at the admission meeting, inclusive.
    PlanCategory => rules::Category {
        /// 35 周岁及以下.
        Age35AndUnder,
        /// 25 周岁及以下.
        Age25AndUnder,
        /// 大专及以上: postgraduate, undergraduate, junior college (专科).
        CollegePlus,
        /// 高中及以上: the above plus technical secondary (中专) and senior high / technical
        /// (高中、中技).
        HighSchoolPlus,
        /// 研究生、大学本(专)科: postgraduate, undergraduate and junior college (专科), as the
        /// documents write it; the same people as COLLEGE_PLUS.
        PostgraduateUndergraduate,
        /// 女性.
        Women,
        /// 少数民族: any ethnicity recorded other than 汉族.
        EthnicMinority,
        /// 产业工人: workers, migrant workers (农民工) and dispatched workers (劳务派遣工).
        Workers,
        /// 农牧渔民.
        Farmers,
        /// 管理、专业技术人员和农村致富能人: managers, professional and technical staff, rural
        /// entrepreneurs.
        ManagersProfessionals,
        /// 学生 (usually a cap).
        Students,
        /// 非公企业和社会组织 (两新): admitted in an organization marked two-new.
        TwoNew,
        /// 生产和工作一线: marked frontline.
        Frontline,
    }
}

super::enums::mirror_enum! {
    /// How a structure target compares.
    Comparator => rules::Comparator {
        /// 不少于 (a percentage rounds up; with a count, the larger binds).
        AtLeast,
        /// 不超过 (a percentage rounds down; with a count, the smaller binds).
        AtMost,
        /// 左右 (±10 %).
        About,
        /// 力争 (reported as information).
        StriveFor,
    }
}

super::enums::mirror_enum! {
    /// Plan lines.
    PlanLine => DomainLine {
        /// The general quota.
        General,
        /// High-level talent filed with the province, outside the general quota.
        Talent,
        /// Single-listed plans for high-knowledge groups, outside the general quota.
        SingleListed,
    }
}

super::enums::mirror_enum! {
    /// A reserve pool (后备力量).
    ReservePool => rules::ReservePool {
        /// 孵化对象.
        Incubation,
        /// 入党申请人.
        Applicants,
        /// 入党积极分子.
        Activists,
    }
}

super::enums::mirror_enum! {
    /// A pipeline ratio.
    RatioKind => rules::RatioKind {
        /// applicants : activists : targets (e.g. 6:3:1).
        ApplicantsActivistsTargets,
        /// activists : targets (e.g. 3:1).
        ActivistsTargets,
        /// activists : the plan total (e.g. 3:1).
        ActivistsPlan,
    }
}

super::enums::mirror_enum! {
    /// Severity of a finding.
    Severity => rules::Severity {
        /// For information.
        Info,
        /// Should be looked at.
        Warning,
        /// The plan contradicts itself.
        Error,
    }
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
    /// Into the domain's plan content (counts checked non-negative).
    pub fn into_content(self) -> AppResult<PlanContent> {
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
                        category: t.category.into(),
                        comparator: t.comparator.into(),
                        count: opt(t.count, "targets.count")?,
                        percent: t.percent,
                        base: t.base.map(Into::into),
                    })
                })
                .collect::<AppResult<_>>()?,
            reserve: self
                .reserve
                .into_iter()
                .map(|r| {
                    Ok(rules::ReserveTarget {
                        pool: r.pool.into(),
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
                        kind: r.kind.into(),
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
#[graphql(complex)]
pub struct PlanRevision {
    /// Revision number (1 = as first issued).
    pub revision: i32,
    /// In force from this day.
    pub effective_on: Date,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    #[graphql(skip)]
    pub actor: i64,
    /// Why it changed.
    pub reason: String,
    /// The total it states.
    pub total: u32,
}

#[ComplexObject]
impl PlanRevision {
    /// Who recorded it: the user's global id when that user belongs to your subtree, otherwise
    /// null (a branch reading its plan does not learn the accounts of the street that issued it).
    async fn actor_user_id(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        super::user::visible_user_id(ctx, self.actor).await
    }
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
            severity: f.severity.into(),
            message: format!("{} / {}", f.message_zh, f.message_en),
            details: Json(f.details),
        }
    }
}

fn targets_of(c: &PlanContent) -> Vec<StructureTarget> {
    c.targets
        .iter()
        .map(|t| StructureTarget {
            category: Some(t.category.into()),
            comparator: t.comparator.as_str().into(),
            count: t.count,
            percent: t.percent,
            base: t.base.map(Into::into),
        })
        .collect()
}

fn requirements_of(c: &PlanContent) -> Vec<PlanRequirement> {
    rules::requirements::requirements(c)
        .into_iter()
        .map(Into::into)
        .collect()
}

/// A plan proposed for next year with a year-end report (not in force until the collecting
/// level adopts it with `adoptProposedPlan`).
pub struct PlanDraft {
    /// The year proposed for.
    pub year: i32,
    /// What it states.
    pub content: PlanContent,
}

/// A plan proposed for next year with a year-end report.
#[Object]
impl PlanDraft {
    /// The year proposed for.
    async fn year(&self) -> i32 {
        self.year
    }

    /// Planned new members.
    async fn total(&self) -> u32 {
        self.content.total
    }

    /// Of which aged 35 and under.
    async fn under_35(&self) -> Option<u32> {
        self.content.under_35
    }

    /// Of which college and above.
    async fn college_plus(&self) -> Option<u32> {
        self.content.college_plus
    }

    /// Completion month, `YYYY-MM`.
    async fn completion_month(&self) -> Option<&str> {
        self.content.completion_month.as_deref()
    }

    /// Planned in the first half-year.
    async fn first_half(&self) -> Option<u32> {
        self.content.first_half
    }

    /// Structure targets.
    async fn targets(&self) -> Vec<StructureTarget> {
        targets_of(&self.content)
    }

    /// What each structure target requires.
    async fn requirements(&self) -> Vec<PlanRequirement> {
        requirements_of(&self.content)
    }
}

/// A guidance plan (指导性计划) as of a date: what it states, its allocation rows to the
/// children, what has been admitted, and findings.
pub struct GuidancePlan {
    /// The plan as of the date asked about.
    pub view: PlanView,
    cached: Cached,
}

/// What several fields of one plan share, read once per plan and request.
#[derive(Default)]
pub struct Cached {
    allocations: tokio::sync::OnceCell<Vec<PlanView>>,
    actuals: tokio::sync::OnceCell<rules::Actuals>,
}

impl GuidancePlan {
    /// Wraps a plan as of a date.
    pub fn new(view: PlanView) -> Self {
        GuidancePlan {
            view,
            cached: Cached::default(),
        }
    }

    /// The children's plans (read once).
    async fn allocation_views(&self, ctx: &Context<'_>) -> Result<&Vec<PlanView>> {
        Ok(self
            .cached
            .allocations
            .get_or_try_init(|| service::allocations(&ctx.state().db, &self.view))
            .await?)
    }

    /// What the subtree has done so far, from the counters (read once).
    async fn actuals(&self, ctx: &Context<'_>) -> Result<&rules::Actuals> {
        let id = self.view.organization.id;
        Ok(self
            .cached
            .actuals
            .get_or_try_init(|| async move {
                let mut a = service::actuals(&ctx.state().db, &self.view, &[]).await?;
                Ok::<_, AppError>(a.remove(&id).unwrap_or_default())
            })
            .await?)
    }

    fn month(&self, m: u32) -> String {
        format!("{}-{m:02}", self.view.plan.year)
    }
}

/// One structure requirement (结构要求) of a plan or an allocation row: the count the target
/// binds, worked out as the documents do by hand.
#[derive(SimpleObject)]
pub struct PlanRequirement {
    /// Category.
    pub category: PlanCategory,
    /// How it compares.
    pub comparator: Comparator,
    /// The count the document states, if any.
    pub count: Option<u32>,
    /// The percentage the document states, if any.
    pub percent: Option<f64>,
    /// The category the percentage is of (null: the plan total).
    pub base_category: Option<PlanCategory>,
    /// The base the percentage is taken of: the plan total, or the base category's own
    /// requirement (≤25 as a share of the ≤35 the plan requires).
    pub base: u32,
    /// The percentage as a count of the base: rounded up for AT_LEAST and STRIVE_FOR, down for
    /// AT_MOST, to the nearest for ABOUT.
    pub from_percent: Option<u32>,
    /// The binding count: for AT_LEAST the larger of count and percentage, for AT_MOST the
    /// smaller; otherwise whichever is stated (the count when both are).
    pub required: u32,
    /// The stated count is looser than its own percentage (finding Q3 CONTRADICTION).
    pub contradicts: bool,
}

impl From<rules::requirements::Requirement> for PlanRequirement {
    fn from(r: rules::requirements::Requirement) -> Self {
        PlanRequirement {
            contradicts: r.contradicts(),
            category: r.category.into(),
            comparator: r.comparator.into(),
            count: r.count,
            percent: r.percent,
            base_category: r.base_category.map(Into::into),
            base: r.base,
            from_percent: r.from_percent,
            required: r.required,
        }
    }
}

/// A plan's requirement set against what its allocation rows require together.
#[derive(SimpleObject)]
pub struct RequirementCoverage {
    /// Category.
    pub category: PlanCategory,
    /// How the plan's target compares.
    pub comparator: Comparator,
    /// What the plan requires.
    pub required: u32,
    /// The sum of the rows' requirements for the category (a row stating none counts 0).
    pub allocated: u32,
    /// Rows that state a requirement for the category.
    pub rows_stating: u32,
    /// Allocation rows in all.
    pub rows: u32,
    /// AT_LEAST: some row states the category and the rows together require less than the
    /// plan; AT_MOST: every row states a cap and together they allow more (finding Q3
    /// ALLOCATION_SHORTFALL / ALLOCATION_EXCESS). An annex that does not break a category down
    /// is silent about it.
    pub uncovered: bool,
}

super::enums::mirror_enum! {
    /// Where a plan (or allocation row) stands at its completion month.
    CompletionStatus => rules::progress::CompletionState {
        /// Not yet met and the month has not ended.
        Pending,
        /// Met by the end of the completion month.
        MetOnTime,
        /// Met after the completion month (`metInMonth` says when).
        MetLate,
        /// The month has ended and the plan is not met.
        Unmet,
    }
}

/// A plan's status at its completion month (完成时限), judged on the plan's date.
#[derive(SimpleObject)]
pub struct PlanCompletion {
    /// The status.
    pub status: CompletionStatus,
    /// The completion month, `YYYY-MM` (December when the document gives none).
    pub due_month: String,
    /// Planned.
    pub planned: u32,
    /// Admitted by the end of the completion month.
    pub admitted_by_due_month: u32,
    /// Admitted up to the plan's date.
    pub admitted: u32,
    /// The month the admissions first reached the plan, `YYYY-MM`.
    pub met_in_month: Option<String>,
}

/// A guidance plan (指导性计划) as of a date: what it states, its allocation rows to the
/// children, what has been admitted, and findings.
#[Object]
impl GuidancePlan {
    /// Global id.
    async fn id(&self) -> ID {
        ids::encode(NodeType::GuidancePlan, self.view.plan.id)
    }

    /// The organization the plan is for.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        Organization::visible_or_not_found(ctx.actor()?, self.view.organization.clone())
    }

    /// Plan year.
    async fn year(&self) -> i32 {
        self.view.plan.year
    }

    /// Line.
    async fn line(&self) -> PlanLine {
        DomainLine::parse(&self.view.plan.line)
            .unwrap_or(DomainLine::General)
            .into()
    }

    /// The issuing organization, when it is in your subtree.
    async fn issuer(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        super::organization::load_visible(ctx, self.view.plan.issuer_organization_id).await
    }

    /// The revision in force on the date asked about.
    async fn revision(&self) -> i32 {
        self.view.revision.revision
    }

    /// The day that revision took effect.
    async fn effective_on(&self) -> Date {
        Date(self.view.revision.effective_on)
    }

    /// Planned new members.
    async fn total(&self) -> u32 {
        self.view.content.total
    }

    /// Of which aged 35 and under.
    async fn under_35(&self) -> Option<u32> {
        self.view.content.under_35
    }

    /// Of which college and above.
    async fn college_plus(&self) -> Option<u32> {
        self.view.content.college_plus
    }

    /// Completion month, `YYYY-MM`.
    async fn completion_month(&self) -> Option<&str> {
        self.view.content.completion_month.as_deref()
    }

    /// Planned in the first half-year.
    async fn first_half(&self) -> Option<u32> {
        self.view.content.first_half
    }

    /// Structure targets.
    async fn targets(&self) -> Vec<StructureTarget> {
        targets_of(&self.view.content)
    }

    /// Reserve-pool and ratio targets, document number and date, note, as JSON.
    async fn other_targets(&self) -> Json<serde_json::Value> {
        let c = &self.view.content;
        Json(
            serde_json::json!({ "reserve": c.reserve, "ratios": c.ratios, "documentNumber": c.document_number, "documentDate": c.document_date, "note": c.note, "overAllocationApproved": c.over_allocation_approved }),
        )
    }

    /// The allocation rows: the plans of the children (the annex table).
    #[graphql(complexity = "super::weights::child_rows(child_complexity)")]
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
        Ok(i64::from(self.view.content.total) - i64::from(allocated))
    }

    /// New members admitted so far in the subtree this year (talent-exempt not counted).
    async fn admitted_so_far(&self, ctx: &Context<'_>) -> Result<u32> {
        Ok(self.actuals(ctx).await?.admitted)
    }

    /// High-level talent admitted, outside the plan.
    async fn talent_exempt(&self, ctx: &Context<'_>) -> Result<u32> {
        Ok(self.actuals(ctx).await?.talent_exempt)
    }

    /// Admitted January–June (so far, before July).
    async fn admitted_first_half(&self, ctx: &Context<'_>) -> Result<u32> {
        Ok(rules::progress::cumulative(
            &self.actuals(ctx).await?.monthly,
            6,
        ))
    }

    /// What each structure target requires, in the order stated (targets, then the annex
    /// columns ≤35 and college+ when not also stated as targets).
    async fn requirements(&self) -> Vec<PlanRequirement> {
        requirements_of(&self.view.content)
    }

    /// Each AT_LEAST and AT_MOST requirement against the sum of the allocation rows' (empty
    /// without rows).
    async fn requirement_coverage(&self, ctx: &Context<'_>) -> Result<Vec<RequirementCoverage>> {
        let rows = self.allocation_views(ctx).await?;
        let contents: Vec<&PlanContent> = rows.iter().map(|r| &r.content).collect();
        Ok(rules::requirements::coverage(&self.view.content, &contents)
            .into_iter()
            .map(|c| RequirementCoverage {
                category: c.category.into(),
                comparator: c.comparator.into(),
                required: c.required,
                allocated: c.allocated,
                rows_stating: c.rows_stating as u32,
                rows: c.rows as u32,
                uncovered: c.uncovered,
            })
            .collect())
    }

    /// The status at the completion month, from the admissions by month.
    async fn completion(&self, ctx: &Context<'_>) -> Result<PlanCompletion> {
        use rules::progress;
        let a = self.actuals(ctx).await?;
        let c = progress::completion(
            self.view.content.total,
            rules::findings::deadline_month(&self.view.content),
            &a.monthly,
            progress::months_ended(self.view.plan.year, self.view.as_of),
        );
        Ok(PlanCompletion {
            status: c.state.into(),
            due_month: self.month(c.deadline_month),
            planned: c.planned,
            admitted_by_due_month: c.admitted_by_deadline,
            admitted: c.admitted,
            met_in_month: c.met_in_month.map(|m| self.month(m)),
        })
    }

    /// Completion by month, cumulative.
    #[graphql(complexity = "super::weights::unpaged(child_complexity)")]
    async fn completion_by_month(&self, ctx: &Context<'_>) -> Result<Vec<MonthProgress>> {
        let year = self.view.plan.year;
        let allocations = self.allocation_views(ctx).await?;
        let monthly = self.actuals(ctx).await?.monthly;
        let due = |c: &PlanContent| (rules::findings::deadline_month(c), c.total);
        let planned: Vec<(u32, u32)> = if allocations.is_empty() {
            vec![due(&self.view.content)]
        } else {
            allocations.iter().map(|a| due(&a.content)).collect()
        };
        Ok(rules::progress::by_month(&planned, &monthly)
            .into_iter()
            .map(|m| MonthProgress {
                month: format!("{year}-{:02}", m.month),
                planned_cumulative: m.planned,
                admitted_cumulative: m.admitted,
            })
            .collect())
    }

    /// Every revision, oldest first.
    #[graphql(complexity = "super::weights::unpaged(child_complexity)")]
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Vec<PlanRevision>> {
        Ok(service::revisions(&ctx.state().db, self.view.plan.id)
            .await?
            .into_iter()
            .map(|r| PlanRevision {
                revision: r.revision,
                effective_on: Date(r.effective_on),
                recorded_at: r.recorded_at,
                actor: r.actor_user_id,
                total: serde_json::from_str::<PlanContent>(&r.content)
                    .map(|c| c.total)
                    .unwrap_or(0),
                reason: r.reason,
            })
            .collect())
    }

    /// Findings (Q1–Q12) as of the date asked about.
    #[graphql(complexity = "super::weights::unpaged(child_complexity)")]
    async fn findings(&self, ctx: &Context<'_>) -> Result<Vec<PlanFinding>> {
        Ok(service::findings(&ctx.state().db, &self.view)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

/// An organization-level duty (DOMAIN.md §4.2, street and town plans).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevelopmentDuty {
    /// Every village or community keeps at least one activist in reserve.
    ActivistReserve,
    /// Every village or community develops at least one member every two years, at least half
    /// of them aged 35 or under.
    BiennialDevelopment,
    /// Every branch develops at least one member within the plan's years.
    BranchDevelopment,
}

/// An organization short of a duty, with the numbers.
#[derive(SimpleObject)]
pub struct DutyShortfall {
    /// The organization (the topmost village or community organization, or the branch).
    pub organization: Organization,
    /// The duty.
    pub duty: DevelopmentDuty,
    /// Activists now (village/community duties).
    pub activists: u32,
    /// Admitted in the year and the year before (village/community duties).
    pub admitted_two_years: u32,
    /// Of whom aged 35 or under.
    pub young_two_years: u32,
    /// Message in Chinese and English.
    pub message: String,
}

/// Plan queries (any role, in its subtree: plans hold no personal data).
#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// The plan of an organization for a year, as of a date (default: today).
    #[graphql(complexity = "super::weights::aggregate(child_complexity)")]
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
        let as_of = as_of.map(|d| d.0).unwrap_or_else(crate::clock::today);
        Ok(Some(GuidancePlan::new(
            service::get(&ctx.state().db, actor, id, year, line.into(), as_of).await?,
        )))
    }

    /// The findings (Q1–Q12) of a plan, as of a date (default: today).
    #[graphql(complexity = "super::weights::aggregate(super::weights::unpaged(child_complexity))")]
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
        let as_of = as_of.map(|d| d.0).unwrap_or_else(crate::clock::today);
        let view =
            service::get(&ctx.state().db, actor, id, year, DomainLine::General, as_of).await?;
        Ok(service::findings(&ctx.state().db, &view)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Organizations of a subtree short of the organization-level duties: villages and
    /// communities without an activist in reserve or without a member developed in `year` and
    /// the year before (or with fewer than half of those aged 35 or under), and branches that
    /// developed nobody from `sinceYear` to `year` (at most 500 of each kind).
    #[graphql(
        complexity = "super::weights::aggregate(super::weights::child_rows(child_complexity))"
    )]
    async fn development_duties(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Root of the subtree; default: your organization.")] under: Option<ID>,
        #[graphql(desc = "The year judged.")] year: i32,
        #[graphql(desc = "First year of the plan's years for branches (default: `year`).")]
        since_year: Option<i32>,
    ) -> Result<Vec<DutyShortfall>> {
        use crate::domain::plan::duties::Duty;
        let actor = ctx.actor()?;
        let year = super::args::year(year, "year")?;
        let since = super::args::year(since_year.unwrap_or(year), "sinceYear")?;
        if since > year {
            return Err(AppError::bad_input(
                "sinceYear",
                "起始年度不能晚于统计年度",
                "sinceYear cannot be after year",
            )
            .into());
        }
        let under = under
            .map(|u| ids::decode(NodeType::Organization, &u, "under"))
            .transpose()?;
        let rows =
            crate::service::duties::shortfalls(&ctx.state().db, actor, under, year, since).await?;
        rows.into_iter()
            .map(|s| {
                let f = s.facts;
                let name = s.organization.name.clone();
                let (duty, message) = match s.duty {
                    Duty::ActivistReserve => (
                        DevelopmentDuty::ActivistReserve,
                        format!("{name}：无入党积极分子储备 / {name} keeps no activist in reserve"),
                    ),
                    Duty::BiennialDevelopment => (
                        DevelopmentDuty::BiennialDevelopment,
                        format!(
                            "{name}：{}–{year}年发展{}名，其中35岁及以下{}名 / {name} admitted {} in {}–{year}, {} of them aged 35 or under",
                            year - 1,
                            f.admitted_two_years,
                            f.young_two_years,
                            f.admitted_two_years,
                            year - 1,
                            f.young_two_years
                        ),
                    ),
                    Duty::BranchDevelopment => (
                        DevelopmentDuty::BranchDevelopment,
                        format!("{name}：{since}–{year}年未发展党员 / {name} admitted nobody in {since}–{year}"),
                    ),
                };
                Ok(DutyShortfall {
                    organization: Organization::visible_or_not_found(actor, s.organization)?,
                    duty,
                    activists: f.activists,
                    admitted_two_years: f.admitted_two_years,
                    young_two_years: f.young_two_years,
                    message,
                })
            })
            .collect()
    }

    /// The plans of a subtree for a year (all lines), as of a date.
    #[graphql(
        complexity = "super::weights::aggregate(super::weights::child_rows(child_complexity))"
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
        let as_of = as_of.map(|d| d.0).unwrap_or_else(crate::clock::today);
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

/// Input of `adoptProposedPlan`.
#[derive(InputObject)]
pub struct AdoptProposedPlanInput {
    /// The ANNUAL report whose proposed plan is adopted (submitted or accepted, from an
    /// organization below yours).
    pub report_id: ID,
    /// In force from this day.
    pub effective_on: Date,
    /// Why (default: adopted from the year-end report; a revision needs one).
    #[graphql(default)]
    pub reason: String,
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
                line: input.line.into(),
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

    /// Adopts the next year's plan proposed with a year-end report as the reporting
    /// organization's plan for that year, issued by your organization (a new plan or a new
    /// revision, as `setGuidancePlan`).
    async fn adopt_proposed_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report and the day.")] input: AdoptProposedPlanInput,
    ) -> Result<SetGuidancePlanPayload> {
        let actor = ctx.actor()?;
        crate::service::require(actor, crate::domain::Permission::ManagePipeline)?;
        let view = service::adopt_proposal(
            &ctx.state().db,
            actor,
            ids::decode(NodeType::Report, &input.report_id, "reportId")?,
            input.effective_on.0,
            input.reason,
        )
        .await?;
        Ok(SetGuidancePlanPayload {
            guidance_plan: GuidancePlan::new(view),
        })
    }
}
