//! The search provider's limiter: `search.rate_per_sec` and `search.burst`
//! as GCRA (the generic cell rate algorithm) with a sliding one-second
//! window on top, so that no one-second window ever holds more than the
//! rate, which is how providers count.
//!
//! GCRA alone (or a token bucket) lets `burst + rate` requests into some
//! one-second window; the window log forbids that. A caller checks and
//! records its departure under a short lock, or learns when to ask again
//! and sleeps outside it; departures are recorded when they happen, so a
//! late wake-up never bunches requests. Departures are stretched by 2 % (the window is 1.02 s) so that requests
//! still arrive under the limit when the network bunches them.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use extract_core::{Error, RateShape, Result, Search, SearchQuery, SearchResults, SharedRate};
use serde::Serialize;
use tokio::time::Instant;

/// One timer tick.
const TICK: Duration = Duration::from_millis(1);

/// The window providers count requests in, stretched by 2 %.
const WINDOW: Duration = RateShape::WINDOW;

/// GCRA with a sliding-window cap, of a [`RateShape`]: at most `burst` at
/// once, `rate` a second on average, and never more than `max(1,
/// floor(rate))` departures within any [`RateShape::WINDOW`].
#[derive(Debug)]
pub struct Gcra {
    shape: RateShape,
    state: Mutex<GcraState>,
}

#[derive(Debug)]
struct GcraState {
    /// The theoretical arrival time of the next departure.
    tat: Instant,
    /// The last `per_window` departures, in order.
    log: VecDeque<Instant>,
}

impl Gcra {
    /// A limiter of `rate_per_sec` (> 0) with room for `burst` at once.
    pub fn new(rate_per_sec: f64, burst: u32) -> Self {
        let shape = RateShape::of(rate_per_sec, burst);
        Gcra {
            shape,
            state: Mutex::new(GcraState {
                tat: Instant::now(),
                log: VecDeque::with_capacity(shape.per_window.min(1024)),
            }),
        }
    }

    /// Departs now if the rate allows it (recording the departure), or says
    /// when to ask again. Departures are recorded when they happen, not when
    /// planned, so a caller woken late can only leave later, never bunch up
    /// against the ones after it.
    pub fn try_depart(&self) -> Result<(), Instant> {
        let now = Instant::now();
        let mut s = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let RateShape {
            emission,
            tolerance,
            per_window,
        } = self.shape;
        let mut at = s.tat.checked_sub(tolerance).unwrap_or(now);
        if s.log.len() >= per_window {
            let oldest = s.log[s.log.len() - per_window];
            at = at.max(oldest + WINDOW);
        }
        // A caller may leave up to a timer tick early (tokio's timers are
        // millisecond-grained): within the window's 2 % slack, and without it
        // every departure would lose up to a tick to rounding.
        if at > now + TICK {
            return Err(at);
        }
        // A departure woken up to one interval late keeps the schedule (the
        // next may go sooner; the window log above is the hard limit), so
        // timer lateness does not add up; after a longer idle the schedule
        // restarts from now.
        s.tat = if now < s.tat + emission {
            s.tat + emission
        } else {
            now + emission
        };
        s.log.push_back(now);
        while s.log.len() > per_window {
            s.log.pop_front();
        }
        Ok(())
    }

    /// Waits for the next departure.
    pub async fn acquire(&self) {
        // Ends when a departure is allowed: each failed try names a later
        // instant, and the rate frees one at least every emission interval.
        while let Err(at) = self.try_depart() {
            tokio::time::sleep_until(at).await;
        }
    }
}

/// The longest pause a provider's `Retry-After` may impose on every search.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// A `Search` decorator that waits for a token before each request, and
/// after a 429 holds every request back until the provider's `Retry-After`
/// (one second when it names none): a provider asking for less is slowed
/// down, not counted as failing.
pub struct RateLimitedSearch {
    inner: Arc<dyn Search>,
    bucket: Option<Gcra>,
    rate: f64,
    burst: u32,
    stats: Arc<RateStats>,
    /// The cluster's limit, when instances share one.
    shared: Option<Arc<dyn SharedRate>>,
    /// This instance's share while the shared limit is unreachable, for
    /// the number of instances it was made for.
    fallback: Mutex<Option<(usize, Arc<Gcra>)>>,
    /// Requests wait until this, µs after `epoch` (0: no pause).
    paused_until_us: AtomicU64,
    epoch: Instant,
}

/// Waiting done for a limiter (the provider's rate, per-host politeness),
/// for stats and the performance report.
#[derive(Debug, Default)]
pub struct RateStats {
    acquired: AtomicU64,
    waited: AtomicU64,
    wait_us: AtomicU64,
    /// 0: this instance's limit; [`SHARED_OK`]; [`SHARED_FALLBACK`].
    shared: std::sync::atomic::AtomicU8,
}

/// The cluster's limit is in use.
const SHARED_OK: u8 = 1;
/// The cluster's limit is unreachable: this instance keeps to its share.
const SHARED_FALLBACK: u8 = 2;

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
    /// `local` (this instance's limit), `cluster` (kept with every instance
    /// in Redis) or `fallback` (the cluster's unreachable: this instance's
    /// share of the rate).
    pub scope: &'static str,
}

impl RateStats {
    /// Counts one acquisition that waited `waited`.
    pub(crate) fn record(&self, waited: Duration) {
        self.acquired.fetch_add(1, Ordering::Relaxed);
        if waited > Duration::from_micros(100) {
            self.waited.fetch_add(1, Ordering::Relaxed);
            self.wait_us
                .fetch_add(waited.as_micros() as u64, Ordering::Relaxed);
        }
    }

    /// A snapshot.
    pub fn snapshot(&self, rate: f64) -> RateSnapshot {
        RateSnapshot {
            rate_per_sec: rate,
            acquired: self.acquired.load(Ordering::Relaxed),
            waited: self.waited.load(Ordering::Relaxed),
            wait_seconds: self.wait_us.load(Ordering::Relaxed) as f64 / 1e6,
            scope: match self.shared.load(Ordering::Relaxed) {
                SHARED_OK => "cluster",
                SHARED_FALLBACK => "fallback",
                _ => "local",
            },
        }
    }

    /// Whether the cluster's limit is unreachable and this instance keeps
    /// to its share.
    pub fn degraded(&self) -> bool {
        self.shared.load(Ordering::Relaxed) == SHARED_FALLBACK
    }
}

impl RateLimitedSearch {
    /// Wraps `inner` with `rate_per_sec` requests a second and room for
    /// `burst` at once (a [`Gcra`]); a rate of 0 means no limit.
    pub fn new(inner: Arc<dyn Search>, rate_per_sec: f64, burst: u32) -> Self {
        let bucket = (rate_per_sec > 0.0).then(|| Gcra::new(rate_per_sec, burst));
        RateLimitedSearch {
            inner,
            bucket,
            rate: rate_per_sec.max(0.0),
            burst: burst.max(1),
            stats: Arc::new(RateStats::default()),
            shared: None,
            fallback: Mutex::new(None),
            paused_until_us: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    /// The same limit kept for every instance together by `shared` (the
    /// cluster's rate); while it cannot be reached, this instance keeps to
    /// its share, the rate divided by the live instances.
    #[must_use]
    pub fn with_shared(mut self, shared: Arc<dyn SharedRate>) -> Self {
        self.shared = Some(shared);
        self.stats.shared.store(SHARED_OK, Ordering::Relaxed);
        self
    }

    /// Waits for the rate: the cluster's when shared, else this instance's.
    async fn acquire(&self) {
        let Some(shared) = &self.shared else {
            if let Some(bucket) = &self.bucket {
                bucket.acquire().await;
            }
            return;
        };
        if self.rate <= 0.0 {
            return;
        }
        // Ends: each answer is a departure, an error, or a wait of at most
        // a window after which a departure is due.
        loop {
            match shared.try_depart("search", self.rate, self.burst).await {
                Ok(None) => {
                    self.stats.shared.store(SHARED_OK, Ordering::Relaxed);
                    return;
                }
                Ok(Some(wait)) => tokio::time::sleep(wait.min(WINDOW)).await,
                Err(e) => {
                    if self.stats.shared.swap(SHARED_FALLBACK, Ordering::Relaxed) != SHARED_FALLBACK
                    {
                        tracing::warn!(error = %e, "cluster search rate unreachable: keeping to this instance's share");
                    }
                    break;
                }
            }
        }
        let n = shared.instances().max(1);
        let share = {
            let mut f = self
                .fallback
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match &*f {
                Some((m, g)) if *m == n => g.clone(),
                _ => {
                    let g = Arc::new(Gcra::new(self.rate / n as f64, 1));
                    *f = Some((n, g.clone()));
                    g
                }
            }
        };
        share.acquire().await;
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
        self.acquire().await;
        self.stats.record(started.elapsed());
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
    use extract_test_support::timing::max_in_window;

    #[tokio::test(start_paused = true)]
    async fn no_second_ever_holds_more_than_the_rate_whatever_the_burst() {
        for (rate, burst) in [(20.0, 1), (50.0, 10), (100.0, 100), (7.5, 3), (0.5, 4)] {
            let g = Gcra::new(rate, burst);
            let mut times = Vec::new();
            for _ in 0..300 {
                g.acquire().await;
                times.push(Instant::now());
            }
            let cap = (rate as usize).max(1);
            assert!(
                max_in_window(&times, Duration::from_secs(1)) <= cap,
                "rate {rate} burst {burst}: {} in a second",
                max_in_window(&times, Duration::from_secs(1))
            );
            // The burst leaves at once; the long run goes at the rate (whole
            // requests a second, less 2 %).
            let start = times[0];
            let at_once = times.iter().filter(|t| **t == start).count();
            assert_eq!(at_once, (burst as usize).min(cap), "rate {rate}");
            // Beyond the burst, GCRA spaces departures by the emission interval.
            let span = times[299].duration_since(start).as_secs_f64();
            let achieved = (299 - (at_once - 1)) as f64 / span;
            assert!(
                achieved <= rate && achieved >= rate.min(cap as f64) / 1.02 * 0.97,
                "rate {rate} burst {burst}: {achieved:.2}/s"
            );
        }
    }

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
