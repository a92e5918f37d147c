//! The service's one latency histogram: fixed log buckets (about 1 µs to
//! 30 s in steps of 25 %), the quantile of a count as its bucket's upper
//! bound. [`Histogram`] is the type: the performance report's stage windows
//! keep one per slot, the batch item stats build one from their sample,
//! and the cache's lookup stats record into an [`AtomicHistogram`] (the
//! same buckets, lock-free) and read a [`Histogram`] from it, so every
//! percentile the service shows is read the same way.
//!
//! ```
//! use extract_core::latency::Histogram;
//! let mut h = Histogram::default();
//! for ms in 1..=100 {
//!     h.record(f64::from(ms) / 1000.0);
//! }
//! let p50 = h.quantile(0.5).unwrap();
//! assert!((0.050..0.050 * 1.25).contains(&p50));
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counts of latencies per bucket: cheap to record, to merge and to read
/// quantiles from (316 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    counts: [u32; BUCKET_COUNT],
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: [0; BUCKET_COUNT],
        }
    }
}

impl Histogram {
    /// One latency of `seconds` (negative, NaN or infinite: the end buckets).
    pub fn record(&mut self, seconds: f64) {
        let slot = &mut self.counts[bucket(seconds)];
        *slot = slot.saturating_add(1);
    }

    /// One latency.
    pub fn record_duration(&mut self, d: Duration) {
        self.record(d.as_secs_f64());
    }

    /// Adds `other` in.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a = a.saturating_add(*b);
        }
    }

    /// Latencies recorded.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|c| u64::from(*c)).sum()
    }

    /// The `q` quantile (0..=1), seconds: the upper bound of its bucket, so
    /// at most 25 % high. `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        quantile(self.counts.iter().map(|c| u64::from(*c)), q)
    }
}

/// A [`Histogram`] recorded from many threads without a lock (relaxed
/// atomics), for hot paths.
#[derive(Debug)]
pub struct AtomicHistogram {
    counts: [AtomicU64; BUCKET_COUNT],
}

impl Default for AtomicHistogram {
    fn default() -> Self {
        AtomicHistogram {
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

impl AtomicHistogram {
    /// One latency.
    pub fn record(&self, d: Duration) {
        self.counts[bucket_of(d)].fetch_add(1, Ordering::Relaxed);
    }

    /// What was recorded so far.
    pub fn snapshot(&self) -> Histogram {
        Histogram {
            counts: std::array::from_fn(|i| {
                u32::try_from(self.counts[i].load(Ordering::Relaxed)).unwrap_or(u32::MAX)
            }),
        }
    }
}

/// How many buckets there are.
pub const BUCKET_COUNT: usize = 79;
/// Upper bound of the first bucket, seconds: 0.1 ms / 1.25²¹, so that 0.1 ms
/// is a bucket bound.
const FIRST_S: f64 = 0.000_1 / 108.420_217_248_550_44;
/// Each bucket's upper bound is the previous one's times this.
const STEP: f64 = 1.25;

/// Upper bound of bucket `i`, seconds (the last one is open).
pub fn bound(i: usize) -> f64 {
    FIRST_S * STEP.powi(i as i32)
}

/// The bucket of a latency of `seconds` (negative or NaN: the first).
pub fn bucket(seconds: f64) -> usize {
    if seconds.is_nan() || seconds <= FIRST_S {
        return 0;
    }
    let i = ((seconds / FIRST_S).ln() / STEP.ln()).ceil() as usize;
    i.min(BUCKET_COUNT - 1)
}

/// The bucket of `d`.
pub fn bucket_of(d: Duration) -> usize {
    bucket(d.as_secs_f64())
}

/// The `q` quantile (0..=1), seconds, of bucket `counts` (in bucket order):
/// the upper bound of the bucket holding it, so at most 25 % high. `None`
/// without observations.
pub fn quantile(counts: impl Iterator<Item = u64> + Clone, q: f64) -> Option<f64> {
    let total: u64 = counts.clone().sum();
    if total == 0 {
        return None;
    }
    let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
    let mut seen = 0u64;
    for (i, c) in counts.enumerate() {
        seen += c;
        if seen >= rank {
            return Some(bound(i.min(BUCKET_COUNT - 1)));
        }
    }
    Some(bound(BUCKET_COUNT - 1))
}

/// The `q` quantile of `samples`, through a [`Histogram`].
pub fn quantile_of(samples: impl IntoIterator<Item = Duration>, q: f64) -> Option<Duration> {
    let mut h = Histogram::default();
    for d in samples {
        h.record_duration(d);
    }
    h.quantile(q).map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_span_a_microsecond_to_thirty_seconds_and_keep_a_tenth_of_a_millisecond() {
        assert!(bound(0) < 1e-6 && bound(1) > 1e-6, "{}", bound(0));
        assert!((bound(21) - 0.0001).abs() < 1e-12, "{}", bound(21));
        assert!(
            bound(BUCKET_COUNT - 1) >= 30.0,
            "{}",
            bound(BUCKET_COUNT - 1)
        );
        assert!(bound(BUCKET_COUNT - 2) < 30.0);
        assert_eq!(bucket(0.0001), 21);
        assert_eq!(
            (bucket(-1.0), bucket(f64::NAN), bucket(1e9)),
            (0, 0, BUCKET_COUNT - 1)
        );
    }

    #[test]
    fn samples_and_counts_give_the_same_quantile() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let p99 = quantile_of(samples.iter().copied(), 0.99).unwrap();
        assert!(p99 >= Duration::from_millis(99) && p99 < Duration::from_micros(99 * 1250));
        assert_eq!(quantile_of(Vec::new(), 0.5), None);
    }

    #[test]
    fn the_lock_free_recorder_reads_as_the_plain_histogram() {
        let (atomic, mut plain) = (AtomicHistogram::default(), Histogram::default());
        for ms in [1, 5, 5, 40, 900] {
            atomic.record(Duration::from_millis(ms));
            plain.record_duration(Duration::from_millis(ms));
        }
        assert_eq!(atomic.snapshot(), plain);
        let mut two = plain.clone();
        two.merge(&plain);
        assert_eq!((two.total(), two.quantile(0.5)), (10, plain.quantile(0.5)));
        // Out-of-range values land in the end buckets, never panic.
        plain.record(-1.0);
        plain.record(f64::NAN);
        plain.record(f64::INFINITY);
        assert_eq!(plain.total(), 8);
    }
}
