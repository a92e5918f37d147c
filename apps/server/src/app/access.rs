//! What the handlers read of the application: its parts, its instance,
//! its counters and its state, by accessor.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use extract_batch::BatchService;
use extract_cache::{Cache, ProfileCache};
use extract_concurrency::Scheduler;
use extract_core::ProfileSource;
use extract_perf as perf;
use extract_resources::HttpClient;

use super::{App, HttpStats, SystemStats};
use crate::config::Config;

impl App {
    /// The performance monitor.
    pub fn perf(&self) -> &perf::Monitor {
        &self.inner.perf
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The profile source (the pipeline behind its decorators).
    pub fn profiles(&self) -> &Arc<dyn ProfileSource> {
        &self.inner.profiles
    }

    /// The profile source single requests go through: [`profiles`](Self::profiles),
    /// timed as the `request` stage.
    pub fn requests(&self) -> &Arc<dyn ProfileSource> {
        &self.inner.requests
    }

    /// The profile cache, when caching is on (invalidation and stats).
    pub fn profile_cache(&self) -> Option<&Arc<ProfileCache>> {
        self.inner.profile_cache.as_ref()
    }

    /// The cache, when caching is on.
    pub fn cache(&self) -> Option<&Cache> {
        self.inner.cache.as_ref()
    }

    /// Why Redis refuses writes, as last probed; `None` when it takes them
    /// (or is not configured).
    pub(crate) fn redis_writes_refused(&self) -> Option<String> {
        self.inner
            .redis_writes_refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The event streams' feeds, one per watched batch.
    pub(crate) fn feeds(&self) -> &crate::handlers::events::Feeds {
        &self.inner.feeds
    }

    /// Stalled bodies, upload parsing, event streams.
    pub(crate) fn inbound(&self) -> &crate::inbound::Inbound {
        &self.inner.inbound
    }

    /// The accepted API keys.
    pub(crate) fn api_keys(&self) -> &crate::auth::ApiKeys {
        &self.inner.api_keys
    }

    /// Counts a request made with the key of id `id`.
    pub(crate) fn count_key(&self, id: &str) {
        let mut m = self
            .inner
            .key_requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *m.entry(id.to_owned()).or_default() += 1;
    }

    /// Requests per API key id.
    pub(crate) fn key_requests(&self) -> Vec<(String, u64)> {
        self.inner
            .key_requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    }

    /// Records the address the API listens on (for the heartbeat).
    pub(crate) fn listening_on(&self, addr: std::net::SocketAddr) {
        let _ = self.inner.address.set(addr);
    }

    /// This instance as its heartbeat describes it now.
    pub fn instance(&self) -> extract_redis::Instance {
        let g = &self.inner.guards;
        let r = self.inner.monitor.current();
        extract_redis::Instance {
            id: self.inner.cluster.id.clone(),
            address: self.inner.address.get().map_or_else(
                || self.inner.config.server.bind.to_string(),
                ToString::to_string,
            ),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at_ms: extract_batch::now_ms().saturating_sub(self.uptime_ms()),
            seen_at_ms: extract_batch::now_ms(),
            in_flight: g.extractions.stats().in_use,
            batches: self.inner.scheduler.stats().running,
            cpu_percent: r.cpu_share_percent,
            rss_bytes: r.rss_bytes,
        }
    }

    /// The live instances (this one alone without Redis); this instance's
    /// own description when the others cannot be read.
    pub async fn instances(&self) -> Vec<extract_redis::Instance> {
        match self.inner.cluster.members.live().await {
            Ok(live) if !live.is_empty() => live,
            _ => vec![self.instance()],
        }
    }

    /// The shared work queue's backlog at the last heartbeat (`None`
    /// without shared work, or before the first).
    pub fn queue_depth(&self) -> Option<extract_batch::QueueDepth> {
        *self
            .inner
            .cluster
            .depth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Live instances at the last heartbeat (at least 1).
    pub fn live_instances(&self) -> usize {
        self.inner.cluster.live.load(Ordering::Relaxed).max(1)
    }

    /// This instance's id in the cluster.
    pub fn instance_id(&self) -> &str {
        &self.inner.cluster.id
    }

    /// Whether the cluster's rate limits are in use (Redis, `cluster.shared_limits`).
    pub fn shared_limits(&self) -> bool {
        self.inner.cluster.shared_limits
    }

    /// Whether the cluster's rate limits are unreachable and this instance
    /// keeps to its share of them.
    pub fn limits_degraded(&self) -> bool {
        self.inner.guards.search_rate.degraded()
    }

    /// The outbound HTTP client.
    pub fn http(&self) -> &HttpClient {
        &self.inner.http
    }

    /// The priority scheduler.
    pub fn scheduler(&self) -> &Arc<Scheduler> {
        &self.inner.scheduler
    }

    /// Batch jobs.
    pub fn batches(&self) -> &BatchService {
        &self.inner.batches
    }

    /// Outbound HTTP counters of both clients (search provider and sites).
    pub fn http_client_stats(&self) -> extract_resources::ClientStats {
        self.inner.http.stats() + self.inner.site_http.stats()
    }

    /// Limits, breakers, retries, connections, resources, scheduler.
    pub fn system_stats(&self) -> SystemStats {
        let g = &self.inner.guards;
        let http = self.http_client_stats();
        SystemStats {
            permits: vec![g.extractions.stats(), g.searches.stats(), g.crawls.stats()],
            search_rate: g.search_rate.snapshot(g.search_rate_per_sec),
            politeness: g.politeness.snapshot(self.inner.config.crawl.per_host_rate),
            breakers: g.breakers.stats(),
            retries: g.retry.stats(),
            http: HttpStats {
                requests: http.requests,
                connections_opened: http.connections_opened,
                hosts: http.hosts,
                reuse_ratio: http.reuse_ratio(),
                repeat_reuse_ratio: http.repeat_reuse_ratio(),
            },
            resources: self.inner.monitor.current(),
            scheduler: self.inner.scheduler.stats(),
            connections: self.inner.connections.stats(),
        }
    }

    /// Seconds since start.
    pub fn uptime_s(&self) -> u64 {
        self.inner.started.elapsed().as_secs()
    }

    fn uptime_ms(&self) -> u64 {
        self.inner.started.elapsed().as_millis() as u64
    }

    /// Marks the service as shutting down: `/ready` answers 503 from now on.
    pub fn start_draining(&self) {
        self.inner.draining.store(true, Ordering::Relaxed);
    }

    /// The listener's connection counters.
    pub fn connections(&self) -> &Arc<crate::serve::Connections> {
        &self.inner.connections
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
