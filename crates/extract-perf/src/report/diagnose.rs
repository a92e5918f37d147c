//! The bottleneck with its evidence, pool and limiter saturation, and the
//! recommendations that follow from them.

use serde::Serialize;

use super::stage::{pct, StageData, StageReport};
use crate::sample::Sample;
use crate::{Config, Stage};

/// What the bottleneck is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BottleneckKind {
    /// The search provider's token bucket.
    RateLimiter,
    /// A stage (search, robots, fetch, extract, classify).
    Stage,
    /// The memory limit.
    Memory,
    /// An upstream (search provider or sites) failing most calls.
    Upstream,
}

/// The numbers behind a bottleneck verdict.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// Share of extraction work time spent in the stage.
    pub time_share: Option<f64>,
    /// Share of the window's samples in which the resource was saturated
    /// (limiter: callers waited; pool: all permits held or callers waiting).
    pub saturation: Option<f64>,
    /// Seconds callers waited for the limiter within the window.
    pub wait_s: Option<f64>,
    /// That wait as a share of the search stage's time.
    pub wait_share: Option<f64>,
    /// The stage's p95, ms.
    pub p95_ms: Option<f64>,
    /// The permit pool in front of the stage and its saturation.
    pub pool: Option<PoolSaturation>,
    /// Resident memory share of the limit.
    pub memory_share: Option<f64>,
}

/// What holds throughput back now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bottleneck {
    /// Rate limiter, stage or memory.
    pub kind: BottleneckKind,
    /// `search_rate_limiter`, a stage name, or `memory`.
    pub name: String,
    /// One sentence for people.
    pub summary: String,
    /// The numbers.
    pub evidence: Evidence,
}

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
}

/// Advice that follows from the numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// Stable id, e.g. `raise_search_rate`, `enable_caching`.
    pub id: &'static str,
    /// What to do and why.
    pub message: String,
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
    }
}

fn pool_for(stage: Stage) -> Option<extract_core::Pool> {
    use extract_core::Pool;
    match stage {
        Stage::Search => Some(Pool::Searches),
        Stage::Robots | Stage::Fetch => Some(Pool::Crawls),
        Stage::Extract | Stage::Classify => Some(Pool::Extractions),
        _ => None,
    }
}

pub(super) fn diagnose(
    c: &Config,
    data: &[StageData],
    stages: &[StageReport],
    sat: &Saturation,
) -> (Option<Bottleneck>, Vec<Recommendation>) {
    let mut recs = Vec::new();
    let minutes = c.report_window_s.div_ceil(60);
    if let Some(share) = sat.memory_share.filter(|m| *m >= c.alerts.memory_fire) {
        recs.push(Recommendation {
            id: "raise_memory_limit",
            message: format!(
                "resident memory at {} of MAX_MEMORY_MB: admission is slowed and the cache sheds entries; raise MAX_MEMORY_MB or lower cache.l1_max_bytes",
                pct(share)
            ),
        });
        return (
            Some(Bottleneck {
                kind: BottleneckKind::Memory,
                name: "memory".into(),
                summary: format!("memory at {} of its limit", pct(share)),
                evidence: Evidence {
                    memory_share: Some(share),
                    ..Evidence::default()
                },
            }),
            recs,
        );
    }
    // An upstream failing most of its calls holds everything back, whatever
    // the time shares say (failures are fast).
    let failing = data
        .iter()
        .filter(|d| d.stage.is_upstream() && d.window.count >= c.alerts.min_calls)
        .map(|d| (d, d.window.errors as f64 / d.window.count as f64))
        .filter(|(_, rate)| *rate >= c.alerts.error_rate_fire)
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((d, rate)) = failing {
        let name = d.stage.as_str();
        return (
            Some(Bottleneck {
                kind: BottleneckKind::Upstream,
                name: name.to_owned(),
                summary: format!(
                    "{name} is failing: {} of {} calls in the last {minutes} min",
                    pct(rate),
                    d.window.count
                ),
                evidence: Evidence {
                    time_share: stages
                        .iter()
                        .find(|s| s.stage == d.stage)
                        .and_then(|s| s.time_share),
                    p95_ms: d.window.quantile(0.95).map(|s| s * 1000.0),
                    memory_share: sat.memory_share,
                    ..Evidence::default()
                },
            }),
            recs,
        );
    }
    let busiest = stages
        .iter()
        .filter_map(|s| s.time_share.map(|t| (s, t)))
        .filter(|(_, t)| *t > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let Some((top, share)) = busiest else {
        return (None, recs);
    };
    let pool = |stage: Stage| {
        pool_for(stage).and_then(|pool| sat.pools.iter().find(|p| p.name == pool.as_str()).cloned())
    };
    let search_busy = data
        .iter()
        .find(|d| d.stage == Stage::Search)
        .map_or(0.0, |d| d.window.seconds);
    if let Some(l) = &sat.search_limiter {
        let wait_share = if search_busy > 0.0 {
            (l.wait_s / search_busy).min(1.0)
        } else {
            0.0
        };
        if top.stage == Stage::Search && wait_share >= 0.5 {
            recs.push(Recommendation {
                id: "raise_search_rate",
                message: format!(
                    "search rate limiter saturated {} of the last {minutes} min ({:.1} s waited, {} of search time) at {}/s: raise search.rate_per_sec to the provider's limit or widen SERP caching (SERP_CACHE_TTL)",
                    pct(l.saturation),
                    l.wait_s,
                    pct(wait_share),
                    l.rate_per_s
                ),
            });
            return (
                Some(Bottleneck {
                    kind: BottleneckKind::RateLimiter,
                    name: "search_rate_limiter".into(),
                    summary: format!(
                        "the search rate limiter: {} of extraction time is search, {} of that waiting for a token",
                        pct(share),
                        pct(wait_share)
                    ),
                    evidence: Evidence {
                        time_share: Some(share),
                        saturation: Some(l.saturation),
                        wait_s: Some(l.wait_s),
                        wait_share: Some(wait_share),
                        p95_ms: top.windows.get("5m").and_then(|w| w.p95_ms),
                        pool: pool(Stage::Search),
                        memory_share: sat.memory_share,
                    },
                }),
                recs,
            );
        }
    }
    let p95 = data
        .iter()
        .find(|d| d.stage == top.stage)
        .and_then(|d| d.window.quantile(0.95))
        .map(|s| s * 1000.0);
    let pool_sat = pool(top.stage);
    let name = top.stage.as_str();
    let message = match top.stage {
        Stage::Fetch | Stage::Robots => format!(
            "fetching ({name}) takes {} of extraction time (p95 {:.0} ms): the sites are slow; raise MAX_CONCURRENT_CRAWLS and MAX_CONCURRENT_EXTRACTIONS so more sites load at once, prefer extraction_mode basic, or keep pages longer (cache.page_ttl_s)",
            pct(share),
            p95.unwrap_or_default()
        ),
        Stage::Search => format!(
            "the search provider takes {} of extraction time (p95 {:.0} ms): raise MAX_CONCURRENT_SEARCHES or widen SERP caching (SERP_CACHE_TTL)",
            pct(share),
            p95.unwrap_or_default()
        ),
        _ => format!(
            "{name} (CPU) takes {} of extraction time: add cores or instances, or lower extract.max_pages",
            pct(share)
        ),
    };
    recs.push(Recommendation {
        id: match top.stage {
            Stage::Fetch | Stage::Robots => "speed_up_fetching",
            Stage::Search => "speed_up_search",
            _ => "add_cpu",
        },
        message,
    });
    if let Some(p) = sat
        .pools
        .iter()
        .find(|p| p.name == extract_core::Pool::Extractions.as_str() && p.saturation >= 0.8)
    {
        recs.push(Recommendation {
            id: "raise_extraction_permits",
            message: format!(
                "every extraction permit was taken {} of the last {minutes} min (limit {}, up to {} waiting): raise MAX_CONCURRENT_EXTRACTIONS if upstreams allow",
                pct(p.saturation),
                p.limit,
                p.max_waiting
            ),
        });
    }
    (
        Some(Bottleneck {
            kind: BottleneckKind::Stage,
            name: name.to_owned(),
            summary: format!("{name}: {} of extraction time", pct(share)),
            evidence: Evidence {
                time_share: Some(share),
                saturation: pool_sat.as_ref().map(|p| p.saturation),
                wait_s: None,
                wait_share: None,
                p95_ms: p95,
                pool: pool_sat,
                memory_share: sat.memory_share,
            },
        }),
        recs,
    )
}
