//! Search providers as codecs: each builds the HTTP request for a query and
//! parses the provider's answer. [`HttpSearch`] joins a codec to any
//! [`Fetch`] transport, so this crate never opens a socket.

mod brave;
mod duckduckgo;
mod searxng;
mod serpapi;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use brave::Brave;
pub use duckduckgo::DuckDuckGo;
pub use searxng::Searxng;
pub use serpapi::SerpApi;

use crate::{Error, Fetch, FetchRequest, Result, Search, SearchQuery, SearchResults, Upstream};

/// A search provider's wire format: request builder and response parser.
pub trait Codec: Send + Sync {
    /// The provider's name, as in configuration (`searxng`, …).
    fn name(&self) -> &'static str;
    /// The HTTP request that runs `query`.
    fn request(&self, query: &SearchQuery) -> FetchRequest;
    /// Parses a successful response body.
    fn parse(&self, body: &[u8]) -> Result<SearchResults>;
}

/// A [`Search`] that runs a [`Codec`] over a [`Fetch`] transport.
pub struct HttpSearch {
    codec: Box<dyn Codec>,
    transport: Arc<dyn Fetch>,
}

impl HttpSearch {
    /// Joins a codec and a transport.
    pub fn new(codec: Box<dyn Codec>, transport: Arc<dyn Fetch>) -> Self {
        HttpSearch { codec, transport }
    }
}

#[async_trait]
impl Search for HttpSearch {
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let request = self.codec.request(query);
        let page = self
            .transport
            .fetch(&request)
            .await
            .map_err(|e| e.for_upstream(Upstream::Search))?;
        if !page.is_success() {
            return Err(Error::Status {
                upstream: Upstream::Search,
                status: page.status,
                url: crate::redact_url(&page.url),
                retry_after: page
                    .retry_after
                    .as_deref()
                    .and_then(parse_retry_after_seconds),
            });
        }
        let mut results = self.codec.parse(&page.body)?;
        results.hits.truncate(query.max_results);
        Ok(results)
    }
}

/// `Retry-After` as a wait: delta seconds or an HTTP date.
fn parse_retry_after_seconds(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// `(url, title, snippet)` hits in the provider's order, ranked from 1.
pub(crate) fn ranked(
    hits: impl IntoIterator<Item = (String, String, String)>,
) -> Vec<crate::SearchHit> {
    hits.into_iter()
        .enumerate()
        .map(|(i, (url, title, snippet))| crate::SearchHit {
            url,
            title,
            snippet,
            rank: i + 1,
        })
        .collect()
}

/// A provider's web hit as JSON: its URL, title and snippet (`description`
/// in Brave's answers, `content` in SearXNG's).
#[derive(serde::Deserialize)]
pub(crate) struct WebHit {
    pub(crate) url: Option<String>,
    #[serde(default)]
    pub(crate) title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    content: String,
}

impl WebHit {
    /// The snippet, under whichever name the provider gave it.
    pub(crate) fn snippet(&self) -> &str {
        if self.description.is_empty() {
            &self.content
        } else {
            &self.description
        }
    }
}

/// Reads a JSON body, naming the provider in the error.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(provider: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::InvalidResponse {
        upstream: Upstream::Search,
        message: format!("{provider}: {e}"),
    })
}

/// Removes HTML tags (Brave highlights matches with `<strong>`) and entities.
pub(crate) fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    crate::extract::decode_entities(&out)
}

/// Joins `endpoint` and `path` unless the endpoint already ends with it.
/// `endpoint` with `params` as its query string (the endpoint as given if
/// it is not a URL: the request then fails as unreachable, not here).
pub(crate) fn with_params(endpoint: &str, params: &[(&str, &str)]) -> String {
    url::Url::parse_with_params(endpoint, params).map_or_else(|_| endpoint.to_owned(), String::from)
}

pub(crate) fn endpoint_with_path(endpoint: &str, path: &str) -> String {
    let trimmed = endpoint.trim_end_matches('/');
    if trimmed.ends_with(path) {
        trimmed.to_owned()
    } else {
        format!("{trimmed}{path}")
    }
}
