//! The application: its shared state and how it is assembled from the
//! configuration. The decorator stack over the pipeline is built here:
//!
//! ```text
//! profiles: ProfileCache → Pipeline ─┬─ search: SearchCache → HttpSearch(codec) → HttpClient
//!                                    └─ sites:  PageCache → HostLimiter → HttpClient
//! ```

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use extract_cache::{Cache, ProfileCache};
use extract_concurrency::HostLimiter;
use extract_core::search::HttpSearch;
use extract_core::{Fetch, Pipeline, ProfileSource, Search};
use extract_resources::HttpClient;

use crate::config::Config;

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    profiles: Arc<dyn ProfileSource>,
    profile_cache: Option<Arc<ProfileCache>>,
    cache: Option<Cache>,
    http: HttpClient,
    draining: AtomicBool,
    started: Instant,
    request_seq: AtomicU64,
    id_prefix: String,
}

impl App {
    /// Builds the service from its configuration (connecting to Redis when
    /// configured; a Redis that is down does not stop the start).
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let http = HttpClient::new(config.http.clone())?;
        let transport: Arc<dyn Fetch> = Arc::new(http.clone());
        let cache = if config.cache.enabled {
            Some(Cache::connect(&config.cache).await?)
        } else {
            None
        };

        let mut search: Arc<dyn Search> =
            Arc::new(HttpSearch::new(config.search.codec()?, transport.clone()));
        let mut sites: Arc<dyn Fetch> = Arc::new(HostLimiter::new(transport, &config.crawl));
        if let Some(c) = &cache {
            search = Arc::new(c.searches(search));
            sites = Arc::new(c.pages(sites));
        }
        let pipeline: Arc<dyn ProfileSource> =
            Arc::new(Pipeline::new(search, sites, config.extract.clone()));
        let profile_cache = cache
            .as_ref()
            .map(|c| Arc::new(c.profiles(pipeline.clone())));
        let profiles: Arc<dyn ProfileSource> = match &profile_cache {
            Some(pc) => pc.clone(),
            None => pipeline,
        };

        let app = App {
            inner: Arc::new(Inner {
                config,
                profiles,
                profile_cache,
                cache,
                http,
                draining: AtomicBool::new(false),
                started: Instant::now(),
                request_seq: AtomicU64::new(0),
                id_prefix: format!("{:08x}", fastrand::u32(..)),
            }),
        };
        app.warm_from_file();
        Ok(app)
    }

    /// Queues the configured warm list, if any.
    fn warm_from_file(&self) {
        let file = self.config().cache.warm_file.trim();
        let Some(cache) = self.cache() else { return };
        if file.is_empty() {
            return;
        }
        match std::fs::read_to_string(file) {
            Ok(text) => {
                let names = extract_cache::read_list(&text);
                let n = cache.warm(self.profiles().clone(), names);
                tracing::info!(file, companies = n, "warming the cache in the background");
            }
            Err(e) => tracing::warn!(file, error = %e, "cache.warm_file not readable; no warming"),
        }
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The profile source (the pipeline behind its decorators).
    pub fn profiles(&self) -> &Arc<dyn ProfileSource> {
        &self.inner.profiles
    }

    /// The profile cache, when caching is on.
    pub fn profile_cache(&self) -> Option<&Arc<ProfileCache>> {
        self.inner.profile_cache.as_ref()
    }

    /// The cache, when caching is on.
    pub fn cache(&self) -> Option<&Cache> {
        self.inner.cache.as_ref()
    }

    /// The outbound HTTP client.
    pub fn http(&self) -> &HttpClient {
        &self.inner.http
    }

    /// Seconds since start.
    pub fn uptime_s(&self) -> u64 {
        self.inner.started.elapsed().as_secs()
    }

    /// Marks the service as shutting down: `/ready` answers 503 from now on.
    pub fn start_draining(&self) {
        self.inner.draining.store(true, Ordering::Relaxed);
    }

    /// True once shutdown has begun.
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::Relaxed)
    }

    /// A new request id, unique within the process and unlikely across processes.
    pub fn next_request_id(&self) -> String {
        let n = self.inner.request_seq.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n:x}", self.inner.id_prefix)
    }
}
