//! Settings of the concurrency layer. Defaults match `config/default.toml`.

use serde::{Deserialize, Serialize};

/// Crawl politeness (`[crawl]` in the configuration file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Requests per second to any one host (robots `Crawl-delay` wins when
    /// longer); 0 turns per-host spacing off.
    pub per_host_rate: f64,
    /// Hosts whose next slot is remembered; past this, hosts with no pending
    /// slot are forgotten.
    pub max_tracked_hosts: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            per_host_rate: 2.0,
            max_tracked_hosts: 100_000,
        }
    }
}
