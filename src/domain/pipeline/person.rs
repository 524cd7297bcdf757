//! People: the candidate record's personal fields, validated once.

use super::id_card;
use crate::domain::DomainError;
use crate::domain::organization::string_enum;
use chrono::NaiveDate;
use serde::Serialize;

string_enum! {
    /// Gender.
    Gender {
        Male = "MALE",
        Female = "FEMALE",
    }
}

string_enum! {
    /// Education level, highest completed.
    Education {
        Postgraduate = "POSTGRADUATE",
        Undergraduate = "UNDERGRADUATE",
        JuniorCollege = "JUNIOR_COLLEGE",
        TechnicalSecondary = "TECHNICAL_SECONDARY",
        SeniorHigh = "SENIOR_HIGH",
        JuniorMiddleAndBelow = "JUNIOR_MIDDLE_AND_BELOW",
    }
}

impl Education {
    /// College or above (大专及以上).
    pub fn is_college_or_above(self) -> bool {
        matches!(
            self,
            Education::Postgraduate | Education::Undergraduate | Education::JuniorCollege
        )
    }
}

string_enum! {
    /// Occupation category (several may apply).
    Occupation {
        Worker = "WORKER",
        MigrantWorker = "MIGRANT_WORKER",
        DispatchedWorker = "DISPATCHED_WORKER",
        Farmer = "FARMER",
        ProfessionalTechnical = "PROFESSIONAL_TECHNICAL",
        Manager = "MANAGER",
        /// 农村致富能人 (rural "rich-making capable people", counted with managers and
        /// professionals in plans).
        RuralEntrepreneur = "RURAL_ENTREPRENEUR",
        OrganStaff = "ORGAN_STAFF",
        Student = "STUDENT",
        Other = "OTHER",
    }
}

/// A person's fields. As entered ([`PersonDraft`]) the gender, the education and the birth date
/// may be missing; validated ([`PersonRecord`]) they are there.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Person<G, E, D> {
    pub name: String,
    pub gender: G,
    pub ethnicity: String,
    pub birth_date: D,
    pub id_card_number: Option<String>,
    pub phone: Option<String>,
    pub education: E,
    pub occupations: Vec<Occupation>,
    pub is_frontline: bool,
    pub is_league_member: bool,
    pub household_registration: Option<String>,
    pub is_migrant: bool,
    pub outflow_organization_id: Option<i64>,
    pub outflow_organization_name: Option<String>,
    /// The residence organization (居住地党组织), when it is in the tree.
    pub residence_organization_id: Option<i64>,
    /// A private business owner (业主): consulted by more departments (I5).
    pub is_business_owner: bool,
    pub is_high_level_talent: bool,
    pub has_political_violation: bool,
    pub expected_departure_on: Option<NaiveDate>,
}

/// A person as entered, before validation.
pub type PersonDraft = Person<Option<Gender>, Option<Education>, Option<NaiveDate>>;

/// A validated person.
pub type PersonRecord = Person<Gender, Education, NaiveDate>;

/// A free-text field of at most `max` characters, printable.
fn short_text(
    value: &Option<String>,
    max: usize,
    field: &'static str,
    zh: &'static str,
) -> Result<(), DomainError> {
    match value {
        Some(v) if v.chars().count() > max || v.chars().any(crate::domain::text::is_hidden) => {
            Err(DomainError::invalid(
                field,
                format!("{zh}最多{max}个字符，且不能含控制字符"),
                format!("{field} is limited to {max} printable characters"),
            ))
        }
        _ => Ok(()),
    }
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A person is born by today (an applicant's age is N1's; a member's is checked here).
pub fn born_by(birth: NaiveDate, today: NaiveDate) -> Result<(), DomainError> {
    if birth > today {
        return Err(DomainError::invalid(
            "birthDate",
            "出生日期不能晚于今天",
            "the birth date cannot be after today",
        ));
    }
    Ok(())
}

/// A member's date of joining is on or after their 18th birthday and not after today.
pub fn joined_as_adult(
    birth: NaiveDate,
    since: NaiveDate,
    today: NaiveDate,
) -> Result<(), DomainError> {
    let adult = birth.checked_add_months(chrono::Months::new(18 * 12));
    if since > today || adult.is_none_or(|a| since < a) {
        return Err(DomainError::invalid(
            "memberSince",
            "入党日期须在年满18岁之后且不晚于今天",
            "the date of joining must be after the 18th birthday and not after today",
        ));
    }
    Ok(())
}

/// Validates a person; `id_card_required` for candidates (members may lack one).
pub fn validate(d: PersonDraft, id_card_required: bool) -> Result<PersonRecord, DomainError> {
    let name = d.name.trim().to_string();
    crate::domain::text::check_name("name", &name)?;
    if name.is_empty() || name.chars().count() > 50 {
        return Err(DomainError::invalid(
            "name",
            "姓名须为1至50个字符",
            "the name must be 1 to 50 characters",
        ));
    }
    let gender = d
        .gender
        .ok_or_else(|| DomainError::invalid("gender", "缺少性别", "gender is required"))?;
    let birth_date = d.birth_date.ok_or_else(|| {
        DomainError::invalid("birthDate", "缺少出生日期", "the birth date is required")
    })?;
    if birth_date < super::check::EARLIEST_DATE {
        return Err(DomainError::invalid(
            "birthDate",
            "出生日期不能早于1900年",
            "the birth date must be in 1900 or later",
        ));
    }
    let id_card_number = match trimmed(d.id_card_number) {
        Some(n) => Some(id_card::parse(&n, birth_date)?),
        None if id_card_required => {
            return Err(DomainError::invalid(
                "idCardNumber",
                "缺少身份证号",
                "the ID-card number is required",
            ));
        }
        None => None,
    };
    let phone = trimmed(d.phone);
    if let Some(p) = &phone {
        let digits = p.chars().filter(|c| c.is_ascii_digit()).count();
        if !(7..=20).contains(&digits)
            || !p
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
        {
            return Err(DomainError::invalid(
                "phone",
                "电话号码格式不正确",
                "the phone number must be 7 to 20 digits",
            ));
        }
    }
    let education = d.education.ok_or_else(|| {
        DomainError::invalid("education", "缺少学历", "the education level is required")
    })?;
    let mut occupations = d.occupations;
    occupations.dedup();
    if occupations.is_empty() {
        return Err(DomainError::invalid(
            "occupations",
            "至少填写一个职业类别",
            "at least one occupation category is required",
        ));
    }
    let outflow_organization_name = trimmed(d.outflow_organization_name);
    let household_registration = trimmed(d.household_registration);
    short_text(
        &outflow_organization_name,
        100,
        "outflowOrganizationName",
        "流出地党组织",
    )?;
    short_text(
        &household_registration,
        200,
        "householdRegistration",
        "户籍所在地",
    )?;
    short_text(&Some(d.ethnicity.clone()), 20, "ethnicity", "民族")?;
    if d.is_migrant && d.outflow_organization_id.is_none() && outflow_organization_name.is_none() {
        return Err(DomainError::invalid(
            "outflowOrganizationId",
            "流动人员须填写流出地党组织",
            "a migrant needs the outflow organization (in the tree, or its name)",
        ));
    }
    let ethnicity = d.ethnicity.trim().to_string();
    Ok(PersonRecord {
        name,
        gender,
        ethnicity: if ethnicity.is_empty() {
            "汉族".into()
        } else {
            ethnicity
        },
        birth_date,
        id_card_number,
        phone,
        education,
        occupations,
        is_frontline: d.is_frontline,
        is_league_member: d.is_league_member,
        household_registration,
        is_migrant: d.is_migrant,
        outflow_organization_id: d.outflow_organization_id,
        outflow_organization_name,
        residence_organization_id: d.residence_organization_id,
        is_business_owner: d.is_business_owner,
        is_high_level_talent: d.is_high_level_talent,
        has_political_violation: d.has_political_violation,
        expected_departure_on: d.expected_departure_on,
    })
}

/// Occupations as stored: codes joined by commas.
pub fn join_occupations(o: &[Occupation]) -> String {
    o.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(",")
}

/// Occupations from their stored form.
pub fn split_occupations(s: &str) -> Vec<Occupation> {
    s.split(',').filter_map(Occupation::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> PersonDraft {
        PersonDraft {
            name: "李明".into(),
            gender: Some(Gender::Male),
            birth_date: Some("1949-12-31".parse().unwrap()),
            id_card_number: Some("11010519491231002X".into()),
            education: Some(Education::Undergraduate),
            occupations: vec![Occupation::Worker],
            ..Default::default()
        }
    }

    #[test]
    fn a_name_with_a_hidden_character_is_refused_as_such() {
        let message = |name: &str| match validate(
            PersonDraft {
                name: name.into(),
                ..draft()
            },
            true,
        ) {
            Err(DomainError::InvalidInput { message_en, .. }) => message_en,
            other => panic!("{name:?}: {other:?}"),
        };
        for hidden in [
            "李\u{200b}明",
            "李\u{0}明",
            "\u{feff}",
            "李明\u{202e}",
            "李\u{ad}明",
            "李\u{34f}明",
            "李\u{61c}明",
            "李\u{180e}明",
            "李\u{e0041}明",
            "李\u{3164}明",
            "李明\u{fe0f}",
            "李\u{2066}明",
        ] {
            assert!(
                message(hidden).contains("invisible or control"),
                "{hidden:?}"
            );
        }
        assert!(message("  ").contains("1 to 50"));
        assert!(message(&"名".repeat(51)).contains("1 to 50"));
    }

    #[test]
    fn a_member_joins_at_18_and_not_after_today() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let today = d("2026-11-29");
        assert!(joined_as_adult(d("1980-05-20"), d("1998-05-20"), today).is_ok());
        assert!(joined_as_adult(d("1980-05-20"), d("1998-05-19"), today).is_err());
        assert!(joined_as_adult(d("1980-05-20"), today, today).is_ok());
        assert!(joined_as_adult(d("1980-05-20"), d("2026-11-30"), today).is_err());
        assert!(born_by(today, today).is_ok());
        assert!(born_by(d("2026-11-30"), today).is_err());
    }

    #[test]
    fn a_birth_before_1900_is_refused() {
        let born = |on: &str| PersonDraft {
            birth_date: Some(on.parse().unwrap()),
            id_card_number: None,
            ..draft()
        };
        assert!(validate(born("1899-12-31"), false).is_err());
        assert!(validate(born("1900-01-01"), false).is_ok());
    }

    #[test]
    fn a_complete_person_validates() {
        let p = validate(draft(), true).unwrap();
        assert_eq!(p.ethnicity, "汉族");
        assert_eq!(join_occupations(&p.occupations), "WORKER");
    }

    #[test]
    fn missing_or_bad_fields_name_the_field() {
        let no_id = PersonDraft {
            id_card_number: None,
            ..draft()
        };
        assert!(matches!(
            validate(no_id.clone(), true),
            Err(DomainError::InvalidInput {
                field: "idCardNumber",
                ..
            })
        ));
        assert!(validate(no_id, false).is_ok());
        let migrant = PersonDraft {
            is_migrant: true,
            ..draft()
        };
        assert!(matches!(
            validate(migrant, true),
            Err(DomainError::InvalidInput {
                field: "outflowOrganizationId",
                ..
            })
        ));
        let bad_phone = PersonDraft {
            phone: Some("12ab".into()),
            ..draft()
        };
        assert!(matches!(
            validate(bad_phone, true),
            Err(DomainError::InvalidInput { field: "phone", .. })
        ));
    }
}
