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
    /// Minimum months from application to activist (N3; none nationally).
    pub application_to_activist_months: u32,
    /// Minimum points (I4) to become a development target; none when unset.
    pub min_points: Option<u32>,
    /// Minimum number of cultivation contacts (N6: 1 nationally, 2 in some plans; at most 2).
    pub cultivation_contacts_min: u32,
    /// League members up to this age need 推优 to become activists (N20).
    pub league_recommendation_max_age: u32,
    /// Years after the application before someone with a political-discipline record may become
    /// an activist (N17 / I3).
    pub political_violation_wait_years: u32,
    /// Activist examinations (every half year) required before becoming a target (N5).
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
            application_to_activist_months: 0,
            min_points: None,
            cultivation_contacts_min: 1,
            league_recommendation_max_age: 28,
            political_violation_wait_years: 5,
            min_examinations_before_target: 2,
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

    /// Checks that the values are sensible; returns the field and message of the first that is
    /// not.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(1..=2).contains(&self.cultivation_contacts_min) {
            return Err(("cultivationContactsMin", "must be 1 or 2".into()));
        }
        if self.public_notice_days > 60 {
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
    fn silly_values_are_refused() {
        let r = LocalRules {
            cultivation_contacts_min: 3,
            ..LocalRules::default()
        };
        assert!(r.validate().is_err());
        assert!(LocalRules::default().validate().is_ok());
    }
}
