//! DuckDuckGo's HTML results page (`html.duckduckgo.com/html/`), the
//! key-less default. Results are `.result` blocks with an `a.result__a` title
//! link (often through DuckDuckGo's `/l/?uddg=` redirect) and a
//! `.result__snippet`; ads (`.result--ad`) are skipped.

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::{element, end_tag, text, HtmlRewriter, Settings};

use super::{endpoint_with_path, ranked, with_params, Codec};

use crate::extract::{collapse_ws, decode_entities};
use crate::{Error, FetchRequest, Result, SearchQuery, SearchResults, Upstream};

/// The DuckDuckGo HTML codec.
#[derive(Debug, Clone)]
pub struct DuckDuckGo {
    endpoint: String,
}

impl DuckDuckGo {
    /// The default base URL.
    pub const DEFAULT_ENDPOINT: &'static str = "https://html.duckduckgo.com";

    /// A codec for the results page at `endpoint`.
    pub fn new(endpoint: &str) -> Self {
        DuckDuckGo {
            endpoint: endpoint_with_path(endpoint, "/html/"),
        }
    }
}

#[derive(Default)]
struct State {
    hits: Vec<(String, String, String)>,
    in_ad: bool,
    in_title: bool,
    in_snippet: bool,
    results_seen: usize,
}

impl Codec for DuckDuckGo {
    fn name(&self) -> &'static str {
        "duckduckgo"
    }

    fn request(&self, query: &SearchQuery) -> FetchRequest {
        let url = with_params(&self.endpoint, &[("q", query.text.as_str())]);
        FetchRequest::get(url)
    }

    fn parse(&self, body: &[u8]) -> Result<SearchResults> {
        let state = Rc::new(RefCell::new(State::default()));
        let (s1, s2, s3, s4, s5) = (
            state.clone(),
            state.clone(),
            state.clone(),
            state.clone(),
            state.clone(),
        );
        let mut rewriter = HtmlRewriter::new(
            Settings {
                element_content_handlers: vec![
                    element!(".result", move |el| {
                        let ad = el
                            .get_attribute("class")
                            .is_some_and(|c| c.contains("result--ad"));
                        let mut st = s1.borrow_mut();
                        st.in_ad = ad;
                        st.results_seen += 1;
                        Ok(())
                    }),
                    element!("a.result__a[href]", move |el| {
                        let href = el.get_attribute("href").unwrap_or_default();
                        {
                            let mut st = s2.borrow_mut();
                            if st.in_ad || st.hits.len() >= 50 {
                                return Ok(());
                            }
                            st.hits
                                .push((resolve_redirect(&href), String::new(), String::new()));
                            st.in_title = true;
                        }
                        let s = s2.clone();
                        if el.can_have_content() {
                            let _ = el.on_end_tag(end_tag!(move |_| {
                                s.borrow_mut().in_title = false;
                                Ok(())
                            }));
                        }
                        Ok(())
                    }),
                    text!("a.result__a", move |t| {
                        let mut st = s3.borrow_mut();
                        if st.in_title {
                            if let Some(h) = st.hits.last_mut() {
                                h.1.push_str(t.as_str());
                            }
                        }
                        Ok(())
                    }),
                    element!(".result__snippet", move |el| {
                        s4.borrow_mut().in_snippet = true;
                        let s = s4.clone();
                        if el.can_have_content() {
                            let _ = el.on_end_tag(end_tag!(move |_| {
                                s.borrow_mut().in_snippet = false;
                                Ok(())
                            }));
                        }
                        Ok(())
                    }),
                    text!(".result__snippet", move |t| {
                        let mut st = s5.borrow_mut();
                        if st.in_snippet && !st.in_ad {
                            if let Some(h) = st.hits.last_mut() {
                                h.2.push_str(t.as_str());
                            }
                        }
                        Ok(())
                    }),
                ],
                ..Settings::new()
            },
            |_: &[u8]| {},
        );
        let ok = rewriter.write(body).is_ok() && rewriter.end().is_ok();
        let st = std::mem::take(&mut *state.borrow_mut());
        if !ok || (st.results_seen == 0 && !looks_like_results_page(body)) {
            return Err(Error::InvalidResponse {
                upstream: Upstream::Search,
                message: "duckduckgo: not a results page".to_owned(),
            });
        }
        let hits = ranked(
            st.hits
                .into_iter()
                .filter(|(url, _, _)| url.starts_with("http"))
                .map(|(url, title, snippet)| {
                    (
                        url,
                        collapse_ws(&decode_entities(&title)),
                        collapse_ws(&decode_entities(&snippet)),
                    )
                }),
        );
        Ok(SearchResults {
            hits,
            knowledge: None,
        })
    }
}

/// `//duckduckgo.com/l/?uddg=<encoded>&rut=…` -> the target URL.
fn resolve_redirect(href: &str) -> String {
    let href = decode_entities(href.trim());
    let absolute = if href.starts_with("//") {
        format!("https:{href}")
    } else {
        href.clone()
    };
    if let Ok(url) = url::Url::parse(&absolute) {
        if url.path().starts_with("/l/") {
            if let Some((_, target)) = url.query_pairs().find(|(k, _)| k == "uddg") {
                return target.into_owned();
            }
        }
    }
    absolute
}

/// A results page with no results still has the results container.
fn looks_like_results_page(body: &[u8]) -> bool {
    memchr::memmem::find(body, b"class=\"results").is_some()
        || memchr::memmem::find(body, b"no-results").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_results_and_skips_ads() {
        let page = br##"<html><body><div class="serp__results"><div id="links" class="results">
          <div class="result results_links results_links_deep result--ad"><div class="links_main">
            <h2 class="result__title"><a class="result__a" href="https://ads.example/x">Ad</a></h2>
            <a class="result__snippet" href="#">Buy now</a></div></div>
          <div class="result results_links results_links_deep web-result"><div class="links_main links_deep result__body">
            <h2 class="result__title"><a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fwww.walmart.com%2F&amp;rut=abc">Walmart.com | Save Money. Live Better</a></h2>
            <a class="result__snippet" href="//duckduckgo.com/l/?uddg=x">Shop <b>Walmart</b>.com today &amp; more.</a></div></div>
          <div class="result results_links web-result"><div class="links_main">
            <h2 class="result__title"><a class="result__a" href="https://en.wikipedia.org/wiki/Walmart">Walmart - Wikipedia</a></h2>
            <a class="result__snippet" href="x">Walmart Inc. is an American retail corporation.</a></div></div>
        </div></div></body></html>"##;
        let r = DuckDuckGo::new(DuckDuckGo::DEFAULT_ENDPOINT)
            .parse(page)
            .unwrap();
        assert_eq!(r.hits.len(), 2);
        assert_eq!(r.hits[0].url, "https://www.walmart.com/");
        assert_eq!(r.hits[0].title, "Walmart.com | Save Money. Live Better");
        assert_eq!(r.hits[0].snippet, "Shop Walmart.com today & more.");
        assert_eq!(r.hits[1].rank, 2);
        assert!(DuckDuckGo::new("x").parse(b"{\"json\": true}").is_err());
        let empty = br#"<html><body><div class="results"><div class="no-results">No results.</div></div></body></html>"#;
        assert!(DuckDuckGo::new("x").parse(empty).unwrap().hits.is_empty());
    }
}
