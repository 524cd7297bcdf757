//! Figures held against a plan: shares in percent, the admitted against the plan total (the
//! ±10 % band) and the pipeline ratios.

use super::{RatioKind, RatioTarget};

/// How far the admitted may deviate from the plan total, in percent, and still be on plan.
pub const BAND_PERCENT: f64 = 10.0;

/// `n` as a share of `base`, in percent with one decimal (none when the base is 0).
pub fn percent(n: i64, base: i64) -> Option<f64> {
    (base > 0).then(|| (n as f64 * 1000.0 / base as f64).round() / 10.0)
}

/// The admitted against the plan total: (admitted − plan) / plan, in percent.
pub fn deviation_percent(admitted: i64, planned: u32) -> Option<f64> {
    let planned = i64::from(planned);
    percent(admitted - planned, planned)
}

/// Whether the admitted are inside the ±10 % band around the plan total (none without a total).
pub fn inside_band(admitted: i64, planned: u32) -> Option<bool> {
    deviation_percent(admitted, planned).map(|d| d.abs() <= BAND_PERCENT)
}

/// The cases in the pools a ratio compares, now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pools {
    pub applicants: i64,
    pub activists: i64,
    pub targets: i64,
}

impl RatioTarget {
    /// The counts the ratio compares, in the order of its parts.
    pub fn actual(&self, pools: Pools, plan_total: u32) -> Vec<i64> {
        match self.kind {
            RatioKind::ApplicantsActivistsTargets => {
                vec![pools.applicants, pools.activists, pools.targets]
            }
            RatioKind::ActivistsTargets => vec![pools.activists, pools.targets],
            RatioKind::ActivistsPlan => vec![pools.activists, i64::from(plan_total)],
        }
    }

    /// Whether every earlier pool is at least its share of the last one.
    pub fn met(&self, actual: &[i64]) -> bool {
        let last = *actual.last().unwrap_or(&0) as f64;
        let last_part = f64::from(*self.parts.last().unwrap_or(&1));
        self.parts
            .iter()
            .zip(actual)
            .all(|(p, n)| *n as f64 >= f64::from(*p) * last / last_part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_have_one_decimal_and_none_without_a_base() {
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(5, 0), None);
    }

    #[test]
    fn the_band_is_ten_percent_either_way() {
        assert_eq!(deviation_percent(110, 100), Some(10.0));
        assert_eq!(inside_band(110, 100), Some(true));
        assert_eq!(inside_band(89, 100), Some(false));
        assert_eq!(inside_band(5, 0), None);
    }

    #[test]
    fn a_ratio_is_met_when_every_pool_holds_its_share_of_the_last() {
        let r = RatioTarget {
            kind: RatioKind::ApplicantsActivistsTargets,
            parts: vec![6, 3, 1],
        };
        let pools = Pools {
            applicants: 12,
            activists: 6,
            targets: 2,
        };
        let actual = r.actual(pools, 0);
        assert_eq!(actual, vec![12, 6, 2]);
        assert!(r.met(&actual));
        assert!(!r.met(&[11, 6, 2]));
        let plan = RatioTarget {
            kind: RatioKind::ActivistsPlan,
            parts: vec![3, 1],
        };
        assert_eq!(plan.actual(pools, 4), vec![6, 4]);
        assert!(!plan.met(&[6, 4]));
    }
}
