//! Per-host politeness: requests to one host are spaced by the configured
//! per-host rate, or by the site's robots `Crawl-delay` when that is longer.
//!
//! The spacing is a virtual schedule (GCRA with a burst of one): each host
//! keeps the instant its next request may start; a request books the next
//! slot under a short lock and then sleeps outside it. Unlike a token bucket
//! with a fixed refill, the interval can differ per request, which is what a
//! `Crawl-delay` learned mid-crawl needs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use extract_core::{Fetch, FetchRequest, Page, Result};

use crate::HostConfig;

/// A [`Fetch`] decorator that spaces requests per host.
pub struct HostLimiter {
    inner: Arc<dyn Fetch>,
    interval: Duration,
    max_hosts: usize,
    next_free: Mutex<HashMap<String, Instant>>,
}

impl HostLimiter {
    /// Wraps `inner` with the per-host rate of `config`.
    pub fn new(inner: Arc<dyn Fetch>, config: &HostConfig) -> Self {
        let rate = if config.per_host_rate > 0.0 {
            config.per_host_rate
        } else {
            f64::INFINITY
        };
        HostLimiter {
            inner,
            interval: Duration::from_secs_f64(1.0 / rate),
            max_hosts: config.max_tracked_hosts.max(1),
            next_free: Mutex::new(HashMap::new()),
        }
    }

    /// Books the next slot for `host` and returns how long to wait for it.
    fn book(&self, host: &str, crawl_delay: Option<Duration>) -> Duration {
        let interval = crawl_delay.map_or(self.interval, |d| d.max(self.interval));
        if interval.is_zero() {
            return Duration::ZERO;
        }
        // A little slack so that arrivals stay under the rate even when the
        // network delivers two requests closer together than they were sent.
        let interval = interval.mul_f64(1.02) + Duration::from_millis(2);
        let now = Instant::now();
        let mut slots = self
            .next_free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slots.len() >= self.max_hosts {
            // Hosts whose slot has passed need no memory.
            slots.retain(|_, next| *next > now);
        }
        let start = slots.get(host).map_or(now, |next| (*next).max(now));
        slots.insert(host.to_owned(), start + interval);
        start - now
    }
}

#[async_trait]
impl Fetch for HostLimiter {
    async fn fetch(&self, request: &FetchRequest) -> Result<Page> {
        let wait = self.book(&request.host(), request.crawl_delay);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        self.inner.fetch(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;

    #[async_trait]
    impl Fetch for Echo {
        async fn fetch(&self, request: &FetchRequest) -> Result<Page> {
            Ok(Page {
                url: request.url.clone(),
                status: 200,
                content_type: None,
                retry_after: None,
                body: Default::default(),
                truncated: false,
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_per_host_and_honours_crawl_delay() {
        let limiter = Arc::new(HostLimiter::new(
            Arc::new(Echo),
            &HostConfig {
                per_host_rate: 10.0,
                max_tracked_hosts: 100,
            },
        ));
        let start = tokio::time::Instant::now();
        let mut tasks = Vec::new();
        for i in 0..5 {
            let l = limiter.clone();
            let url = if i < 4 {
                "https://a.com/"
            } else {
                "https://b.com/"
            };
            tasks.push(tokio::spawn(async move {
                l.fetch(&FetchRequest::get(url)).await.unwrap();
                start.elapsed()
            }));
        }
        let mut done = Vec::new();
        for t in tasks {
            done.push(t.await.unwrap());
        }
        // Four requests to a.com at 10/s span at least 300 ms; b.com does not wait.
        let mut a: Vec<Duration> = done[..4].to_vec();
        a.sort();
        assert!(a[3] >= Duration::from_millis(300), "{a:?}");
        assert!(done[4] < Duration::from_millis(10));
        // A crawl delay of 1 s stretches the spacing.
        let t = tokio::time::Instant::now();
        let mut slow = FetchRequest::get("https://c.com/");
        slow.crawl_delay = Some(Duration::from_secs(1));
        limiter.fetch(&slow).await.unwrap();
        limiter.fetch(&slow).await.unwrap();
        assert!(t.elapsed() >= Duration::from_secs(1));
    }
}
