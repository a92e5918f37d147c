//! Performance monitoring: Prometheus metrics, rolling windows per stage,
//! and a performance report that names the bottleneck.
//!
//! A [`Monitor`] owns its own `metrics` recorder (the Prometheus exporter's,
//! with buckets from 0.1 ms to 30 s), so several services in one process
//! never mix their numbers. The server feeds it: HTTP requests by route
//! template ([`Monitor::http`]), stage timings ([`TimedSearch`], [`TimedProfiles`],
//! [`TimedFetch`], and `extract-core`'s [`StageObserver`](extract_core::StageObserver)
//! for the CPU stages), profile requests for the repeat ratio, totals read
//! from the other crates ([`Monitor::gauge`], [`Monitor::counter`]) and a
//! once-a-second [`Sample`] of permit pools, the search rate limiter, memory
//! and the cache, on which the alert rules run with hysteresis.
//! [`Monitor::report`] answers levels per stage (Excellent … Critical
//! against configurable p95 bounds), the bottleneck with its evidence,
//! recommendations, alerts and hourly trends with regressions.
//! [`Monitor::render`] is the text `/metrics` serves.
//!
//! With `enabled = false` (`PERFORMANCE_MONITORING_ENABLED=false`) the
//! windows, report and alerts are off; the Prometheus metrics stay.
//!
//! Architecture invariant: depends on `extract-core` only, and it is the only
//! crate that knows the Prometheus format (the other crates write their
//! counters through core's `MetricSink`, which [`Monitor`] implements). No
//! I/O: [`deliver_alerts`] hands alert changes, in order, to the caller's
//! [`AlertSink`] (the server's signed webhook); no lock is held beyond a
//! few field updates.
//!
//! # Embedding
//!
//! ```
//! use std::time::Duration;
//! use extract_perf::{Config, Monitor, Stage};
//!
//! let monitor = Monitor::new(Config::default(), "1.0.0");
//! monitor.http("/api/v1/company/extract", "POST", 200, Duration::from_millis(3));
//! for _ in 0..20 {
//!     monitor.observe(Stage::Search, Duration::from_millis(40), "ok");
//!     monitor.observe(Stage::Fetch, Duration::from_millis(400), "ok");
//! }
//! let report = monitor.report().expect("monitoring is on");
//! assert_eq!(report.bottleneck.unwrap().name, "fetch");
//! assert!(monitor.render().contains("extract_stage_duration_seconds_bucket"));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod alerts;
pub mod catalog;
mod config;
mod hist;
mod monitor;
mod report;
mod sample;
mod stage;
mod timed;
mod window;

pub use alerts::{deliver_alerts, ActiveAlert, AlertEvent, AlertSink, AlertState};
pub use config::{Alerts, Bounds, Config, Thresholds};
pub use monitor::{Monitor, PROMETHEUS_BOUNDS_S};
pub use report::{
    AlertsReport, Bottleneck, BottleneckKind, CacheUse, Evidence, HourStage, HourTrend,
    LimiterSaturation, PerfReport, PoolSaturation, Recommendation, RecommendationId, Regression,
    Saturation, StageReport, Trends,
};
pub use sample::{PoolSample, Sample};
pub use stage::{Grade, Stage};
pub use timed::{TimedFetch, TimedProfiles, TimedSearch};
pub use window::WindowStats;
