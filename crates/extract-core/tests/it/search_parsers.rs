//! Each search parser on real responses.

use extract_core::search::{Brave, Codec, SerpApi};
use extract_core::Secret;

use crate::corpus::read;

#[test]
fn brave_real_response() {
    let body =
        read("search_api/remusao-haskell-brave-search-api__Web.hs__brave_search_response.json");
    let r = Brave::new(Brave::DEFAULT_ENDPOINT, Secret::new("k"))
        .parse(&body)
        .unwrap();
    assert_eq!(r.hits.len(), 19);
    assert_eq!(r.hits[0].url, "https://search.brave.com/");
    assert_eq!(r.hits[0].title, "Private Search Engine - Brave Search");
    assert!(
        !r.hits[0].snippet.contains("<strong>"),
        "highlight tags removed: {}",
        r.hits[0].snippet
    );
    assert!(r.hits.iter().enumerate().all(|(i, h)| h.rank == i + 1));
}

#[test]
fn google_shapes_searchapi_and_serper() {
    let codec = SerpApi::new(SerpApi::DEFAULT_ENDPOINT, Secret::new("k"));
    let searchapi = codec
        .parse(&read(
            "search_api/deepset-ai-haystack__test_searchapi__EXAMPLE_SEARCHAPI_RESPONSE.json",
        ))
        .unwrap();
    assert!(!searchapi.hits.is_empty());
    assert_eq!(
        searchapi.hits[0].url,
        "https://news.microsoft.com/exec/satya-nadella/"
    );
    assert_eq!(searchapi.knowledge.as_ref().unwrap().title, "Satya Nadella");
    let serper = codec
        .parse(&read(
            "search_api/deepset-ai-haystack__test_serperdev__EXAMPLE_SERPERDEV_RESPONSE.json",
        ))
        .unwrap();
    assert!(!serper.hits.is_empty());
    assert!(serper.hits[0].url.starts_with("https://pagesix.com/"));
    assert!(serper.knowledge.is_none());
}

#[test]
fn requests_carry_keys_where_the_provider_wants_them() {
    use extract_core::SearchQuery;
    let q = SearchQuery {
        text: "Walmart".into(),
        max_results: 10,
    };
    let serp = SerpApi::new("https://serpapi.com", Secret::new("s3cret")).request(&q);
    assert!(serp
        .url
        .starts_with("https://serpapi.com/search.json?engine=google&q=Walmart"));
    assert!(serp.url.contains("api_key=s3cret"));
    let brave = Brave::new("https://api.search.brave.com", Secret::new("t0ken")).request(&q);
    assert!(brave
        .url
        .starts_with("https://api.search.brave.com/res/v1/web/search?q=Walmart"));
    assert!(brave
        .headers
        .iter()
        .any(|(k, v)| k == "x-subscription-token" && v == "t0ken"));
    assert_eq!(format!("{:?}", Secret::new("t0ken")), "\"***\"");
}
