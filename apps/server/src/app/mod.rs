//! The application: its shared state and how it is assembled from the
//! configuration. The decorator stack over the pipeline is built here:
//!
//! ```text
//! requests: TimedProfiles → profiles (one `POST /extract`: the `request` and `cache` stages)
//! profiles: ProfileCache → LimitedProfiles (adaptive) → Pipeline (observed: extract, classify)
//! search:   SearchCache → TimedSearch → LimitedSearch → RetrySearch → BreakerSearch → RateLimitedSearch → HttpSearch → HttpClient
//! sites:    PageCache → TimedFetch → LimitedFetch → RetryFetch → BreakerFetch → HostLimiter → HttpClient
//! ```
//!
//! Caches are outermost so that a hit costs no permit, token or politeness
//! wait; retries sit outside the breaker and the limiters so that every
//! attempt is counted and paced. The timing decorators sit just inside the
//! caches: a stage's time is what an upstream call really cost, waits for
//! permits, tokens and politeness included.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::Arc;
use std::time::Instant;

use extract_batch as batch;
use extract_batch::{BatchService, JobStore, MemoryStore};
use extract_cache::{Cache, ProfileCache, RemoteStore};
use extract_concurrency::{
    BreakerFetch, BreakerSearch, Breakers, HostLimiter, LimitedFetch, LimitedProfiles,
    LimitedSearch, Permits, Policy, RateLimitedSearch, RateStats, RetryFetch, RetrySearch,
    Scheduler,
};
use extract_core::search::HttpSearch;
use extract_core::{Fetch, Pipeline, Pool, ProfileSource, Search, SharedRate};
use extract_perf as perf;
use extract_perf::{TimedFetch, TimedProfiles, TimedSearch};
use extract_redis::{LocalMembers, Members, RedisMembers, RedisRate};
use extract_resources as resources;
use extract_resources::HttpClient;
use serde::Serialize;

mod access;
mod background;

use background::WebhookSender;

use crate::config::Config;

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    profiles: Arc<dyn ProfileSource>,
    requests: Arc<dyn ProfileSource>,
    profile_cache: Option<Arc<ProfileCache>>,
    cache: Option<Cache>,
    http: HttpClient,
    site_http: HttpClient,
    guards: Guards,
    monitor: resources::ProcessMonitor,
    perf: perf::Monitor,
    scheduler: Arc<Scheduler>,
    batches: BatchService,
    draining: AtomicBool,
    connections: Arc<crate::serve::Connections>,
    started: Instant,
    request_seq: AtomicU64,
    id_prefix: String,
    /// This instance in the cluster: who is alive, and how many.
    cluster: Cluster,
    /// The address the API listens on, once it does.
    address: std::sync::OnceLock<std::net::SocketAddr>,
    /// The accepted API keys (none: no key asked for).
    api_keys: crate::auth::ApiKeys,
    /// Requests per API key id.
    key_requests: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
    /// Stalled bodies, upload parsing, event streams.
    inbound: crate::inbound::Inbound,
    /// The batches whose events are streamed, one reader each.
    feeds: crate::handlers::events::Feeds,
    /// The Redis of the cache, the limits and the heartbeats, when configured.
    redis: Option<Arc<extract_redis::Redis>>,
    /// Why Redis refuses writes, as last probed (logged once per change).
    redis_writes_refused: std::sync::Mutex<Option<String>>,
}

/// This instance among those sharing one Redis.
pub(crate) struct Cluster {
    /// Unique per process.
    pub(crate) id: String,
    pub(crate) members: Arc<dyn Members>,
    /// Live instances at the last heartbeat (at least 1).
    pub(crate) live: Arc<AtomicUsize>,
    /// Whether the rate limits are the cluster's.
    pub(crate) shared_limits: bool,
    /// The shared work queue's backlog at the last heartbeat.
    pub(crate) depth: std::sync::Mutex<Option<extract_batch::QueueDepth>>,
}

/// The limits and breakers, for stats.
struct Guards {
    extractions: Arc<Permits>,
    searches: Arc<Permits>,
    crawls: Arc<Permits>,
    search_rate: Arc<RateStats>,
    /// Time pages waited for their host's spacing.
    politeness: Arc<RateStats>,
    search_rate_per_sec: f64,
    breakers: Arc<Breakers>,
    retry: Policy,
}

/// What `GET /api/v1/system/stats` shows: limits, breakers, retries,
/// connections, memory and CPU, the scheduler.
#[derive(Debug, Clone, Serialize)]
pub struct SystemStats {
    /// The permit pools (extractions adaptive).
    pub permits: Vec<extract_concurrency::PermitStats>,
    /// The search provider's limiter.
    pub search_rate: extract_concurrency::RateSnapshot,
    /// Per-host politeness: pages that waited for their host, and how long
    /// (`rate_per_sec` is `crawl.per_host_rate`).
    pub politeness: extract_concurrency::RateSnapshot,
    /// Circuit breakers.
    pub breakers: extract_concurrency::BreakerStats,
    /// Retries made.
    pub retries: extract_concurrency::RetryStats,
    /// Outbound requests and connections.
    pub http: HttpStats,
    /// Memory and CPU.
    pub resources: resources::ProcessSample,
    /// The priority scheduler.
    pub scheduler: extract_concurrency::SchedulerStats,
    /// Inbound connections: open, refused over the cap, closed for idling.
    pub connections: crate::serve::ConnectionStats,
}

/// Outbound HTTP counters.
#[derive(Debug, Clone, Serialize)]
pub struct HttpStats {
    /// Requests sent (each redirect hop and retry counts).
    pub requests: u64,
    /// TCP connections opened.
    pub connections_opened: u64,
    /// Distinct hosts connected to.
    pub hosts: u64,
    /// Share of requests that went over an already open connection.
    pub reuse_ratio: Option<f64>,
    /// The same among requests to hosts contacted before.
    pub repeat_reuse_ratio: Option<f64>,
}

impl App {
    /// Builds the service from its configuration (connecting to Redis when
    /// configured; a Redis that is down does not stop the start).
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let api_keys = crate::auth::ApiKeys::load(&config)?;
        let http = HttpClient::new(config.http.clone())?;
        let transport: Arc<dyn Fetch> = Arc::new(http.clone());
        // Sites get their own pool, whose idle connections close soon.
        let site_http = HttpClient::new(config.http.for_sites())?;
        // One Redis connection pool for the cache's shared tier, the
        // cluster's rate limits and the heartbeats (the job store has its own).
        let redis = if config.cache.redis_url.is_empty() {
            None
        } else {
            Some(extract_cache::connect_redis(&config.cache).await?)
        };
        let cache = config.cache.enabled.then(|| {
            Cache::with_store(
                &config.cache,
                redis.clone().map(|r| r as Arc<dyn RemoteStore>),
            )
        });
        let live = Arc::new(AtomicUsize::new(1));
        let members: Arc<dyn Members> = match &redis {
            Some(r) => Arc::new(RedisMembers::new(r.clone(), &config.cache.prefix)),
            None => Arc::new(LocalMembers::default()),
        };
        let shared: Option<Arc<dyn SharedRate>> = redis
            .as_ref()
            .filter(|_| config.cluster.shared_limits)
            .map(|r| {
                Arc::new(RedisRate::new(
                    r.clone(),
                    &config.cache.prefix,
                    live.clone(),
                )) as Arc<dyn SharedRate>
            });
        // One id for this instance: its heartbeats, batch leases and queue reads.
        let cluster_id = extract_redis::new_instance_id();
        let cluster = Cluster {
            id: cluster_id.clone(),
            members,
            live,
            shared_limits: shared.is_some(),
            depth: std::sync::Mutex::new(None),
        };
        let c = &config.concurrency;
        let guards = Guards {
            extractions: Permits::new(Pool::Extractions, c.max_extractions, c.adaptive_min),
            searches: Permits::new(
                Pool::Searches,
                c.searches(config.search.rate_per_sec),
                c.searches(config.search.rate_per_sec),
            ),
            crawls: Permits::new(Pool::Crawls, c.max_crawls, c.max_crawls),
            search_rate: Arc::default(),
            politeness: Arc::default(),
            search_rate_per_sec: config.search.rate_per_sec,
            breakers: Breakers::new(c),
            retry: Policy::new(c),
        };

        let mut rate_limited = RateLimitedSearch::new(
            Arc::new(HttpSearch::new(config.search.codec()?, transport)),
            config.search.rate_per_sec,
            config.search.burst,
        );
        let mut polite = HostLimiter::new(Arc::new(site_http.clone()), &config.crawl);
        if let Some(shared) = &shared {
            rate_limited = rate_limited.with_shared(shared.clone());
            polite = polite.with_shared(shared.clone());
        }
        let guards = Guards {
            search_rate: rate_limited.stats_handle(),
            ..guards
        };
        let mut search: Arc<dyn Search> = Arc::new(rate_limited);
        search = Arc::new(BreakerSearch::new(
            search,
            guards.breakers.clone(),
            config.search.provider.as_str(),
        ));
        search = Arc::new(RetrySearch::new(search, guards.retry.clone()));
        search = Arc::new(LimitedSearch::new(search, guards.searches.clone()));
        let perf = perf::Monitor::new(config.performance.clone(), env!("CARGO_PKG_VERSION"));
        search = Arc::new(TimedSearch::new(search, perf.clone()));

        let guards = Guards {
            politeness: polite.stats_handle(),
            ..guards
        };
        let mut sites: Arc<dyn Fetch> = Arc::new(polite);
        sites = Arc::new(BreakerFetch::new(sites, guards.breakers.clone()));
        sites = Arc::new(RetryFetch::new(sites, guards.retry.clone()));
        sites = Arc::new(LimitedFetch::new(sites, guards.crawls.clone()));
        sites = Arc::new(TimedFetch::new(sites, perf.clone()));

        if let Some(c) = &cache {
            search = Arc::new(c.searches(search));
            sites = Arc::new(c.pages(sites));
        }
        let pipeline: Arc<dyn ProfileSource> = Arc::new(
            Pipeline::new(search, sites, config.extract.clone())
                .with_observer(Arc::new(perf.clone())),
        );
        let limited: Arc<dyn ProfileSource> = Arc::new(LimitedProfiles::new(
            pipeline,
            guards.extractions.clone(),
            config.concurrency.adaptive,
        ));
        let profile_cache = cache
            .as_ref()
            .map(|c| Arc::new(c.profiles(limited.clone())));
        let profiles: Arc<dyn ProfileSource> = match &profile_cache {
            Some(pc) => pc.clone(),
            None => limited,
        };
        let monitor = resources::ProcessMonitor::start(config.resources.clone());
        let scheduler = Scheduler::new(
            config.concurrency.workers(),
            config.concurrency.scheduler_weights,
        );
        let redis_url = config.cache.redis_url.expose();
        let store: Arc<dyn JobStore> = if redis_url.is_empty() {
            Arc::new(MemoryStore::default())
        } else {
            Arc::new(
                batch::RedisStore::connect(
                    redis_url,
                    &config.batch.redis_prefix,
                    std::time::Duration::from_millis(config.cache.redis_connect_timeout_ms),
                )
                .await?,
            )
        };
        let requests: Arc<dyn ProfileSource> =
            Arc::new(TimedProfiles::new(profiles.clone(), perf.clone()));
        let mut builder = BatchService::builder(store, scheduler.clone(), profiles.clone())
            .config(config.batch.clone())
            .notifier(Arc::new(WebhookSender(http.clone())))
            .max_name_chars(config.extract.max_name_chars)
            .instance_id(&cluster_id);
        if !redis_url.is_empty() && config.batch.share_work {
            let queue = batch::RedisQueue::connect(
                redis_url,
                &config.batch.redis_prefix,
                std::time::Duration::from_millis(config.cache.redis_connect_timeout_ms),
            )
            .await?;
            builder = builder.queue(Arc::new(queue), config.concurrency.scheduler_weights);
        }
        let batches = builder.build();
        // Picks up unfinished batches now and whenever an owner goes away.
        let _resuming = batches.keep_resuming();
        // Takes batch items from the queue every instance shares.
        let _working = batches.keep_working();

        let config_upload = config.upload.clone();
        let (max_streams, max_streams_per_batch) = (
            config.server.max_event_streams,
            config.server.max_event_streams_per_batch,
        );
        let app = App {
            inner: Arc::new(Inner {
                config,
                profiles,
                requests,
                profile_cache,
                cache,
                http,
                site_http,
                guards,
                monitor,
                perf,
                scheduler,
                batches,
                draining: AtomicBool::new(false),
                connections: Arc::default(),
                started: Instant::now(),
                request_seq: AtomicU64::new(0),
                id_prefix: format!("{:08x}", fastrand::u32(..)),
                cluster,
                address: std::sync::OnceLock::new(),
                api_keys,
                key_requests: std::sync::Mutex::default(),
                inbound: crate::inbound::Inbound::new(
                    config_upload,
                    max_streams,
                    max_streams_per_batch,
                ),
                feeds: Default::default(),
                redis,
                redis_writes_refused: std::sync::Mutex::default(),
            }),
        };
        app.react_to_pressure();
        app.warm_from_file();
        app.sample_every_second();
        app.beat();
        Ok(app)
    }
}
