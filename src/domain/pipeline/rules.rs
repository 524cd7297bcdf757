//! Local rules (per-tenant configuration): set on an organization, inherited down the tree; the
//! nearest setting wins. Defaults follow the national Rules where they say something and
//! DOMAIN.md §8 where they do not.

use serde::{Deserialize, Serialize};

/// The local rules in force for one organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LocalRules {
    /// Minimum length of a public notice (公示), N18.
    pub public_notice_days: u32,
    /// Whether notice days are working days (Mon–Fri) rather than calendar days.
    pub public_notice_working_days: bool,
    /// Whether activist, target, admission and conversion decisions need a public notice.
    pub public_notice_required: bool,
    /// A public notice before the activist decision (step 3), whatever `public_notice_required`.
    pub public_notice_at_activist: bool,
    /// … before the development-target decision (step 7).
    pub public_notice_at_target: bool,
    /// … before the admission meeting (step 15).
    pub public_notice_at_admission: bool,
    /// … before the conversion meeting (step 23).
    pub public_notice_at_conversion: bool,
    /// The length of the activist decision's notice, if not `public_notice_days`.
    pub public_notice_days_at_activist: Option<u32>,
    /// … of the development-target decision's notice.
    pub public_notice_days_at_target: Option<u32>,
    /// … of the admission's notice.
    pub public_notice_days_at_admission: Option<u32>,
    /// … of the conversion's notice.
    pub public_notice_days_at_conversion: Option<u32>,
    /// The political review records the negative-list checklist (I8, town plan).
    pub political_review_checklist_required: bool,
    /// I1: the kinship cap in two-new organizations (street plan; off until a tenant sets it).
    pub kinship_cap: bool,
    /// I2: members who are near relatives of a candidate are not named as contacts or
    /// introducers for the case (street plan; off until a tenant sets it).
    pub near_relative_recusal: bool,
    /// I5: the departments consulted before the admission meeting and, in writing, before the
    /// conversion meeting (street plan; none until a tenant names them).
    pub consultation_departments: Vec<String>,
    /// I5: the departments consulted in addition for private business owners (业主).
    pub owner_consultation_departments: Vec<String>,
    /// I2: near relatives vote at the candidate's meetings (default false: recorded as recused).
    pub relatives_vote: bool,
    /// I12: indicators flag a subtree whose December admissions exceed this share (percent) of
    /// its year; none: not flagged.
    pub year_end_rush_percent: Option<u32>,
    /// Minimum months from application to activist (N3; none nationally).
    pub application_to_activist_months: u32,
    /// Minimum points (I4) to become a development target; none when unset.
    pub min_points: Option<u32>,
    /// Minimum number of cultivation contacts (N6: 1 nationally, 2 in some plans; at most 2).
    pub cultivation_contacts_min: u32,
    /// League members up to this age need 推优 to become activists (N20).
    pub league_recommendation_max_age: u32,
    /// Years after the application before someone with a political-discipline record may become
    /// an activist (N17 / I3; a street plan's rule, 5 there: off until a tenant sets it).
    pub political_violation_wait_years: u32,
    /// Activist examinations (every half year) required before becoming a target (N5: the
    /// count is derived, not a national rule; off until a tenant sets it, 2 is usual).
    pub min_examinations_before_target: u32,
    /// Short training minimum in days (N8) …
    pub training_min_days: u32,
    /// … or in class hours (N8).
    pub training_min_hours: u32,
    /// Days a request letter's receiver has to reply (§5).
    pub letter_reply_days: u32,
    /// Whether letter reply days are working days.
    pub letter_reply_working_days: bool,
}

impl Default for LocalRules {
    fn default() -> Self {
        LocalRules {
            public_notice_days: 5,
            public_notice_working_days: true,
            public_notice_required: false,
            public_notice_at_activist: false,
            public_notice_at_target: false,
            public_notice_at_admission: false,
            public_notice_at_conversion: false,
            public_notice_days_at_activist: None,
            public_notice_days_at_target: None,
            public_notice_days_at_admission: None,
            public_notice_days_at_conversion: None,
            political_review_checklist_required: false,
            kinship_cap: false,
            near_relative_recusal: false,
            consultation_departments: vec![],
            owner_consultation_departments: vec![],
            relatives_vote: false,
            year_end_rush_percent: None,
            application_to_activist_months: 0,
            min_points: None,
            cultivation_contacts_min: 1,
            league_recommendation_max_age: 28,
            political_violation_wait_years: 0,
            min_examinations_before_target: 0,
            training_min_days: 3,
            training_min_hours: 24,
            letter_reply_days: 15,
            letter_reply_working_days: false,
        }
    }
}

impl LocalRules {
    /// Applies the settings stored on one organization (a JSON object of some fields) on top.
    pub fn overlay(&mut self, settings: &serde_json::Value) {
        let mut merged = serde_json::to_value(&*self).expect("serializable");
        if let (Some(base), Some(over)) = (merged.as_object_mut(), settings.as_object()) {
            for (k, v) in over {
                if base.contains_key(k) {
                    base.insert(k.clone(), v.clone());
                }
            }
        }
        if let Ok(rules) = serde_json::from_value(merged) {
            *self = rules;
        }
    }

    /// Applies a lower level's settings on top, keeping only what tightens the rules in force
    /// (a looser value stored below — set before the level above tightened it — has no effect).
    pub fn overlay_tightening(&mut self, settings: &serde_json::Value) {
        let mut settings = settings.as_object().cloned().unwrap_or_default();
        loop {
            let mut candidate = self.clone();
            candidate.overlay(&serde_json::Value::Object(settings.clone()));
            match candidate.loosened_from(self) {
                None => {
                    *self = candidate;
                    return;
                }
                Some((field, _, _)) => {
                    if settings.remove(field).is_none() {
                        return;
                    }
                }
            }
        }
    }

    /// The first setting in which `self` is looser than `superior` (what the levels above the
    /// setter have in force): its wire name, the superior's value and the new one. A level may
    /// tighten what comes from above, never loosen it.
    pub fn loosened_from(&self, superior: &LocalRules) -> Option<(&'static str, String, String)> {
        use super::check::NoticeDecision::{self, *};
        let (n, s) = (self, superior);
        let notice = |d: NoticeDecision, name| minimum(name, d.days(n), d.days(s));
        let checks: [Setting; 28] = [
            departments(
                "ownerConsultationDepartments",
                &n.owner_consultation_departments,
                &s.owner_consultation_departments,
            ),
            // Letting relatives vote where the level above recuses them asks less.
            relief("relativesVote", n.relatives_vote, s.relatives_vote),
            notice(Activist, "publicNoticeDaysAtActivist"),
            notice(Target, "publicNoticeDaysAtTarget"),
            notice(Admission, "publicNoticeDaysAtAdmission"),
            notice(Conversion, "publicNoticeDaysAtConversion"),
            departments(
                "consultationDepartments",
                &n.consultation_departments,
                &s.consultation_departments,
            ),
            required("kinshipCap", n.kinship_cap, s.kinship_cap),
            required(
                "nearRelativeRecusal",
                n.near_relative_recusal,
                s.near_relative_recusal,
            ),
            required(
                "publicNoticeAtActivist",
                n.public_notice_at_activist,
                s.public_notice_at_activist,
            ),
            required(
                "publicNoticeAtTarget",
                n.public_notice_at_target,
                s.public_notice_at_target,
            ),
            required(
                "publicNoticeAtAdmission",
                n.public_notice_at_admission,
                s.public_notice_at_admission,
            ),
            required(
                "publicNoticeAtConversion",
                n.public_notice_at_conversion,
                s.public_notice_at_conversion,
            ),
            required(
                "politicalReviewChecklistRequired",
                n.political_review_checklist_required,
                s.political_review_checklist_required,
            ),
            // A higher rush threshold (or none) asks less.
            optional_maximum(
                "yearEndRushPercent",
                n.year_end_rush_percent,
                s.year_end_rush_percent,
            ),
            minimum(
                "publicNoticeDays",
                n.public_notice_days,
                s.public_notice_days,
            ),
            required(
                "publicNoticeWorkingDays",
                n.public_notice_working_days,
                s.public_notice_working_days,
            ),
            required(
                "publicNoticeRequired",
                n.public_notice_required,
                s.public_notice_required,
            ),
            minimum(
                "applicationToActivistMonths",
                n.application_to_activist_months,
                s.application_to_activist_months,
            ),
            optional_minimum("minPoints", n.min_points, s.min_points),
            minimum(
                "cultivationContactsMin",
                n.cultivation_contacts_min,
                s.cultivation_contacts_min,
            ),
            minimum(
                "leagueRecommendationMaxAge",
                n.league_recommendation_max_age,
                s.league_recommendation_max_age,
            ),
            minimum(
                "politicalViolationWaitYears",
                n.political_violation_wait_years,
                s.political_violation_wait_years,
            ),
            minimum(
                "minExaminationsBeforeTarget",
                n.min_examinations_before_target,
                s.min_examinations_before_target,
            ),
            minimum("trainingMinDays", n.training_min_days, s.training_min_days),
            minimum(
                "trainingMinHours",
                n.training_min_hours,
                s.training_min_hours,
            ),
            // A longer reply time, or counting it in working days, asks less of the receiver.
            maximum("letterReplyDays", n.letter_reply_days, s.letter_reply_days),
            relief(
                "letterReplyWorkingDays",
                n.letter_reply_working_days,
                s.letter_reply_working_days,
            ),
        ];
        checks
            .into_iter()
            .find(|c| c.1)
            .map(|(name, _, sup, new)| (name, sup, new))
    }

    /// Checks that the values are sensible; returns the field and message of the first that is
    /// not.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(1..=2).contains(&self.cultivation_contacts_min) {
            return Err(("cultivationContactsMin", "must be 1 or 2".into()));
        }
        if let Some(d) = self
            .consultation_departments
            .iter()
            .chain(&self.owner_consultation_departments)
            .find(|d| crate::domain::consultation::Department::parse(d).is_none())
        {
            return Err(("consultationDepartments", format!("unknown department {d}")));
        }
        if self.year_end_rush_percent.is_some_and(|p| p > 100) {
            return Err(("yearEndRushPercent", "must be a percentage, 0–100".into()));
        }
        if self.public_notice_days > 60
            || [
                self.public_notice_days_at_activist,
                self.public_notice_days_at_target,
                self.public_notice_days_at_admission,
                self.public_notice_days_at_conversion,
            ]
            .into_iter()
            .flatten()
            .any(|d| d > 60)
        {
            return Err(("publicNoticeDays", "must be at most 60".into()));
        }
        if self.training_min_days == 0 && self.training_min_hours == 0 {
            return Err((
                "trainingMinDays",
                "training cannot be waived entirely".into(),
            ));
        }
        if !(1..=60).contains(&self.letter_reply_days) {
            return Err(("letterReplyDays", "must be 1 to 60".into()));
        }
        Ok(())
    }
}

/// One setting compared with the superior's: its wire name, whether the new value asks less,
/// the superior's value and the new one, as shown.
type Setting = (&'static str, bool, String, String);

/// A minimum: a smaller new value asks less.
fn minimum(name: &'static str, new: u32, sup: u32) -> Setting {
    (name, new < sup, sup.to_string(), new.to_string())
}

/// A maximum: a larger new value asks less.
fn maximum(name: &'static str, new: u32, sup: u32) -> Setting {
    (name, new > sup, sup.to_string(), new.to_string())
}

/// A requirement: turning it off where the superior has it on asks less.
fn required(name: &'static str, new: bool, sup: bool) -> Setting {
    (name, sup && !new, sup.to_string(), new.to_string())
}

/// A relief: turning it on where the superior has it off asks less.
fn relief(name: &'static str, new: bool, sup: bool) -> Setting {
    (name, new && !sup, sup.to_string(), new.to_string())
}

fn shown(v: Option<u32>) -> String {
    v.map_or_else(|| "none".to_string(), |n| n.to_string())
}

/// An optional minimum: none where the superior sets one, or a smaller one, asks less.
fn optional_minimum(name: &'static str, new: Option<u32>, sup: Option<u32>) -> Setting {
    let looser = match (new, sup) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(n), Some(s)) => n < s,
    };
    (name, looser, shown(sup), shown(new))
}

/// An optional maximum: none where the superior sets one, or a larger one, asks less.
fn optional_maximum(name: &'static str, new: Option<u32>, sup: Option<u32>) -> Setting {
    let looser = match (new, sup) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(n), Some(s)) => n > s,
    };
    (name, looser, shown(sup), shown(new))
}

/// Departments to consult: dropping one the superior requires asks less.
fn departments(name: &'static str, new: &[String], sup: &[String]) -> Setting {
    let looser = sup.iter().any(|d| !new.contains(d));
    (name, looser, sup.join(","), new.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nearer_settings_override_farther_ones_field_by_field() {
        let mut r = LocalRules::default();
        r.overlay(&json!({ "publicNoticeDays": 7, "cultivationContactsMin": 2 }));
        r.overlay(&json!({ "publicNoticeDays": 10, "unknown": 1 }));
        assert_eq!(r.public_notice_days, 10);
        assert_eq!(r.cultivation_contacts_min, 2);
        assert_eq!(r.training_min_hours, 24);
    }

    #[test]
    fn a_level_may_tighten_but_never_loosen_what_comes_from_above() {
        let superior = LocalRules {
            political_violation_wait_years: 5,
            training_min_days: 3,
            ..LocalRules::default()
        };
        let looser = LocalRules {
            political_violation_wait_years: 0,
            ..superior.clone()
        };
        assert_eq!(
            looser.loosened_from(&superior),
            Some(("politicalViolationWaitYears", "5".into(), "0".into()))
        );
        let stricter = LocalRules {
            training_min_days: 5,
            cultivation_contacts_min: 2,
            letter_reply_days: 10,
            ..superior.clone()
        };
        assert_eq!(stricter.loosened_from(&superior), None);
        let longer_reply = LocalRules {
            letter_reply_days: 30,
            ..superior.clone()
        };
        assert_eq!(
            longer_reply.loosened_from(&superior).map(|l| l.0),
            Some("letterReplyDays")
        );
    }

    #[test]
    fn a_looser_value_below_does_not_undo_a_tightening_above() {
        let mut r = LocalRules::default();
        r.overlay(&json!({ "publicNoticeRequired": true, "minPoints": 60 }));
        r.overlay_tightening(
            &json!({ "publicNoticeRequired": false, "minPoints": 0, "trainingMinDays": 5 }),
        );
        assert!(r.public_notice_required);
        assert_eq!(r.min_points, Some(60));
        assert_eq!(r.training_min_days, 5);
    }

    #[test]
    fn silly_values_are_refused() {
        let r = LocalRules {
            cultivation_contacts_min: 3,
            ..LocalRules::default()
        };
        assert!(r.validate().is_err());
        assert!(LocalRules::default().validate().is_ok());
    }
}
