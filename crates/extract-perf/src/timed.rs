//! Decorators that time the core traits into the monitor: search calls,
//! page fetches (robots.txt apart), and whole profile requests, with their
//! outcomes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use extract_core::{
    CompanyProfile, CompanyQuery, CpuStage, Fetch, FetchRequest, Page, ProfileSource, Result,
    Search, SearchQuery, SearchResults, Served, StageObserver,
};

use crate::{Monitor, Stage};

/// Times every search through `inner`.
pub struct TimedSearch {
    inner: Arc<dyn Search>,
    monitor: Monitor,
}

impl TimedSearch {
    /// `inner`, timed as the `search` stage.
    pub fn new(inner: Arc<dyn Search>, monitor: Monitor) -> TimedSearch {
        TimedSearch { inner, monitor }
    }
}

#[async_trait]
impl Search for TimedSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let started = Instant::now();
        let result = self.inner.search(query).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => e.kind().as_str(),
        };
        self.monitor
            .observe(Stage::Search, started.elapsed(), outcome);
        result
    }
}

/// Times every fetch through `inner`: `robots` for robots.txt, `fetch` else.
pub struct TimedFetch {
    inner: Arc<dyn Fetch>,
    monitor: Monitor,
}

impl TimedFetch {
    /// `inner`, timed as the `fetch` and `robots` stages.
    pub fn new(inner: Arc<dyn Fetch>, monitor: Monitor) -> TimedFetch {
        TimedFetch { inner, monitor }
    }
}

/// The outcome label of a fetch: a site answering 429 or 5xx failed.
fn fetch_outcome(result: &Result<Page>) -> &'static str {
    match result {
        Ok(p) if p.status == 429 => "http_429",
        Ok(p) if p.status >= 500 => "http_5xx",
        Ok(_) => "ok",
        Err(e) => e.kind().as_str(),
    }
}

#[async_trait]
impl Fetch for TimedFetch {
    async fn fetch(&self, request: &FetchRequest) -> Result<Page> {
        let stage = if is_robots(&request.url) {
            Stage::Robots
        } else {
            Stage::Fetch
        };
        let started = Instant::now();
        let result = self.inner.fetch(request).await;
        self.monitor
            .observe(stage, started.elapsed(), fetch_outcome(&result));
        result
    }
}

/// Times every profile request through `inner` as the `request` stage (and
/// a cache hit as the `cache` stage too), and tracks repeated companies for
/// the caching recommendation. A request dropped before it ends (its
/// deadline passed, or its client went away) counts as `timeout`.
pub struct TimedProfiles {
    inner: Arc<dyn ProfileSource>,
    monitor: Monitor,
}

impl TimedProfiles {
    /// `inner`, timed as the `request` stage.
    pub fn new(inner: Arc<dyn ProfileSource>, monitor: Monitor) -> TimedProfiles {
        TimedProfiles { inner, monitor }
    }
}

/// Records a request that never ended when dropped.
struct Pending<'a> {
    monitor: &'a Monitor,
    started: Instant,
    key: u64,
    done: bool,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.monitor
                .observe(Stage::Request, self.started.elapsed(), "timeout");
            self.monitor.profile_request(self.key, false);
        }
    }
}

#[async_trait]
impl ProfileSource for TimedProfiles {
    async fn profile(&self, query: &CompanyQuery) -> Result<CompanyProfile> {
        Ok(Arc::unwrap_or_clone(self.serve(query).await?.value))
    }

    async fn cached(&self, queries: &[CompanyQuery]) -> Vec<Option<Arc<CompanyProfile>>> {
        self.inner.cached(queries).await
    }

    async fn serve(&self, query: &CompanyQuery) -> Result<Served<CompanyProfile>> {
        // The same identity the caches key on: a repeat is what could have hit.
        let key = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            query.identity().hash(&mut h);
            h.finish()
        };
        let mut pending = Pending {
            monitor: &self.monitor,
            started: Instant::now(),
            key,
            done: false,
        };
        let result = self.inner.serve(query).await;
        pending.done = true;
        let elapsed = pending.started.elapsed();
        let (outcome, hit) = match &result {
            Ok(served) => ("ok", served.outcome.is_hit()),
            Err(e) => (e.kind().as_str(), false),
        };
        self.monitor.observe(Stage::Request, elapsed, outcome);
        if hit {
            self.monitor.observe(Stage::Cache, elapsed, "ok");
        }
        self.monitor.profile_request(key, hit);
        result
    }
}

fn is_robots(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.ends_with("/robots.txt")
}

impl StageObserver for Monitor {
    fn observe(&self, stage: CpuStage, elapsed: Duration) {
        Monitor::observe(self, Stage::from(stage), elapsed, "ok");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn robots_urls_are_told_apart() {
        assert!(super::is_robots("https://a.com/robots.txt"));
        assert!(!super::is_robots("https://a.com/about"));
        assert!(!super::is_robots("https://a.com/robots.txt.html"));
    }
}
