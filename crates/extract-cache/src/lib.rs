//! Multi-level caching for the extraction service: a repeat costs nothing
//! upstream.
//!
//! Three levels, each a decorator over the `extract-core` trait it caches —
//! [`ProfileCache`] (`ProfileSource`), [`SearchCache`] (`Search`) and
//! [`PageCache`] (`Fetch`, bodies LZ4-compressed) — and two tiers in each: an
//! in-process L1 (`moka`: size-bounded, TTL, TinyLFU) over an optional shared
//! L2 ([`RemoteStore`], Redis through `fred`). Keys are
//! `<prefix>:v<schema>:<kind>:<xxh3-128>`; values carry an envelope (schema
//! version, created-at, source) and a value of another schema version is a
//! miss. Concurrent misses for one key share one computation; an entry past
//! its TTL is served for a grace period while it is refreshed in the
//! background; a request's `max_age_s` and `force_refresh` reach every level.
//! Redis down means the L2 tier is skipped (counted), and the pool
//! reconnects by itself.
//!
//! The Redis connection is `extract-redis`'s ([`connect_redis`] builds it
//! from the cache's settings), which also holds what else the instances
//! sharing one Redis keep together (rate limits, heartbeats).
//!
//! Architecture invariant: it depends on `extract-core` and `extract-redis`
//! only, and it is the only crate that keeps cached values in Redis.
//!
//! # Embedding
//!
//! ```
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use extract_cache::{Cache, Config};
//! use extract_core::{CompanyProfile, CompanyQuery, ProfileSource, Result};
//!
//! struct Expensive;
//! #[async_trait]
//! impl ProfileSource for Expensive {
//!     async fn profile(&self, q: &CompanyQuery) -> Result<CompanyProfile> {
//!         Ok(CompanyProfile { query: q.label().to_owned(), ..Default::default() })
//!     }
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let cache = Cache::connect(&Config::default()).await.unwrap(); // no redis_url: L1 only
//! let profiles = cache.profiles(Arc::new(Expensive));
//! let q = CompanyQuery::by_name("Acme")?;
//! profiles.profile(&q).await?;
//! profiles.profile(&q).await?;
//! assert_eq!(cache.stats().company.computed, 1);
//! # Ok::<(), extract_core::Error>(())
//! # }).unwrap();
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod envelope;
mod error;
mod key;
mod levels;
mod metrics;
mod stats;
mod store;
mod tiered;
mod values;
mod warm;

use std::sync::Arc;
use std::time::Duration;

use extract_core::{CompanyProfile, Fetch, Page, ProfileSource, Search, SearchResults};
use serde::Serialize;

pub use config::Config;
pub use envelope::{decode, encode, Cacheable, Entry};
pub use error::{Error, Result};
pub use key::{key, Level, SCHEMA_VERSION};
pub use levels::{PageCache, ProfileCache, SearchCache};
pub use stats::{LevelSnapshot, TierSnapshot};
pub use store::{connect_redis, RemoteStore, StoreState};
pub use tiered::{Outcome, Tiered};
pub use warm::{read_list, QueueFull, WarmAccepted, WarmProgress, Warmer};

/// The three cache levels over one shared tier.
pub struct Cache {
    config: Config,
    store: Option<Arc<dyn RemoteStore>>,
    company: Tiered<CompanyProfile>,
    serp: Tiered<SearchResults>,
    page: Tiered<Page>,
    warmer: Arc<Warmer>,
}

/// Everything `GET /api/v1/cache/stats` shows.
#[derive(Debug, Clone, Serialize)]
pub struct CacheStats {
    /// Whether caching is on.
    pub enabled: bool,
    /// Company profiles.
    pub company: LevelSnapshot,
    /// Search results.
    pub serp: LevelSnapshot,
    /// Crawled pages.
    pub page: LevelSnapshot,
    /// The shared tier, when configured.
    pub redis: Option<StoreState>,
    /// Warming progress.
    pub warm: WarmProgress,
}

impl Cache {
    /// Builds the levels; connects to Redis when `config.redis_url` is set
    /// (a Redis that is down is not an error: see [`connect_redis`]).
    pub async fn connect(config: &Config) -> Result<Cache> {
        let store: Option<Arc<dyn RemoteStore>> = if config.redis_url.is_empty() {
            None
        } else {
            Some(connect_redis(config).await?)
        };
        Ok(Cache::with_store(config, store))
    }

    /// Builds the levels over the given shared tier (or none).
    pub fn with_store(config: &Config, store: Option<Arc<dyn RemoteStore>>) -> Cache {
        Cache::with_clock(config, store, extract_core::clock::system())
    }

    /// Builds the levels over the given shared tier (or none), ageing
    /// entries by `clock` (tests move it instead of waiting out TTLs).
    pub fn with_clock(
        config: &Config,
        store: Option<Arc<dyn RemoteStore>>,
        clock: Arc<dyn extract_core::clock::Clock>,
    ) -> Cache {
        let grace = Duration::from_secs(config.stale_grace_s);
        let bytes = config.l1_max_bytes;
        // Pages are large and numerous; profiles are what repeats cost most.
        let level = |l: Level, ttl: u64, share: f64| -> (Level, Duration, u64) {
            (
                l,
                Duration::from_secs(ttl.max(1)),
                (bytes as f64 * share) as u64,
            )
        };
        let (l, ttl, b) = level(Level::Company, config.company_ttl_s, 0.3);
        let company = Tiered::new(
            l,
            &config.prefix,
            ttl,
            grace,
            b,
            store.clone(),
            clock.clone(),
        );
        let (l, ttl, b) = level(Level::Serp, config.serp_ttl_s, 0.1);
        let serp = Tiered::new(
            l,
            &config.prefix,
            ttl,
            grace,
            b,
            store.clone(),
            clock.clone(),
        );
        let (l, ttl, b) = level(Level::Page, config.page_ttl_s, 0.6);
        let page = Tiered::new(
            l,
            &config.prefix,
            ttl,
            grace,
            b,
            store.clone(),
            clock.clone(),
        );
        Cache {
            config: config.clone(),
            store,
            company,
            serp,
            page,
            warmer: Warmer::new(config.warm_concurrency, config.warm_max_pending),
        }
    }

    /// The profile level over `inner`.
    pub fn profiles(&self, inner: Arc<dyn ProfileSource>) -> ProfileCache {
        ProfileCache::new(inner, self.company.clone())
    }

    /// The search level over `inner`.
    pub fn searches(&self, inner: Arc<dyn Search>) -> SearchCache {
        SearchCache::new(inner, self.serp.clone())
    }

    /// The page level over `inner`.
    pub fn pages(&self, inner: Arc<dyn Fetch>) -> PageCache {
        PageCache::new(inner, self.page.clone())
    }

    /// The shared tier's state, when there is one.
    pub fn store_state(&self) -> Option<StoreState> {
        self.store.as_ref().map(|s| s.state())
    }

    /// The warmer.
    pub fn warmer(&self) -> &Arc<Warmer> {
        &self.warmer
    }

    /// Adds `names` to the warming queue, drained through `source`
    /// `cache.warm_concurrency` at a time.
    pub fn warm(
        &self,
        source: Arc<dyn ProfileSource>,
        names: Vec<String>,
    ) -> Result<WarmAccepted, QueueFull> {
        self.warmer.warm(source, names)
    }

    /// Evicts from the in-process tier until `keep` (0..=1) of it remains.
    pub async fn shrink(&self, keep: f64) {
        self.page.shrink(keep).await;
        self.serp.shrink(keep).await;
        self.company.shrink(keep).await;
    }

    /// The in-process tier's weight across the levels, bytes.
    pub fn l1_bytes(&self) -> u64 {
        self.page.l1_bytes() + self.serp.l1_bytes() + self.company.l1_bytes()
    }

    /// Sheds about `bytes` from the in-process tier, proportionally across
    /// the levels, never below `cache.l1_floor_bytes` and never an entry
    /// being served; returns what it asked to free.
    pub async fn shed(&self, bytes: u64) -> u64 {
        let held = self.l1_bytes();
        let free = bytes.min(held.saturating_sub(self.config.l1_floor_bytes));
        if free > 0 {
            self.shrink(1.0 - free as f64 / held as f64).await;
        }
        free
    }

    /// Counters of every level.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            enabled: self.config.enabled,
            company: self.company.snapshot(),
            serp: self.serp.snapshot(),
            page: self.page.snapshot(),
            redis: self.store_state(),
            warm: self.warmer.progress(),
        }
    }
}
