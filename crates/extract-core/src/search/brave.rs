//! Brave Search's web API (`/res/v1/web/search`, key in `X-Subscription-Token`).
//! The `infobox` (Brave's knowledge graph: `{"type": "graph", "results":
//! [{"type": "infobox", "title", "website_url", …}]}`) becomes the
//! [`Knowledge`] panel.

use serde::Deserialize;

use super::{endpoint_with_path, parse_json, ranked, strip_tags, with_params, Codec, WebHit};
use crate::{FetchRequest, Knowledge, Result, SearchQuery, SearchResults, Secret};

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
    infobox: Option<Infobox>,
}

#[derive(Deserialize)]
struct Infobox {
    #[serde(default)]
    results: Vec<Entity>,
}

#[derive(Deserialize)]
struct Entity {
    #[serde(default)]
    title: String,
    website_url: Option<String>,
}

#[derive(Deserialize)]
struct Web {
    #[serde(default)]
    results: Vec<WebHit>,
}

impl Codec for Brave {
    fn name(&self) -> &'static str {
        "brave"
    }

    fn request(&self, query: &SearchQuery) -> FetchRequest {
        let count = query.max_results.min(20).to_string();
        let url = with_params(
            &self.endpoint,
            &[("q", query.text.as_str()), ("count", count.as_str())],
        );
        FetchRequest {
            headers: vec![
                ("accept".to_owned(), "application/json".to_owned()),
                (
                    "x-subscription-token".to_owned(),
                    self.api_key.expose().to_owned(),
                ),
            ],
            credentials: true,
            ..FetchRequest::get(url)
        }
    }

    fn parse(&self, body: &[u8]) -> Result<SearchResults> {
        let response: Response = parse_json(self.name(), body)?;
        // The first entity that names a website; else the first one.
        let knowledge = response.infobox.and_then(|i| {
            let mut entities = i.results.into_iter().filter(|e| !e.title.is_empty());
            let first = entities.next()?;
            let chosen = if first.website_url.is_some() {
                first
            } else {
                entities.find(|e| e.website_url.is_some()).unwrap_or(first)
            };
            Some(Knowledge {
                title: strip_tags(&chosen.title),
                website: chosen.website_url,
            })
        });
        let hits = ranked(
            response
                .web
                .map(|w| w.results)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|h| {
                    let snippet = strip_tags(h.snippet());
                    Some((h.url?, strip_tags(&h.title), snippet))
                }),
        );
        Ok(SearchResults { hits, knowledge })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_infobox_is_the_knowledge_panel() {
        let codec = Brave::new(Brave::DEFAULT_ENDPOINT, Secret::new("k"));
        let body = br#"{"type":"search","web":{"type":"search","results":[
            {"url":"https://www.example-anvils.com/","title":"Example <strong>Anvils</strong>","description":"Anvils since 1901"}]},
            "infobox":{"type":"graph","results":[
              {"type":"infobox","subtype":"generic","title":"Example Anvils","long_desc":"A maker of anvils.",
               "website_url":"https://www.example-anvils.com/","url":"https://en.wikipedia.org/wiki/Example_Anvils"}]}}"#;
        let r = codec.parse(body).unwrap();
        assert_eq!(r.hits[0].title, "Example Anvils");
        let k = r.knowledge.unwrap();
        assert_eq!(k.title, "Example Anvils");
        assert_eq!(
            k.website.as_deref(),
            Some("https://www.example-anvils.com/")
        );
        // An infobox without a website still names the entity; none at all is no panel.
        let r = codec
            .parse(br#"{"web":{"results":[]},"infobox":{"results":[{"title":"Example"}]}}"#)
            .unwrap();
        assert_eq!(r.knowledge.unwrap().website, None);
        assert!(codec
            .parse(br#"{"web":{"results":[]}}"#)
            .unwrap()
            .knowledge
            .is_none());
    }
}
