//! The search provider's token bucket (`leaky-bucket`): requests per second
//! and burst from `search.rate_per_sec` and `search.burst`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use extract_core::{Result, Search, SearchQuery, SearchResults};
use leaky_bucket::RateLimiter;
use serde::Serialize;

/// A `Search` decorator that waits for a token before each request.
pub struct RateLimitedSearch {
    inner: Arc<dyn Search>,
    bucket: Option<RateLimiter>,
    rate: f64,
    stats: Arc<RateStats>,
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
        if let Some(bucket) = &self.bucket {
            let started = Instant::now();
            bucket.acquire_one().await;
            let waited = started.elapsed();
            self.stats.acquired.fetch_add(1, Ordering::Relaxed);
            if waited > Duration::from_micros(100) {
                self.stats.waited.fetch_add(1, Ordering::Relaxed);
                self.stats
                    .wait_us
                    .fetch_add(waited.as_micros() as u64, Ordering::Relaxed);
            }
        }
        self.inner.search(query).await
    }
}
