//! The sandbox's shared state: counters, knobs, received webhooks.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::lock;
use crate::scenario::Scenario;
use crate::world::World;

/// Counters of upstream calls, as `GET /__sandbox/stats` reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxStats {
    /// Search requests received (including rate-limited ones).
    pub search_requests: u64,
    /// Website requests received (pages, robots.txt, assets).
    pub page_requests: u64,
    /// 429 answers sent by the search rate limit.
    pub rate_limited: u64,
    /// 500 answers sent by error injection.
    pub errors_injected: u64,
    /// The highest number of page requests (robots.txt aside) one host of
    /// the world received within any one second.
    pub max_host_rps: u64,
    /// robots.txt requests (also counted in `page_requests`).
    pub robots_requests: u64,
}

/// What the search endpoint does besides answering.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchFault {
    /// Answers normally.
    #[default]
    None,
    /// Answers 200 with a body that is not JSON.
    Garbage,
    /// Answers 503.
    Error,
    /// Answers after 60 seconds.
    Slow,
}

/// What every company site of the world does instead of its pages
/// (robots.txt still answers): the hostile web at the scale of a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteFault {
    /// Serves its pages.
    #[default]
    None,
    /// A 256 MB page, streamed.
    Huge,
    /// A gzip bomb: 64 MB of markup in a few hundred KB.
    Bomb,
    /// Redirects to itself, forever.
    RedirectLoop,
}

/// The knobs that can change while the sandbox runs (`POST /__sandbox/config`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// Base latency of every search and page answer, in ms; each answer
    /// waits a uniformly random 50–150 % of it.
    pub latency_ms: u64,
    /// Share of search and page requests answered with a 500, in `0.0..=1.0`.
    pub error_rate: f64,
    /// Search requests per second above which the search endpoint answers
    /// 429 with `Retry-After: 1`; 0 means no limit.
    pub serp_rate: f64,
    /// A fault of the search endpoint.
    pub search_fault: SearchFault,
    /// Extra latency of every site answer (pages and robots.txt, not
    /// search), in ms: slow websites behind a fast search provider.
    pub site_latency_ms: u64,
    /// A fault of every company site.
    pub site_fault: SiteFault,
}

pub(crate) struct State {
    pub(crate) world: World,
    pub(crate) seed: u64,
    pub(crate) latency_ms: AtomicU64,
    pub(crate) site_latency_ms: AtomicU64,
    pub(crate) error_rate_ppm: AtomicU64,
    pub(crate) serp_rate_milli: AtomicU64,
    pub(crate) search_fault: AtomicU8,
    pub(crate) site_fault: AtomicU8,
    pub(crate) search_requests: AtomicU64,
    pub(crate) page_requests: AtomicU64,
    pub(crate) robots_requests: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) errors_injected: AtomicU64,
    pub(crate) max_host_rps: AtomicU64,
    pub(crate) serp_window: Mutex<VecDeque<Instant>>,
    pub(crate) host_windows: Mutex<HashMap<String, VecDeque<Instant>>>,
    pub(crate) corpus: HashMap<String, Bytes>,
    pub(crate) scenario: Scenario,
    pub(crate) hooks: Mutex<VecDeque<Hook>>,
}

/// A POST the sandbox received at `/__sandbox/hooks/…` (a webhook receiver),
/// as `GET /__sandbox/hooks` lists them; the last [`MAX_HOOKS`] are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hook {
    /// The path it was posted to.
    pub path: String,
    /// Its headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// Its body, as text (lossy).
    pub body: String,
}

/// How many received webhooks the sandbox keeps.
pub const MAX_HOOKS: usize = 100;

impl State {
    pub(crate) fn new(
        world: World,
        seed: u64,
        knobs: Knobs,
        corpus: HashMap<String, Bytes>,
        scenario: Scenario,
    ) -> Self {
        let s = State {
            world,
            seed,
            latency_ms: AtomicU64::new(0),
            site_latency_ms: AtomicU64::new(0),
            error_rate_ppm: AtomicU64::new(0),
            serp_rate_milli: AtomicU64::new(0),
            search_fault: AtomicU8::new(0),
            site_fault: AtomicU8::new(0),
            search_requests: AtomicU64::new(0),
            page_requests: AtomicU64::new(0),
            robots_requests: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            errors_injected: AtomicU64::new(0),
            max_host_rps: AtomicU64::new(0),
            serp_window: Mutex::new(VecDeque::new()),
            host_windows: Mutex::new(HashMap::new()),
            corpus,
            scenario,
            hooks: Mutex::new(VecDeque::new()),
        };
        s.set_knobs(knobs);
        s
    }

    pub(crate) fn set_knobs(&self, k: Knobs) {
        self.latency_ms.store(k.latency_ms, Ordering::Relaxed);
        self.site_latency_ms
            .store(k.site_latency_ms, Ordering::Relaxed);
        self.error_rate_ppm.store(
            (k.error_rate.clamp(0.0, 1.0) * 1e6) as u64,
            Ordering::Relaxed,
        );
        self.serp_rate_milli
            .store((k.serp_rate.max(0.0) * 1000.0) as u64, Ordering::Relaxed);
        let fault = match k.search_fault {
            SearchFault::None => 0,
            SearchFault::Garbage => 1,
            SearchFault::Error => 2,
            SearchFault::Slow => 3,
        };
        self.search_fault.store(fault, Ordering::Relaxed);
        let site = match k.site_fault {
            SiteFault::None => 0,
            SiteFault::Huge => 1,
            SiteFault::Bomb => 2,
            SiteFault::RedirectLoop => 3,
        };
        self.site_fault.store(site, Ordering::Relaxed);
    }

    pub(crate) fn knobs(&self) -> Knobs {
        Knobs {
            latency_ms: self.latency_ms.load(Ordering::Relaxed),
            site_latency_ms: self.site_latency_ms.load(Ordering::Relaxed),
            error_rate: self.error_rate_ppm.load(Ordering::Relaxed) as f64 / 1e6,
            serp_rate: self.serp_rate_milli.load(Ordering::Relaxed) as f64 / 1000.0,
            search_fault: match self.search_fault.load(Ordering::Relaxed) {
                1 => SearchFault::Garbage,
                2 => SearchFault::Error,
                3 => SearchFault::Slow,
                _ => SearchFault::None,
            },
            site_fault: self.site_fault(),
        }
    }

    pub(crate) fn site_fault(&self) -> SiteFault {
        match self.site_fault.load(Ordering::Relaxed) {
            1 => SiteFault::Huge,
            2 => SiteFault::Bomb,
            3 => SiteFault::RedirectLoop,
            _ => SiteFault::None,
        }
    }

    pub(crate) fn stats(&self) -> SandboxStats {
        SandboxStats {
            search_requests: self.search_requests.load(Ordering::Relaxed),
            page_requests: self.page_requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            errors_injected: self.errors_injected.load(Ordering::Relaxed),
            max_host_rps: self.max_host_rps.load(Ordering::Relaxed),
            robots_requests: self.robots_requests.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn reset(&self) {
        for c in [
            &self.search_requests,
            &self.page_requests,
            &self.robots_requests,
            &self.rate_limited,
            &self.errors_injected,
            &self.max_host_rps,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        lock(&self.serp_window).clear();
        lock(&self.host_windows).clear();
        lock(&self.hooks).clear();
    }

    pub(crate) fn hooks(&self) -> Vec<Hook> {
        lock(&self.hooks).iter().cloned().collect()
    }

    pub(crate) fn inject_error(&self) -> bool {
        let ppm = self.error_rate_ppm.load(Ordering::Relaxed);
        if ppm > 0 && fastrand::u64(0..1_000_000) < ppm {
            self.errors_injected.fetch_add(1, Ordering::Relaxed);
            true
        } else {
            false
        }
    }

    pub(crate) async fn delay(&self) {
        let base = self.latency_ms.load(Ordering::Relaxed);
        if base > 0 {
            let ms = fastrand::u64(base / 2..=base + base / 2);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }

    /// The delay of a site answer: the base latency and the site latency.
    pub(crate) async fn site_delay(&self) {
        self.delay().await;
        let extra = self.site_latency_ms.load(Ordering::Relaxed);
        if extra > 0 {
            tokio::time::sleep(Duration::from_millis(extra)).await;
        }
    }

    /// Records a search request in the one-second window; true when it is over the limit.
    pub(crate) fn over_serp_rate(&self) -> bool {
        let milli = self.serp_rate_milli.load(Ordering::Relaxed);
        if milli == 0 {
            return false;
        }
        let now = Instant::now();
        let mut w = lock(&self.serp_window);
        while w
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            w.pop_front();
        }
        // The limit counts the requests admitted in the last second.
        if (w.len() as u64 + 1) * 1000 > milli {
            return true;
        }
        w.push_back(now);
        false
    }

    pub(crate) fn record_host(&self, host: &str) {
        let now = Instant::now();
        let mut windows = lock(&self.host_windows);
        let w = windows.entry(host.to_owned()).or_default();
        w.push_back(now);
        while w
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            w.pop_front();
        }
        let n = w.len() as u64;
        drop(windows);
        self.max_host_rps.fetch_max(n, Ordering::Relaxed);
    }
}
