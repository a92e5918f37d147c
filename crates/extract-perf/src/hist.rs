//! Calls, failures and time over some span, with their latencies in the
//! service's one histogram ([`extract_core::latency::Histogram`]).

use extract_core::latency::Histogram;

/// Calls and their latencies over some span of time.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Hist {
    latency: Histogram,
    /// Calls.
    pub(crate) count: u64,
    /// Calls that failed.
    pub(crate) errors: u64,
    /// Seconds spent, all calls together.
    pub(crate) seconds: f64,
}

impl Hist {
    /// One call of `seconds`.
    pub(crate) fn record(&mut self, seconds: f64, ok: bool) {
        let seconds = if seconds.is_finite() {
            seconds.max(0.0)
        } else {
            0.0
        };
        self.latency.record(seconds);
        self.count += 1;
        self.errors += u64::from(!ok);
        self.seconds += seconds;
    }

    /// Adds `other` in.
    pub(crate) fn merge(&mut self, other: &Hist) {
        self.latency.merge(&other.latency);
        self.count += other.count;
        self.errors += other.errors;
        self.seconds += other.seconds;
    }

    /// The `q` quantile (0..=1), seconds: the upper bound of its bucket,
    /// so at most 25 % high. `None` without calls.
    pub(crate) fn quantile(&self, q: f64) -> Option<f64> {
        self.latency.quantile(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_one_bucket() {
        let mut h = Hist::default();
        for ms in 1..=100 {
            h.record(f64::from(ms) / 1000.0, ms % 10 != 0);
        }
        let p50 = h.quantile(0.5).unwrap();
        assert!((0.050..0.050 * 1.25).contains(&p50), "{p50}");
        let p99 = h.quantile(0.99).unwrap();
        assert!((0.099..0.099 * 1.25).contains(&p99), "{p99}");
        assert_eq!((h.count, h.errors), (100, 10));
        let mut two = h.clone();
        two.merge(&h);
        assert_eq!(two.count, 200);
        assert_eq!(two.quantile(0.5), h.quantile(0.5));
        assert_eq!(Hist::default().quantile(0.5), None);
        // Out-of-range values land in the end buckets, never panic.
        h.record(-1.0, true);
        h.record(f64::NAN, true);
        h.record(1e9, true);
    }
}
