//! SearXNG's JSON API (`/search?format=json`), as defined by SearXNG's
//! `searx/webutils.py::get_json_response`. An infobox (Wikidata's, say)
//! whose links include the official website (`"official": true`, or titled
//! "Official website") becomes the [`Knowledge`] panel.

use serde::Deserialize;

use super::{endpoint_with_path, parse_json, ranked, with_params, Codec, WebHit};
use crate::{FetchRequest, Knowledge, Result, SearchQuery, SearchResults};

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
    results: Vec<WebHit>,
    #[serde(default)]
    infoboxes: Vec<Infobox>,
}

#[derive(Deserialize)]
struct Infobox {
    #[serde(default)]
    infobox: String,
    #[serde(default)]
    urls: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    #[serde(default)]
    title: String,
    url: Option<String>,
    #[serde(default)]
    official: bool,
}

impl Infobox {
    fn official_website(&self) -> Option<&str> {
        self.urls
            .iter()
            .find(|l| l.official || l.title.eq_ignore_ascii_case("official website"))
            .and_then(|l| l.url.as_deref())
    }
}

impl Codec for Searxng {
    fn name(&self) -> &'static str {
        "searxng"
    }

    fn request(&self, query: &SearchQuery) -> FetchRequest {
        let url = with_params(
            &self.endpoint,
            &[
                ("q", query.text.as_str()),
                ("format", "json"),
                ("pageno", "1"),
            ],
        );
        FetchRequest::get(url)
    }

    fn parse(&self, body: &[u8]) -> Result<SearchResults> {
        let response: Response = parse_json(self.name(), body)?;
        let knowledge = response
            .infoboxes
            .iter()
            .filter(|i| !i.infobox.is_empty())
            .find_map(|i| {
                Some(Knowledge {
                    title: i.infobox.clone(),
                    website: Some(i.official_website()?.to_owned()),
                })
            });
        let hits = ranked(response.results.into_iter().filter_map(|h| {
            let snippet = h.snippet().to_owned();
            Some((h.url?, h.title, snippet))
        }));
        Ok(SearchResults { hits, knowledge })
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
        assert!(r.knowledge.is_none());
    }

    #[test]
    fn an_infobox_with_the_official_website_is_the_knowledge_panel() {
        let codec = Searxng::new("http://searx.local:8888/");
        let body = br#"{"query":"x","results":[],"infoboxes":[
            {"infobox":"Example Anvils","id":"https://www.wikidata.org/wiki/Q1","engine":"wikidata",
             "urls":[{"title":"Wikipedia","url":"https://en.wikipedia.org/wiki/Example_Anvils"},
                     {"title":"Official website","url":"https://example-anvils.com/","official":true}]}]}"#;
        let k = codec.parse(body).unwrap().knowledge.unwrap();
        assert_eq!(k.title, "Example Anvils");
        assert_eq!(k.website.as_deref(), Some("https://example-anvils.com/"));
        let none = br#"{"results":[],"infoboxes":[{"infobox":"X","urls":[{"title":"Wikipedia","url":"https://en.wikipedia.org/wiki/X"}]}]}"#;
        assert!(codec.parse(none).unwrap().knowledge.is_none());
    }
}
