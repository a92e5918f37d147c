//! SerpAPI's Google results (`/search.json?engine=google`): organic results
//! and the knowledge graph. The SearchApi.io (`organic_results`,
//! `knowledge_graph`) and Serper.dev (`organic`, `knowledgeGraph`) shapes are
//! read too: they differ only in names.

use serde::Deserialize;

use super::{endpoint_with_path, parse_json, ranked, with_params, Codec};

use crate::{FetchRequest, Knowledge, Result, SearchQuery, SearchResults, Secret};

/// The SerpAPI codec.
#[derive(Debug, Clone)]
pub struct SerpApi {
    endpoint: String,
    api_key: Secret,
}

impl SerpApi {
    /// The default base URL.
    pub const DEFAULT_ENDPOINT: &'static str = "https://serpapi.com";

    /// A codec for the API at `endpoint` with `api_key`.
    pub fn new(endpoint: &str, api_key: Secret) -> Self {
        SerpApi {
            endpoint: endpoint_with_path(endpoint, "/search.json"),
            api_key,
        }
    }
}

#[derive(Deserialize)]
struct Response {
    #[serde(default, alias = "organic")]
    organic_results: Vec<Organic>,
    #[serde(default, alias = "knowledgeGraph")]
    knowledge_graph: Option<KnowledgeGraph>,
}

#[derive(Deserialize)]
struct Organic {
    link: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    snippet: String,
}

#[derive(Deserialize)]
struct KnowledgeGraph {
    #[serde(default)]
    title: String,
    website: Option<String>,
}

impl Codec for SerpApi {
    fn name(&self) -> &'static str {
        "serpapi"
    }

    fn request(&self, query: &SearchQuery) -> FetchRequest {
        let num = query.max_results.to_string();
        let url = with_params(
            &self.endpoint,
            &[
                ("engine", "google"),
                ("q", query.text.as_str()),
                ("num", num.as_str()),
                ("api_key", self.api_key.expose()),
            ],
        );
        FetchRequest {
            credentials: true,
            ..FetchRequest::get(url)
        }
    }

    fn parse(&self, body: &[u8]) -> Result<SearchResults> {
        let response: Response = parse_json(self.name(), body)?;
        let hits = ranked(
            response
                .organic_results
                .into_iter()
                .filter_map(|o| Some((o.link?, o.title, o.snippet))),
        );
        let knowledge = response.knowledge_graph.map(|k| Knowledge {
            title: k.title,
            website: k.website,
        });
        Ok(SearchResults { hits, knowledge })
    }
}
