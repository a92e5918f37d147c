//! The three levels as decorators over the core traits: company profiles
//! (`ProfileSource`), search results (`Search`) and crawled pages (`Fetch`).
//!
//! A profile request's `force_refresh` and `max_age_s` reach the search and
//! page levels too, through a task-local set while the profile is computed.

use std::sync::Arc;

use async_trait::async_trait;
use extract_core::{
    CompanyProfile, CompanyQuery, ExtractionMode, Fetch, FetchRequest, Freshness, Page,
    ProfileSource, Result, Search, SearchQuery, SearchResults, Served,
};

use crate::tiered::Tiered;

tokio::task_local! {
    /// The freshness asked for by the profile request being computed.
    static FRESHNESS: Freshness;
}

fn inherited() -> Freshness {
    FRESHNESS.try_with(|f| *f).unwrap_or_default()
}

/// Caches company profiles, keyed on the query's identity (normalised name or
/// domain, and mode).
pub struct ProfileCache {
    tiered: Tiered<CompanyProfile>,
    inner: Arc<dyn ProfileSource>,
}

impl ProfileCache {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn ProfileSource>, tiered: Tiered<CompanyProfile>) -> Self {
        ProfileCache { tiered, inner }
    }

    /// Forgets a company's profiles in both modes; true if one was cached here.
    pub async fn invalidate(&self, name: &str) -> Result<bool> {
        let mut any = false;
        for mode in [ExtractionMode::Basic, ExtractionMode::Comprehensive] {
            let mut q = CompanyQuery::by_name(name)?;
            q.mode = mode;
            any |= self.tiered.invalidate(&q.identity()).await;
            if let Some(domain) = extract_core::normalize_domain(name) {
                let mut q = CompanyQuery::new(None, Some(&domain), mode, usize::MAX)?;
                q.mode = mode;
                any |= self.tiered.invalidate(&q.identity()).await;
            }
        }
        Ok(any)
    }

    /// The level itself (stats, shrinking).
    pub fn tiered(&self) -> &Tiered<CompanyProfile> {
        &self.tiered
    }
}

#[async_trait]
impl ProfileSource for ProfileCache {
    async fn profile(&self, query: &CompanyQuery) -> Result<CompanyProfile> {
        Ok(Arc::unwrap_or_clone(self.serve(query).await?.value))
    }

    /// The profile and whether it came from memory, Redis, stale, a
    /// concurrent computation or the wrapped source.
    async fn serve(&self, query: &CompanyQuery) -> Result<Served<CompanyProfile>> {
        let inner = self.inner.clone();
        let q = query.clone();
        let (value, outcome) = self
            .tiered
            .get_or_compute(&query.identity(), query.freshness, move || async move {
                let freshness = q.freshness;
                FRESHNESS.scope(freshness, inner.profile(&q)).await
            })
            .await?;
        Ok(Served { value, outcome })
    }

    async fn cached(&self, queries: &[CompanyQuery]) -> Vec<Option<Arc<CompanyProfile>>> {
        let inputs: Vec<String> = queries.iter().map(CompanyQuery::identity).collect();
        self.tiered.prefetch(&inputs).await
    }
}

/// Caches search results, keyed on the normalised query text.
pub struct SearchCache {
    tiered: Tiered<SearchResults>,
    inner: Arc<dyn Search>,
}

impl SearchCache {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Search>, tiered: Tiered<SearchResults>) -> Self {
        SearchCache { tiered, inner }
    }

    /// The level itself.
    pub fn tiered(&self) -> &Tiered<SearchResults> {
        &self.tiered
    }
}

#[async_trait]
impl Search for SearchCache {
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let text: Vec<String> = query
            .text
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let input = format!("{}|{}", text.join(" "), query.max_results);
        let inner = self.inner.clone();
        let q = query.clone();
        let (results, _) = self
            .tiered
            .get_or_compute(&input, inherited(), move || async move {
                inner.search(&q).await
            })
            .await?;
        Ok(Arc::unwrap_or_clone(results))
    }
}

/// Caches crawled pages (and robots.txt), keyed on the URL. Requests with
/// extra headers (an API key) are never cached here.
pub struct PageCache {
    tiered: Tiered<Page>,
    inner: Arc<dyn Fetch>,
}

impl PageCache {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Fetch>, tiered: Tiered<Page>) -> Self {
        PageCache { tiered, inner }
    }

    /// The level itself.
    pub fn tiered(&self) -> &Tiered<Page> {
        &self.tiered
    }
}

#[async_trait]
impl Fetch for PageCache {
    async fn fetch(&self, request: &FetchRequest) -> Result<Page> {
        if !request.headers.is_empty() {
            return self.inner.fetch(request).await;
        }
        let input = format!("{}|{}", request.url, u8::from(request.allow_truncation));
        let inner = self.inner.clone();
        let r = request.clone();
        let (page, _) = self
            .tiered
            .get_or_compute(
                &input,
                inherited(),
                move || async move { inner.fetch(&r).await },
            )
            .await?;
        Ok(Arc::unwrap_or_clone(page))
    }
}
