//! Consultations of discipline and law-enforcement departments (I5, the street plan): before
//! the admission meeting the case needs answers from the departments the local rules name
//! (comprehensive governance, police, credit; for owners also market regulation, tax, court),
//! and again, in writing, before the conversion meeting. The organizer records each request to
//! an external body and its answer; a request runs the letters' reply window.

use super::RuleViolation;
use super::organization::string_enum;
use chrono::NaiveDate;
use serde_json::json;

string_enum! {
    /// An external body consulted.
    Department {
        /// 综治 (comprehensive governance)
        ComprehensiveGovernance = "COMPREHENSIVE_GOVERNANCE",
        /// 公安 / 派出所
        Police = "POLICE",
        /// 信用
        Credit = "CREDIT",
        /// 市场监管
        MarketRegulation = "MARKET_REGULATION",
        /// 税务
        Tax = "TAX",
        /// 法院
        Court = "COURT",
        /// 纪检监察
        Discipline = "DISCIPLINE",
    }
}

string_enum! {
    /// Which decision a consultation prepares.
    ConsultationStage {
        /// Before the admission meeting (step 15).
        Admission = "ADMISSION",
        /// Before the conversion meeting (step 23), in writing.
        Conversion = "CONVERSION",
    }
}

/// What the gate knows of one consultation of the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationFacts {
    pub department: Department,
    pub stage: ConsultationStage,
    pub answered_on: Option<NaiveDate>,
    /// The department raised a concern.
    pub concern: bool,
    /// Asked and answered in writing.
    pub written: bool,
}

/// I5: every required department answered (on or before the meeting; in writing before the
/// conversion). Concerns do not refuse: they come back as warnings for the meeting to weigh.
pub fn check_consultations(
    required: &[Department],
    stage: ConsultationStage,
    done: &[ConsultationFacts],
    on: NaiveDate,
) -> Result<Vec<RuleViolation>, RuleViolation> {
    let answered = |d: Department| {
        done.iter().filter(move |c| {
            c.department == d
                && c.stage == stage
                && c.answered_on.is_some_and(|a| a <= on)
                && (stage == ConsultationStage::Admission || c.written)
        })
    };
    let missing: Vec<&'static str> = required
        .iter()
        .filter(|d| answered(**d).next().is_none())
        .map(|d| d.as_str())
        .collect();
    if !missing.is_empty() {
        let written = if stage == ConsultationStage::Conversion {
            "书面"
        } else {
            ""
        };
        return Err(RuleViolation {
            rule: "I5",
            source: "local: street plan (会前征求纪检执法部门意见)",
            message_zh: format!(
                "尚未取得以下部门的{written}回复意见：{}",
                missing.join("、")
            ),
            message_en: format!(
                "no {}answer yet from: {}",
                if written.is_empty() { "" } else { "written " },
                missing.join(", ")
            ),
            details: json!({ "missing": missing, "stage": stage.as_str(), "meetingOn": on }),
        });
    }
    Ok(required
        .iter()
        .filter(|d| answered(**d).any(|c| c.concern))
        .map(|d| RuleViolation {
            rule: "I5",
            source: "local: street plan (会前征求纪检执法部门意见)",
            message_zh: format!("{}部门回复中提出了问题，请会议审慎研究", d.as_str()),
            message_en: format!("{} raised a concern in its answer", d.as_str()),
            details: json!({ "department": d.as_str(), "stage": stage.as_str() }),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn answered(dep: Department, on: &str, written: bool, concern: bool) -> ConsultationFacts {
        ConsultationFacts {
            department: dep,
            stage: ConsultationStage::Admission,
            answered_on: Some(d(on)),
            concern,
            written,
        }
    }

    #[test]
    fn every_named_department_must_have_answered_by_the_meeting_day() {
        let required = [Department::Police, Department::Credit];
        let done = [answered(Department::Police, "2023-11-20", false, false)];
        let e = check_consultations(
            &required,
            ConsultationStage::Admission,
            &done,
            d("2023-11-21"),
        )
        .unwrap_err();
        assert_eq!(e.details["missing"], json!(["CREDIT"]));
        let done = [
            answered(Department::Police, "2023-11-20", false, false),
            answered(Department::Credit, "2023-11-21", false, true),
        ];
        // Answered on the meeting day itself counts; a concern is a warning.
        let w = check_consultations(
            &required,
            ConsultationStage::Admission,
            &done,
            d("2023-11-21"),
        )
        .unwrap();
        assert_eq!(w.len(), 1);
        // The day after does not.
        assert!(
            check_consultations(
                &required,
                ConsultationStage::Admission,
                &done,
                d("2023-11-20")
            )
            .is_err()
        );
        // Nothing required: nothing checked.
        assert!(
            check_consultations(&[], ConsultationStage::Admission, &[], d("2023-11-21")).is_ok()
        );
    }

    #[test]
    fn the_conversion_needs_written_answers_of_its_own() {
        let required = [Department::Police];
        let admission = [answered(Department::Police, "2023-11-20", true, false)];
        assert!(
            check_consultations(
                &required,
                ConsultationStage::Conversion,
                &admission,
                d("2024-11-21")
            )
            .is_err()
        );
        let oral = ConsultationFacts {
            stage: ConsultationStage::Conversion,
            written: false,
            ..admission[0].clone()
        };
        assert!(
            check_consultations(
                &required,
                ConsultationStage::Conversion,
                std::slice::from_ref(&oral),
                d("2024-11-21")
            )
            .is_err()
        );
        let written = ConsultationFacts {
            written: true,
            ..oral
        };
        assert!(
            check_consultations(
                &required,
                ConsultationStage::Conversion,
                &[written],
                d("2024-11-21")
            )
            .is_ok()
        );
    }
}
