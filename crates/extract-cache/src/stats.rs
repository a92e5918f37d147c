//! Counters and latency histograms per cache level and tier, cheap enough
//! for the hot path (relaxed atomics, no locks).

use std::sync::atomic::{AtomicU64, Ordering};

use extract_core::latency::AtomicHistogram;
use serde::Serialize;

/// Hits, misses and lookup latency of one tier of one level.
#[derive(Debug, Default)]
pub(crate) struct TierStats {
    /// Lookups answered by this tier.
    pub hits: AtomicU64,
    /// Lookups this tier could not answer.
    pub misses: AtomicU64,
    /// Lookup time.
    pub latency: AtomicHistogram,
}

/// Everything counted for one level.
#[derive(Debug, Default)]
pub(crate) struct LevelStats {
    /// In-process tier.
    pub l1: TierStats,
    /// Shared (Redis) tier.
    pub l2: TierStats,
    /// Values computed by the wrapped source.
    pub computed: AtomicU64,
    /// Lookups that waited for another lookup's computation.
    pub coalesced: AtomicU64,
    /// Stale values served while a refresh ran.
    pub stale_served: AtomicU64,
    /// Shared-tier writes that failed.
    pub l2_write_errors: AtomicU64,
}

/// A snapshot of one tier, as `GET /api/v1/cache/stats` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TierSnapshot {
    /// Hits.
    pub hits: u64,
    /// Misses.
    pub misses: u64,
    /// hits / (hits + misses), or null before any lookup.
    pub hit_ratio: Option<f64>,
    /// Median lookup time, ms (bucket upper bound).
    pub p50_ms: Option<f64>,
    /// 95th percentile lookup time, ms.
    pub p95_ms: Option<f64>,
    /// 99th percentile lookup time, ms.
    pub p99_ms: Option<f64>,
}

impl TierStats {
    /// A snapshot.
    pub(crate) fn snapshot(&self) -> TierSnapshot {
        let hits = self.hits.load(Ordering::Relaxed);
        let misses = self.misses.load(Ordering::Relaxed);
        let latency = self.latency.snapshot();
        let ms = |q| latency.quantile(q).map(|s| s * 1000.0);
        TierSnapshot {
            hits,
            misses,
            hit_ratio: (hits + misses > 0).then(|| hits as f64 / (hits + misses) as f64),
            p50_ms: ms(0.5),
            p95_ms: ms(0.95),
            p99_ms: ms(0.99),
        }
    }
}

/// A snapshot of one level.
#[derive(Debug, Clone, Serialize)]
pub struct LevelSnapshot {
    /// In-process tier.
    pub l1: TierSnapshot,
    /// Shared tier (absent without Redis).
    pub l2: Option<TierSnapshot>,
    /// Entries in the in-process tier.
    pub l1_entries: u64,
    /// Bytes in the in-process tier (stored size).
    pub l1_bytes: u64,
    /// Values computed by the wrapped source (upstream work).
    pub computed: u64,
    /// Lookups that shared another's computation.
    pub coalesced: u64,
    /// Stale values served while refreshing.
    pub stale_served: u64,
    /// Failed writes to the shared tier.
    pub l2_write_errors: u64,
}

pub(crate) fn load(a: &AtomicU64) -> u64 {
    a.load(Ordering::Relaxed)
}

pub(crate) fn inc(a: &AtomicU64) {
    a.fetch_add(1, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_tier_shows_its_lookup_percentiles_in_ms() {
        let tier = TierStats::default();
        assert_eq!(tier.snapshot().p50_ms, None);
        for _ in 0..90 {
            tier.latency.record(Duration::from_micros(100));
        }
        for _ in 0..10 {
            tier.latency.record(Duration::from_millis(20));
        }
        let s = tier.snapshot();
        assert!(s.p50_ms.unwrap() <= 0.128);
        assert!(s.p99_ms.unwrap() >= 20.0);
    }
}
