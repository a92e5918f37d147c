//! The service's one way of reading latency quantiles: fixed log buckets
//! (about 1 µs to 30 s in steps of 25 %) and the quantile of a bucket count
//! as its bucket's upper bound. The cache's lookup stats, the batch item
//! stats and the performance report all count into these buckets, each in
//! the storage it needs (atomics, plain counters, a sample built on
//! demand), so their percentiles agree.
//!
//! ```
//! use extract_core::latency;
//! let mut counts = [0u64; latency::BUCKET_COUNT];
//! for ms in 1..=100 {
//!     counts[latency::bucket(f64::from(ms) / 1000.0)] += 1;
//! }
//! let p50 = latency::quantile(counts.iter().copied(), 0.5).unwrap();
//! assert!((0.050..0.050 * 1.25).contains(&p50));
//! ```

use std::time::Duration;

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

/// The `q` quantile of `samples`, through the same buckets.
pub fn quantile_of(samples: impl IntoIterator<Item = Duration>, q: f64) -> Option<Duration> {
    let mut counts = [0u64; BUCKET_COUNT];
    for d in samples {
        counts[bucket_of(d)] += 1;
    }
    quantile(counts.iter().copied(), q).map(Duration::from_secs_f64)
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
}
