//! Organization-level duties from the local plans (DOMAIN.md §4.2): every village or community
//! keeps at least one activist in reserve and develops at least one member every two years, at
//! least half of them aged 35 or under (street plan; town plan); every branch develops at least
//! one member within the years of a multi-year plan (street plan, 2022–2026).

/// A duty an organization can fall short of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// A village or community with no activist in reserve.
    ActivistReserve,
    /// A village or community that admitted nobody in two years, or fewer than half of them
    /// aged 35 or under.
    BiennialDevelopment,
    /// A branch that admitted nobody in the plan's years.
    BranchDevelopment,
}

/// What a village's or community's duties are judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommunityFacts {
    /// Activists now.
    pub activists: u32,
    /// Admitted in the year and the year before (talent-exempt apart).
    pub admitted_two_years: u32,
    /// Of whom aged 35 or under.
    pub young_two_years: u32,
}

/// The duties a village or community falls short of.
pub fn community_shortfalls(f: &CommunityFacts) -> Vec<Duty> {
    let mut out = vec![];
    if f.activists == 0 {
        out.push(Duty::ActivistReserve);
    }
    if f.admitted_two_years == 0 || f.young_two_years * 2 < f.admitted_two_years {
        out.push(Duty::BiennialDevelopment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_young_is_enough_and_none_admitted_is_short() {
        let ok = CommunityFacts {
            activists: 1,
            admitted_two_years: 2,
            young_two_years: 1,
        };
        assert!(community_shortfalls(&ok).is_empty());
        let few_young = CommunityFacts {
            admitted_two_years: 3,
            young_two_years: 1,
            ..ok
        };
        assert_eq!(
            community_shortfalls(&few_young),
            vec![Duty::BiennialDevelopment]
        );
        let idle = CommunityFacts::default();
        assert_eq!(
            community_shortfalls(&idle),
            vec![Duty::ActivistReserve, Duty::BiennialDevelopment]
        );
    }
}
