//! Settings of the cache (`[cache]` in the configuration file). Defaults
//! match `config/default.toml`.

use extract_core::Secret;
use serde::{Deserialize, Serialize};

/// Cache settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Turn every cache level off (`CACHE_ENABLED`).
    pub enabled: bool,
    /// First part of every Redis key; instances sharing a Redis and a prefix share the cache.
    pub prefix: String,
    /// How long a company profile is fresh, in seconds (`COMPANY_CACHE_TTL`).
    pub company_ttl_s: u64,
    /// How long search results are fresh, in seconds (`SERP_CACHE_TTL`).
    pub serp_ttl_s: u64,
    /// How long a crawled page is fresh, in seconds.
    pub page_ttl_s: u64,
    /// After its TTL an entry is still served for this long while it is
    /// refreshed in the background (stale-while-revalidate), in seconds.
    pub stale_grace_s: u64,
    /// Memory the in-process tier may use across the three levels, in bytes.
    pub l1_max_bytes: u64,
    /// Memory pressure never sheds the in-process tier below this, bytes.
    pub l1_floor_bytes: u64,
    /// The Redis tier (`REDIS_URL`); empty: in-process tier only.
    pub redis_url: Secret,
    /// Connections to Redis (`REDIS_MAX_CONNECTIONS`).
    pub redis_max_connections: usize,
    /// Time allowed for one Redis command, in ms; past it the tier is skipped.
    pub redis_command_timeout_ms: u64,
    /// Time allowed to connect to Redis, in ms.
    pub redis_connect_timeout_ms: u64,
    /// A file of company names (one a line) warmed in the background after start; empty: none.
    pub warm_file: String,
    /// Warming requests run at once (across every warm request).
    pub warm_concurrency: usize,
    /// Names that may wait in the warming queue at once; a request that
    /// would overflow it is refused.
    pub warm_max_pending: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            prefix: "extract".to_owned(),
            company_ttl_s: 86_400,
            serp_ttl_s: 21_600,
            page_ttl_s: 21_600,
            stale_grace_s: 3_600,
            l1_max_bytes: 256 * 1024 * 1024,
            l1_floor_bytes: 16 * 1024 * 1024,
            redis_url: Secret::default(),
            redis_max_connections: 8,
            redis_command_timeout_ms: 250,
            redis_connect_timeout_ms: 2_000,
            warm_file: String::new(),
            warm_concurrency: 2,
            warm_max_pending: 10_000,
        }
    }
}
