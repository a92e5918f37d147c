//! Circuit breakers per upstream (the search provider, each crawled host):
//! closed → open when the failure ratio over a window passes the threshold
//! (over at least a minimum of calls); open fails fast; after the cool-down
//! one trial call goes through (half-open) and its outcome closes or reopens.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use extract_core::{
    Error, Fetch, FetchRequest, Page, Result, Search, SearchQuery, SearchResults, Upstream,
};
use serde::Serialize;

use crate::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed,
    Open { until: Instant },
    HalfOpen,
}

#[derive(Debug)]
struct Window {
    state: State,
    started: Instant,
    calls: u32,
    failures: u32,
}

/// Breakers keyed by upstream name, bounded in number.
pub struct Breakers {
    windows: Mutex<HashMap<String, Window>>,
    ratio: f64,
    min_calls: u32,
    window: Duration,
    cooldown: Duration,
    max: usize,
    opened: AtomicU64,
    rejected: AtomicU64,
}

/// Breaker counters.
#[derive(Debug, Clone, Serialize)]
pub struct BreakerStats {
    /// Breakers open now.
    pub open: usize,
    /// Times a breaker opened since start.
    pub opened: u64,
    /// Calls refused while open.
    pub rejected: u64,
    /// The upstreams whose breaker is open now.
    pub open_upstreams: Vec<String>,
}

impl Breakers {
    /// Breakers with the thresholds of `config`.
    pub fn new(config: &Config) -> Arc<Breakers> {
        Arc::new(Breakers {
            windows: Mutex::new(HashMap::new()),
            ratio: config.breaker_failure_ratio.clamp(0.0, 1.0),
            min_calls: config.breaker_min_calls.max(1),
            window: Duration::from_secs(config.breaker_window_s.max(1)),
            cooldown: Duration::from_secs(config.breaker_cooldown_s),
            max: config.breaker_max_tracked.max(1),
            opened: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Window>> {
        self.windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// May a call to `upstream` go ahead now? `Err(retry_in)` when open.
    pub fn admit(&self, upstream: &str) -> std::result::Result<(), Duration> {
        let now = Instant::now();
        let mut windows = self.lock();
        let Some(w) = windows.get_mut(upstream) else {
            return Ok(());
        };
        match w.state {
            State::Closed => Ok(()),
            State::Open { until } if now >= until => {
                w.state = State::HalfOpen;
                Ok(())
            }
            State::Open { until } => {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                Err(until - now)
            }
            // One trial at a time: others fail fast until it reports.
            State::HalfOpen => {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                Err(self.cooldown)
            }
        }
    }

    /// Reports a call's outcome.
    pub fn record(&self, upstream: &str, failed: bool) {
        let now = Instant::now();
        let mut windows = self.lock();
        if windows.len() >= self.max && !windows.contains_key(upstream) {
            // Forget closed breakers whose window is over.
            let window = self.window;
            windows
                .retain(|_, w| w.state != State::Closed || now.duration_since(w.started) < window);
            if windows.len() >= self.max {
                return;
            }
        }
        let w = windows.entry(upstream.to_owned()).or_insert(Window {
            state: State::Closed,
            started: now,
            calls: 0,
            failures: 0,
        });
        match w.state {
            State::HalfOpen => {
                if failed {
                    w.state = State::Open {
                        until: now + self.cooldown,
                    };
                    self.opened.fetch_add(1, Ordering::Relaxed);
                } else {
                    *w = Window {
                        state: State::Closed,
                        started: now,
                        calls: 0,
                        failures: 0,
                    };
                }
            }
            State::Open { .. } => {}
            State::Closed => {
                if now.duration_since(w.started) >= self.window {
                    w.started = now;
                    w.calls = 0;
                    w.failures = 0;
                }
                w.calls += 1;
                w.failures += u32::from(failed);
                if w.calls >= self.min_calls
                    && f64::from(w.failures) / f64::from(w.calls) >= self.ratio
                {
                    w.state = State::Open {
                        until: now + self.cooldown,
                    };
                    self.opened.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        upstream,
                        failures = w.failures,
                        calls = w.calls,
                        "circuit breaker opened"
                    );
                }
            }
        }
    }

    /// Counters and the upstreams open now.
    pub fn stats(&self) -> BreakerStats {
        let now = Instant::now();
        let windows = self.lock();
        let open_upstreams: Vec<String> = windows
            .iter()
            .filter(|(_, w)| {
                matches!(w.state, State::Open { until } if until > now)
                    || w.state == State::HalfOpen
            })
            .map(|(k, _)| k.clone())
            .take(50)
            .collect();
        BreakerStats {
            open: open_upstreams.len(),
            opened: self.opened.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            open_upstreams,
        }
    }
}

fn open_error(upstream: Upstream, name: &str, retry_in: Duration) -> Error {
    Error::Unavailable {
        upstream,
        reason: format!("circuit breaker open for {name}"),
        retry_after: Some(retry_in),
    }
}

/// Failures that count against an upstream: it did not answer, or answered
/// with a server error or "too many requests".
fn counts_as_failure(e: &Error) -> bool {
    match e {
        Error::Timeout { .. } | Error::Connect { .. } | Error::InvalidResponse { .. } => true,
        Error::Status { status, .. } => *status == 429 || *status >= 500,
        _ => false,
    }
}

/// A `Search` behind the provider's breaker.
pub struct BreakerSearch {
    inner: Arc<dyn Search>,
    breakers: Arc<Breakers>,
    name: String,
}

impl BreakerSearch {
    /// Wraps `inner`; `name` identifies the provider.
    pub fn new(inner: Arc<dyn Search>, breakers: Arc<Breakers>, name: &str) -> Self {
        BreakerSearch {
            inner,
            breakers,
            name: format!("search:{name}"),
        }
    }
}

#[async_trait]
impl Search for BreakerSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        self.breakers
            .admit(&self.name)
            .map_err(|d| open_error(Upstream::Search, &self.name, d))?;
        let result = self.inner.search(query).await;
        let failed = result.as_ref().err().is_some_and(counts_as_failure);
        self.breakers.record(&self.name, failed);
        result
    }
}

/// A `Fetch` behind a breaker per host.
pub struct BreakerFetch {
    inner: Arc<dyn Fetch>,
    breakers: Arc<Breakers>,
}

impl BreakerFetch {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Fetch>, breakers: Arc<Breakers>) -> Self {
        BreakerFetch { inner, breakers }
    }
}

#[async_trait]
impl Fetch for BreakerFetch {
    async fn fetch(&self, request: &FetchRequest) -> Result<Page> {
        let host = format!("host:{}", request.host());
        self.breakers
            .admit(&host)
            .map_err(|d| open_error(Upstream::Site, &host, d))?;
        let result = self.inner.fetch(request).await;
        let failed = match &result {
            Ok(page) => page.status >= 500 || page.status == 429,
            Err(e) => counts_as_failure(e),
        };
        self.breakers.record(&host, failed);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breakers(cooldown_s: u64) -> Arc<Breakers> {
        Breakers::new(&Config {
            breaker_failure_ratio: 0.5,
            breaker_min_calls: 4,
            breaker_window_s: 60,
            breaker_cooldown_s: cooldown_s,
            ..Config::default()
        })
    }

    #[test]
    fn opens_on_ratio_fails_fast_and_half_opens() {
        let b = breakers(0);
        for _ in 0..3 {
            b.record("x", true);
        }
        assert!(b.admit("x").is_ok(), "below the minimum of calls");
        b.record("x", false);
        b.record("x", true);
        // 4 failures of 5 calls: open; cool-down 0 lets a trial through.
        assert!(b.admit("x").is_ok());
        assert!(b.admit("x").is_err(), "one trial at a time");
        b.record("x", false);
        assert!(b.admit("x").is_ok(), "closed again");
        assert_eq!(b.stats().opened, 1);

        let b = breakers(60);
        for _ in 0..4 {
            b.record("y", true);
        }
        assert!(b.admit("y").is_err());
        assert_eq!(b.stats().open_upstreams, vec!["y".to_owned()]);
        assert!(b.admit("z").is_ok(), "other upstreams unaffected");
    }
}
