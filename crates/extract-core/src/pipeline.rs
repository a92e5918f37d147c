//! The pipeline: search → pick the website → fetch the homepage → extract →
//! profile. It reaches the outside only through the `Search` and `Fetch`
//! traits it is given.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

use crate::extract::{self, PageFacts};
use crate::picker::{self, registrable_domain};
use crate::{
    CompanyProfile, CompanyQuery, Config, Error, Fetch, FetchRequest, Field, Method, Page,
    PageVisit, ProfileSource, Result, Search, SearchQuery, Upstream, WebsiteChoice,
};

/// The extraction pipeline, a [`ProfileSource`] over a [`Search`] and a [`Fetch`].
pub struct Pipeline {
    search: Arc<dyn Search>,
    fetch: Arc<dyn Fetch>,
    config: Config,
}

impl Pipeline {
    /// A pipeline that searches with `search` and fetches pages with `fetch`.
    pub fn new(search: Arc<dyn Search>, fetch: Arc<dyn Fetch>, config: Config) -> Self {
        Pipeline {
            search,
            fetch,
            config,
        }
    }

    /// The website to crawl: given by the query, or chosen among search hits.
    async fn website(&self, query: &CompanyQuery) -> Result<(String, Option<picker::Choice>)> {
        if let Some(domain) = &query.domain {
            return Ok((format!("https://{domain}/"), None));
        }
        let name = query.name.as_deref().unwrap_or_default();
        let results = self
            .search
            .search(&SearchQuery {
                text: name.to_owned(),
                max_results: self.config.max_search_results,
            })
            .await?;
        let choice = picker::pick(name, &results.hits).ok_or_else(|| Error::NoWebsite {
            company: name.to_owned(),
        })?;
        Ok((choice.url.clone(), Some(choice)))
    }

    /// Fetches the homepage; a `domain` query that fails over https is tried over http.
    async fn homepage(&self, url: &str, from_query: bool) -> Result<Page> {
        let page = match self.fetch.fetch(&FetchRequest::get(url)).await {
            Err(Error::Connect { .. }) if from_query && url.starts_with("https://") => {
                let http = url.replacen("https://", "http://", 1);
                self.fetch.fetch(&FetchRequest::get(http)).await
            }
            other => other,
        }
        .map_err(|e| e.for_upstream(Upstream::Site))?;
        if !page.is_success() {
            return Err(Error::Status {
                upstream: Upstream::Site,
                status: page.status,
                url: page.url.clone(),
                retry_after: None,
            });
        }
        if !looks_like_html(&page) {
            return Err(Error::InvalidResponse {
                upstream: Upstream::Site,
                message: format!(
                    "{} is {}, not HTML",
                    page.url,
                    page.content_type.as_deref().unwrap_or("of no content type")
                ),
            });
        }
        Ok(page)
    }
}

#[async_trait]
impl ProfileSource for Pipeline {
    async fn profile(&self, query: &CompanyQuery) -> Result<CompanyProfile> {
        let (website, choice) = self.website(query).await?;
        let page = self.homepage(&website, choice.is_none()).await?;
        let facts = extract::page(
            &page.url,
            &page.body,
            page.content_type.as_deref(),
            &self.config.limits,
        );
        let mut visits = vec![PageVisit {
            url: page.url.clone(),
            status: Some(page.status),
            outcome: "fetched".to_owned(),
        }];
        if facts.truncated {
            visits[0].outcome = "fetched_truncated".to_owned();
        }
        Ok(build_profile(query, &page.url, choice, &[facts], visits))
    }
}

/// Assembles the profile from the merged page facts and the website choice.
fn build_profile(
    query: &CompanyQuery,
    home_url: &str,
    choice: Option<picker::Choice>,
    pages: &[PageFacts],
    visits: Vec<PageVisit>,
) -> CompanyProfile {
    let merged = extract::merge(pages);
    let host = url::Url::parse(home_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let website = match &choice {
        Some(c) => {
            let mut f = Field::new(c.url.clone(), home_url, Method::Serp);
            f.confidence = c.confidence;
            f.value = home_url_of(home_url);
            f
        }
        None => Field::new(home_url_of(home_url), home_url, Method::Query),
    };
    let mut social = merged.social;
    for e in choice.iter().flat_map(|c| c.evidence.iter()) {
        if !social.iter().any(|s| s.value.network == e.value.network) {
            social.push(e.clone());
        }
    }
    let name = merged.name.or_else(|| {
        query.name.as_ref().map(|n| {
            let mut f = Field::new(n.clone(), home_url, Method::Query);
            f.confidence = 0.5;
            f
        })
    });
    CompanyProfile {
        query: query.label().to_owned(),
        domain: (!host.is_empty()).then(|| registrable_domain(&host)),
        name,
        legal_name: merged.legal_name,
        website: Some(website),
        description: merged.description,
        industry: None,
        founded_year: merged.founded_year,
        employees: merged.employees,
        headquarters: merged.headquarters,
        phones: merged.phones,
        emails: merged.emails,
        social,
        logo: merged.logo,
        keywords: merged.keywords,
        website_choice: choice.map(|c| WebsiteChoice {
            url: c.url,
            confidence: c.confidence,
            runner_up: c.runner_up,
        }),
        pages: visits,
        extracted_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    }
}

/// `scheme://host/` of a URL.
fn home_url_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!("{}://{}/", u.scheme(), u.host_str().unwrap_or_default()),
        Err(_) => url.to_owned(),
    }
}

/// HTML by its content type, or, without one, by its first bytes.
fn looks_like_html(page: &Page) -> bool {
    match page.content_type.as_deref().map(str::to_ascii_lowercase) {
        Some(ct) => ct.contains("html") || ct.contains("xml") || ct.starts_with("text/"),
        None => {
            let head = &page.body[..page.body.len().min(512)];
            let head = String::from_utf8_lossy(head).to_ascii_lowercase();
            head.contains("<html") || head.contains("<!doctype") || head.contains("<head")
        }
    }
}
