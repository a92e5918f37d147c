//! Brave Search's web API (`/res/v1/web/search`, key in `X-Subscription-Token`).

use serde::Deserialize;

use super::{endpoint_with_path, parse_json, ranked, strip_tags, Codec};
use crate::{FetchRequest, Result, SearchQuery, SearchResults, Secret};

/// The Brave Search codec.
#[derive(Debug, Clone)]
pub struct Brave {
    endpoint: String,
    api_key: Secret,
}

impl Brave {
    /// The default base URL.
    pub const DEFAULT_ENDPOINT: &'static str = "https://api.search.brave.com";

    /// A codec for the API at `endpoint` with `api_key`.
    pub fn new(endpoint: &str, api_key: Secret) -> Self {
        Brave {
            endpoint: endpoint_with_path(endpoint, "/res/v1/web/search"),
            api_key,
        }
    }
}

#[derive(Deserialize)]
struct Response {
    web: Option<Web>,
}

#[derive(Deserialize)]
struct Web {
    #[serde(default)]
    results: Vec<Hit>,
}

#[derive(Deserialize)]
struct Hit {
    url: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

impl Codec for Brave {
    fn name(&self) -> &'static str {
        "brave"
    }

    fn request(&self, query: &SearchQuery) -> FetchRequest {
        let count = query.max_results.min(20).to_string();
        let url = url::Url::parse_with_params(
            &self.endpoint,
            &[("q", query.text.as_str()), ("count", count.as_str())],
        )
        .map_or_else(|_| self.endpoint.clone(), String::from);
        FetchRequest {
            headers: vec![
                ("accept".to_owned(), "application/json".to_owned()),
                (
                    "x-subscription-token".to_owned(),
                    self.api_key.expose().to_owned(),
                ),
            ],
            ..FetchRequest::get(url)
        }
    }

    fn parse(&self, body: &[u8]) -> Result<SearchResults> {
        let response: Response = parse_json(self.name(), body)?;
        let hits = ranked(
            response
                .web
                .map(|w| w.results)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|h| Some((h.url?, strip_tags(&h.title), strip_tags(&h.description)))),
        );
        Ok(SearchResults {
            hits,
            knowledge: None,
        })
    }
}
