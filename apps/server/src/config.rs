//! Configuration: the only place that reads files and the environment.
//! Built-in defaults (`config/default.toml`, compiled in) < `./config/default.toml`
//! < `--config FILE` < environment (`EXTRACT_<SECTION>__<KEY>`).

use std::net::SocketAddr;
use std::path::Path;

use extract_cache as cache;
use extract_concurrency as concurrency;
use extract_core as core;
use extract_resources as resources;
use figment::providers::{Env, Format, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// Environment names of the original system, kept as they were, and the key
/// each sets. `EXTRACT_<SECTION>__<KEY>` names win over these.
pub const LEGACY_ENV: &[(&str, &str)] = &[
    ("REDIS_URL", "cache.redis_url"),
    ("REDIS_MAX_CONNECTIONS", "cache.redis_max_connections"),
    ("CACHE_ENABLED", "cache.enabled"),
    ("COMPANY_CACHE_TTL", "cache.company_ttl_s"),
    ("SERP_CACHE_TTL", "cache.serp_ttl_s"),
    ("MAX_CONCURRENT_EXTRACTIONS", "concurrency.max_extractions"),
    ("MAX_CONCURRENT_SEARCHES", "concurrency.max_searches"),
    ("MAX_CONCURRENT_CRAWLS", "concurrency.max_crawls"),
    ("CONNECTION_POOL_SIZE", "http.pool_max_idle_per_host"),
    ("MAX_MEMORY_MB", "resources.max_memory_mb"),
    ("MAX_CPU_PERCENT", "resources.max_cpu_percent"),
    ("BATCH_PROCESSING_ENABLED", "batch.enabled"),
    ("PERFORMANCE_MONITORING_ENABLED", "performance.enabled"),
    ("METRICS_RETENTION_HOURS", "performance.retention_hours"),
    ("EXTRACT_API_KEYS", "server.api_keys"),
];

/// The defaults, documented line by line.
pub const DEFAULTS: &str = include_str!("../../../config/default.toml");

/// The whole configuration of the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The HTTP API.
    pub server: ServerConfig,
    /// The search provider.
    pub search: core::SearchConfig,
    /// The extraction pipeline.
    pub extract: core::Config,
    /// The outbound HTTP client.
    pub http: resources::Config,
    /// Crawl politeness.
    pub crawl: concurrency::HostConfig,
    /// Concurrency limits, resilience and scheduling.
    pub concurrency: concurrency::Config,
    /// Memory and CPU limits.
    pub resources: resources::MonitorConfig,
    /// The cache.
    pub cache: cache::Config,
    /// Batch jobs.
    pub batch: extract_batch::Config,
    /// Uploaded files.
    pub upload: UploadConfig,
    /// Metrics, the performance report and alerts.
    pub performance: extract_perf::Config,
    /// Instances sharing one Redis.
    pub cluster: ClusterConfig,
    /// The in-process sandbox of `--sandbox`.
    pub sandbox: SandboxConfig,
}

/// `[cluster]`: instances sharing one Redis (`REDIS_URL`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// How often an instance writes its heartbeat, ms; it counts as gone
    /// three heartbeats after its last.
    pub heartbeat_ms: u64,
    /// With Redis, the search provider's rate and each host's politeness
    /// are kept for all instances together.
    pub shared_limits: bool,
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Listen address.
    pub bind: SocketAddr,
    /// Largest request body, in bytes.
    pub max_body_bytes: u64,
    /// Time allowed for one extract request, in ms.
    pub request_timeout_ms: u64,
    /// Drain time on shutdown, in ms.
    pub shutdown_grace_ms: u64,
    /// On shutdown, `/ready` answers 503 this long before the listener
    /// stops accepting, in ms (load balancers move away first).
    pub drain_delay_ms: u64,
    /// Time a client has to send a request's headers, in ms (slowloris).
    pub header_read_timeout_ms: u64,
    /// A connection with no request in flight and no bytes moving for this
    /// long is closed, in ms.
    pub idle_timeout_ms: u64,
    /// Connections open at once; beyond it a new one is accepted and closed
    /// at once, and counted.
    pub max_connections: usize,
    /// API keys accepted, comma-separated (`EXTRACT_API_KEYS`); with none
    /// here and no `api_key_hashes_file`, no key is asked for.
    pub api_keys: core::Secret,
    /// A file of accepted keys' SHA-256 hashes (hex), one a line.
    pub api_key_hashes_file: String,
    /// Whether `GET /metrics` asks for a key too (`/health` and `/ready` never do).
    pub metrics_require_key: bool,
    /// A request body with no bytes for this long is answered 408, in ms.
    pub body_read_timeout_ms: u64,
    /// Event streams open at once on this instance.
    pub max_event_streams: usize,
    /// Event streams open at once on one batch.
    pub max_event_streams_per_batch: usize,
}

/// `[upload]`: how much of an uploaded file is read (CSV or XLSX).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadConfig {
    /// Bytes a workbook's zip entries may inflate to, all together.
    pub max_inflated_bytes: u64,
    /// Data rows (below the header) a file may have.
    pub max_rows: u32,
    /// Columns a row may have.
    pub max_columns: u32,
    /// Characters a cell may hold.
    pub max_cell_chars: usize,
    /// Files parsed at once, each on the blocking pool; more wait for a turn.
    pub parsers: usize,
}

/// `[sandbox]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxConfig {
    /// Companies in the simulated web.
    pub companies: usize,
    /// Seed.
    pub seed: u64,
    /// Base latency, in ms.
    pub latency_ms: u64,
}

/// A configuration problem, worded as the one line printed at start-up.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct Error(String);

impl Config {
    /// Loads the configuration with its precedence rules. `file` is `--config`.
    pub fn load(file: Option<&Path>) -> Result<Config, Error> {
        // EXTRACT_<SECTION>__<KEY>; a legacy name that starts the same way
        // (EXTRACT_API_KEYS) is the legacy list's, not a section.
        let env = Env::prefixed("EXTRACT_")
            .filter(|k| k.as_str().contains("__"))
            .split("__");
        Self::load_from(file, env)
    }

    /// The built-in defaults alone (tests start from these).
    pub fn defaults() -> Config {
        Figment::from(Toml::string(DEFAULTS))
            .extract()
            .expect("config/default.toml is valid")
    }

    fn load_from(file: Option<&Path>, env: Env) -> Result<Config, Error> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        let local = Path::new("config/default.toml");
        if local.is_file() {
            figment = figment.merge(Toml::file(local));
        }
        if let Some(f) = file {
            if !f.is_file() {
                return Err(Error(format!("--config {}: no such file", f.display())));
            }
            figment = figment.merge(Toml::file(f));
        }
        let legacy = Env::raw().filter_map(|k| {
            LEGACY_ENV
                .iter()
                .find(|(name, _)| k.as_str().eq_ignore_ascii_case(name))
                .map(|(_, path)| (*path).into())
        });
        let config: Config = figment.merge(legacy).merge(env).extract().map_err(|e| {
            let key = e.path.join(".");
            let key = if key.is_empty() {
                "(file)".to_owned()
            } else {
                key
            };
            Error(format!("{key}: {}", e.kind))
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what types alone cannot.
    fn validate(&self) -> Result<(), Error> {
        let base = self.search.base_url();
        let endpoint = url::Url::parse(base)
            .map_err(|e| Error(format!("search.endpoint: {base:?} is not a URL: {e}")))?;
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(Error(
                "search.endpoint: must be an http or https URL".to_owned(),
            ));
        }
        // A keyed provider without its key stops the start here.
        self.search.codec().map_err(|e| Error(e.to_string()))?;
        let c = self.http.connect_to.trim();

        if !c.is_empty()
            && std::net::ToSocketAddrs::to_socket_addrs(c).map_or(true, |mut a| a.next().is_none())
        {
            return Err(Error(format!(
                "http.connect_to: {c:?} is not an address of the form host:port"
            )));
        }
        for (key, v) in [
            ("server.max_body_bytes", self.server.max_body_bytes),
            ("server.request_timeout_ms", self.server.request_timeout_ms),
            ("http.timeout_ms", self.http.timeout_ms),
            ("http.connect_timeout_ms", self.http.connect_timeout_ms),
            ("http.max_body_bytes", self.http.max_body_bytes),
            ("batch.max_size", self.batch.max_size as u64),
            ("batch.item_timeout_ms", self.batch.item_timeout_ms),
            ("batch.lease_s", self.batch.lease_s),
            ("cluster.heartbeat_ms", self.cluster.heartbeat_ms),
        ] {
            if v == 0 {
                return Err(Error(format!("{key}: must be greater than 0")));
            }
        }
        let c = &self.concurrency;
        if c.scheduler_workers > 0 && c.scheduler_workers < c.max_extractions {
            return Err(Error(format!(
                "concurrency.scheduler_workers ({}) is below concurrency.max_extractions ({}): \
                 batches could never run more than {} at once; leave it 0 to follow max_extractions",
                c.scheduler_workers, c.max_extractions, c.scheduler_workers
            )));
        }
        let rate = self.search.rate_per_sec;
        let per_second = (rate.floor() as u32).max(1);
        if rate > 0.0 && self.search.burst > per_second {
            return Err(Error(format!(
                "search.burst ({}) is above search.rate_per_sec ({rate}): no one-second window \
                 may hold more than {per_second} searches, so that burst is never reached",
                self.search.burst
            )));
        }
        self.performance.validate().map_err(Error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The library defaults (used by embedders) and the documented file agree.
    #[test]
    fn library_defaults_match_the_file() {
        let c = Config::defaults();
        assert_eq!(c.extract, core::Config::default());
        assert_eq!(c.search, core::SearchConfig::default());
        assert_eq!(c.http, resources::Config::default());
        assert_eq!(c.crawl, concurrency::HostConfig::default());
        assert_eq!(c.concurrency, concurrency::Config::default());
        assert_eq!(c.resources, resources::MonitorConfig::default());
        // A first start warms nothing: no searches nobody asked for.
        assert_eq!(c.cache, cache::Config::default());
        assert!(c.cache.warm_file.is_empty());
        assert_eq!(c.batch, extract_batch::Config::default());
        assert_eq!(c.performance, extract_perf::Config::default());
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail fixes the closure's error type
    fn env_overrides_and_errors_name_the_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("EXTRACT_HTTP__CONNECT_TO", "127.0.0.1:9999");
            jail.set_env("EXTRACT_SEARCH__ENDPOINT", "http://10.0.0.1:8888");
            let c = Config::load(None).unwrap();
            assert_eq!(c.http.connect_to, "127.0.0.1:9999");
            assert_eq!(c.search.endpoint, "http://10.0.0.1:8888");

            jail.set_env("EXTRACT_API_KEYS", "k1,k2");
            let c = Config::load(None).unwrap();
            assert_eq!(c.server.api_keys.expose(), "k1,k2");
            assert!(!format!("{c:?}").contains("k1"), "keys never printed");

            jail.set_env("REDIS_URL", "redis://10.1.2.3:6379");
            jail.set_env("COMPANY_CACHE_TTL", "60");
            jail.set_env("CACHE_ENABLED", "false");
            let c = Config::load(None).unwrap();
            assert_eq!(c.cache.redis_url.expose(), "redis://10.1.2.3:6379");
            assert_eq!((c.cache.company_ttl_s, c.cache.enabled), (60, false));
            jail.set_env("EXTRACT_CACHE__COMPANY_TTL_S", "90");
            assert_eq!(Config::load(None).unwrap().cache.company_ttl_s, 90);
            jail.set_env("BATCH_PROCESSING_ENABLED", "false");
            jail.set_env("PERFORMANCE_MONITORING_ENABLED", "false");
            jail.set_env("METRICS_RETENTION_HOURS", "48");
            let c = Config::load(None).unwrap();
            assert!(!c.batch.enabled && !c.performance.enabled);
            assert_eq!(c.performance.retention_hours, 48);
            jail.set_env("METRICS_RETENTION_HOURS", "0");
            let e = Config::load(None).unwrap_err().to_string();
            assert!(e.contains("performance.retention_hours"), "{e}");
            jail.set_env("METRICS_RETENTION_HOURS", "24");

            jail.set_env("EXTRACT_SERVER__BIND", "not an address");
            let e = Config::load(None).unwrap_err().to_string();
            assert!(e.contains("server.bind"), "{e}");
            jail.set_env("EXTRACT_SERVER__BIND", "127.0.0.1:0");

            // Combinations that could never be reached are refused, naming both keys.
            jail.set_env("MAX_CONCURRENT_EXTRACTIONS", "64");
            jail.set_env("EXTRACT_CONCURRENCY__SCHEDULER_WORKERS", "8");
            let e = Config::load(None).unwrap_err().to_string();
            assert!(
                e.contains("concurrency.scheduler_workers")
                    && e.contains("concurrency.max_extractions"),
                "{e}"
            );
            jail.set_env("EXTRACT_CONCURRENCY__SCHEDULER_WORKERS", "0");
            assert_eq!(Config::load(None).unwrap().concurrency.workers(), 64);
            jail.set_env("EXTRACT_SEARCH__RATE_PER_SEC", "5");
            jail.set_env("EXTRACT_SEARCH__BURST", "10");
            let e = Config::load(None).unwrap_err().to_string();
            assert!(
                e.contains("search.burst") && e.contains("search.rate_per_sec"),
                "{e}"
            );
            jail.set_env("EXTRACT_SEARCH__BURST", "5");
            let c = Config::load(None).unwrap();
            // 0: enough searches in flight for the rate at 2 s of latency.
            assert_eq!(c.concurrency.searches(c.search.rate_per_sec), 10);
            assert_eq!(c.concurrency.searches(50.0), 100);

            jail.set_env("EXTRACT_HTTP__TIMEOUT_MS", "0");
            let e = Config::load(None).unwrap_err().to_string();
            assert!(e.contains("http.timeout_ms"), "{e}");
            jail.set_env("EXTRACT_HTTP__TIMEOUT_MS", "100");

            jail.create_file("bad.toml", "[search]\nprovider = \"altavista\"\n")?;
            let e = Config::load(Some(Path::new("bad.toml")))
                .unwrap_err()
                .to_string();
            assert!(e.contains("search.provider"), "{e}");
            jail.create_file("keyless.toml", "[search]\nprovider = \"serpapi\"\n")?;
            let e = Config::load(Some(Path::new("keyless.toml")))
                .unwrap_err()
                .to_string();
            assert!(e.contains("search.api_key"), "{e}");
            jail.set_env("EXTRACT_SEARCH__API_KEY", "k");
            assert!(Config::load(Some(Path::new("keyless.toml"))).is_ok());
            jail.create_file("typo.toml", "[server]\nbnid = \"x\"\n")?;
            let e = Config::load(Some(Path::new("typo.toml")))
                .unwrap_err()
                .to_string();
            assert!(e.contains("bnid"), "{e}");
            Ok(())
        });
    }
}
