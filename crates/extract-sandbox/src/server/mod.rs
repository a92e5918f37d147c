//! The sandbox's HTTP server: routes by `Host`, applies the knobs (latency,
//! injected errors, search rate limit, search faults) and counts every call.
//!
//! By concept: [`state`] (counters and knobs), host routing (here), the
//! search APIs ([`search_api`]), the control endpoints ([`control`]) and
//! the sites that misbehave on purpose ([`faults`]).

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{header, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use serde::Serialize;

use crate::{render, search};

mod control;
mod faults;
mod search_api;
mod state;

use control::control;
use faults::{fault_site, gzipped};
use search_api::{search, search_format};
pub(crate) use state::State;
pub use state::{Hook, Knobs, SandboxStats, SearchFault, SiteFault, MAX_HOOKS};

pub(crate) type ResBody = BoxBody<Bytes, Infallible>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn full(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<ResBody> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(Full::new(body.into()).boxed())
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()).boxed()))
}

fn html(body: String) -> Response<ResBody> {
    full(StatusCode::OK, "text/html; charset=utf-8", body)
}

fn json(status: StatusCode, value: &impl Serialize) -> Response<ResBody> {
    full(
        status,
        "application/json",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

fn redirect(status: StatusCode, to: &str) -> Response<ResBody> {
    Response::builder()
        .status(status)
        .header(header::LOCATION, to)
        .body(Full::new(Bytes::new()).boxed())
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()).boxed()))
}

/// A request's headers as (lowercase name, value) pairs, values lossy.
fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn not_found(what: &str) -> Response<ResBody> {
    full(
        StatusCode::NOT_FOUND,
        "text/plain",
        format!("not found: {what}\n"),
    )
}

/// Answers one request.
pub(crate) async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<ResBody> {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().host())
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let path = req.uri().path().to_owned();
    let gzip_ok = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    let query = req.uri().query().unwrap_or_default().to_owned();

    // A scenario's hosts answer with its pages, before the world's sites of the same name.
    if let Some(page) = state.scenario.homepage(&host) {
        state.page_requests.fetch_add(1, Ordering::Relaxed);
        state.record_host(&host);
        state.site_delay().await;
        if let Some(given) = state.scenario.given(&host, &path) {
            return html(given.to_owned());
        }
        return match path.as_str() {
            "/" => html(page),
            "/robots.txt" => full(StatusCode::OK, "text/plain", "User-agent: *\nAllow: /\n"),
            // Hits point at deeper pages (`/en/`, `/wiki/…`): each is the same page.
            p if !p.contains('.') || p.ends_with(".html") => html(page),
            _ => not_found(&path),
        };
    }
    if let Some(company) = state.world.by_host(&host) {
        state.page_requests.fetch_add(1, Ordering::Relaxed);
        // Politeness spaces pages; robots.txt goes beside the first page.
        if path == "/robots.txt" {
            state.robots_requests.fetch_add(1, Ordering::Relaxed);
        } else {
            state.record_host(&host);
        }
        if state.inject_error() {
            return full(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/html",
                "<h1>500 Internal Server Error</h1>",
            );
        }
        state.site_delay().await;
        if path != "/robots.txt" {
            match state.site_fault() {
                SiteFault::None => {}
                SiteFault::Huge => return fault_site("huge", &path).await,
                SiteFault::Bomb => return fault_site("bomb", &path).await,
                SiteFault::RedirectLoop => {
                    return redirect(StatusCode::FOUND, &format!("https://{host}{path}"))
                }
            }
        }
        if host != company.host {
            return redirect(
                StatusCode::MOVED_PERMANENTLY,
                &format!("https://{}{}", company.host, path),
            );
        }
        return match path.as_str() {
            // Half the sites compress their pages, as real ones do when asked.
            "/" | "/index.html" if gzip_ok && company.index % 2 == 0 => {
                gzipped(render::homepage(company))
            }
            "/" | "/index.html" => html(render::homepage(company)),
            "/about" | "/about-us" => html(render::about(company)),
            "/contact" => html(render::contact(company)),
            "/robots.txt" => full(StatusCode::OK, "text/plain", render::robots(company)),
            "/favicon.ico" => full(StatusCode::OK, "image/x-icon", &b"\0\0\x01\0"[..]),
            p if p.starts_with("/assets/") || p == "/apple-touch-icon.png" => {
                full(StatusCode::OK, "image/png", &b"\x89PNG\r\n\x1a\n"[..])
            }
            "/careers" | "/investors" | "/news" | "/privacy" | "/terms" | "/products" => {
                html(render::filler(company, &path))
            }
            p if p.starts_with("/news/") => html(render::filler(company, p)),
            _ => not_found(&path),
        };
    }
    if let Some(page) = state.corpus.get(&host) {
        state.page_requests.fetch_add(1, Ordering::Relaxed);
        state.record_host(&host);
        return match path.as_str() {
            "/" => full(StatusCode::OK, "text/html", page.clone()),
            _ => not_found(&path),
        };
    }
    if host == "echo.sandbox.test" {
        // What the request carried, for tests of what a client sends where.
        state.page_requests.fetch_add(1, Ordering::Relaxed);
        let headers: std::collections::BTreeMap<String, String> =
            header_pairs(req.headers()).into_iter().collect();
        return json(
            StatusCode::OK,
            &serde_json::json!({ "path": path, "query": query, "headers": headers }),
        );
    }
    if host.ends_with(".sandbox.test") {
        state.page_requests.fetch_add(1, Ordering::Relaxed);
        state.record_host(&host);
        return fault_site(&host, &path).await;
    }
    if let Some(format) = search_format(&path) {
        let key_given = req.headers().contains_key("x-subscription-token");
        return search(&state, format, &query, key_given).await;
    }
    if let Some(rest) = path.strip_prefix("/__sandbox/") {
        let method = req.method().clone();
        let rest = rest.to_owned();
        return control(&state, &method, &rest, &query, req).await;
    }
    if search::is_lookalike_host(&host) {
        state.page_requests.fetch_add(1, Ordering::Relaxed);
        state.record_host(&host);
        state.site_delay().await;
        return html(render::lookalike(&host));
    }
    not_found(&format!("no site at host {host:?}"))
}
