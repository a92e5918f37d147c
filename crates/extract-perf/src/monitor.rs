//! The monitor: Prometheus metrics for everything, and — when enabled — the
//! rolling windows, samples, repeat tracking and alerts behind the report.

use extract_core::clock::Clock;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use metrics::{Counter, Histogram, Key, Label, Level as MetricLevel, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::alerts::{AlertEvent, AlertState, Alerting, Bad, Check};
use crate::report::{self, PerfReport};
use crate::sample::{sample_before, Sample};
use crate::window::Windows;
use crate::{Config, Stage};

/// The Prometheus histograms' bucket bounds, seconds: 0.1 ms to 30 s.
pub const PROMETHEUS_BOUNDS_S: [f64; 17] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0, 30.0,
];

/// Samples kept (one a second: five minutes).
const SAMPLES: usize = 300;
/// Distinct recent companies remembered for the repeat ratio.
const SEEN: usize = 10_000;

static METADATA: Metadata<'static> =
    Metadata::new("extract_perf", MetricLevel::INFO, Some("extract_perf"));

/// Requests, repeats and cache hits of one second.
#[derive(Debug, Clone, Copy, Default)]
struct RepeatSlot {
    second: u64,
    requests: u64,
    repeats: u64,
    hits: u64,
}

#[derive(Debug)]
struct Repeats {
    seen: HashSet<u64>,
    order: VecDeque<u64>,
    slots: Vec<RepeatSlot>,
}

impl Repeats {
    fn record(&mut self, now_s: u64, key: u64, hit: bool) {
        let repeat = !self.seen.insert(key);
        if !repeat {
            self.order.push_back(key);
            if self.order.len() > SEEN {
                if let Some(old) = self.order.pop_front() {
                    self.seen.remove(&old);
                }
            }
        }
        let i = (now_s % self.slots.len() as u64) as usize;
        let slot = &mut self.slots[i];
        if slot.second != now_s {
            *slot = RepeatSlot {
                second: now_s,
                ..RepeatSlot::default()
            };
        }
        slot.requests += 1;
        slot.repeats += u64::from(repeat);
        slot.hits += u64::from(hit);
    }

    /// `(requests, repeats, hits)` of the last `span_s` seconds.
    fn sum(&self, now_s: u64, span_s: u64) -> (u64, u64, u64) {
        let oldest = now_s.saturating_sub(span_s.saturating_sub(1));
        self.slots
            .iter()
            .filter(|s| s.requests > 0 && s.second >= oldest && s.second <= now_s)
            .fold((0, 0, 0), |(r, p, h), s| {
                (r + s.requests, p + s.repeats, h + s.hits)
            })
    }
}

struct Inner {
    config: Config,
    clock: Arc<dyn Clock>,
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    /// `[stage][ok, error]` duration histograms, registered once.
    stage_seconds: Vec<[Histogram; 2]>,
    alert_events: [Counter; 2],
    windows: Vec<Mutex<Windows>>,
    samples: Mutex<VecDeque<Sample>>,
    repeats: Mutex<Repeats>,
    alerting: Mutex<Alerting>,
}

/// The service's monitor. Cheap to clone; every method is short and holds
/// a lock only for a few field updates (never across an await).
#[derive(Clone)]
pub struct Monitor {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("enabled", &self.inner.config.enabled)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn key(name: &'static str, labels: &[(&'static str, &str)]) -> Key {
    let labels: Vec<Label> = labels
        .iter()
        .map(|(k, v)| Label::new(*k, (*v).to_owned()))
        .collect();
    Key::from_parts(name, labels)
}

impl Monitor {
    /// A monitor on the system clock. `version` goes into `extract_build_info`.
    pub fn new(config: Config, version: &str) -> Monitor {
        Monitor::with_clock(config, version, extract_core::clock::system())
    }

    /// A monitor on `clock`.
    pub fn with_clock(config: Config, version: &str, clock: Arc<dyn Clock>) -> Monitor {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&PROMETHEUS_BOUNDS_S)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        crate::catalog::describe(&recorder);
        let stage_seconds = Stage::ALL
            .iter()
            .map(|s| {
                let reg = |outcome: &str| {
                    recorder.register_histogram(
                        &key(
                            "extract_stage_duration_seconds",
                            &[("stage", s.as_str()), ("outcome", outcome)],
                        ),
                        &METADATA,
                    )
                };
                [reg("ok"), reg("error")]
            })
            .collect();
        let alert_counter = |state: AlertState| {
            recorder.register_counter(
                &key("extract_alert_events_total", &[("state", state.as_str())]),
                &METADATA,
            )
        };
        let alert_events = [
            alert_counter(AlertState::Firing),
            alert_counter(AlertState::Resolved),
        ];
        recorder
            .register_gauge(
                &key("extract_build_info", &[("version", version)]),
                &METADATA,
            )
            .set(1.0);
        recorder
            .register_gauge(
                &key("extract_performance_monitoring_enabled", &[]),
                &METADATA,
            )
            .set(if config.enabled { 1.0 } else { 0.0 });
        let retention = config.retention_hours as usize;
        Monitor {
            inner: Arc::new(Inner {
                windows: Stage::ALL
                    .iter()
                    .map(|_| Mutex::new(Windows::new(retention)))
                    .collect(),
                config,
                clock,
                recorder,
                handle,
                stage_seconds,
                alert_events,
                samples: Mutex::new(VecDeque::with_capacity(SAMPLES)),
                repeats: Mutex::new(Repeats {
                    seen: HashSet::new(),
                    order: VecDeque::new(),
                    slots: vec![RepeatSlot::default(); 300],
                }),
                alerting: Mutex::new(Alerting::default()),
            }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// True when the windows, report and alerts run.
    pub fn enabled(&self) -> bool {
        self.inner.config.enabled
    }

    fn now_ms(&self) -> u64 {
        self.inner.clock.now_ms()
    }

    /// One run of `stage` took `elapsed`; `outcome` is `ok` or an error kind
    /// (`upstream_timeout`, `upstream_rate_limited`, `upstream_unavailable`, …).
    pub fn observe(&self, stage: Stage, elapsed: Duration, outcome: &str) {
        let ok = outcome == "ok";
        let seconds = elapsed.as_secs_f64();
        self.inner.stage_seconds[stage.index()][usize::from(!ok)].record(seconds);
        if stage.is_upstream() {
            self.inner
                .recorder
                .register_counter(
                    &key(
                        "extract_upstream_requests_total",
                        &[("upstream", stage.as_str()), ("outcome", outcome)],
                    ),
                    &METADATA,
                )
                .increment(1);
        }
        if self.enabled() {
            let now_s = self.now_ms() / 1000;
            lock(&self.inner.windows[stage.index()]).record(now_s, seconds, ok);
        }
    }

    /// One HTTP request answered: `route` is the route's template (never the
    /// raw path: ids and names would explode the label set).
    pub fn http(&self, route: &'static str, method: &str, status: u16, elapsed: Duration) {
        let status = status.to_string();
        let r = &self.inner.recorder;
        r.register_counter(
            &key(
                "extract_http_requests_total",
                &[("route", route), ("method", method), ("status", &status)],
            ),
            &METADATA,
        )
        .increment(1);
        r.register_histogram(
            &key("extract_http_request_duration_seconds", &[("route", route)]),
            &METADATA,
        )
        .record(elapsed.as_secs_f64());
    }

    /// A profile request for the company whose normalised key hashes to
    /// `key`, answered from the cache or not: feeds the repeat ratio behind
    /// the caching recommendation.
    pub fn profile_request(&self, key: u64, from_cache: bool) {
        if self.enabled() {
            let now_s = self.now_ms() / 1000;
            lock(&self.inner.repeats).record(now_s, key, from_cache);
        }
    }

    /// Sets gauge `name{labels}` (for values read from other parts at scrape
    /// or sample time).
    pub fn gauge(&self, name: &'static str, labels: &[(&'static str, &str)], value: f64) {
        self.inner
            .recorder
            .register_gauge(&key(name, labels), &METADATA)
            .set(value);
    }

    /// Sets counter `name{labels}` to a total kept elsewhere.
    pub fn counter(&self, name: &'static str, labels: &[(&'static str, &str)], total: u64) {
        self.inner
            .recorder
            .register_counter(&key(name, labels), &METADATA)
            .absolute(total);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.inner.handle.render()
    }

    /// Takes the once-a-second sample, keeps histogram memory bounded and
    /// evaluates the alert rules; answers the alert changes (already logged
    /// and counted) for the caller to deliver.
    pub fn sample(&self, mut sample: Sample) -> Vec<AlertEvent> {
        self.inner.handle.run_upkeep();
        if !self.enabled() {
            return Vec::new();
        }
        let now_ms = self.now_ms();
        sample.at_ms = now_ms;
        {
            let mut samples = lock(&self.inner.samples);
            if samples.len() == SAMPLES {
                samples.pop_front();
            }
            samples.push_back(sample);
        }
        let checks = self.checks(now_ms);
        let events = lock(&self.inner.alerting).evaluate(&checks, now_ms);
        for e in &events {
            if e.state == AlertState::Firing {
                tracing::warn!(rule = %e.rule, value = e.value, threshold = e.threshold, "alert firing: {}", e.message);
                self.inner.alert_events[0].increment(1);
            } else {
                tracing::info!(rule = %e.rule, value = e.value, "alert resolved: {}", e.message);
                self.inner.alert_events[1].increment(1);
            }
        }
        let active = lock(&self.inner.alerting).active();
        self.gauge("extract_alerts_active", &[], active.len() as f64);
        events
    }

    /// This round's alert checks.
    fn checks(&self, now_ms: u64) -> Vec<Check> {
        let c = &self.inner.config;
        let a = &c.alerts;
        let now_s = now_ms / 1000;
        let mut checks = Vec::new();
        for stage in Stage::ALL {
            let h = lock(&self.inner.windows[stage.index()]).span(now_s, a.window_s);
            if stage.is_upstream() {
                let value = if h.count == 0 {
                    Some(0.0)
                } else if h.count >= a.min_calls {
                    Some(h.errors as f64 / h.count as f64)
                } else {
                    None
                };
                checks.push(Check {
                    rule: format!("{}_error_rate", stage.as_str()),
                    value,
                    bad: Bad::High,
                    fire: a.error_rate_fire,
                    clear: a.error_rate_clear,
                    what: format!("share of {} calls failing", stage.as_str()),
                });
            }
            let poor = report::bounds(&c.thresholds, stage)[3];
            checks.push(Check {
                rule: format!("{}_latency", stage.as_str()),
                value: (h.count >= a.min_calls)
                    .then(|| h.quantile(0.95).map(|s| s * 1000.0))
                    .flatten(),
                bad: Bad::High,
                fire: poor,
                clear: poor * a.latency_clear_share,
                what: format!("{} p95 latency, ms", stage.as_str()),
            });
        }
        let samples = lock(&self.inner.samples);
        if let (Some(last), Some(first)) =
            (samples.back(), sample_before(&samples, now_ms, a.window_s))
        {
            if a.hit_ratio_fire > 0.0 {
                let hits = last.cache_hits.saturating_sub(first.cache_hits);
                let misses = last.cache_misses.saturating_sub(first.cache_misses);
                checks.push(Check {
                    rule: "cache_hit_ratio".into(),
                    value: (hits + misses >= a.min_calls)
                        .then(|| hits as f64 / (hits + misses) as f64),
                    bad: Bad::Low,
                    fire: a.hit_ratio_fire,
                    clear: a.hit_ratio_clear,
                    what: "profile cache hit ratio".into(),
                });
            }
            if last.max_memory_bytes > 0 {
                checks.push(Check {
                    rule: "memory".into(),
                    value: Some(last.rss_bytes as f64 / last.max_memory_bytes as f64),
                    bad: Bad::High,
                    fire: a.memory_fire,
                    clear: a.memory_clear,
                    what: "resident memory share of MAX_MEMORY_MB".into(),
                });
            }
        }
        checks
    }

    /// The performance report, or `None` when monitoring is off.
    pub fn report(&self) -> Option<PerfReport> {
        if !self.enabled() {
            return None;
        }
        let now_ms = self.now_ms();
        let now_s = now_ms / 1000;
        let c = &self.inner.config;
        let spans = [("1m", 60), ("5m", 300), ("1h", 3600)];
        let stages: Vec<report::StageData> = Stage::ALL
            .iter()
            .map(|s| {
                let w = lock(&self.inner.windows[s.index()]);
                report::StageData {
                    stage: *s,
                    spans: spans.map(|(name, span)| (name, span, w.span(now_s, span))),
                    window: w.span(now_s, c.report_window_s),
                    hours: w.hours(now_s),
                }
            })
            .collect();
        let samples: Vec<Sample> = lock(&self.inner.samples).iter().cloned().collect();
        let (requests, repeats, hits) = lock(&self.inner.repeats).sum(now_s, c.report_window_s);
        let (active, recent) = {
            let alerting = lock(&self.inner.alerting);
            (alerting.active(), alerting.recent())
        };
        Some(report::build(report::Inputs {
            config: c,
            now_ms,
            stages: &stages,
            samples: &samples,
            requests,
            repeats,
            hits,
            active,
            recent,
        }))
    }
}

/// The other parts write their counters here, under the names they own.
impl extract_core::metrics::MetricSink for Monitor {
    fn gauge(&self, name: &'static str, labels: &[(&'static str, &str)], value: f64) {
        Monitor::gauge(self, name, labels, value);
    }

    fn counter(&self, name: &'static str, labels: &[(&'static str, &str)], total: u64) {
        Monitor::counter(self, name, labels, total);
    }
}

#[cfg(test)]
mod tests;
