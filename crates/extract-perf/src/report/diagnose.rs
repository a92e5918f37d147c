//! The bottleneck with its evidence, pool and limiter saturation, and the
//! recommendations that follow from them.

use serde::Serialize;

use super::saturation::{LimiterSaturation, PoolSaturation, Saturation};
use super::stage::{pct, StageData, StageReport};
use crate::{Config, Stage};

/// What the bottleneck is: the one whose relief would raise throughput.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BottleneckKind {
    /// The search provider's rate limiter (more concurrency changes nothing).
    RateLimiter,
    /// Per-host politeness: pages waiting for their host's spacing.
    Politeness,
    /// A permit pool (`extractions`, `searches`, `crawls`) every caller waits for.
    Pool,
    /// An upstream's own latency (`search` or `fetch`), with permits to spare.
    Latency,
    /// A CPU stage (extract, classify).
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
    /// Where extraction time went over the window, seconds summed over
    /// calls: waits (`search_limiter`, `politeness`, `searches_pool`,
    /// `crawls_pool`) apart from upstream time (`search`, `sites`) and CPU.
    pub time_s: Vec<(&'static str, f64)>,
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

/// What a recommendation advises: its stable id, serialised here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationId {
    /// Memory is the limit: raise `resources.max_memory_mb` or shed less.
    RaiseMemoryLimit,
    /// The search provider's rate is the limit.
    RaiseSearchRate,
    /// Per-host politeness is the limit.
    RelaxPoliteness,
    /// The extraction permits are the limit.
    RaiseExtractionPermits,
    /// The search permits are the limit.
    RaiseSearchPermits,
    /// The crawl permits are the limit.
    RaiseCrawlPermits,
    /// Searches' own latency is the limit, with permits to spare.
    SpeedUpSearch,
    /// Fetches' own latency is the limit, with permits to spare.
    SpeedUpFetching,
    /// A CPU stage is the limit.
    AddCpu,
    /// Repeats are computed again: the cache is off.
    EnableCaching,
    /// An upstream fails often.
    UpstreamFailing,
}

/// Advice that follows from the numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// Stable id, e.g. `raise_search_rate`, `enable_caching`.
    pub id: RecommendationId,
    /// What to do and why.
    pub message: String,
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
            id: RecommendationId::RaiseMemoryLimit,
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
    let seconds = |stage: Stage| {
        data.iter()
            .find(|d| d.stage == stage)
            .map_or(0.0, |d| d.window.seconds)
    };
    let pool = |p: extract_core::Pool| sat.pools.iter().find(|x| x.name == p.as_str()).cloned();
    let pool_wait = |p| pool(p).map_or(0.0, |x| x.wait_s);
    let limiter = sat.search_limiter.as_ref().map_or(0.0, |l| l.wait_s);
    let politeness = sat.politeness_wait_s;
    let searches_pool = pool_wait(extract_core::Pool::Searches);
    let crawls_pool = pool_wait(extract_core::Pool::Crawls);
    // The search and fetch stages are timed around every wait: what is
    // left is the upstreams' own time.
    let search_up = (seconds(Stage::Search) - limiter - searches_pool).max(0.0);
    let sites_up =
        (seconds(Stage::Fetch) + seconds(Stage::Robots) - politeness - crawls_pool).max(0.0);
    let extract = seconds(Stage::Extract);
    let classify = seconds(Stage::Classify);
    let time_s = vec![
        ("search_limiter", limiter),
        ("politeness", politeness),
        ("searches_pool", searches_pool),
        ("crawls_pool", crawls_pool),
        ("search", search_up),
        ("sites", sites_up),
        ("extract", extract),
        ("classify", classify),
    ];
    let total: f64 = time_s.iter().map(|(_, t)| t).sum();
    let Some(&(top, top_s)) = time_s
        .iter()
        .filter(|(_, t)| *t > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
    else {
        return (None, recs);
    };
    let share = top_s / total;
    let extractions = pool(extract_core::Pool::Extractions);
    // Every extraction permit taken most of the window, or callers queued
    // for one longer than extractions worked: more extractions at once
    // would raise throughput, unless what they wait for is a limit that
    // more of them cannot move (the provider's rate, a permit pool).
    let pool_bound = extractions
        .as_ref()
        .filter(|p| p.saturation >= 0.5 || p.wait_s >= total);
    let p95 = |stage: Stage| {
        data.iter()
            .find(|d| d.stage == stage)
            .and_then(|d| d.window.quantile(0.95))
            .map(|s| s * 1000.0)
    };
    let evidence = |pool: Option<PoolSaturation>| Evidence {
        time_share: Some(share),
        saturation: pool.as_ref().map(|p| p.saturation),
        wait_s: None,
        wait_share: None,
        p95_ms: None,
        pool,
        memory_share: sat.memory_share,
        time_s: time_s.clone(),
    };
    let (kind, name, summary, evidence, rec) = match top {
        "search_limiter" => {
            let l = sat.search_limiter.clone().unwrap_or(LimiterSaturation {
                rate_per_s: 0.0,
                saturation: 0.0,
                wait_s: limiter,
            });
            let wait_share = if seconds(Stage::Search) > 0.0 {
                (limiter / seconds(Stage::Search)).min(1.0)
            } else {
                0.0
            };
            (
                BottleneckKind::RateLimiter,
                "search_rate_limiter",
                format!(
                    "the search rate limiter: {} of extraction time is waiting for it ({}/s)",
                    pct(share),
                    l.rate_per_s
                ),
                Evidence {
                    saturation: Some(l.saturation),
                    wait_s: Some(l.wait_s),
                    wait_share: Some(wait_share),
                    p95_ms: p95(Stage::Search),
                    ..evidence(pool(extract_core::Pool::Searches))
                },
                Recommendation {
                    id: RecommendationId::RaiseSearchRate,
                    message: format!(
                        "searches waited {:.1} s for the rate limiter in the last {minutes} min ({} of search time) at {}/s: raise search.rate_per_sec to the provider's limit (a bigger plan) or widen SERP caching (SERP_CACHE_TTL); more concurrency changes nothing",
                        l.wait_s,
                        pct(wait_share),
                        l.rate_per_s
                    ),
                },
            )
        }
        "politeness" => (
            BottleneckKind::Politeness,
            "politeness",
            format!(
                "per-host politeness: {} of extraction time is pages waiting for their host's spacing",
                pct(share)
            ),
            Evidence {
                wait_s: Some(politeness),
                ..evidence(pool(extract_core::Pool::Crawls))
            },
            Recommendation {
                id: RecommendationId::RelaxPoliteness,
                message: format!(
                    "pages waited {politeness:.1} s for their host's spacing in the last {minutes} min: raise crawl.per_host_rate if the sites allow it, read fewer pages per company (extraction_mode basic, extract.max_pages), or run more companies at once (MAX_CONCURRENT_EXTRACTIONS), since the spacing is per host"
                ),
            },
        ),
        "searches_pool" | "crawls_pool" => {
            let (p, env) = if top == "searches_pool" {
                (extract_core::Pool::Searches, "MAX_CONCURRENT_SEARCHES")
            } else {
                (extract_core::Pool::Crawls, "MAX_CONCURRENT_CRAWLS")
            };
            let ps = pool(p);
            (
                BottleneckKind::Pool,
                p.as_str(),
                format!(
                    "the {} pool: {} of extraction time is waiting for one of its permits",
                    p.as_str(),
                    pct(share)
                ),
                Evidence {
                    wait_s: Some(top_s),
                    ..evidence(ps.clone())
                },
                Recommendation {
                    id: if top == "searches_pool" {
                        RecommendationId::RaiseSearchPermits
                    } else {
                        RecommendationId::RaiseCrawlPermits
                    },
                    message: format!(
                        "callers waited {top_s:.1} s for a {} permit in the last {minutes} min (limit {}): raise {env}",
                        p.as_str(),
                        ps.map_or(0, |p| p.limit)
                    ),
                },
            )
        }
        _ if pool_bound.is_some() => {
            let p = pool_bound.cloned();
            let limit = p.as_ref().map_or(0, |p| p.limit);
            (
                BottleneckKind::Pool,
                "extractions",
                format!(
                    "the extraction permits: all {limit} taken {} of the window, each extraction mostly {top} time",
                    pct(p.as_ref().map_or(0.0, |p| p.saturation))
                ),
                evidence(p.clone()),
                Recommendation {
                    id: RecommendationId::RaiseExtractionPermits,
                    message: format!(
                        "every extraction permit was taken {} of the last {minutes} min (limit {limit}, up to {} waiting) while extractions spend their time on {top}: raise MAX_CONCURRENT_EXTRACTIONS (and MAX_CONCURRENT_CRAWLS) if upstreams allow",
                        pct(p.as_ref().map_or(0.0, |p| p.saturation)),
                        p.as_ref().map_or(0, |p| p.max_waiting)
                    ),
                },
            )
        }
        "search" | "sites" => {
            let (stage, what) = if top == "search" {
                (Stage::Search, "the search provider")
            } else {
                (Stage::Fetch, "the sites")
            };
            (
                BottleneckKind::Latency,
                stage.as_str(),
                format!(
                    "{what}' latency: {} of extraction time, with extraction permits to spare",
                    pct(share)
                ),
                Evidence {
                    p95_ms: p95(stage),
                    ..evidence(extractions.clone())
                },
                Recommendation {
                    id: if top == "search" {
                        RecommendationId::SpeedUpSearch
                    } else {
                        RecommendationId::SpeedUpFetching
                    },
                    message: format!(
                        "{what} take {} of extraction time (p95 {:.0} ms) and permits are free: send more companies at once (a batch, or more concurrent requests) so their waits overlap; keep results longer ({})",
                        pct(share),
                        p95(stage).unwrap_or_default(),
                        if top == "search" { "SERP_CACHE_TTL" } else { "cache.page_ttl_s" }
                    ),
                },
            )
        }
        cpu => (
            BottleneckKind::Stage,
            if cpu == "classify" { "classify" } else { "extract" },
            format!("{cpu} (CPU): {} of extraction time", pct(share)),
            evidence(extractions.clone()),
            Recommendation {
                id: RecommendationId::AddCpu,
                message: format!(
                    "{cpu} (CPU) takes {} of extraction time: add cores or instances, or lower extract.max_pages",
                    pct(share)
                ),
            },
        ),
    };
    recs.push(rec);
    (
        Some(Bottleneck {
            kind,
            name: name.to_owned(),
            summary,
            evidence,
        }),
        recs,
    )
}
