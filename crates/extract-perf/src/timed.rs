//! Decorators that time the core traits into the monitor: search calls,
//! and page fetches (robots.txt apart), with their outcomes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use extract_core::{
    Fetch, FetchRequest, Page, Result, Search, SearchQuery, SearchResults, StageObserver,
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
            Err(e) => e.kind(),
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
        Err(e) => e.kind(),
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

fn is_robots(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.ends_with("/robots.txt")
}

impl StageObserver for Monitor {
    fn observe(&self, stage: &'static str, elapsed: Duration) {
        if let Some(s) = Stage::from_name(stage) {
            Monitor::observe(self, s, elapsed, "ok");
        }
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
