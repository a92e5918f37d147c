//! The pipeline over in-process `Search` and `Fetch` implementations.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use extract_core::{
    CompanyQuery, Config, Error, Fetch, FetchRequest, Page, Pipeline, ProfileSource, Result,
    Search, SearchQuery, SearchResults, Upstream,
};

/// A site that speaks only plain http: every https connection is refused.
#[derive(Default)]
struct HttpOnly {
    asked: Mutex<Vec<String>>,
}

#[async_trait]
impl Fetch for HttpOnly {
    async fn fetch(&self, request: &FetchRequest) -> Result<Page> {
        self.asked.lock().unwrap().push(request.url.clone());
        if request.url.starts_with("https://") {
            return Err(Error::Connect {
                upstream: Upstream::Site,
                url: request.url.clone(),
                message: "connection refused".into(),
            });
        }
        let (status, body): (u16, &str) = if request.url.ends_with("/robots.txt") {
            (200, "User-agent: *\nAllow: /\n")
        } else {
            (200, "<html><head><title>Acme Anvils</title><meta name=\"description\" content=\"Anvils since 1901.\"></head><body></body></html>")
        };
        Ok(Page {
            url: request.url.clone(),
            status,
            content_type: Some("text/html".into()),
            body: Bytes::from(body.to_owned()),
            retry_after: None,
            truncated: false,
        })
    }
}

struct NoSearch;

#[async_trait]
impl Search for NoSearch {
    async fn search(&self, _q: &SearchQuery) -> Result<SearchResults> {
        Ok(SearchResults::default())
    }
}

#[tokio::test]
async fn a_domain_that_serves_only_http_is_read_over_http() {
    let fetch = Arc::new(HttpOnly::default());
    let pipeline = Pipeline::new(Arc::new(NoSearch), fetch.clone(), Config::default());
    let q = CompanyQuery::new(None, Some("acme.example"), Default::default(), 256).unwrap();
    let profile = pipeline.profile(&q).await.unwrap();
    assert_eq!(
        profile.pages[0].url, "http://acme.example/",
        "{:?}",
        profile.pages
    );
    assert_eq!(profile.description.unwrap().value, "Anvils since 1901.");
    let asked = fetch.asked.lock().unwrap();
    assert!(
        asked.contains(&"http://acme.example/robots.txt".to_owned()),
        "{asked:?}"
    );
}
