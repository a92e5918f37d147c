//! Settings of the monitor (`[performance]` in `config/default.toml`).

use serde::{Deserialize, Serialize};

/// Upper p95 bounds, ms, of the levels Excellent, Good, Acceptable and Poor;
/// past the last one a stage is Critical.
pub type Bounds = [f64; 4];

/// p95 bounds per stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// A whole profile request, cache included.
    pub request: Bounds,
    /// A profile answered from the cache.
    pub cache: Bounds,
    /// A search provider call (limiter, breaker and retries included).
    pub search: Bounds,
    /// A robots.txt fetch.
    pub robots: Bounds,
    /// A page fetch (politeness, breaker and retries included).
    pub fetch: Bounds,
    /// Reading one page's signals.
    pub extract: Bounds,
    /// Classifying one profile's industry.
    pub classify: Bounds,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            request: [500.0, 2_000.0, 5_000.0, 15_000.0],
            cache: [1.0, 5.0, 25.0, 100.0],
            search: [500.0, 1_000.0, 2_500.0, 5_000.0],
            robots: [300.0, 1_000.0, 2_500.0, 5_000.0],
            fetch: [500.0, 1_500.0, 4_000.0, 10_000.0],
            extract: [10.0, 50.0, 200.0, 1_000.0],
            classify: [2.0, 10.0, 50.0, 200.0],
        }
    }
}

/// Alert rules. Each fires at its `*_fire` value and clears only once back
/// past its `*_clear` value (hysteresis), each judged over `window_s`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Alerts {
    /// Seconds of calls an alert looks at (at most 300).
    pub window_s: u64,
    /// Calls a stage needs in the window before its rules are judged.
    pub min_calls: u64,
    /// Upstream (search, fetch, robots) failure share that fires…
    pub error_rate_fire: f64,
    /// …and the share it must fall below to clear.
    pub error_rate_clear: f64,
    /// Stage p95 past its Poor bound fires; below this share of that bound clears.
    pub latency_clear_share: f64,
    /// Profile cache hit ratio below this fires (after `min_calls` lookups)…
    pub hit_ratio_fire: f64,
    /// …and above this clears.
    pub hit_ratio_clear: f64,
    /// Resident memory share of `MAX_MEMORY_MB` that fires…
    pub memory_fire: f64,
    /// …and the share it must fall below to clear.
    pub memory_clear: f64,
    /// Where alert changes are POSTed as JSON (empty: nowhere). SSRF-checked.
    pub webhook_url: String,
    /// Signs the alert webhook like a batch's (`x-extract-signature`); empty: unsigned.
    pub webhook_secret: extract_core::Secret,
    /// Delivery attempts of one alert change (backoff from 1 s, doubling).
    pub webhook_attempts: u32,
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts {
            window_s: 60,
            min_calls: 10,
            error_rate_fire: 0.5,
            error_rate_clear: 0.1,
            latency_clear_share: 0.8,
            hit_ratio_fire: 0.0,
            hit_ratio_clear: 0.0,
            memory_fire: 0.9,
            memory_clear: 0.8,
            webhook_url: String::new(),
            webhook_secret: extract_core::Secret::default(),
            webhook_attempts: 3,
        }
    }
}

/// The monitor's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Rolling windows, the report and alerts; `/metrics` stays either way.
    /// Env: PERFORMANCE_MONITORING_ENABLED.
    pub enabled: bool,
    /// Hourly trend buckets kept. Env: METRICS_RETENTION_HOURS.
    pub retention_hours: u32,
    /// The window the bottleneck and recommendations look at, seconds (≤ 300).
    pub report_window_s: u64,
    /// A stage's hourly p95 up by more than this share over the previous
    /// hour is flagged as a regression…
    pub regression_share: f64,
    /// …when both hours hold at least this many calls.
    pub regression_min_calls: u64,
    /// p95 bounds of each level, per stage.
    pub thresholds: Thresholds,
    /// Alert rules.
    pub alerts: Alerts,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            retention_hours: 24,
            report_window_s: 300,
            regression_share: 0.5,
            regression_min_calls: 20,
            thresholds: Thresholds::default(),
            alerts: Alerts::default(),
        }
    }
}

impl Config {
    /// The first setting that cannot work, named.
    pub fn validate(&self) -> Result<(), String> {
        if self.retention_hours == 0 {
            return Err("performance.retention_hours must be at least 1".into());
        }
        if !(1..=300).contains(&self.report_window_s) {
            return Err("performance.report_window_s must be 1 to 300".into());
        }
        if !(1..=300).contains(&self.alerts.window_s) {
            return Err("performance.alerts.window_s must be 1 to 300".into());
        }
        if self.alerts.error_rate_clear > self.alerts.error_rate_fire {
            return Err(
                "performance.alerts.error_rate_clear must not exceed error_rate_fire".into(),
            );
        }
        if self.alerts.memory_clear > self.alerts.memory_fire {
            return Err("performance.alerts.memory_clear must not exceed memory_fire".into());
        }
        if self.alerts.hit_ratio_clear < self.alerts.hit_ratio_fire {
            return Err(
                "performance.alerts.hit_ratio_clear must not be below hit_ratio_fire".into(),
            );
        }
        Ok(())
    }
}
