//! The search APIs the sandbox speaks (SearXNG, SerpAPI, Brave, DuckDuckGo), with their rate limit and faults.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use http::{header, Response, StatusCode};

use super::{full, ResBody, SearchFault, State};
use crate::search;

/// The search API formats the sandbox speaks, by path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Searxng,
    SerpApi,
    Brave,
    DuckDuckGo,
}

pub(super) fn search_format(path: &str) -> Option<Format> {
    match path {
        "/search" => Some(Format::Searxng),
        "/search.json" => Some(Format::SerpApi),
        "/res/v1/web/search" => Some(Format::Brave),
        "/html" | "/html/" => Some(Format::DuckDuckGo),
        _ => None,
    }
}

pub(super) async fn search(
    state: &State,
    format: Format,
    query: &str,
    key_header: bool,
) -> Response<ResBody> {
    state.search_requests.fetch_add(1, Ordering::Relaxed);
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    // Keyed APIs refuse requests without a key, as the real ones do.
    let keyed_ok = match format {
        Format::SerpApi => params.get("api_key").is_some_and(|k| !k.is_empty()),
        Format::Brave => key_header,
        _ => true,
    };
    if !keyed_ok {
        return full(
            StatusCode::UNAUTHORIZED,
            "application/json",
            r#"{"error":"Invalid API key."}"#,
        );
    }
    if state.over_serp_rate() {
        state.rate_limited.fetch_add(1, Ordering::Relaxed);
        let mut r = full(
            StatusCode::TOO_MANY_REQUESTS,
            "text/plain",
            "rate limited\n",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, http::HeaderValue::from_static("1"));
        return r;
    }
    if state.inject_error() {
        return full(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            "internal error\n",
        );
    }
    state.delay().await;
    match state.knobs().search_fault {
        SearchFault::Garbage => {
            return full(
                StatusCode::OK,
                "application/json",
                "<html>502 Bad Gateway</html>\x00\x01",
            )
        }
        SearchFault::Error => {
            return full(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                "unavailable\n",
            )
        }
        SearchFault::Slow => tokio::time::sleep(Duration::from_secs(60)).await,
        SearchFault::None => {}
    }
    let q = params.get("q").map(String::as_str).unwrap_or_default();
    if q.trim().is_empty() {
        return full(StatusCode::BAD_REQUEST, "text/plain", "missing q\n");
    }
    let (hits, panel) = match state.scenario.answer(q) {
        Some(hits) => (hits.to_vec(), None),
        None => search::results_with_panel(&state.world, q, state.seed),
    };
    match format {
        Format::Searxng => match params.get("format").map(String::as_str) {
            Some("json") => full(
                StatusCode::OK,
                "application/json",
                search::searxng_json(q, &hits),
            ),
            _ => full(
                StatusCode::FORBIDDEN,
                "text/plain",
                "only format=json is enabled\n",
            ),
        },
        Format::SerpApi => full(
            StatusCode::OK,
            "application/json",
            search::serpapi_json(q, &hits, panel.as_ref()),
        ),
        Format::Brave => full(
            StatusCode::OK,
            "application/json",
            search::brave_json(q, &hits),
        ),
        Format::DuckDuckGo => full(
            StatusCode::OK,
            "text/html; charset=utf-8",
            search::duckduckgo_html(q, &hits),
        ),
    }
}
