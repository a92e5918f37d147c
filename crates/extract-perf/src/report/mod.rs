//! The performance report: levels, the bottleneck with its evidence,
//! recommendations, alerts and hourly trends — computed from the windows
//! and samples handed in (pure: tested without a server).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::alerts::{ActiveAlert, AlertEvent};
use crate::hist::Hist;
use crate::sample::Sample;
use crate::window::WindowStats;
use crate::{Config, Grade, Stage};

mod diagnose;
mod saturation;
mod stage;

use diagnose::diagnose;
pub use diagnose::{Bottleneck, BottleneckKind, Evidence, Recommendation, RecommendationId};
use saturation::saturation;
pub use saturation::{LimiterSaturation, PoolSaturation, Saturation};
use stage::pct;
pub use stage::StageReport;
pub(crate) use stage::{bounds, StageData};

pub(crate) struct Inputs<'a> {
    pub(crate) config: &'a Config,
    pub(crate) now_ms: u64,
    pub(crate) stages: &'a [StageData],
    pub(crate) samples: &'a [Sample],
    pub(crate) requests: u64,
    pub(crate) repeats: u64,
    pub(crate) hits: u64,
    pub(crate) active: Vec<ActiveAlert>,
    pub(crate) recent: Vec<AlertEvent>,
}

/// Profile requests and the cache over the report window.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CacheUse {
    /// Profile requests.
    pub requests: u64,
    /// Share of them for a company asked for recently before.
    pub repeat_ratio: Option<f64>,
    /// Share answered from the cache.
    pub hit_ratio: Option<f64>,
}

/// One stage in one hour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourStage {
    /// The stage.
    pub stage: Stage,
    /// Calls.
    pub count: u64,
    /// p95, ms.
    pub p95_ms: Option<f64>,
    /// Share of calls that failed.
    pub error_rate: f64,
}

/// One hourly bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourTrend {
    /// Start of the hour, Unix ms.
    pub hour_start_ms: u64,
    /// Stages with calls in it.
    pub stages: Vec<HourStage>,
}

/// A stage whose hourly p95 rose past the configured share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regression {
    /// The stage.
    pub stage: Stage,
    /// The hour it rose in, Unix ms.
    pub hour_start_ms: u64,
    /// Its p95 then, ms.
    pub p95_ms: f64,
    /// The previous hour's, ms.
    pub previous_p95_ms: f64,
    /// Relative change (0.6: up 60 %).
    pub change: f64,
}

/// Hourly buckets and regressions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trends {
    /// Hours kept (`METRICS_RETENTION_HOURS`), oldest first.
    pub hours: Vec<HourTrend>,
    /// Flagged rises.
    pub regressions: Vec<Regression>,
}

/// Active and recent alerts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AlertsReport {
    /// Firing now.
    pub active: Vec<ActiveAlert>,
    /// The last changes, newest first.
    pub recent: Vec<AlertEvent>,
}

/// `GET /api/v1/performance/report`.
#[derive(Debug, Clone, Serialize)]
pub struct PerfReport {
    /// When, Unix ms.
    pub generated_at_ms: u64,
    /// The window the levels, bottleneck and recommendations look at, s.
    pub window_s: u64,
    /// The worst level among stages with calls.
    pub level: Option<Grade>,
    /// Every stage.
    pub stages: Vec<StageReport>,
    /// What holds throughput back, if anything ran.
    pub bottleneck: Option<Bottleneck>,
    /// What to do about it.
    pub recommendations: Vec<Recommendation>,
    /// Pools, limiter, memory.
    pub saturation: Saturation,
    /// Repeats and cache hits.
    pub cache: CacheUse,
    /// Alerts.
    pub alerts: AlertsReport,
    /// Hourly trends.
    pub trends: Trends,
}

pub(crate) fn build(i: Inputs<'_>) -> PerfReport {
    let c = i.config;
    let window_s = c.report_window_s;
    let work_total: f64 = i
        .stages
        .iter()
        .filter(|s| Stage::WORK.contains(&s.stage))
        .map(|s| s.window.seconds)
        .sum();
    let stages: Vec<StageReport> = i
        .stages
        .iter()
        .map(|s| {
            let b = bounds(&c.thresholds, s.stage);
            StageReport {
                stage: s.stage,
                level: s.window.quantile(0.95).map(|p| Grade::of(p * 1000.0, &b)),
                bounds_ms: b,
                time_share: (Stage::WORK.contains(&s.stage) && work_total > 0.0)
                    .then(|| s.window.seconds / work_total),
                windows: s
                    .spans
                    .iter()
                    .map(|(name, span, h)| (*name, WindowStats::of(h, *span)))
                    .collect(),
            }
        })
        .collect();
    let level = stages.iter().filter_map(|s| s.level).max();
    let sat = saturation(i.samples, window_s, i.now_ms);
    let cache = CacheUse {
        requests: i.requests,
        repeat_ratio: (i.requests > 0).then(|| i.repeats as f64 / i.requests as f64),
        hit_ratio: (i.requests > 0).then(|| i.hits as f64 / i.requests as f64),
    };
    let (bottleneck, mut recommendations) = diagnose(c, i.stages, &stages, &sat);
    if let (Some(repeat), Some(hit)) = (cache.repeat_ratio, cache.hit_ratio) {
        if cache.requests >= 20 && repeat >= 0.3 && hit < repeat / 2.0 {
            recommendations.push(Recommendation {
                id: diagnose::RecommendationId::EnableCaching,
                message: format!(
                    "{} of the last {} min's {} profile requests repeated a company asked for shortly before, but only {} were answered from the cache: turn the cache on (CACHE_ENABLED=true), set REDIS_URL so instances share it, or raise COMPANY_CACHE_TTL",
                    pct(repeat),
                    window_s / 60,
                    cache.requests,
                    pct(hit)
                ),
            });
        }
    }
    for s in i.stages.iter().filter(|s| s.stage.is_upstream()) {
        let h = &s.window;
        if h.count >= c.alerts.min_calls && h.errors as f64 / h.count as f64 >= 0.2 {
            recommendations.push(Recommendation {
                id: diagnose::RecommendationId::UpstreamFailing,
                message: format!(
                    "{} of {} {} calls failed in the last {} min: check the upstream (its status, the API key, `extract_upstream_requests_total` by outcome); retries and the circuit breaker are containing it",
                    pct(h.errors as f64 / h.count as f64),
                    h.count,
                    s.stage.as_str(),
                    window_s / 60
                ),
            });
        }
    }
    PerfReport {
        generated_at_ms: i.now_ms,
        window_s,
        level,
        stages,
        bottleneck,
        recommendations,
        saturation: sat,
        cache,
        alerts: AlertsReport {
            active: i.active,
            recent: i.recent,
        },
        trends: trends(c, i.stages),
    }
}

fn trends(c: &Config, data: &[StageData]) -> Trends {
    let mut hours: BTreeMap<u64, Vec<HourStage>> = BTreeMap::new();
    let mut regressions = Vec::new();
    for d in data {
        let mut previous: Option<(u64, &Hist)> = None;
        for (hour, h) in &d.hours {
            hours.entry(*hour).or_default().push(HourStage {
                stage: d.stage,
                count: h.count,
                p95_ms: h.quantile(0.95).map(|s| s * 1000.0),
                error_rate: if h.count == 0 {
                    0.0
                } else {
                    h.errors as f64 / h.count as f64
                },
            });
            if let Some((ph, p)) = previous {
                let enough = h.count >= c.regression_min_calls && p.count >= c.regression_min_calls;
                if let (true, true, Some(now), Some(before)) =
                    (enough, ph + 1 == *hour, h.quantile(0.95), p.quantile(0.95))
                {
                    let change = now / before - 1.0;
                    if change > c.regression_share {
                        regressions.push(Regression {
                            stage: d.stage,
                            hour_start_ms: hour * 3_600_000,
                            p95_ms: now * 1000.0,
                            previous_p95_ms: before * 1000.0,
                            change,
                        });
                    }
                }
            }
            previous = Some((*hour, h));
        }
    }
    Trends {
        hours: hours
            .into_iter()
            .map(|(hour, stages)| HourTrend {
                hour_start_ms: hour * 3_600_000,
                stages,
            })
            .collect(),
        regressions,
    }
}
