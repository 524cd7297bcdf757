//! Local rules: per-organization settings inherited down the tree.

use super::context::ContextExt;
use super::ids::{self, NodeType};
use crate::domain::pipeline::rules;
use crate::service::local_rules as service;
use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, Result, SimpleObject};
use serde_json::{Map, Value, json};

/// The local rules in force at an organization: national defaults, overridden by each ancestor's
/// settings from the root down (the nearest wins). Values not fixed nationally are UNCONFIRMED
/// local practice and therefore configurable.
#[derive(SimpleObject)]
pub struct LocalRules {
    /// Minimum length of a public notice (公示), N18 (default 5).
    pub public_notice_days: u32,
    /// Whether notice days are working days, Monday–Friday (default true).
    pub public_notice_working_days: bool,
    /// Whether activist, target, admission and conversion decisions need a public notice.
    pub public_notice_required: bool,
    /// A public notice before the activist decision (default false).
    pub public_notice_at_activist: bool,
    /// A public notice before the development-target decision (default false).
    pub public_notice_at_target: bool,
    /// A public notice before the admission meeting (default false).
    pub public_notice_at_admission: bool,
    /// A public notice before the conversion meeting (default false).
    pub public_notice_at_conversion: bool,
    /// Length of the activist decision's notice, when it differs from `publicNoticeDays`.
    pub public_notice_days_at_activist: Option<u32>,
    /// Length of the target decision's notice, when it differs.
    pub public_notice_days_at_target: Option<u32>,
    /// Length of the admission's notice, when it differs.
    pub public_notice_days_at_admission: Option<u32>,
    /// Length of the conversion's notice, when it differs.
    pub public_notice_days_at_conversion: Option<u32>,
    /// The political review records the negative-list checklist, I8 (default false).
    pub political_review_checklist_required: bool,
    /// I12: flag a subtree whose December admissions exceed this percent of its year (default
    /// none: not flagged).
    pub year_end_rush_percent: Option<u32>,
    /// I1: members related to a two-new organization's owner within three generations stay at
    /// most half after an admission (default false).
    pub kinship_cap: bool,
    /// I2: near relatives of a candidate are not named as its contacts or introducers (default
    /// false).
    pub near_relative_recusal: bool,
    /// I5: departments answering before the admission meeting and, in writing, before the
    /// conversion meeting (default none).
    pub consultation_departments: Vec<super::consultation::ConsultationDepartment>,
    /// I5: departments consulted in addition for private business owners (default none).
    pub owner_consultation_departments: Vec<super::consultation::ConsultationDepartment>,
    /// I2: near relatives vote at the candidate's meetings (default false: they are recorded as
    /// recused from the vote where `nearRelativeRecusal` is on).
    pub relatives_vote: bool,
    /// Minimum months from application to activist, N3 (default 0: none nationally).
    pub application_to_activist_months: u32,
    /// Minimum points to become a development target, I4 (unset: no threshold).
    pub min_points: Option<u32>,
    /// Minimum number of cultivation contacts, N6 (1 or 2; default 1).
    pub cultivation_contacts_min: u32,
    /// League members up to this age need 推优, N20 (default 28).
    pub league_recommendation_max_age: u32,
    /// Years to wait after applying with a political-discipline record, N17 (default 0: a street
    /// plan's local rule, 5 there).
    pub political_violation_wait_years: u32,
    /// Half-yearly examinations required before becoming a target, N5 (default 0: not a national
    /// count; 2 is usual).
    pub min_examinations_before_target: u32,
    /// Training minimum in days, N8 (default 3) …
    pub training_min_days: u32,
    /// … or in class hours, N8 (default 24).
    pub training_min_hours: u32,
    /// Days a letter's receiver has to reply (default 15).
    pub letter_reply_days: u32,
    /// Whether letter reply days are working days (default false).
    pub letter_reply_working_days: bool,
    /// What this organization sets itself (the rest is inherited), as JSON.
    pub own_settings: Json<Value>,
}

fn departments(names: &[String]) -> Vec<super::consultation::ConsultationDepartment> {
    names
        .iter()
        .filter_map(|d| crate::domain::consultation::Department::parse(d))
        .map(Into::into)
        .collect()
}

fn department_names(
    v: MaybeUndefined<Vec<super::consultation::ConsultationDepartment>>,
) -> MaybeUndefined<Vec<&'static str>> {
    match v {
        MaybeUndefined::Value(v) => MaybeUndefined::Value(
            v.into_iter()
                .map(|d| crate::domain::consultation::Department::from(d).as_str())
                .collect(),
        ),
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
    }
}

impl LocalRules {
    fn from_rules(r: rules::LocalRules, own: Value) -> Self {
        LocalRules {
            public_notice_days: r.public_notice_days,
            public_notice_working_days: r.public_notice_working_days,
            public_notice_required: r.public_notice_required,
            public_notice_at_activist: r.public_notice_at_activist,
            public_notice_at_target: r.public_notice_at_target,
            public_notice_at_admission: r.public_notice_at_admission,
            public_notice_at_conversion: r.public_notice_at_conversion,
            public_notice_days_at_activist: r.public_notice_days_at_activist,
            public_notice_days_at_target: r.public_notice_days_at_target,
            public_notice_days_at_admission: r.public_notice_days_at_admission,
            public_notice_days_at_conversion: r.public_notice_days_at_conversion,
            political_review_checklist_required: r.political_review_checklist_required,
            year_end_rush_percent: r.year_end_rush_percent,
            kinship_cap: r.kinship_cap,
            near_relative_recusal: r.near_relative_recusal,
            consultation_departments: departments(&r.consultation_departments),
            owner_consultation_departments: departments(&r.owner_consultation_departments),
            relatives_vote: r.relatives_vote,
            application_to_activist_months: r.application_to_activist_months,
            min_points: r.min_points,
            cultivation_contacts_min: r.cultivation_contacts_min,
            league_recommendation_max_age: r.league_recommendation_max_age,
            political_violation_wait_years: r.political_violation_wait_years,
            min_examinations_before_target: r.min_examinations_before_target,
            training_min_days: r.training_min_days,
            training_min_hours: r.training_min_hours,
            letter_reply_days: r.letter_reply_days,
            letter_reply_working_days: r.letter_reply_working_days,
            own_settings: Json(own),
        }
    }
}

/// Changes to an organization's local rules: a field given sets it, `null` goes back to the
/// inherited value, a field left out is unchanged.
#[derive(InputObject, Default)]
pub struct LocalRulesInput {
    /// Minimum public-notice days.
    pub public_notice_days: MaybeUndefined<u32>,
    /// Whether notice days are working days.
    pub public_notice_working_days: MaybeUndefined<bool>,
    /// Whether decisions need a public notice.
    pub public_notice_required: MaybeUndefined<bool>,
    /// A notice before the activist decision.
    pub public_notice_at_activist: MaybeUndefined<bool>,
    /// A notice before the target decision.
    pub public_notice_at_target: MaybeUndefined<bool>,
    /// A notice before the admission meeting.
    pub public_notice_at_admission: MaybeUndefined<bool>,
    /// A notice before the conversion meeting.
    pub public_notice_at_conversion: MaybeUndefined<bool>,
    /// Length of the activist decision's notice.
    pub public_notice_days_at_activist: MaybeUndefined<u32>,
    /// Length of the target decision's notice.
    pub public_notice_days_at_target: MaybeUndefined<u32>,
    /// Length of the admission's notice.
    pub public_notice_days_at_admission: MaybeUndefined<u32>,
    /// Length of the conversion's notice.
    pub public_notice_days_at_conversion: MaybeUndefined<u32>,
    /// The political review records the negative-list checklist (I8).
    pub political_review_checklist_required: MaybeUndefined<bool>,
    /// The year-end rush threshold in percent (I12).
    pub year_end_rush_percent: MaybeUndefined<u32>,
    /// The kinship cap (I1).
    pub kinship_cap: MaybeUndefined<bool>,
    /// Near-relative recusal (I2).
    pub near_relative_recusal: MaybeUndefined<bool>,
    /// Departments to consult (I5).
    pub consultation_departments: MaybeUndefined<Vec<super::consultation::ConsultationDepartment>>,
    /// Departments consulted in addition for business owners (I5).
    pub owner_consultation_departments:
        MaybeUndefined<Vec<super::consultation::ConsultationDepartment>>,
    /// Near relatives vote at the candidate's meetings (I2).
    pub relatives_vote: MaybeUndefined<bool>,
    /// Minimum months from application to activist.
    pub application_to_activist_months: MaybeUndefined<u32>,
    /// Minimum points to become a target.
    pub min_points: MaybeUndefined<u32>,
    /// Minimum number of cultivation contacts (1 or 2).
    pub cultivation_contacts_min: MaybeUndefined<u32>,
    /// Maximum age for which League members need 推优.
    pub league_recommendation_max_age: MaybeUndefined<u32>,
    /// Years to wait after a political-discipline record.
    pub political_violation_wait_years: MaybeUndefined<u32>,
    /// Examinations required before becoming a target.
    pub min_examinations_before_target: MaybeUndefined<u32>,
    /// Training minimum days.
    pub training_min_days: MaybeUndefined<u32>,
    /// Training minimum class hours.
    pub training_min_hours: MaybeUndefined<u32>,
    /// Letter reply days.
    pub letter_reply_days: MaybeUndefined<u32>,
    /// Whether letter reply days are working days.
    pub letter_reply_working_days: MaybeUndefined<bool>,
}

fn put<T: serde::Serialize>(m: &mut Map<String, Value>, key: &str, v: MaybeUndefined<T>) {
    match v {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => {
            m.insert(key.into(), Value::Null);
        }
        MaybeUndefined::Value(v) => {
            m.insert(key.into(), json!(v));
        }
    }
}

impl LocalRulesInput {
    fn into_changes(self) -> Map<String, Value> {
        let mut m = Map::new();
        put(&mut m, "publicNoticeDays", self.public_notice_days);
        put(
            &mut m,
            "publicNoticeWorkingDays",
            self.public_notice_working_days,
        );
        put(&mut m, "publicNoticeRequired", self.public_notice_required);
        put(
            &mut m,
            "publicNoticeAtActivist",
            self.public_notice_at_activist,
        );
        put(&mut m, "publicNoticeAtTarget", self.public_notice_at_target);
        put(
            &mut m,
            "publicNoticeAtAdmission",
            self.public_notice_at_admission,
        );
        put(
            &mut m,
            "publicNoticeAtConversion",
            self.public_notice_at_conversion,
        );
        put(
            &mut m,
            "publicNoticeDaysAtActivist",
            self.public_notice_days_at_activist,
        );
        put(
            &mut m,
            "publicNoticeDaysAtTarget",
            self.public_notice_days_at_target,
        );
        put(
            &mut m,
            "publicNoticeDaysAtAdmission",
            self.public_notice_days_at_admission,
        );
        put(
            &mut m,
            "publicNoticeDaysAtConversion",
            self.public_notice_days_at_conversion,
        );
        put(
            &mut m,
            "politicalReviewChecklistRequired",
            self.political_review_checklist_required,
        );
        put(&mut m, "yearEndRushPercent", self.year_end_rush_percent);
        put(&mut m, "kinshipCap", self.kinship_cap);
        put(&mut m, "nearRelativeRecusal", self.near_relative_recusal);
        put(
            &mut m,
            "consultationDepartments",
            department_names(self.consultation_departments),
        );
        put(
            &mut m,
            "ownerConsultationDepartments",
            department_names(self.owner_consultation_departments),
        );
        put(&mut m, "relativesVote", self.relatives_vote);
        put(
            &mut m,
            "applicationToActivistMonths",
            self.application_to_activist_months,
        );
        put(&mut m, "minPoints", self.min_points);
        put(
            &mut m,
            "cultivationContactsMin",
            self.cultivation_contacts_min,
        );
        put(
            &mut m,
            "leagueRecommendationMaxAge",
            self.league_recommendation_max_age,
        );
        put(
            &mut m,
            "politicalViolationWaitYears",
            self.political_violation_wait_years,
        );
        put(
            &mut m,
            "minExaminationsBeforeTarget",
            self.min_examinations_before_target,
        );
        put(&mut m, "trainingMinDays", self.training_min_days);
        put(&mut m, "trainingMinHours", self.training_min_hours);
        put(&mut m, "letterReplyDays", self.letter_reply_days);
        put(
            &mut m,
            "letterReplyWorkingDays",
            self.letter_reply_working_days,
        );
        m
    }
}

/// Input of `setLocalRules`.
#[derive(InputObject)]
pub struct SetLocalRulesInput {
    /// The organization, in your subtree; its descendants inherit what it sets.
    pub organization_id: ID,
    /// The changes.
    pub rules: LocalRulesInput,
}

/// Result of `setLocalRules`.
#[derive(SimpleObject)]
pub struct SetLocalRulesPayload {
    /// The rules now in force at the organization.
    pub local_rules: LocalRules,
}

/// Local-rules queries.
#[derive(Default)]
pub struct LocalRulesQuery;

#[Object]
impl LocalRulesQuery {
    /// The local rules in force at an organization of your subtree.
    async fn local_rules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization.")] organization_id: ID,
    ) -> Result<LocalRules> {
        let actor = ctx.actor()?;
        let id = ids::decode(NodeType::Organization, &organization_id, "organizationId")?;
        let (rules, own) = service::get(&ctx.state().db, actor, id).await?;
        Ok(LocalRules::from_rules(rules, own))
    }
}

/// Local-rules mutations.
#[derive(Default)]
pub struct LocalRulesMutation;

#[Object]
impl LocalRulesMutation {
    /// Sets local rules on an organization of your subtree (ADMIN); they apply to its whole
    /// subtree unless a descendant sets its own.
    async fn set_local_rules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization and the changes.")] input: SetLocalRulesInput,
    ) -> Result<SetLocalRulesPayload> {
        let actor = ctx.actor()?;
        let id = ids::decode(
            NodeType::Organization,
            &input.organization_id,
            "organizationId",
        )?;
        service::set(&ctx.state().db, actor, id, input.rules.into_changes()).await?;
        let (rules, own) = service::get(&ctx.state().db, actor, id).await?;
        Ok(SetLocalRulesPayload {
            local_rules: LocalRules::from_rules(rules, own),
        })
    }
}
