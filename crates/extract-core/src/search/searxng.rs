//! SearXNG's JSON API (`/search?format=json`), as defined by SearXNG's
//! `searx/webutils.py::get_json_response`.

use serde::Deserialize;

use super::{endpoint_with_path, parse_json, ranked, Codec};
use crate::{FetchRequest, Result, SearchQuery, SearchResults};

/// The SearXNG codec. `endpoint` is the instance's base URL, with or without `/search`.
#[derive(Debug, Clone)]
pub struct Searxng {
    endpoint: String,
}

impl Searxng {
    /// The default base URL: a local instance.
    pub const DEFAULT_ENDPOINT: &'static str = "http://127.0.0.1:8888";

    /// A codec for the instance at `endpoint`.
    pub fn new(endpoint: &str) -> Self {
        Searxng {
            endpoint: endpoint_with_path(endpoint, "/search"),
        }
    }
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    results: Vec<Hit>,
}

#[derive(Deserialize)]
struct Hit {
    url: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
}

impl Codec for Searxng {
    fn name(&self) -> &'static str {
        "searxng"
    }

    fn request(&self, query: &SearchQuery) -> FetchRequest {
        let url = url::Url::parse_with_params(
            &self.endpoint,
            &[
                ("q", query.text.as_str()),
                ("format", "json"),
                ("pageno", "1"),
            ],
        )
        .map_or_else(|_| self.endpoint.clone(), String::from);
        FetchRequest::get(url)
    }

    fn parse(&self, body: &[u8]) -> Result<SearchResults> {
        let response: Response = parse_json(self.name(), body)?;
        let hits = ranked(
            response
                .results
                .into_iter()
                .filter_map(|h| Some((h.url?, h.title, h.content))),
        );
        Ok(SearchResults {
            hits,
            knowledge: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_request_and_parses() {
        let codec = Searxng::new("http://searx.local:8888/");
        let req = codec.request(&SearchQuery {
            text: "AT&T Inc".into(),
            max_results: 10,
        });
        assert_eq!(
            req.url,
            "http://searx.local:8888/search?q=AT%26T+Inc&format=json&pageno=1"
        );
        let body = br#"{"query":"x","number_of_results":2,"results":[
            {"url":"https://www.att.com/","title":"AT&T","content":"Official","engine":"bing"},
            {"title":"no url"},
            {"url":"https://en.wikipedia.org/wiki/AT%26T","title":"AT&T - Wikipedia"}],
            "answers":[],"infoboxes":[],"suggestions":[]}"#;
        let r = codec.parse(body).unwrap();
        assert_eq!(r.hits.len(), 2);
        assert_eq!(r.hits[1].rank, 2);
        assert_eq!(r.hits[0].snippet, "Official");
        assert!(codec.parse(b"<html>").is_err());
    }
}
