//! The sandbox's HTTP server: routes by `Host`, applies the knobs (latency,
//! injected errors, search rate limit, search faults) and counts every call.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming};
use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;
use crate::world::World;
use crate::{render, search};

pub(crate) type ResBody = BoxBody<Bytes, Infallible>;

/// Counters of upstream calls, as `GET /__sandbox/stats` reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Search requests received (including rate-limited ones).
    pub search_requests: u64,
    /// Website requests received (pages, robots.txt, assets).
    pub page_requests: u64,
    /// 429 answers sent by the search rate limit.
    pub rate_limited: u64,
    /// 500 answers sent by error injection.
    pub errors_injected: u64,
    /// The highest number of requests one host received within any one second.
    pub max_host_rps: u64,
    /// robots.txt requests (also counted in `page_requests`).
    pub robots_requests: u64,
}

/// What the search endpoint does besides answering.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchFault {
    /// Answers normally.
    #[default]
    None,
    /// Answers 200 with a body that is not JSON.
    Garbage,
    /// Answers 503.
    Error,
    /// Answers after 60 seconds.
    Slow,
}

/// The knobs that can change while the sandbox runs (`POST /__sandbox/config`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// Base latency of every search and page answer, in ms; each answer
    /// waits a uniformly random 50–150 % of it.
    pub latency_ms: u64,
    /// Share of search and page requests answered with a 500, in `0.0..=1.0`.
    pub error_rate: f64,
    /// Search requests per second above which the search endpoint answers
    /// 429 with `Retry-After: 1`; 0 means no limit.
    pub serp_rate: f64,
    /// A fault of the search endpoint.
    pub search_fault: SearchFault,
    /// Extra latency of every site answer (pages and robots.txt, not
    /// search), in ms: slow websites behind a fast search provider.
    pub site_latency_ms: u64,
}

pub(crate) struct State {
    pub(crate) world: World,
    pub(crate) seed: u64,
    latency_ms: AtomicU64,
    site_latency_ms: AtomicU64,
    error_rate_ppm: AtomicU64,
    serp_rate_milli: AtomicU64,
    search_fault: AtomicU8,
    search_requests: AtomicU64,
    page_requests: AtomicU64,
    robots_requests: AtomicU64,
    rate_limited: AtomicU64,
    errors_injected: AtomicU64,
    max_host_rps: AtomicU64,
    serp_window: Mutex<VecDeque<Instant>>,
    host_windows: Mutex<HashMap<String, VecDeque<Instant>>>,
    corpus: HashMap<String, Bytes>,
    scenario: Scenario,
    hooks: Mutex<VecDeque<Hook>>,
}

/// A POST the sandbox received at `/__sandbox/hooks/…` (a webhook receiver),
/// as `GET /__sandbox/hooks` lists them; the last [`MAX_HOOKS`] are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hook {
    /// The path it was posted to.
    pub path: String,
    /// Its headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// Its body, as text (lossy).
    pub body: String,
}

/// How many received webhooks the sandbox keeps.
pub const MAX_HOOKS: usize = 100;

impl State {
    pub(crate) fn new(
        world: World,
        seed: u64,
        knobs: Knobs,
        corpus: HashMap<String, Bytes>,
        scenario: Scenario,
    ) -> Self {
        let s = State {
            world,
            seed,
            latency_ms: AtomicU64::new(0),
            site_latency_ms: AtomicU64::new(0),
            error_rate_ppm: AtomicU64::new(0),
            serp_rate_milli: AtomicU64::new(0),
            search_fault: AtomicU8::new(0),
            search_requests: AtomicU64::new(0),
            page_requests: AtomicU64::new(0),
            robots_requests: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            errors_injected: AtomicU64::new(0),
            max_host_rps: AtomicU64::new(0),
            serp_window: Mutex::new(VecDeque::new()),
            host_windows: Mutex::new(HashMap::new()),
            corpus,
            scenario,
            hooks: Mutex::new(VecDeque::new()),
        };
        s.set_knobs(knobs);
        s
    }

    pub(crate) fn set_knobs(&self, k: Knobs) {
        self.latency_ms.store(k.latency_ms, Ordering::Relaxed);
        self.site_latency_ms
            .store(k.site_latency_ms, Ordering::Relaxed);
        self.error_rate_ppm.store(
            (k.error_rate.clamp(0.0, 1.0) * 1e6) as u64,
            Ordering::Relaxed,
        );
        self.serp_rate_milli
            .store((k.serp_rate.max(0.0) * 1000.0) as u64, Ordering::Relaxed);
        let fault = match k.search_fault {
            SearchFault::None => 0,
            SearchFault::Garbage => 1,
            SearchFault::Error => 2,
            SearchFault::Slow => 3,
        };
        self.search_fault.store(fault, Ordering::Relaxed);
    }

    pub(crate) fn knobs(&self) -> Knobs {
        Knobs {
            latency_ms: self.latency_ms.load(Ordering::Relaxed),
            site_latency_ms: self.site_latency_ms.load(Ordering::Relaxed),
            error_rate: self.error_rate_ppm.load(Ordering::Relaxed) as f64 / 1e6,
            serp_rate: self.serp_rate_milli.load(Ordering::Relaxed) as f64 / 1000.0,
            search_fault: match self.search_fault.load(Ordering::Relaxed) {
                1 => SearchFault::Garbage,
                2 => SearchFault::Error,
                3 => SearchFault::Slow,
                _ => SearchFault::None,
            },
        }
    }

    pub(crate) fn stats(&self) -> Stats {
        Stats {
            search_requests: self.search_requests.load(Ordering::Relaxed),
            page_requests: self.page_requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            errors_injected: self.errors_injected.load(Ordering::Relaxed),
            max_host_rps: self.max_host_rps.load(Ordering::Relaxed),
            robots_requests: self.robots_requests.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn reset(&self) {
        for c in [
            &self.search_requests,
            &self.page_requests,
            &self.robots_requests,
            &self.rate_limited,
            &self.errors_injected,
            &self.max_host_rps,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        lock(&self.serp_window).clear();
        lock(&self.host_windows).clear();
        lock(&self.hooks).clear();
    }

    pub(crate) fn hooks(&self) -> Vec<Hook> {
        lock(&self.hooks).iter().cloned().collect()
    }

    fn inject_error(&self) -> bool {
        let ppm = self.error_rate_ppm.load(Ordering::Relaxed);
        if ppm > 0 && fastrand::u64(0..1_000_000) < ppm {
            self.errors_injected.fetch_add(1, Ordering::Relaxed);
            true
        } else {
            false
        }
    }

    async fn delay(&self) {
        let base = self.latency_ms.load(Ordering::Relaxed);
        if base > 0 {
            let ms = fastrand::u64(base / 2..=base + base / 2);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }

    /// The delay of a site answer: the base latency and the site latency.
    async fn site_delay(&self) {
        self.delay().await;
        let extra = self.site_latency_ms.load(Ordering::Relaxed);
        if extra > 0 {
            tokio::time::sleep(Duration::from_millis(extra)).await;
        }
    }

    /// Records a search request in the one-second window; true when it is over the limit.
    fn over_serp_rate(&self) -> bool {
        let milli = self.serp_rate_milli.load(Ordering::Relaxed);
        if milli == 0 {
            return false;
        }
        let now = Instant::now();
        let mut w = lock(&self.serp_window);
        while w
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            w.pop_front();
        }
        // The limit counts the requests admitted in the last second.
        if (w.len() as u64 + 1) * 1000 > milli {
            return true;
        }
        w.push_back(now);
        false
    }

    fn record_host(&self, host: &str) {
        let now = Instant::now();
        let mut windows = lock(&self.host_windows);
        let w = windows.entry(host.to_owned()).or_default();
        w.push_back(now);
        while w
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            w.pop_front();
        }
        let n = w.len() as u64;
        drop(windows);
        self.max_host_rps.fetch_max(n, Ordering::Relaxed);
    }
}

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
        state.record_host(&host);
        if path == "/robots.txt" {
            state.robots_requests.fetch_add(1, Ordering::Relaxed);
        }
        if state.inject_error() {
            return full(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/html",
                "<h1>500 Internal Server Error</h1>",
            );
        }
        state.site_delay().await;
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

/// The search API formats the sandbox speaks, by path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Searxng,
    SerpApi,
    Brave,
    DuckDuckGo,
}

fn search_format(path: &str) -> Option<Format> {
    match path {
        "/search" => Some(Format::Searxng),
        "/search.json" => Some(Format::SerpApi),
        "/res/v1/web/search" => Some(Format::Brave),
        "/html" | "/html/" => Some(Format::DuckDuckGo),
        _ => None,
    }
}

async fn search(state: &State, format: Format, query: &str, key_header: bool) -> Response<ResBody> {
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

async fn control(
    state: &State,
    method: &Method,
    rest: &str,
    query: &str,
    req: Request<Incoming>,
) -> Response<ResBody> {
    match (method, rest) {
        (&Method::GET, "stats") => json(StatusCode::OK, &state.stats()),
        (&Method::POST, "reset") => {
            state.reset();
            json(StatusCode::OK, &state.stats())
        }
        (&Method::GET, "config") => json(StatusCode::OK, &state.knobs()),
        (&Method::GET, "hooks") => json(StatusCode::OK, &state.hooks()),
        (&Method::POST, hook) if hook.starts_with("hooks/") => {
            let path = format!("/__sandbox/{hook}");
            let headers = req
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = match http_body_util::Limited::new(req.into_body(), 1 << 20)
                .collect()
                .await
            {
                Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
                Err(e) => {
                    return json(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        &serde_json::json!({"error": e.to_string()}),
                    )
                }
            };
            {
                let mut hooks = lock(&state.hooks);
                if hooks.len() >= MAX_HOOKS {
                    hooks.pop_front();
                }
                hooks.push_back(Hook {
                    path,
                    headers,
                    body,
                });
            }
            json(StatusCode::OK, &serde_json::json!({"received": true}))
        }
        (&Method::POST, "config") => {
            let body = match http_body_util::Limited::new(req.into_body(), 64 * 1024)
                .collect()
                .await
            {
                Ok(b) => b.to_bytes(),
                Err(e) => {
                    return json(
                        StatusCode::BAD_REQUEST,
                        &serde_json::json!({"error": e.to_string()}),
                    )
                }
            };
            // Unset fields keep their current values.
            let mut current = serde_json::to_value(state.knobs()).unwrap_or_default();
            let patch: serde_json::Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(e) => {
                    return json(
                        StatusCode::BAD_REQUEST,
                        &serde_json::json!({"error": e.to_string()}),
                    )
                }
            };
            if let (Some(cur), Some(p)) = (current.as_object_mut(), patch.as_object()) {
                for (k, v) in p {
                    cur.insert(k.clone(), v.clone());
                }
            }
            match serde_json::from_value::<Knobs>(current) {
                Ok(k) => {
                    state.set_knobs(k);
                    json(StatusCode::OK, &state.knobs())
                }
                Err(e) => json(
                    StatusCode::BAD_REQUEST,
                    &serde_json::json!({"error": e.to_string()}),
                ),
            }
        }
        (&Method::GET, "companies") => {
            let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let offset: usize = params
                .get("offset")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let limit: usize = params
                .get("limit")
                .and_then(|v| v.parse().ok())
                .unwrap_or(100);
            let list: Vec<serde_json::Value> = state
                .world
                .companies()
                .iter()
                .skip(offset)
                .take(limit.min(10_000))
                .map(|c| serde_json::json!({"name": c.name, "domain": c.domain, "host": c.host, "style": c.style}))
                .collect();
            json(StatusCode::OK, &list)
        }
        (&Method::GET, r) if r.starts_with("truth/") => {
            let name = url::form_urlencoded::parse(format!("n={}", &r[6..]).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let comprehensive = query.contains("mode=comprehensive");
            match state.world.lookup(&name) {
                Some(c) if comprehensive => {
                    json(StatusCode::OK, &state.world.truth_comprehensive(c))
                }
                Some(c) => json(StatusCode::OK, &state.world.truth(c)),
                None => json(
                    StatusCode::NOT_FOUND,
                    &serde_json::json!({"error": format!("no company {name:?}")}),
                ),
            }
        }
        _ => not_found(rest),
    }
}

/// Sites that misbehave on purpose, for fault tests.
async fn fault_site(host: &str, path: &str) -> Response<ResBody> {
    match host.trim_end_matches(".sandbox.test") {
        "slow" if path == "/robots.txt" => not_found(path),
        "slow" if path == "/robots.txt" => not_found(path),
        "norobots" => match path {
            "/robots.txt" => full(StatusCode::OK, "text/plain", "User-agent: *\nDisallow: /\n"),
            _ => html("<html><head><title>Private</title></head><body>Nobody may crawl this.</body></html>".to_owned()),
        },
        "robots-down" => match path {
            "/robots.txt" => full(StatusCode::SERVICE_UNAVAILABLE, "text/plain", "down\n"),
            _ => html("<html><head><title>Half down</title></head></html>".to_owned()),
        },
        "slow" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            html("<html><title>Slow</title></html>".to_owned())
        }
        "huge" => Response::builder()
            .header(header::CONTENT_TYPE, "text/html")
            .body(Repeat::new(Bytes::from(vec![b'a'; 64 * 1024]), 4 * 1024).boxed())
            .unwrap_or_else(|_| not_found(host)),
        "garbage" => full(
            StatusCode::OK,
            "application/octet-stream",
            (0..4096u32)
                .map(|i| (i * 7919 % 251) as u8)
                .collect::<Vec<u8>>(),
        ),
        "redirect-loop" => redirect(
            StatusCode::FOUND,
            "https://redirect-loop.sandbox.test/again",
        ),
        "redirect-chain" => {
            let n: u32 = path.trim_start_matches('/').parse().unwrap_or(0);
            if n == 0 {
                html("<html><head><title>Chain end</title><meta name=\"description\" content=\"You made it.\"></head></html>".to_owned())
            } else {
                redirect(StatusCode::FOUND, &format!("/{}", n - 1))
            }
        }
        "error" => full(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/html",
            "<h1>500</h1>",
        ),
        "empty" => html(String::new()),
        "gzip" => gzipped("<html><head><title>Gzip Co</title><meta name=\"description\" content=\"Compressed.\"></head></html>".to_owned()),
        // 64 MB of markup in a few hundred KB of gzip: a decompression bomb.
        "bomb" => {
            static BOMB: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
            let body = BOMB.get_or_init(|| {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                let chunk = b"<p>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</p>".repeat(1024);
                for _ in 0..(64 * 1024 * 1024 / chunk.len()) {
                    let _ = std::io::Write::write_all(&mut e, &chunk);
                }
                Bytes::from(e.finish().unwrap_or_default())
            });
            let mut r = full(StatusCode::OK, "text/html", body.clone());
            r.headers_mut().insert(header::CONTENT_ENCODING, http::HeaderValue::from_static("gzip"));
            r
        }
        _ => not_found(host),
    }
}

/// A body that repeats one chunk `count` times: a huge response without the memory.
pub(crate) struct Repeat {
    chunk: Bytes,
    remaining: usize,
}

impl Repeat {
    fn new(chunk: Bytes, count: usize) -> Self {
        Repeat {
            chunk,
            remaining: count,
        }
    }
}

impl Body for Repeat {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        self.remaining -= 1;
        Poll::Ready(Some(Ok(Frame::data(self.chunk.clone()))))
    }
}

/// An HTML answer compressed with gzip.
fn gzipped(body: String) -> Response<ResBody> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = std::io::Write::write_all(&mut e, body.as_bytes());
    let mut r = full(
        StatusCode::OK,
        "text/html; charset=utf-8",
        e.finish().unwrap_or_default(),
    );
    r.headers_mut().insert(
        header::CONTENT_ENCODING,
        http::HeaderValue::from_static("gzip"),
    );
    r
}
