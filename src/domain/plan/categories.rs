//! Which structure categories (结构类别) an admitted new member counts in.

use super::Category;

/// What the structure categories need to know about one admitted new member.
#[derive(Debug, Clone)]
pub struct AdmissionFacts {
    pub age: i32,
    pub female: bool,
    pub ethnicity: String,
    pub education: String,
    pub occupations: Vec<String>,
    pub is_frontline: bool,
    pub is_two_new: bool,
}

/// The structure categories one admitted new member counts in (ages at the admission meeting;
/// ≤ 35 inclusive, DOMAIN.md §8.9).
pub fn categories_of(f: &AdmissionFacts) -> Vec<Category> {
    use Category::*;
    let mut out = vec![];
    if f.age <= 35 {
        out.push(Age35AndUnder);
    }
    if f.age <= 25 {
        out.push(Age25AndUnder);
    }
    let edu = f.education.as_str();
    if matches!(edu, "POSTGRADUATE" | "UNDERGRADUATE" | "JUNIOR_COLLEGE") {
        out.push(CollegePlus);
    }
    if matches!(
        edu,
        "POSTGRADUATE" | "UNDERGRADUATE" | "JUNIOR_COLLEGE" | "TECHNICAL_SECONDARY" | "SENIOR_HIGH"
    ) {
        out.push(HighSchoolPlus);
    }
    // 研究生、大学本(专)科: postgraduate, undergraduate and junior college, as the district
    // opinions write it (the same people as 大专及以上, kept as its own name because plans use
    // it as the base of other targets).
    if matches!(edu, "POSTGRADUATE" | "UNDERGRADUATE" | "JUNIOR_COLLEGE") {
        out.push(PostgraduateUndergraduate);
    }
    if f.female {
        out.push(Women);
    }
    if !f.ethnicity.is_empty() && f.ethnicity != "汉族" {
        out.push(EthnicMinority);
    }
    let has = |o: &[&str]| f.occupations.iter().any(|x| o.contains(&x.as_str()));
    if has(&["WORKER", "MIGRANT_WORKER", "DISPATCHED_WORKER"]) {
        out.push(Workers);
    }
    if has(&["FARMER"]) {
        out.push(Farmers);
    }
    // 管理、专业技术人员和农村致富能人.
    if has(&["MANAGER", "PROFESSIONAL_TECHNICAL", "RURAL_ENTREPRENEUR"]) {
        out.push(ManagersProfessionals);
    }
    if has(&["STUDENT"]) {
        out.push(Students);
    }
    if f.is_two_new {
        out.push(TwoNew);
    }
    if f.is_frontline {
        out.push(Frontline);
    }
    out
}

#[cfg(test)]
mod category_tests {
    use super::*;

    #[test]
    fn a_young_woman_worker_with_a_degree_in_a_private_firm() {
        let f = AdmissionFacts {
            age: 25,
            female: true,
            ethnicity: "壮族".into(),
            education: "UNDERGRADUATE".into(),
            occupations: vec!["MIGRANT_WORKER".into()],
            is_frontline: true,
            is_two_new: true,
        };
        let c = categories_of(&f);
        for want in [
            Category::Age35AndUnder,
            Category::Age25AndUnder,
            Category::CollegePlus,
            Category::Women,
            Category::EthnicMinority,
            Category::Workers,
            Category::TwoNew,
            Category::Frontline,
        ] {
            assert!(c.contains(&want), "{want:?}");
        }
        assert!(
            !categories_of(&AdmissionFacts { age: 36, ..f }).contains(&Category::Age35AndUnder)
        );
    }
}
