//! Per-host politeness: requests to one host are spaced by the configured
//! per-host rate, or by the site's robots `Crawl-delay` when that is longer.
//!
//! One request in flight per host, and the next one leaves only `interval`
//! after the previous one finished (checked and recorded under a short
//! lock, the waiting done outside it). Spacing from completion, not from
//! departure, is what keeps the *arrivals* at the site apart: a request
//! delayed between leaving and arriving (a new connection, a busy runtime)
//! cannot land close behind the next one. Unlike a token bucket with a fixed
//! refill, the interval may differ per request, which is what a
//! `Crawl-delay` learned mid-crawl needs.
//!
//! robots.txt is not a page: it neither waits for the host nor delays the
//! page after it, so a cold extraction asks for robots.txt and the homepage
//! at once. With no per-host rate (`crawl.per_host_rate = 0`) pages do not
//! wait, but their finish is still recorded, so a `Crawl-delay` spaces the
//! pages that follow.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use extract_core::{Fetch, FetchRequest, Page, Result, SharedRate};

use crate::{HostConfig, RateStats};

struct HostState {
    in_flight: bool,
    /// When the last request finished.
    done: Instant,
    interval: Duration,
}

/// A [`Fetch`] decorator that spaces requests per host.
pub struct HostLimiter {
    inner: Arc<dyn Fetch>,
    interval: Duration,
    max_hosts: usize,
    hosts: Mutex<HashMap<String, HostState>>,
    finished: tokio::sync::Notify,
    stats: Arc<RateStats>,
    /// Every instance's pages to a host, spaced together (Redis).
    shared: Option<Arc<dyn SharedRate>>,
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
            hosts: Mutex::new(HashMap::new()),
            finished: tokio::sync::Notify::new(),
            stats: Arc::default(),
            shared: None,
        }
    }

    /// The same, with each host's spacing kept for every instance together
    /// by `shared`; while it cannot be reached, a page waits its interval
    /// once more for each other live instance.
    #[must_use]
    pub fn with_shared(mut self, shared: Arc<dyn SharedRate>) -> Self {
        self.shared = Some(shared);
        self
    }

    /// Waits for the cluster's spacing of `host` at `interval`.
    async fn cluster_wait(&self, host: &str, interval: Duration) {
        let Some(shared) = &self.shared else { return };
        let key = format!("host:{host}");
        let rate = 1.0 / interval.as_secs_f64();
        // Ends: each answer is a departure, an error, or a bounded wait
        // after which a departure is due.
        loop {
            match shared.try_depart(&key, rate, 1).await {
                Ok(None) => return,
                Ok(Some(wait)) => tokio::time::sleep(wait.min(interval * 2)).await,
                Err(_) => {
                    let others = shared.instances().saturating_sub(1) as u32;
                    tokio::time::sleep(interval * others).await;
                    return;
                }
            }
        }
    }

    /// The time pages waited for their host's spacing (shared handle).
    pub fn stats_handle(&self) -> Arc<RateStats> {
        self.stats.clone()
    }

    /// Departs now if nothing is in flight to the host and `interval` has
    /// passed since its last request finished (marking one in flight), or
    /// says how long to wait.
    fn try_depart(&self, host: &str, interval: Duration) -> Option<Duration> {
        let now = Instant::now();
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if hosts.len() >= self.max_hosts && !hosts.contains_key(host) {
            // Idle hosts whose interval has passed need no memory.
            hosts.retain(|_, h| h.in_flight || now.duration_since(h.done) < h.interval);
        }
        match hosts.get_mut(host) {
            Some(h) if h.in_flight => Some(interval),
            Some(h) if now.duration_since(h.done) < interval => Some((h.done + interval) - now),
            Some(h) => {
                h.in_flight = true;
                h.interval = interval;
                None
            }
            None => {
                hosts.insert(
                    host.to_owned(),
                    HostState {
                        in_flight: true,
                        done: now,
                        interval,
                    },
                );
                None
            }
        }
    }

    fn finished(&self, host: &str) {
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(h) = hosts.get_mut(host) {
            h.in_flight = false;
            h.done = Instant::now();
        }
        drop(hosts);
        self.finished.notify_waiters();
    }

    /// Records that a page of `host` that did not wait (no spacing asked
    /// for) finished now, for a later request with a `Crawl-delay`.
    fn record_unspaced(&self, host: &str) {
        let now = Instant::now();
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(h) = hosts.get_mut(host) {
            h.done = now;
        } else if hosts.len() < self.max_hosts {
            hosts.insert(
                host.to_owned(),
                HostState {
                    in_flight: false,
                    done: now,
                    interval: Duration::ZERO,
                },
            );
        }
    }
}

/// Marks the host's request finished when dropped (also on cancellation).
struct InFlight<'a> {
    limiter: &'a HostLimiter,
    host: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.limiter.finished(&self.host);
    }
}

#[async_trait]
impl Fetch for HostLimiter {
    async fn fetch(&self, request: &FetchRequest) -> Result<Page> {
        let interval = request
            .crawl_delay
            .map_or(self.interval, |d| d.max(self.interval))
            // A little slack (2 %) against timer jitter.
            .mul_f64(1.02);
        if request.is_robots() {
            return self.inner.fetch(request).await;
        }
        let host = request.host();
        if interval.is_zero() {
            let result = self.inner.fetch(request).await;
            self.record_unspaced(&host);
            return result;
        }
        let started = std::time::Instant::now();
        loop {
            let finished = self.finished.notified();
            match self.try_depart(&host, interval) {
                None => break,
                // Wake when the wait is over, or when a request finishes.
                Some(wait) => {
                    let _ = tokio::time::timeout(wait, finished).await;
                }
            }
        }
        let _in_flight = InFlight {
            limiter: self,
            host: host.clone(),
        };
        self.cluster_wait(&host, interval).await;
        self.stats.record(started.elapsed());
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

    #[tokio::test(start_paused = true)]
    async fn robots_txt_neither_waits_nor_delays_the_first_page() {
        let limiter = HostLimiter::new(
            Arc::new(Echo),
            &HostConfig {
                per_host_rate: 1.0,
                max_tracked_hosts: 100,
            },
        );
        let t = tokio::time::Instant::now();
        limiter
            .fetch(&FetchRequest::get("https://a.com/robots.txt"))
            .await
            .unwrap();
        limiter
            .fetch(&FetchRequest::page("https://a.com/"))
            .await
            .unwrap();
        assert!(t.elapsed() < Duration::from_millis(10), "{:?}", t.elapsed());
        // The next page is spaced from the first.
        limiter
            .fetch(&FetchRequest::page("https://a.com/about"))
            .await
            .unwrap();
        assert!(t.elapsed() >= Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_per_host_rate_a_crawl_delay_still_spaces_pages() {
        let limiter = HostLimiter::new(
            Arc::new(Echo),
            &HostConfig {
                per_host_rate: 0.0,
                max_tracked_hosts: 100,
            },
        );
        let t = tokio::time::Instant::now();
        limiter
            .fetch(&FetchRequest::page("https://a.com/"))
            .await
            .unwrap();
        assert!(t.elapsed() < Duration::from_millis(10));
        let mut next = FetchRequest::page("https://a.com/about");
        next.crawl_delay = Some(Duration::from_secs(2));
        limiter.fetch(&next).await.unwrap();
        assert!(t.elapsed() >= Duration::from_secs(2), "{:?}", t.elapsed());
    }
}
