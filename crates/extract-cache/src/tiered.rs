//! One cache level: an in-process tier (`moka`) over an optional shared tier
//! (`RemoteStore`), with request coalescing, per-request freshness and
//! stale-while-revalidate.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use extract_core::clock::Clock;
use extract_core::{Error as CoreError, Freshness, Upstream};
use futures_util::future::{BoxFuture, FutureExt, Shared};

use crate::envelope::{self, Cacheable, Entry};
use crate::key::{key, Level};
use crate::stats::{inc, load, LevelSnapshot, LevelStats};
use crate::store::RemoteStore;

pub use extract_core::Outcome;

type Computation<V> = Shared<BoxFuture<'static, Result<Arc<Entry<V>>, CoreError>>>;

/// One level of the cache.
pub struct Tiered<V: Cacheable> {
    inner: Arc<Inner<V>>,
}

impl<V: Cacheable> Clone for Tiered<V> {
    fn clone(&self) -> Self {
        Tiered {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<V: Cacheable> {
    level: Level,
    prefix: String,
    source: String,
    l1: moka::future::Cache<String, Arc<Entry<V>>>,
    l2: Option<Arc<dyn RemoteStore>>,
    ttl: Duration,
    grace: Duration,
    inflight: Mutex<HashMap<String, Computation<V>>>,
    stats: LevelStats,
    /// What ages are measured against.
    clock: Arc<dyn Clock>,
}

impl<V: Cacheable> Tiered<V> {
    /// A level keeping values fresh for `ttl` (and serving them stale for
    /// `grace` more) as `clock` tells time, with `l1_bytes` of in-process
    /// memory and, optionally, a shared tier. (The in-process tier also
    /// drops entries `ttl + grace` after they were stored, by the system's
    /// time, to free memory; whether an entry is served is decided by its
    /// age on `clock`.)
    pub fn new(
        level: Level,
        prefix: &str,
        ttl: Duration,
        grace: Duration,
        l1_bytes: u64,
        l2: Option<Arc<dyn RemoteStore>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let l1 = moka::future::Cache::builder()
            .max_capacity(l1_bytes.max(1))
            .weigher(|_k: &String, v: &Arc<Entry<V>>| v.weight.max(1))
            .time_to_live(ttl + grace)
            .build();
        let source = std::env::var("HOSTNAME").unwrap_or_else(|_| "extract".to_owned());
        Tiered {
            inner: Arc::new(Inner {
                level,
                prefix: prefix.to_owned(),
                source,
                l1,
                l2,
                ttl,
                grace,
                inflight: Mutex::new(HashMap::new()),
                stats: LevelStats::default(),
                clock,
            }),
        }
    }

    /// The cache key of `input`.
    pub fn key(&self, input: &str) -> String {
        key(&self.inner.prefix, self.inner.level, input)
    }

    /// The cached value of `input` if fresh enough for `freshness`, else
    /// the result of `compute` (shared with concurrent lookups of the same
    /// key, and stored). A value past its TTL but within the grace period is
    /// served at once and refreshed in the background, unless the caller set
    /// a maximum age.
    pub async fn get_or_compute<F, Fut>(
        &self,
        input: &str,
        freshness: Freshness,
        compute: F,
    ) -> Result<(Arc<V>, Outcome), CoreError>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<V, CoreError>> + Send + 'static,
    {
        let inner = &self.inner;
        let key = self.key(input);
        if !freshness.force_refresh {
            let max_age = freshness.max_age_s.unwrap_or(inner.ttl.as_secs());
            let may_serve_stale = freshness.max_age_s.is_none();
            let now = inner.clock.now_s();
            let started = Instant::now();
            let cached = inner.l1.get(&key).await;
            inner.stats.l1.latency.record(started.elapsed());
            let mut found = cached.map(|e| (e, Outcome::L1));
            if found.is_none() {
                inc(&inner.stats.l1.misses);
                if let Some(e) = self.l2_get(&key).await {
                    inner.l1.insert(key.clone(), e.clone()).await;
                    found = Some((e, Outcome::L2));
                }
            }
            if let Some((entry, tier)) = found {
                let age = entry.age(now);
                let stats = if tier == Outcome::L1 {
                    &inner.stats.l1
                } else {
                    &inner.stats.l2
                };
                // Fresh while younger than the maximum age (RFC 9111: max-age 0 is never fresh).
                if age < max_age {
                    inc(&stats.hits);
                    return Ok((entry.value.clone(), tier));
                }
                if may_serve_stale && age <= inner.ttl.as_secs() + inner.grace.as_secs() {
                    inc(&stats.hits);
                    inc(&inner.stats.stale_served);
                    // Refresh in the background; concurrent stale hits share one refresh.
                    let _ = self.computation(key, compute);
                    return Ok((entry.value.clone(), Outcome::Stale));
                }
                if tier == Outcome::L1 {
                    inc(&inner.stats.l1.misses);
                }
            }
        }
        let (computation, leader) = self.computation(key, compute);
        let entry = computation.await?;
        Ok((
            entry.value.clone(),
            if leader {
                Outcome::Computed
            } else {
                Outcome::Coalesced
            },
        ))
    }

    /// The fresh cached values of `inputs` (in order), from the in-process
    /// tier, then the shared tier in pipelined round trips (one per 1,000
    /// keys). Nothing is computed.
    pub async fn prefetch(&self, inputs: &[String]) -> Vec<Option<Arc<V>>> {
        let inner = &self.inner;
        let now = inner.clock.now_s();
        let ttl = inner.ttl.as_secs();
        let keys: Vec<String> = inputs.iter().map(|i| self.key(i)).collect();
        let mut out: Vec<Option<Arc<V>>> = Vec::with_capacity(keys.len());
        let mut missing: Vec<usize> = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            match inner.l1.get(k).await.filter(|e| e.age(now) < ttl) {
                Some(e) => {
                    inc(&inner.stats.l1.hits);
                    out.push(Some(e.value.clone()));
                }
                None => {
                    inc(&inner.stats.l1.misses);
                    out.push(None);
                    missing.push(i);
                }
            }
        }
        let Some(l2) = &inner.l2 else { return out };
        if missing.is_empty() {
            return out;
        }
        let wanted: Vec<String> = missing.iter().map(|i| keys[*i].clone()).collect();
        let started = Instant::now();
        let Ok(values) = l2.mget(&wanted).await else {
            return out;
        };
        inner.stats.l2.latency.record(started.elapsed());
        for (i, bytes) in missing.into_iter().zip(values) {
            match bytes
                .and_then(|b| envelope::decode::<V>(&b))
                .filter(|e| e.age(now) < ttl)
            {
                Some(e) => {
                    inc(&inner.stats.l2.hits);
                    let e = Arc::new(e);
                    inner.l1.insert(keys[i].clone(), e.clone()).await;
                    out[i] = Some(e.value.clone());
                }
                None => inc(&inner.stats.l2.misses),
            }
        }
        out
    }

    /// Forgets `input` in both tiers.
    pub async fn invalidate(&self, input: &str) -> bool {
        let key = self.key(input);
        let was_cached = self.inner.l1.contains_key(&key);
        self.inner.l1.invalidate(&key).await;
        if let Some(l2) = &self.inner.l2 {
            if l2.del(std::slice::from_ref(&key)).await.is_err() {
                inc(&self.inner.stats.l2_write_errors);
            }
        }
        was_cached
    }

    /// Drops a share of the in-process tier (memory pressure): entries are
    /// evicted until at most `keep` of the current weight remains. An entry
    /// whose value is being served right now (held outside the cache) stays.
    pub async fn shrink(&self, keep: f64) {
        let l1 = &self.inner.l1;
        l1.run_pending_tasks().await;
        let target = (l1.weighted_size() as f64 * keep.clamp(0.0, 1.0)) as u64;
        let mut excess = l1.weighted_size().saturating_sub(target);
        let victims: Vec<Arc<String>> = l1
            .iter()
            .filter(|(_, e)| Arc::strong_count(&e.value) == 1)
            .take_while(|(_, e)| {
                let go = excess > 0;
                excess = excess.saturating_sub(u64::from(e.weight));
                go
            })
            .map(|(k, _)| k)
            .collect();
        for k in victims {
            l1.invalidate(k.as_str()).await;
        }
        // Counts and sizes are eventually consistent in moka: settle them.
        l1.run_pending_tasks().await;
    }

    /// The in-process tier's weight, bytes (eventually consistent).
    pub fn l1_bytes(&self) -> u64 {
        self.inner.l1.weighted_size()
    }

    /// Counters and sizes of this level.
    pub fn snapshot(&self) -> LevelSnapshot {
        let s = &self.inner.stats;
        LevelSnapshot {
            l1: s.l1.snapshot(),
            l2: self.inner.l2.as_ref().map(|_| s.l2.snapshot()),
            l1_entries: self.inner.l1.entry_count(),
            l1_bytes: self.inner.l1.weighted_size(),
            computed: load(&s.computed),
            coalesced: load(&s.coalesced),
            stale_served: load(&s.stale_served),
            l2_write_errors: load(&s.l2_write_errors),
        }
    }

    async fn l2_get(&self, key: &str) -> Option<Arc<Entry<V>>> {
        let inner = &self.inner;
        let l2 = inner.l2.as_ref()?;
        let started = Instant::now();
        let got = l2.get(key).await;
        inner.stats.l2.latency.record(started.elapsed());
        // A value of another schema version decodes to None: a miss.
        match got.ok().flatten().and_then(|b| envelope::decode::<V>(&b)) {
            Some(e) => Some(Arc::new(e)),
            None => {
                inc(&inner.stats.l2.misses);
                None
            }
        }
    }

    /// The computation for `key`: the one in flight, or a new one (spawned, so
    /// that it completes and is stored even if every waiter goes away).
    fn computation<F, Fut>(&self, key: String, compute: F) -> (Computation<V>, bool)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<V, CoreError>> + Send + 'static,
    {
        let mut inflight = self
            .inner
            .inflight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(running) = inflight.get(&key) {
            inc(&self.inner.stats.coalesced);
            return (running.clone(), false);
        }
        let inner = self.inner.clone();
        let task_key = key.clone();
        let task = tokio::spawn(async move {
            let result = compute().await;
            inc(&inner.stats.computed);
            let result = match result {
                Ok(v) => Ok(inner.store(&task_key, v).await),
                Err(e) => Err(e),
            };
            inner
                .inflight
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&task_key);
            result
        });
        let level = self.inner.level;
        let shared = async move {
            task.await.unwrap_or_else(|e| {
                Err(CoreError::InvalidResponse {
                    upstream: Upstream::Site,
                    message: format!("{} computation failed: {e}", level.as_str()),
                })
            })
        }
        .boxed()
        .shared();
        inflight.insert(key, shared.clone());
        (shared, true)
    }
}

impl<V: Cacheable> Inner<V> {
    /// Stores a computed value in both tiers (if it may be stored).
    async fn store(&self, key: &str, value: V) -> Arc<Entry<V>> {
        let created_at = self.clock.now_s();
        if !value.cacheable() {
            return Arc::new(Entry {
                value: Arc::new(value),
                created_at,
                source: self.source.clone(),
                weight: 0,
            });
        }
        let bytes = envelope::encode(&value, created_at, &self.source);
        let entry = Arc::new(Entry {
            value: Arc::new(value),
            created_at,
            source: self.source.clone(),
            weight: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        });
        self.l1.insert(key.to_owned(), entry.clone()).await;
        if let Some(l2) = &self.l2 {
            if l2.set(key, bytes, self.ttl + self.grace).await.is_err() {
                inc(&self.stats.l2_write_errors);
            }
        }
        entry
    }
}
