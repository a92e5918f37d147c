//! The three seams of the service — `Search`, `Fetch`, `ProfileSource` —
//! and the values that cross them. Every optimisation (cache, limits,
//! metrics) is a decorator implementing the same trait.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::{CompanyProfile, CompanyQuery, Result};

/// A web search for a company.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchQuery {
    /// The words to search for (the company name as given).
    pub text: String,
    /// At most this many hits are wanted.
    pub max_results: usize,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The result URL.
    pub url: String,
    /// The result title.
    pub title: String,
    /// The snippet.
    pub snippet: String,
    /// Position in the results, from 1.
    pub rank: usize,
}

/// A knowledge panel about the searched entity, where the provider has one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Knowledge {
    /// The entity's name as the panel gives it.
    pub title: String,
    /// The entity's official website, when the panel names one.
    pub website: Option<String>,
}

/// What a search returned: the hits in rank order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The hits, best first.
    pub hits: Vec<SearchHit>,
    /// The knowledge panel, if any.
    #[serde(default)]
    pub knowledge: Option<Knowledge>,
}

/// A request for one URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FetchRequest {
    /// The absolute `http` or `https` URL.
    pub url: String,
    /// Extra request headers (name, value), e.g. an API key for a search provider.
    pub headers: Vec<(String, String)>,
    /// A body over the size cap is cut at the cap and marked truncated
    /// (web pages), instead of being an error (API responses).
    pub allow_truncation: bool,
    /// The site's robots.txt `Crawl-delay`, for politeness layers to honour.
    pub crawl_delay: Option<Duration>,
    /// The URL or the headers carry a credential (a search provider's key):
    /// a redirect to another origin, or from https to http, is refused
    /// rather than followed. (Extra headers never follow such a redirect
    /// in any case.)
    pub credentials: bool,
}

impl FetchRequest {
    /// A plain GET of `url`; an oversized body is an error.
    pub fn get(url: impl Into<String>) -> Self {
        FetchRequest {
            url: url.into(),
            headers: Vec::new(),
            allow_truncation: false,
            crawl_delay: None,
            credentials: false,
        }
    }

    /// A GET of a web page: an oversized body is truncated, not an error.
    pub fn page(url: impl Into<String>) -> Self {
        FetchRequest {
            allow_truncation: true,
            ..Self::get(url)
        }
    }

    /// The host the request goes to, lowercased (empty when the URL has none).
    pub fn host(&self) -> String {
        url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default()
    }

    /// Whether this asks for a site's `/robots.txt` (which politeness layers
    /// do not count as a page: it is what tells them how to be polite).
    pub fn is_robots(&self) -> bool {
        url::Url::parse(&self.url).is_ok_and(|u| u.path() == "/robots.txt")
    }
}

/// A fetched response, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// The final URL, after redirects.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The `Retry-After` header as sent, if any (seconds or an HTTP date).
    pub retry_after: Option<String>,
    /// The body (decoded from any content encoding, capped).
    pub body: Bytes,
    /// The body was cut at the size cap.
    #[serde(default)]
    pub truncated: bool,
}

impl Page {
    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Finds candidate websites for a company.
#[async_trait]
pub trait Search: Send + Sync {
    /// Runs one search.
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults>;
}

/// Fetches one URL. Answers `Ok` for any HTTP status; errors are transport
/// failures (connect, timeout, body cap, refused address).
#[async_trait]
pub trait Fetch: Send + Sync {
    /// Fetches `request.url`, following redirects.
    async fn fetch(&self, request: &FetchRequest) -> Result<Page>;
}

/// The service's permit pools: what the limits that own them and the
/// performance report that reads them both call them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    /// Whole extractions in flight.
    Extractions,
    /// Search provider calls in flight.
    Searches,
    /// Page fetches in flight.
    Crawls,
}

impl Pool {
    /// The name on the wire and in metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Pool::Extractions => "extractions",
            Pool::Searches => "searches",
            Pool::Crawls => "crawls",
        }
    }
}

/// How an answer was obtained: the `x-cache` of a profile, and what a
/// batch item counts as `cached`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// From the in-process tier of a cache.
    L1,
    /// From the shared (Redis) tier of a cache.
    L2,
    /// A stale cached value, served while it is refreshed in the background.
    Stale,
    /// Computed now by the source a cache wraps.
    Computed,
    /// Computed by a concurrent lookup of the same key, shared.
    Coalesced,
    /// Computed with no cache in the way (caching off).
    Uncached,
}

impl Outcome {
    /// The value of the `x-cache` response header.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::L1 => "hit-l1",
            Outcome::L2 => "hit-l2",
            Outcome::Stale => "stale",
            Outcome::Computed => "miss",
            Outcome::Coalesced => "coalesced",
            Outcome::Uncached => "off",
        }
    }

    /// Answered from a cache, not computed for this call.
    pub fn is_hit(self) -> bool {
        matches!(self, Outcome::L1 | Outcome::L2 | Outcome::Stale)
    }
}

/// A value and how it was obtained.
#[derive(Debug, Clone)]
pub struct Served<T> {
    /// The value, shared with the cache that may hold it.
    pub value: Arc<T>,
    /// How it was obtained.
    pub outcome: Outcome,
}

/// Produces a company profile: the whole pipeline, or a decorator around it.
///
/// [`serve`](ProfileSource::serve) also says how the profile was obtained;
/// a cache overrides it, and every decorator forwards it, so that whoever
/// holds the outermost `Arc<dyn ProfileSource>` learns whether it was a hit.
#[async_trait]
pub trait ProfileSource: Send + Sync {
    /// Extracts (or recalls) the profile of one company.
    async fn profile(&self, query: &CompanyQuery) -> Result<CompanyProfile>;

    /// The profile and how it was obtained; [`Outcome::Uncached`] unless a
    /// cache is on the way.
    async fn serve(&self, query: &CompanyQuery) -> Result<Served<CompanyProfile>> {
        Ok(Served {
            value: Arc::new(self.profile(query).await?),
            outcome: Outcome::Uncached,
        })
    }

    /// The profiles of `queries` (in order) that a cache on the way already
    /// holds, computing none: what a batch looks up before it schedules
    /// work. Without a cache, none.
    async fn cached(&self, queries: &[CompanyQuery]) -> Vec<Option<Arc<CompanyProfile>>> {
        vec![None; queries.len()]
    }
}

#[async_trait]
impl<T: Search + ?Sized> Search for Arc<T> {
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        (**self).search(query).await
    }
}

#[async_trait]
impl<T: Fetch + ?Sized> Fetch for Arc<T> {
    async fn fetch(&self, request: &FetchRequest) -> Result<Page> {
        (**self).fetch(request).await
    }
}

#[async_trait]
impl<T: ProfileSource + ?Sized> ProfileSource for Arc<T> {
    async fn profile(&self, query: &CompanyQuery) -> Result<CompanyProfile> {
        (**self).profile(query).await
    }

    async fn serve(&self, query: &CompanyQuery) -> Result<Served<CompanyProfile>> {
        (**self).serve(query).await
    }

    async fn cached(&self, queries: &[CompanyQuery]) -> Vec<Option<Arc<CompanyProfile>>> {
        (**self).cached(queries).await
    }
}

/// The shape of a rate limit, the one arithmetic of the local limiter
/// (`extract_concurrency::Gcra`) and the cluster's (a [`SharedRate`]): GCRA
/// at `rate`, stretched by 2 %, with room for `burst` at once, and never
/// more than `per_window` departures within any [`RateShape::WINDOW`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateShape {
    /// Time between departures at the rate (stretched by 2 %).
    pub emission: Duration,
    /// How far ahead of its theoretical time a departure may go: `(burst - 1) × emission`.
    pub tolerance: Duration,
    /// Departures allowed within one window: `max(1, floor(rate))`, at most
    /// [`RateShape::MAX_PER_WINDOW`].
    pub per_window: usize,
}

impl RateShape {
    /// The window providers count requests in, stretched by 2 % so that
    /// requests still arrive under the limit when the network bunches them.
    pub const WINDOW: Duration = Duration::from_millis(1_020);
    /// The most departures one window's log holds (its memory bound): a rate
    /// above this many a second is kept to this many.
    pub const MAX_PER_WINDOW: usize = 100_000;

    /// The shape of `rate_per_sec` (> 0) with room for `burst`.
    pub fn of(rate_per_sec: f64, burst: u32) -> RateShape {
        let per_window = (rate_per_sec.floor() as usize).clamp(1, Self::MAX_PER_WINDOW);
        let emission = Duration::from_secs_f64(1.02 / rate_per_sec);
        let burst = (burst.max(1) as usize).min(per_window);
        RateShape {
            emission,
            tolerance: emission * (burst as u32 - 1),
            per_window,
        }
    }
}

/// Why a shared rate limit could not be asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("shared rate limit unavailable: {0}")]
pub struct SharedRateError(pub String);

/// A rate limit kept for every instance together (in Redis): the cluster's.
/// At most `burst` at once, and never more than the rate within any
/// one-second window, for all callers of all instances.
#[async_trait]
pub trait SharedRate: Send + Sync {
    /// Departs now under the limit named `key` (recording it for everyone),
    /// or says how long to wait before asking again; an error when the
    /// shared state cannot be reached.
    async fn try_depart(
        &self,
        key: &str,
        rate_per_sec: f64,
        burst: u32,
    ) -> std::result::Result<Option<Duration>, SharedRateError>;

    /// Instances sharing the limit now (at least 1): without the shared
    /// state each keeps to its share, the rate divided by this.
    fn instances(&self) -> usize {
        1
    }
}
