//! Retry with exponential backoff and full jitter, bounded in attempts and
//! total time, honouring `Retry-After` (seconds or an HTTP date) on 429 and
//! 503; other 4xx are never retried.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use extract_core::{Error, Fetch, FetchRequest, Page, Result, Search, SearchQuery, SearchResults};
use serde::Serialize;

use crate::Config;

/// The retry policy.
#[derive(Debug, Clone)]
pub struct Policy {
    attempts: u32,
    base: Duration,
    max_delay: Duration,
    budget: Duration,
    retries: Arc<AtomicU64>,
}

/// Retry counters.
#[derive(Debug, Clone, Serialize)]
pub struct RetryStats {
    /// Retries made since start.
    pub retries: u64,
}

/// `Retry-After` as a wait: delta seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// What to do after a failed attempt.
enum Verdict {
    Retry(Option<Duration>),
    GiveUp,
}

fn verdict_for_error(e: &Error) -> Verdict {
    match e {
        Error::Timeout { .. } | Error::Connect { .. } => Verdict::Retry(None),
        Error::Status {
            status: 429 | 503,
            retry_after,
            ..
        } => Verdict::Retry(*retry_after),
        Error::Status { status, .. } if *status >= 500 => Verdict::Retry(None),
        _ => Verdict::GiveUp,
    }
}

fn verdict_for_page(p: &Page) -> Option<Verdict> {
    match p.status {
        429 | 503 => Some(Verdict::Retry(
            p.retry_after.as_deref().and_then(parse_retry_after),
        )),
        s if s >= 500 => Some(Verdict::Retry(None)),
        _ => None,
    }
}

impl Policy {
    /// The policy of `config`.
    pub fn new(config: &Config) -> Policy {
        Policy {
            attempts: config.retry_attempts.max(1),
            base: Duration::from_millis(config.retry_base_ms),
            max_delay: Duration::from_millis(config.retry_max_delay_ms),
            budget: Duration::from_millis(config.retry_budget_ms),
            retries: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A policy of its own: up to `attempts` tries, waits growing from
    /// `base` (full jitter) up to `max_delay` each, all within `budget`.
    pub fn backoff(attempts: u32, base: Duration, max_delay: Duration, budget: Duration) -> Policy {
        Policy {
            attempts: attempts.max(1),
            base,
            max_delay,
            budget,
            retries: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Runs `call` again while `retryable` says its answer is worth
    /// another try, within the attempts and the budget; answers the last.
    /// The one retry loop of the service: every retried call, an upstream
    /// request, a store write or a webhook, goes through it.
    pub async fn retry<R, F, Fut>(&self, call: F, retryable: impl Fn(&R) -> bool) -> R
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = R>,
    {
        self.run(call, |r| retryable(r).then_some(Verdict::Retry(None)))
            .await
    }

    /// [`retry`](Self::retry) for answers that may say when to come back:
    /// `judge` answers `None` (done), `Some(None)` (retry after the backoff)
    /// or `Some(Some(wait))` (retry after `wait`, if within the limits).
    pub async fn retry_when<R, F, Fut>(
        &self,
        call: F,
        judge: impl Fn(&R) -> Option<Option<Duration>>,
    ) -> R
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = R>,
    {
        self.run(call, |r| judge(r).map(Verdict::Retry)).await
    }

    /// Counters.
    pub fn stats(&self) -> RetryStats {
        RetryStats {
            retries: self.retries.load(Ordering::Relaxed),
        }
    }

    /// The wait before retry number `attempt` (from 1), or `None` to give up.
    fn wait(&self, attempt: u32, asked: Option<Duration>, started: Instant) -> Option<Duration> {
        if attempt >= self.attempts {
            return None;
        }
        let wait = match asked {
            // The server said when: wait exactly that, if it is not too long.
            Some(d) if d > self.max_delay => return None,
            Some(d) => d,
            None => {
                let cap = self
                    .base
                    .saturating_mul(1 << attempt.min(16))
                    .min(self.max_delay);
                Duration::from_micros(fastrand::u64(0..=cap.as_micros() as u64))
            }
        };
        (started.elapsed() + wait <= self.budget).then_some(wait)
    }

    async fn run<R, F, Fut>(&self, mut call: F, judge: impl Fn(&R) -> Option<Verdict>) -> R
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = R>,
    {
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            let result = call().await;
            let Some(Verdict::Retry(asked)) = judge(&result) else {
                return result;
            };
            let Some(wait) = self.wait(attempt, asked, started) else {
                return result;
            };
            self.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// A `Search` with retries.
pub struct RetrySearch {
    inner: Arc<dyn Search>,
    policy: Policy,
}

impl RetrySearch {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Search>, policy: Policy) -> Self {
        RetrySearch { inner, policy }
    }
}

#[async_trait]
impl Search for RetrySearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        self.policy
            .run(
                || self.inner.search(query),
                |r| r.as_ref().err().map(verdict_for_error),
            )
            .await
    }
}

/// A `Fetch` with retries (5xx and 429 pages, and transport failures).
pub struct RetryFetch {
    inner: Arc<dyn Fetch>,
    policy: Policy,
}

impl RetryFetch {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Fetch>, policy: Policy) -> Self {
        RetryFetch { inner, policy }
    }
}

#[async_trait]
impl Fetch for RetryFetch {
    async fn fetch(&self, request: &FetchRequest) -> Result<Page> {
        self.policy
            .run(
                || self.inner.fetch(request),
                |r| match r {
                    Ok(page) => verdict_for_page(page),
                    Err(e) => Some(verdict_for_error(e)),
                },
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        let later = SystemTime::now() + Duration::from_secs(120);
        let d = parse_retry_after(&httpdate::fmt_http_date(later)).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[tokio::test(start_paused = true)]
    async fn any_call_retries_within_its_attempts() {
        let p = Policy::backoff(
            4,
            Duration::from_millis(10),
            Duration::from_millis(50),
            Duration::from_secs(10),
        );
        let calls = std::sync::atomic::AtomicU32::new(0);
        let r: std::result::Result<u32, &str> = p
            .retry(
                || async {
                    let n = calls.fetch_add(1, Ordering::Relaxed) + 1;
                    if n < 3 {
                        Err("not yet")
                    } else {
                        Ok(n)
                    }
                },
                |r| r.is_err(),
            )
            .await;
        assert_eq!(r, Ok(3));
        assert_eq!(p.stats().retries, 2);
        let never: std::result::Result<(), &str> =
            p.retry(|| async { Err("down") }, |r| r.is_err()).await;
        assert_eq!(never, Err("down"));
        assert_eq!(
            calls.load(Ordering::Relaxed),
            3,
            "the second call counted apart"
        );
        assert_eq!(p.stats().retries, 2 + 3, "four attempts: three retries");
    }

    #[test]
    fn waits_are_bounded() {
        let p = Policy::new(&Config {
            retry_attempts: 3,
            retry_base_ms: 100,
            retry_max_delay_ms: 1_000,
            retry_budget_ms: 10_000,
            ..Config::default()
        });
        let start = Instant::now();
        for _ in 0..100 {
            let w = p.wait(1, None, start).unwrap();
            assert!(
                w <= Duration::from_millis(200),
                "full jitter under base·2: {w:?}"
            );
        }
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(1)), start),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(2)), start),
            None,
            "too long a Retry-After"
        );
        assert_eq!(p.wait(3, None, start), None, "out of attempts");
        assert!(matches!(
            verdict_for_error(&Error::Status {
                upstream: extract_core::Upstream::Site,
                status: 404,
                url: String::new(),
                retry_after: None
            }),
            Verdict::GiveUp
        ));
    }
}
