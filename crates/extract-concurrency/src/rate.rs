//! The search provider's token bucket (`leaky-bucket`): requests per second
//! and burst from `search.rate_per_sec` and `search.burst`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use async_trait::async_trait;
use extract_core::{Error, Result, Search, SearchQuery, SearchResults};
use leaky_bucket::RateLimiter;
use serde::Serialize;

/// The longest pause a provider's `Retry-After` may impose on every search.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// A `Search` decorator that waits for a token before each request, and
/// after a 429 holds every request back until the provider's `Retry-After`
/// (one second when it names none): a provider asking for less is slowed
/// down, not counted as failing.
pub struct RateLimitedSearch {
    inner: Arc<dyn Search>,
    bucket: Option<RateLimiter>,
    rate: f64,
    stats: Arc<RateStats>,
    /// Requests wait until this, µs after `epoch` (0: no pause).
    paused_until_us: AtomicU64,
    epoch: Instant,
}

/// Waiting done for tokens, for stats and the performance report.
#[derive(Debug, Default)]
pub struct RateStats {
    acquired: AtomicU64,
    waited: AtomicU64,
    wait_us: AtomicU64,
}

/// A snapshot of a limiter.
#[derive(Debug, Clone, Serialize)]
pub struct RateSnapshot {
    /// Tokens per second (0: unlimited).
    pub rate_per_sec: f64,
    /// Tokens handed out.
    pub acquired: u64,
    /// Acquisitions that had to wait.
    pub waited: u64,
    /// Total time spent waiting, seconds.
    pub wait_seconds: f64,
}

impl RateStats {
    /// A snapshot.
    pub fn snapshot(&self, rate: f64) -> RateSnapshot {
        RateSnapshot {
            rate_per_sec: rate,
            acquired: self.acquired.load(Ordering::Relaxed),
            waited: self.waited.load(Ordering::Relaxed),
            wait_seconds: self.wait_us.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

impl RateLimitedSearch {
    /// Wraps `inner` with `rate_per_sec` tokens a second and room for
    /// `burst`; a rate of 0 means no limit.
    ///
    /// Tokens come in batches a tenth of a second apart (one a batch below
    /// 20/s), so that timer granularity costs a few per cent rather than a
    /// millisecond per token; batches come 2 % later than the rate asks, so
    /// that requests arrive at the provider under its limit in every
    /// one-second window even when the network bunches them.
    pub fn new(inner: Arc<dyn Search>, rate_per_sec: f64, burst: u32) -> Self {
        let bucket = (rate_per_sec > 0.0).then(|| {
            let refill = ((rate_per_sec / 10.0).floor() as usize).max(1);
            let interval = Duration::from_secs_f64(1.02 * refill as f64 / rate_per_sec);
            let max = (burst as usize).max(refill);
            RateLimiter::builder()
                .max(max)
                .initial(burst.max(1) as usize)
                .refill(refill)
                .interval(interval)
                .fair(true)
                .build()
        });
        RateLimitedSearch {
            inner,
            bucket,
            rate: rate_per_sec.max(0.0),
            stats: Arc::new(RateStats::default()),
            paused_until_us: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    /// The limiter's counters.
    pub fn stats(&self) -> RateSnapshot {
        self.stats.snapshot(self.rate)
    }

    /// Shared handle on the counters.
    pub fn stats_handle(&self) -> Arc<RateStats> {
        self.stats.clone()
    }
}

#[async_trait]
impl Search for RateLimitedSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let started = Instant::now();
        let paused_until = self.paused_until_us.load(Ordering::Acquire);
        if paused_until > 0 {
            let until = self.epoch + Duration::from_micros(paused_until);
            tokio::time::sleep_until(until).await;
        }
        if let Some(bucket) = &self.bucket {
            bucket.acquire_one().await;
            self.stats.acquired.fetch_add(1, Ordering::Relaxed);
        }
        let waited = started.elapsed();
        if waited > Duration::from_micros(100) {
            self.stats.waited.fetch_add(1, Ordering::Relaxed);
            self.stats
                .wait_us
                .fetch_add(waited.as_micros() as u64, Ordering::Relaxed);
        }
        let result = self.inner.search(query).await;
        if let Err(Error::Status {
            status: 429,
            retry_after,
            ..
        }) = &result
        {
            let pause = retry_after.unwrap_or(Duration::from_secs(1)).min(MAX_PAUSE);
            let until = (Instant::now() + pause).duration_since(self.epoch);
            self.paused_until_us
                .fetch_max(until.as_micros() as u64, Ordering::AcqRel);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers 429 with `Retry-After: 2` once, then results.
    struct Busy(std::sync::atomic::AtomicU32);

    #[async_trait]
    impl Search for Busy {
        async fn search(&self, _q: &SearchQuery) -> Result<SearchResults> {
            if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err(Error::Status {
                    upstream: extract_core::Upstream::Search,
                    status: 429,
                    url: String::new(),
                    retry_after: Some(Duration::from_secs(2)),
                });
            }
            Ok(SearchResults::default())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_holds_every_search_back_until_retry_after() {
        let s = RateLimitedSearch::new(Arc::new(Busy(Default::default())), 0.0, 1);
        let q = SearchQuery {
            text: "x".into(),
            max_results: 1,
        };
        assert!(s.search(&q).await.is_err());
        let t = tokio::time::Instant::now();
        s.search(&q).await.unwrap();
        assert!(t.elapsed() >= Duration::from_secs(2), "{:?}", t.elapsed());
        assert_eq!(s.stats().waited, 1);
        // The pause is over: no more waiting.
        let t = tokio::time::Instant::now();
        s.search(&q).await.unwrap();
        assert!(t.elapsed() < Duration::from_millis(10));
    }
}
