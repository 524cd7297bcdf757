//! What a plan requires (结构要求): every structure target as the count it binds, the way plan
//! documents work it out by hand. A percentage becomes a count of its base (ceil for at least,
//! floor for at most); a base that is itself a category ("≤25 at least 50 % of ≤35") is that
//! category's requirement; where a target states both a count and a percentage, the stricter
//! one binds.

use super::{Category, Comparator, PlanContent, StructureTarget, required_count};

/// One structure requirement of a plan or an allocation row, with how it was derived.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub category: Category,
    pub comparator: Comparator,
    /// The count the document states, if any.
    pub count: Option<u32>,
    /// The percentage the document states, if any.
    pub percent: Option<f64>,
    /// The category the percentage is of (none: the plan total).
    pub base_category: Option<Category>,
    /// The base the percentage is taken of: the plan total or the base category's requirement.
    pub base: u32,
    /// The percentage as a count of the base.
    pub from_percent: Option<u32>,
    /// The binding count: the stricter of the stated count and the percentage's count.
    pub required: u32,
}

impl Requirement {
    /// A stated count looser than its own percentage (at least: fewer; at most: more; about:
    /// more than 10 % away): the document contradicts itself.
    pub fn contradicts(&self) -> bool {
        let (Some(count), Some(from_percent)) = (self.count, self.from_percent) else {
            return false;
        };
        match self.comparator {
            Comparator::AtLeast | Comparator::StriveFor => count < from_percent,
            Comparator::AtMost => count > from_percent,
            Comparator::About => {
                f64::from(count.abs_diff(from_percent)) > f64::from(from_percent) * 0.1
            }
        }
    }
}

/// The stricter of a stated count and a percentage's count under a comparator.
pub fn stricter(comparator: Comparator, count: Option<u32>, from_percent: Option<u32>) -> u32 {
    match (count, from_percent) {
        (Some(c), Some(p)) => match comparator {
            Comparator::AtLeast | Comparator::StriveFor => c.max(p),
            Comparator::AtMost => c.min(p),
            Comparator::About => c,
        },
        (Some(c), None) => c,
        (None, Some(p)) => p,
        (None, None) => 0,
    }
}

/// How deep nested bases are followed (a base of a base …); a cycle stops here.
const MAX_BASE_DEPTH: usize = 8;

fn target_requirement(c: &PlanContent, t: &StructureTarget, depth: usize) -> Option<Requirement> {
    let (category, comparator, base_category) = (t.category, t.comparator, t.base);
    let base = match base_category {
        Some(b) if depth < MAX_BASE_DEPTH => {
            requirement_of(c, b, depth + 1).map_or(c.total, |r| r.required)
        }
        _ => c.total,
    };
    let from_percent = t.percent.map(|p| required_count(p, base, comparator));
    Some(Requirement {
        category,
        comparator,
        count: t.count,
        percent: t.percent,
        base_category,
        base,
        from_percent,
        required: stricter(comparator, t.count, from_percent),
    })
}

/// The annex columns "of which ≤35" and "of which college+", as at-least counts.
fn column(c: &PlanContent, category: Category) -> Option<Requirement> {
    let count = match category {
        Category::Age35AndUnder => c.under_35,
        Category::CollegePlus => c.college_plus,
        _ => None,
    }?;
    Some(Requirement {
        category,
        comparator: Comparator::AtLeast,
        count: Some(count),
        percent: None,
        base_category: None,
        base: c.total,
        from_percent: None,
        required: count,
    })
}

/// The requirement of a category as a base: its first stated target, else its annex column.
fn requirement_of(c: &PlanContent, category: Category, depth: usize) -> Option<Requirement> {
    match c.targets.iter().find(|t| t.category == category) {
        Some(t) => target_requirement(c, t, depth),
        None => column(c, category),
    }
}

/// Every structure requirement of a plan or an allocation row, in the order the document
/// states them (one per target — a floor and a cap of one category are two — then the annex
/// columns not also stated as targets).
pub fn requirements(c: &PlanContent) -> Vec<Requirement> {
    let mut out: Vec<Requirement> = c
        .targets
        .iter()
        .filter_map(|t| target_requirement(c, t, 0))
        .collect();
    for category in [Category::Age35AndUnder, Category::CollegePlus] {
        if !out.iter().any(|r| r.category == category) {
            out.extend(column(c, category));
        }
    }
    out
}

/// The requirement of one category as a base (its first target, else its annex column).
pub fn required_of(c: &PlanContent, category: Category) -> Option<u32> {
    requirement_of(c, category, 0).map(|r| r.required)
}

/// What a row requires of a category under a comparator: the target stated with it, or for at
/// least the annex column.
fn row_required(row: &PlanContent, category: Category, comparator: Comparator) -> Option<u32> {
    requirements(row)
        .into_iter()
        .find(|r| r.category == category && r.comparator == comparator)
        .map(|r| r.required)
}

/// A parent requirement set against what its allocation rows require together.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub category: Category,
    pub comparator: Comparator,
    /// What the plan requires.
    pub required: u32,
    /// The sum of the rows' requirements (a row that states none counts 0 for at least).
    pub allocated: u32,
    /// Rows that state a requirement for the category.
    pub rows_stating: usize,
    /// Rows in all.
    pub rows: usize,
    /// At least: some row states the category and the rows together require less than the
    /// plan; at most: every row states a cap and together they allow more than the plan. An
    /// annex that does not break a category down is silent about it.
    pub uncovered: bool,
}

/// Each of a plan's at-least and at-most requirements against the sum of its rows'.
pub fn coverage(plan: &PlanContent, rows: &[&PlanContent]) -> Vec<Coverage> {
    if rows.is_empty() {
        return vec![];
    }
    requirements(plan)
        .into_iter()
        .filter(|r| r.comparator != Comparator::About)
        .map(|r| {
            let stated: Vec<u32> = rows
                .iter()
                .filter_map(|row| row_required(row, r.category, r.comparator))
                .collect();
            let allocated = stated.iter().sum();
            let uncovered = match r.comparator {
                Comparator::AtMost => stated.len() == rows.len() && allocated > r.required,
                _ => !stated.is_empty() && allocated < r.required,
            };
            Coverage {
                category: r.category,
                comparator: r.comparator,
                required: r.required,
                allocated,
                rows_stating: stated.len(),
                rows: rows.len(),
                uncovered,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(category: &str, cmp: &str, count: Option<u32>, pct: Option<f64>) -> StructureTarget {
        StructureTarget {
            category: Category::parse(category).unwrap(),
            comparator: Comparator::parse(cmp).unwrap(),
            count,
            percent: pct,
            base: None,
        }
    }

    fn of(base: &str, mut target: StructureTarget) -> StructureTarget {
        target.base = Category::parse(base);
        target
    }

    fn plan(total: u32, targets: Vec<StructureTarget>) -> PlanContent {
        PlanContent {
            total,
            targets,
            ..Default::default()
        }
    }

    #[test]
    fn the_issue_example_of_sixty_with_nested_bases() {
        // 60; women ≥ 35 % → 21; ≤35 ≥ 75 % → 45; ≤25 ≥ 50 % of ≤35 → 23.
        let p = plan(
            60,
            vec![
                t("WOMEN", "AT_LEAST", None, Some(35.0)),
                t("AGE_35_AND_UNDER", "AT_LEAST", None, Some(75.0)),
                of(
                    "AGE_35_AND_UNDER",
                    t("AGE_25_AND_UNDER", "AT_LEAST", None, Some(50.0)),
                ),
            ],
        );
        let r = requirements(&p);
        let req = |c| r.iter().find(|x| x.category == c).unwrap().required;
        assert_eq!(req(Category::Women), 21);
        assert_eq!(req(Category::Age35AndUnder), 45);
        assert_eq!(req(Category::Age25AndUnder), 23);
        assert_eq!(r[2].base, 45);
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn an_at_least_count_above_its_percentage_binds_and_is_no_contradiction() {
        // 350: no fewer than 300, 85 % or more (= 297.5 → 298).
        let r = &requirements(&plan(
            350,
            vec![t("AGE_35_AND_UNDER", "AT_LEAST", Some(300), Some(85.0))],
        ))[0];
        assert_eq!((r.from_percent, r.required), (Some(298), 300));
        assert!(!r.contradicts());
        // 297 is looser than 298: a contradiction, and 298 binds.
        let r = &requirements(&plan(
            350,
            vec![t("AGE_35_AND_UNDER", "AT_LEAST", Some(297), Some(85.0))],
        ))[0];
        assert!(r.contradicts());
        assert_eq!(r.required, 298);
        // Exactly the percentage's count: consistent.
        let r = &requirements(&plan(
            350,
            vec![t("AGE_35_AND_UNDER", "AT_LEAST", Some(298), Some(85.0))],
        ))[0];
        assert!(!r.contradicts());
    }

    #[test]
    fn an_at_most_count_above_its_percentage_contradicts_and_the_percentage_binds() {
        // At most 9 people and at most 4 % of 200 (= 8).
        let r = &requirements(&plan(
            200,
            vec![t("STUDENTS", "AT_MOST", Some(9), Some(4.0))],
        ))[0];
        assert_eq!((r.from_percent, r.required), (Some(8), 8));
        assert!(r.contradicts());
        let r = &requirements(&plan(
            200,
            vec![t("STUDENTS", "AT_MOST", Some(7), Some(4.0))],
        ))[0];
        assert_eq!(r.required, 7);
        assert!(!r.contradicts());
    }

    #[test]
    fn annex_columns_are_at_least_requirements() {
        let row = PlanContent {
            total: 6,
            under_35: Some(4),
            college_plus: Some(3),
            ..Default::default()
        };
        let r = requirements(&row);
        assert_eq!(r.len(), 2);
        assert!(
            r.iter()
                .all(|x| x.comparator == Comparator::AtLeast && x.base == 6)
        );
        assert_eq!(required_of(&row, Category::Age35AndUnder), Some(4));
        assert_eq!(required_of(&row, Category::Women), None);
    }

    #[test]
    fn a_base_cycle_is_refused_as_input() {
        let p = plan(
            10,
            vec![
                of("WOMEN", t("FARMERS", "AT_LEAST", None, Some(50.0))),
                of("FARMERS", t("WOMEN", "AT_LEAST", None, Some(50.0))),
            ],
        );
        assert!(crate::domain::plan::validate(&p, 2025).is_err());
        let own = plan(
            10,
            vec![of("WOMEN", t("WOMEN", "AT_LEAST", None, Some(50.0)))],
        );
        assert!(crate::domain::plan::validate(&own, 2025).is_err());
        // Still terminates if it ever reaches the arithmetic.
        assert_eq!(requirements(&p).len(), 2);
    }

    #[test]
    fn a_floor_and_a_cap_of_one_category_are_two_requirements() {
        let p = plan(
            60,
            vec![
                t("WOMEN", "AT_LEAST", None, Some(20.0)),
                t("WOMEN", "AT_MOST", None, Some(50.0)),
            ],
        );
        assert!(crate::domain::plan::validate(&p, 2025).is_ok());
        let r = requirements(&p);
        assert_eq!(r.iter().map(|x| x.required).collect::<Vec<_>>(), [12, 30]);
        let twice = plan(
            60,
            vec![
                t("WOMEN", "AT_LEAST", None, Some(20.0)),
                t("WOMEN", "AT_LEAST", Some(5), None),
            ],
        );
        assert!(crate::domain::plan::validate(&twice, 2025).is_err());
    }

    #[test]
    fn rows_that_under_cover_the_parent_are_found_and_exact_cover_is_silent() {
        let parent = plan(
            20,
            vec![t("AGE_35_AND_UNDER", "AT_LEAST", None, Some(80.0))],
        );
        let row = |n, u| PlanContent {
            total: n,
            under_35: Some(u),
            ..Default::default()
        };
        let (a, b) = (row(10, 8), row(10, 7));
        let c = &coverage(&parent, &[&a, &b])[0];
        assert_eq!((c.required, c.allocated, c.uncovered), (16, 15, true));
        let b = row(10, 8);
        assert!(!coverage(&parent, &[&a, &b])[0].uncovered);
        // Rows that do not break the category down say nothing about it.
        let bare = plan(10, vec![]);
        assert!(!coverage(&parent, &[&bare, &bare])[0].uncovered);
        // A cap is judged only when every row states one.
        let cap = plan(20, vec![t("STUDENTS", "AT_MOST", Some(2), None)]);
        let with_cap = plan(10, vec![t("STUDENTS", "AT_MOST", Some(2), None)]);
        let without = plan(10, vec![]);
        assert!(!coverage(&cap, &[&with_cap, &without])[0].uncovered);
        assert!(coverage(&cap, &[&with_cap, &with_cap])[0].uncovered);
    }
}
