//! Local rules: per-organization settings inherited down the tree.

use super::context::ContextExt;
use super::ids::{self, NodeType};
use crate::domain::pipeline::rules;
use crate::service::local_rules as service;
use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, Result, SimpleObject};
use serde_json::{Map, Value, json};

/// The local rules in force at an organization and what it sets itself: the domain's rules, read
/// field by field.
pub struct LocalRules {
    rules: rules::LocalRules,
    own: Value,
}

/// The local rules in force at an organization: national defaults, overridden by each ancestor's
/// settings from the root down (the nearest wins). Values not fixed nationally are UNCONFIRMED
/// local practice and therefore configurable.
#[Object]
impl LocalRules {
    /// Minimum length of a public notice (公示), N18 (default 5).
    async fn public_notice_days(&self) -> u32 {
        self.rules.public_notice_days
    }

    /// Whether notice days are working days, Monday–Friday (default true).
    async fn public_notice_working_days(&self) -> bool {
        self.rules.public_notice_working_days
    }

    /// Whether activist, target, admission and conversion decisions need a public notice.
    async fn public_notice_required(&self) -> bool {
        self.rules.public_notice_required
    }

    /// A public notice before the activist decision (default false).
    async fn public_notice_at_activist(&self) -> bool {
        self.rules.public_notice_at_activist
    }

    /// A public notice before the development-target decision (default false).
    async fn public_notice_at_target(&self) -> bool {
        self.rules.public_notice_at_target
    }

    /// A public notice before the admission meeting (default false).
    async fn public_notice_at_admission(&self) -> bool {
        self.rules.public_notice_at_admission
    }

    /// A public notice before the conversion meeting (default false).
    async fn public_notice_at_conversion(&self) -> bool {
        self.rules.public_notice_at_conversion
    }

    /// Length of the activist decision's notice, when it differs from `publicNoticeDays`.
    async fn public_notice_days_at_activist(&self) -> Option<u32> {
        self.rules.public_notice_days_at_activist
    }

    /// Length of the target decision's notice, when it differs.
    async fn public_notice_days_at_target(&self) -> Option<u32> {
        self.rules.public_notice_days_at_target
    }

    /// Length of the admission's notice, when it differs.
    async fn public_notice_days_at_admission(&self) -> Option<u32> {
        self.rules.public_notice_days_at_admission
    }

    /// Length of the conversion's notice, when it differs.
    async fn public_notice_days_at_conversion(&self) -> Option<u32> {
        self.rules.public_notice_days_at_conversion
    }

    /// The political review records the negative-list checklist, I8 (default false).
    async fn political_review_checklist_required(&self) -> bool {
        self.rules.political_review_checklist_required
    }

    /// I12: flag a subtree whose December admissions exceed this percent of its year (default
    /// none: not flagged).
    async fn year_end_rush_percent(&self) -> Option<u32> {
        self.rules.year_end_rush_percent
    }

    /// I1: members related to a two-new organization's owner within three generations stay at
    /// most half after an admission (default false).
    async fn kinship_cap(&self) -> bool {
        self.rules.kinship_cap
    }

    /// I2: near relatives of a candidate are not named as its contacts or introducers (default
    /// false).
    async fn near_relative_recusal(&self) -> bool {
        self.rules.near_relative_recusal
    }

    /// I5: departments answering before the admission meeting and, in writing, before the
    /// conversion meeting (default none).
    async fn consultation_departments(&self) -> Vec<super::consultation::ConsultationDepartment> {
        departments(&self.rules.consultation_departments)
    }

    /// I5: departments consulted in addition for private business owners (default none).
    async fn owner_consultation_departments(
        &self,
    ) -> Vec<super::consultation::ConsultationDepartment> {
        departments(&self.rules.owner_consultation_departments)
    }

    /// I2: near relatives vote at the candidate's meetings (default false: they are recorded as
    /// recused from the vote where `nearRelativeRecusal` is on).
    async fn relatives_vote(&self) -> bool {
        self.rules.relatives_vote
    }

    /// Minimum months from application to activist, N3 (default 0: none nationally).
    async fn application_to_activist_months(&self) -> u32 {
        self.rules.application_to_activist_months
    }

    /// Minimum points to become a development target, I4 (unset: no threshold).
    async fn min_points(&self) -> Option<u32> {
        self.rules.min_points
    }

    /// Minimum number of cultivation contacts, N6 (1 or 2; default 1).
    async fn cultivation_contacts_min(&self) -> u32 {
        self.rules.cultivation_contacts_min
    }

    /// League members up to this age need 推优, N20 (default 28).
    async fn league_recommendation_max_age(&self) -> u32 {
        self.rules.league_recommendation_max_age
    }

    /// Years to wait after applying with a political-discipline record, N17 (default 0: a street
    /// plan's local rule, 5 there).
    async fn political_violation_wait_years(&self) -> u32 {
        self.rules.political_violation_wait_years
    }

    /// Half-yearly examinations required before becoming a target, N5 (default 0: not a national
    /// count; 2 is usual).
    async fn min_examinations_before_target(&self) -> u32 {
        self.rules.min_examinations_before_target
    }

    /// Training minimum in days, N8 (default 3) …
    async fn training_min_days(&self) -> u32 {
        self.rules.training_min_days
    }

    /// … or in class hours, N8 (default 24).
    async fn training_min_hours(&self) -> u32 {
        self.rules.training_min_hours
    }

    /// Days a letter's receiver has to reply (default 15).
    async fn letter_reply_days(&self) -> u32 {
        self.rules.letter_reply_days
    }

    /// Whether letter reply days are working days (default false).
    async fn letter_reply_working_days(&self) -> bool {
        self.rules.letter_reply_working_days
    }

    /// What this organization sets itself (the rest is inherited), as JSON.
    async fn own_settings(&self) -> Json<Value> {
        Json(self.own.clone())
    }
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
    fn from_rules(rules: rules::LocalRules, own: Value) -> Self {
        LocalRules { rules, own }
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
