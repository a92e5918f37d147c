//! Permit pools as decorators: at most N extractions, searches or crawls at
//! once. The extraction pool's limit adapts (AIMD): it halves on 429s,
//! timeouts and memory pressure, and grows by one per limit-many successes.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use extract_core::{
    CompanyProfile, CompanyQuery, Error, Fetch, FetchRequest, Page, Pool, ProfileSource, Result,
    Search, SearchQuery, SearchResults, Served,
};
use serde::Serialize;
use tokio::sync::Notify;

/// A counting limiter whose limit can move between a floor and a ceiling.
pub struct Permits {
    name: Pool,
    limit: AtomicUsize,
    min: usize,
    max: usize,
    in_use: AtomicUsize,
    waiting: AtomicUsize,
    successes: AtomicUsize,
    acquired: AtomicU64,
    decreases: AtomicU64,
    wait_us: AtomicU64,
    freed: Notify,
}

/// A held permit; dropping it frees the slot.
pub struct Permit {
    permits: Arc<Permits>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.permits.in_use.fetch_sub(1, Ordering::AcqRel);
        self.permits.freed.notify_one();
    }
}

/// What a pool is doing, for stats and the performance report.
#[derive(Debug, Clone, Serialize)]
pub struct PermitStats {
    /// The pool.
    pub name: Pool,
    /// The current limit (moves when adaptive).
    pub limit: usize,
    /// The configured ceiling.
    pub max: usize,
    /// Permits held now.
    pub in_use: usize,
    /// Callers waiting for one now.
    pub waiting: usize,
    /// Permits handed out since start.
    pub acquired: u64,
    /// Times the limit was cut.
    pub decreases: u64,
    /// Seconds callers have waited for a permit, ever.
    pub wait_s: f64,
}

impl Permits {
    /// A pool of `max` permits that may shrink to `min` when adaptive.
    pub fn new(name: Pool, max: usize, min: usize) -> Arc<Permits> {
        let max = max.max(1);
        Arc::new(Permits {
            name,
            limit: AtomicUsize::new(max),
            min: min.clamp(1, max),
            max,
            in_use: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            successes: AtomicUsize::new(0),
            acquired: AtomicU64::new(0),
            decreases: AtomicU64::new(0),
            wait_us: AtomicU64::new(0),
            freed: Notify::new(),
        })
    }

    /// Waits for a permit.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        // Counts the wait (also when the caller gives up mid-wait).
        struct Waiting<'a>(&'a Permits, Option<std::time::Instant>);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                if let Some(since) = self.1 {
                    self.0.waiting.fetch_sub(1, Ordering::Relaxed);
                    self.0
                        .wait_us
                        .fetch_add(since.elapsed().as_micros() as u64, Ordering::Relaxed);
                }
            }
        }
        let mut waiting = Waiting(self, None);
        loop {
            // Register interest before checking, so a release in between is not missed.
            let freed = self.freed.notified();
            let limit = self.limit.load(Ordering::Acquire);
            let current = self.in_use.load(Ordering::Acquire);
            if current < limit
                && self
                    .in_use
                    .compare_exchange(current, current + 1, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                self.acquired.fetch_add(1, Ordering::Relaxed);
                return Permit {
                    permits: self.clone(),
                };
            }
            if current < limit {
                continue; // Lost a race; try again at once.
            }
            if waiting.1.is_none() {
                self.waiting.fetch_add(1, Ordering::Relaxed);
                waiting.1 = Some(std::time::Instant::now());
            }
            freed.await;
        }
    }

    /// Additive increase: after `limit` successes the limit grows by one.
    pub fn success(&self) {
        let limit = self.limit.load(Ordering::Acquire);
        if limit >= self.max {
            return;
        }
        if self.successes.fetch_add(1, Ordering::AcqRel) + 1 >= limit {
            self.successes.store(0, Ordering::Release);
            let _ = self.limit.compare_exchange(
                limit,
                (limit + 1).min(self.max),
                Ordering::AcqRel,
                Ordering::Acquire,
            );
            self.freed.notify_one();
        }
    }

    /// Multiplicative decrease: the limit halves (not below the floor).
    pub fn overloaded(&self) {
        let limit = self.limit.load(Ordering::Acquire);
        let next = (limit / 2).max(self.min);
        if next < limit
            && self
                .limit
                .compare_exchange(limit, next, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            self.successes.store(0, Ordering::Release);
            self.decreases.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// What the pool is doing.
    pub fn stats(&self) -> PermitStats {
        PermitStats {
            name: self.name,
            limit: self.limit.load(Ordering::Relaxed),
            max: self.max,
            in_use: self.in_use.load(Ordering::Relaxed),
            waiting: self.waiting.load(Ordering::Relaxed),
            acquired: self.acquired.load(Ordering::Relaxed),
            decreases: self.decreases.load(Ordering::Relaxed),
            wait_s: self.wait_us.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

/// Whether an error means "the upstream is overloaded": back off.
pub fn is_overload(e: &Error) -> bool {
    matches!(
        e,
        Error::Timeout { .. }
            | Error::Status {
                status: 429 | 503,
                ..
            }
    )
}

/// A `ProfileSource` run within a permit pool; outcomes adapt the limit.
pub struct LimitedProfiles {
    inner: Arc<dyn ProfileSource>,
    permits: Arc<Permits>,
    adaptive: bool,
}

impl LimitedProfiles {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn ProfileSource>, permits: Arc<Permits>, adaptive: bool) -> Self {
        LimitedProfiles {
            inner,
            permits,
            adaptive,
        }
    }
}

#[async_trait]
impl ProfileSource for LimitedProfiles {
    async fn profile(&self, query: &CompanyQuery) -> Result<CompanyProfile> {
        Ok(Arc::unwrap_or_clone(self.serve(query).await?.value))
    }

    async fn cached(&self, queries: &[CompanyQuery]) -> Vec<Option<Arc<CompanyProfile>>> {
        self.inner.cached(queries).await
    }

    async fn serve(&self, query: &CompanyQuery) -> Result<Served<CompanyProfile>> {
        let _permit = self.permits.acquire().await;
        let result = self.inner.serve(query).await;
        if self.adaptive {
            match &result {
                Err(e) if is_overload(e) => self.permits.overloaded(),
                _ => self.permits.success(),
            }
        }
        result
    }
}

/// A `Search` run within a permit pool.
pub struct LimitedSearch {
    inner: Arc<dyn Search>,
    permits: Arc<Permits>,
}

impl LimitedSearch {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Search>, permits: Arc<Permits>) -> Self {
        LimitedSearch { inner, permits }
    }
}

#[async_trait]
impl Search for LimitedSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let _permit = self.permits.acquire().await;
        self.inner.search(query).await
    }
}

/// A `Fetch` run within a permit pool.
pub struct LimitedFetch {
    inner: Arc<dyn Fetch>,
    permits: Arc<Permits>,
}

impl LimitedFetch {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Fetch>, permits: Arc<Permits>) -> Self {
        LimitedFetch { inner, permits }
    }
}

#[async_trait]
impl Fetch for LimitedFetch {
    async fn fetch(&self, request: &FetchRequest) -> Result<Page> {
        let _permit = self.permits.acquire().await;
        self.inner.fetch(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn limit_holds_and_adapts() {
        let p = Permits::new(Pool::Extractions, 4, 1);
        let held: Vec<Permit> = vec![
            p.acquire().await,
            p.acquire().await,
            p.acquire().await,
            p.acquire().await,
        ];
        assert_eq!(p.stats().in_use, 4);
        let waiter = {
            let p = p.clone();
            tokio::spawn(async move { p.acquire().await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert_eq!(p.stats().waiting, 1);
        drop(held);
        let _fifth = waiter.await.unwrap();
        p.overloaded();
        assert_eq!(p.stats().limit, 2);
        p.overloaded();
        p.overloaded();
        assert_eq!(p.stats().limit, 1, "never below the floor");
        for _ in 0..10 {
            p.success();
        }
        assert!(p.stats().limit > 1, "grows back");
    }
}
