//! How saturated each permit pool and limiter was over the report window,
//! and the process's memory and CPU share: the evidence the diagnosis reads.

use serde::Serialize;

use crate::sample::Sample;

/// A permit pool over the report window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolSaturation {
    /// The pool.
    pub name: String,
    /// Share of samples with every permit held or callers waiting.
    pub saturation: f64,
    /// Mean permits held.
    pub mean_in_use: f64,
    /// The limit at the last sample.
    pub limit: usize,
    /// Most callers waiting at once.
    pub max_waiting: usize,
    /// Seconds callers waited for a permit within the window.
    pub wait_s: f64,
}

/// The search rate limiter over the report window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimiterSaturation {
    /// Its rate, per second (0: none).
    pub rate_per_s: f64,
    /// Share of sample intervals in which callers waited for it.
    pub saturation: f64,
    /// Seconds waited within the window.
    pub wait_s: f64,
}

/// Saturation of the shared resources.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Saturation {
    /// Samples the figures rest on.
    pub samples: usize,
    /// The permit pools.
    pub pools: Vec<PoolSaturation>,
    /// The search rate limiter.
    pub search_limiter: Option<LimiterSaturation>,
    /// Resident memory share of the limit, last sample.
    pub memory_share: Option<f64>,
    /// Seconds pages waited for their host's spacing within the window.
    pub politeness_wait_s: f64,
}

pub(super) fn saturation(samples: &[Sample], window_s: u64, now_ms: u64) -> Saturation {
    let cutoff = now_ms.saturating_sub(window_s * 1000);
    let inside: Vec<&Sample> = samples.iter().filter(|s| s.at_ms > cutoff).collect();
    let before = samples.iter().rev().find(|s| s.at_ms <= cutoff);
    let Some(last) = inside.last() else {
        return Saturation::default();
    };
    let mut names: Vec<extract_core::Pool> = Vec::new();
    for s in &inside {
        for p in &s.pools {
            if !names.contains(&p.name) {
                names.push(p.name);
            }
        }
    }
    let pools = names
        .into_iter()
        .map(|name| {
            let seen: Vec<_> = inside
                .iter()
                .filter_map(|s| s.pools.iter().find(|p| p.name == name))
                .collect();
            let n = seen.len().max(1) as f64;
            let waited_before = before
                .and_then(|s| s.pools.iter().find(|p| p.name == name))
                .or(seen.first().copied())
                .map_or(0.0, |p| p.wait_s);
            PoolSaturation {
                name: name.as_str().to_owned(),
                saturation: seen
                    .iter()
                    .filter(|p| p.waiting > 0 || (p.limit > 0 && p.in_use >= p.limit))
                    .count() as f64
                    / n,
                mean_in_use: seen.iter().map(|p| p.in_use as f64).sum::<f64>() / n,
                limit: seen.last().map_or(0, |p| p.limit),
                max_waiting: seen.iter().map(|p| p.waiting).max().unwrap_or(0),
                wait_s: (seen.last().map_or(0.0, |p| p.wait_s) - waited_before).max(0.0),
            }
        })
        .collect();
    // Limiter: intervals between consecutive samples in which the wait grew.
    let mut chain: Vec<&Sample> = before.into_iter().collect();
    chain.extend(inside.iter().copied());
    let intervals = chain.len().saturating_sub(1);
    let waited = chain
        .windows(2)
        .filter(|w| w[1].limiter_wait_s > w[0].limiter_wait_s + 1e-9)
        .count();
    let first = chain.first().copied().unwrap_or(last);
    let search_limiter = (last.limiter_rate_per_s > 0.0).then(|| LimiterSaturation {
        rate_per_s: last.limiter_rate_per_s,
        saturation: if intervals == 0 {
            0.0
        } else {
            waited as f64 / intervals as f64
        },
        wait_s: (last.limiter_wait_s - first.limiter_wait_s).max(0.0),
    });
    Saturation {
        samples: inside.len(),
        pools,
        search_limiter,
        memory_share: (last.max_memory_bytes > 0)
            .then(|| last.rss_bytes as f64 / last.max_memory_bytes as f64),
        politeness_wait_s: (last.politeness_wait_s - first.politeness_wait_s).max(0.0),
    }
}
