//! The application: its shared state and how it is assembled from the
//! configuration (the decorator stack over the pipeline is built here).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

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
    http: HttpClient,
    draining: AtomicBool,
    started: Instant,
    request_seq: AtomicU64,
    id_prefix: String,
}

impl App {
    /// Builds the service from its configuration.
    pub fn build(config: Config) -> anyhow::Result<App> {
        let http = HttpClient::new(config.http.clone())?;
        let transport: Arc<dyn Fetch> = Arc::new(http.clone());
        // Search talks to the provider directly; sites get per-host politeness.
        let search: Arc<dyn Search> =
            Arc::new(HttpSearch::new(config.search.codec()?, transport.clone()));
        let sites: Arc<dyn Fetch> = Arc::new(HostLimiter::new(transport, &config.crawl));
        let profiles: Arc<dyn ProfileSource> =
            Arc::new(Pipeline::new(search, sites, config.extract.clone()));
        Ok(App {
            inner: Arc::new(Inner {
                config,
                profiles,
                http,
                draining: AtomicBool::new(false),
                started: Instant::now(),
                request_seq: AtomicU64::new(0),
                id_prefix: format!("{:08x}", fastrand::u32(..)),
            }),
        })
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The profile source (the pipeline behind its decorators).
    pub fn profiles(&self) -> &Arc<dyn ProfileSource> {
        &self.inner.profiles
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
