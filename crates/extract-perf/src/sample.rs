//! What the server reads from its parts once a second, shared by the
//! monitor that keeps the samples and the report that reads them.

use std::collections::VecDeque;

use serde::Serialize;

/// A permit pool at one instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolSample {
    /// The pool.
    pub name: extract_core::Pool,
    /// Permits held.
    pub in_use: usize,
    /// Permits there are now.
    pub limit: usize,
    /// Callers waiting for one.
    pub waiting: usize,
    /// Seconds callers have waited for one, ever.
    pub wait_s: f64,
}

/// What the server reads from its parts once a second.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sample {
    /// Unix ms; set by [`Monitor::sample`](crate::Monitor::sample).
    pub at_ms: u64,
    /// The permit pools.
    pub pools: Vec<PoolSample>,
    /// Seconds callers have waited for the search rate limiter, ever.
    pub limiter_wait_s: f64,
    /// Calls that had to wait for it, ever.
    pub limiter_waited: u64,
    /// Its rate, per second (0: no limit).
    pub limiter_rate_per_s: f64,
    /// Seconds pages have waited for their host's spacing (politeness), ever.
    pub politeness_wait_s: f64,
    /// Resident memory, bytes.
    pub rss_bytes: u64,
    /// The memory limit, bytes (0: none).
    pub max_memory_bytes: u64,
    /// Profile cache lookups answered from the cache, ever.
    pub cache_hits: u64,
    /// Profile cache lookups that were not, ever.
    pub cache_misses: u64,
}

/// The newest sample at least `span_s` older than `now_ms`, or the oldest.
pub(crate) fn sample_before(
    samples: &VecDeque<Sample>,
    now_ms: u64,
    span_s: u64,
) -> Option<&Sample> {
    let cutoff = now_ms.saturating_sub(span_s * 1000);
    samples
        .iter()
        .rev()
        .find(|s| s.at_ms <= cutoff)
        .or_else(|| samples.front())
}
