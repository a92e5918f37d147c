//! Settings of the concurrency layer. Defaults match `config/default.toml`.

use serde::{Deserialize, Serialize};

/// Concurrency, resilience and scheduling (`[concurrency]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Extractions at once (`MAX_CONCURRENT_EXTRACTIONS`): the ceiling of the adaptive limit.
    pub max_extractions: usize,
    /// Search requests at once (`MAX_CONCURRENT_SEARCHES`); 0: derived from
    /// the provider's rate ([`Config::searches`]).
    pub max_searches: usize,
    /// Page fetches at once, all hosts together (`MAX_CONCURRENT_CRAWLS`).
    pub max_crawls: usize,
    /// Shrink the extraction limit on 429s, timeouts and memory pressure, grow it back after.
    pub adaptive: bool,
    /// The adaptive limit never goes below this.
    pub adaptive_min: usize,
    /// A breaker opens when this share of calls failed in the window…
    pub breaker_failure_ratio: f64,
    /// …over at least this many calls.
    pub breaker_min_calls: u32,
    /// The window the ratio is measured over, in seconds.
    pub breaker_window_s: u64,
    /// An open breaker lets one trial call through after this many seconds.
    pub breaker_cooldown_s: u64,
    /// Upstreams (provider, hosts) with a breaker at once (memory bound).
    pub breaker_max_tracked: usize,
    /// Attempts per call, the first included (1: no retry).
    pub retry_attempts: u32,
    /// Backoff base, ms: attempt n waits a random time in 0..base·2ⁿ (full jitter).
    pub retry_base_ms: u64,
    /// No single wait is longer than this, ms (a longer `Retry-After` ends the retries).
    pub retry_max_delay_ms: u64,
    /// All attempts of one call together stop after this, ms.
    pub retry_budget_ms: u64,
    /// Workers of the priority scheduler (batch items run at once); 0: one
    /// per extraction permit ([`Config::workers`]).
    pub scheduler_workers: usize,
    /// How many high, normal and low jobs a worker takes per round.
    pub scheduler_weights: [u32; 3],
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_extractions: 5,
            max_searches: 0,
            max_crawls: 8,
            adaptive: true,
            adaptive_min: 1,
            breaker_failure_ratio: 0.5,
            breaker_min_calls: 10,
            breaker_window_s: 30,
            breaker_cooldown_s: 15,
            breaker_max_tracked: 10_000,
            retry_attempts: 3,
            retry_base_ms: 200,
            retry_max_delay_ms: 5_000,
            retry_budget_ms: 20_000,
            scheduler_workers: 0,
            scheduler_weights: [4, 2, 1],
        }
    }
}

impl Config {
    /// Search requests allowed at once: `max_searches`, or when it is 0
    /// enough to keep a provider limited to `rate_per_sec` busy at up to 2 s
    /// of latency (searches in flight = rate × latency), and at least 10.
    pub fn searches(&self, rate_per_sec: f64) -> usize {
        match self.max_searches {
            0 => ((rate_per_sec.max(0.0) * 2.0).ceil() as usize).max(10),
            n => n,
        }
    }

    /// Scheduler workers: `scheduler_workers`, or one per extraction permit
    /// when it is 0, so that batches reach `max_extractions`.
    pub fn workers(&self) -> usize {
        match self.scheduler_workers {
            0 => self.max_extractions.max(1),
            n => n,
        }
    }
}

/// Crawl politeness (`[crawl]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostConfig {
    /// Requests per second to any one host (robots `Crawl-delay` wins when
    /// longer); 0 turns per-host spacing off.
    pub per_host_rate: f64,
    /// Hosts whose next slot is remembered; past this, hosts with no pending
    /// slot are forgotten.
    pub max_tracked_hosts: usize,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            per_host_rate: 2.0,
            max_tracked_hosts: 100_000,
        }
    }
}
