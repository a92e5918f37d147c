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
    Open {
        until: Instant,
    },
    /// One trial call is out since `since`.
    HalfOpen {
        since: Instant,
    },
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
    /// The call reports through the returned [`Trial`]; a trial dropped
    /// without reporting (its future was dropped: a deadline, a client gone)
    /// lets the next call be the trial, and a half-open breaker whose trial
    /// never reported takes a new one after the cool-down.
    pub fn admit<'a>(&'a self, upstream: &str) -> std::result::Result<Trial<'a>, Duration> {
        let now = Instant::now();
        let mut windows = self.lock();
        let trial = |half_open| Trial {
            breakers: self,
            upstream: upstream.to_owned(),
            half_open,
            reported: false,
        };
        let Some(w) = windows.get_mut(upstream) else {
            return Ok(trial(false));
        };
        match w.state {
            State::Closed => Ok(trial(false)),
            State::Open { until } if now >= until => {
                w.state = State::HalfOpen { since: now };
                Ok(trial(true))
            }
            State::Open { until } => {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                Err(until - now)
            }
            // A trial lost without a word: take another.
            State::HalfOpen { since } if now.duration_since(since) >= self.cooldown => {
                w.state = State::HalfOpen { since: now };
                Ok(trial(true))
            }
            // One trial at a time: others fail fast until it reports.
            State::HalfOpen { since } => {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                Err((since + self.cooldown).saturating_duration_since(now))
            }
        }
    }

    /// A trial dropped unreported: the next call may be the trial.
    fn release(&self, upstream: &str) {
        let mut windows = self.lock();
        if let Some(w) = windows.get_mut(upstream) {
            if matches!(w.state, State::HalfOpen { .. }) {
                w.state = State::Open {
                    until: Instant::now(),
                };
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
            State::HalfOpen { .. } => {
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
                    || matches!(w.state, State::HalfOpen { .. })
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

/// A call let through by a breaker. Report its outcome with
/// [`record`](Trial::record); dropped unreported, a half-open trial is
/// released so that the breaker is never stuck waiting for it.
#[must_use = "report the call's outcome with record()"]
pub struct Trial<'a> {
    breakers: &'a Breakers,
    upstream: String,
    half_open: bool,
    reported: bool,
}

impl Trial<'_> {
    /// Reports the call's outcome.
    pub fn record(mut self, failed: bool) {
        self.reported = true;
        self.breakers.record(&self.upstream, failed);
    }
}

impl Drop for Trial<'_> {
    fn drop(&mut self) {
        if !self.reported && self.half_open {
            self.breakers.release(&self.upstream);
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
/// with a server error. A 429 is not one: the upstream is up and asks for
/// less (the rate limiter and `Retry-After` deal with it).
fn counts_as_failure(e: &Error) -> bool {
    match e {
        Error::Timeout { .. } | Error::Connect { .. } | Error::InvalidResponse { .. } => true,
        Error::Status { status, .. } => *status >= 500,
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
        let trial = self
            .breakers
            .admit(&self.name)
            .map_err(|d| open_error(Upstream::Search, &self.name, d))?;
        let result = self.inner.search(query).await;
        trial.record(result.as_ref().err().is_some_and(counts_as_failure));
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
        let trial = self
            .breakers
            .admit(&host)
            .map_err(|d| open_error(Upstream::Site, &host, d))?;
        let result = self.inner.fetch(request).await;
        trial.record(match &result {
            Ok(page) => page.status >= 500,
            Err(e) => counts_as_failure(e),
        });
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
        let trial = b.admit("x").unwrap();
        assert!(
            b.admit("x").is_ok(),
            "cool-down 0: an unreported trial is replaced at once"
        );
        trial.record(false);
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

    #[test]
    fn one_trial_at_a_time_and_a_dropped_trial_is_released() {
        let b = breakers(60);
        for _ in 0..4 {
            b.record("x", true);
        }
        // Cool-down over: force the breaker's clock by reopening now.
        b.lock().get_mut("x").unwrap().state = State::Open {
            until: Instant::now(),
        };
        let trial = b.admit("x").unwrap();
        assert!(b.admit("x").is_err(), "one trial at a time");
        // Its future is dropped (a request timeout): the trial is released.
        drop(trial);
        let next = b.admit("x").expect("a new trial after a dropped one");
        next.record(false);
        assert!(b.admit("x").is_ok(), "closed");
    }

    #[test]
    fn a_half_open_breaker_whose_trial_never_reports_takes_another_after_the_cool_down() {
        let b = breakers(60);
        for _ in 0..4 {
            b.record("x", true);
        }
        // The trial went out 61 s ago and never came back (a leaked guard).
        b.lock().get_mut("x").unwrap().state = State::HalfOpen {
            since: Instant::now() - Duration::from_secs(61),
        };
        let trial = b.admit("x").expect("a new trial after the cool-down");
        assert!(b.admit("x").is_err());
        trial.record(true);
        assert!(b.admit("x").is_err(), "open again");
    }

    #[test]
    fn a_429_is_not_a_failure() {
        let too_many = Error::Status {
            upstream: Upstream::Search,
            status: 429,
            url: String::new(),
            retry_after: Some(Duration::from_secs(1)),
        };
        assert!(!counts_as_failure(&too_many));
        let down = Error::Status {
            upstream: Upstream::Search,
            status: 503,
            url: String::new(),
            retry_after: None,
        };
        assert!(counts_as_failure(&down));
    }
}
