//! The router and the wrapper around every request: request id, panic
//! isolation, access log. Handlers live in `handlers/`.

use std::time::Instant;

use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::Incoming;

use crate::auth::Verdict;
use crate::error::ApiError;
use crate::{handlers, App, Body};

/// Answers one request: never fails, never panics outward.
pub(crate) async fn serve(app: App, req: Request<Incoming>) -> Response<Body> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| app.next_request_id(), str::to_owned);
    let method = req.method().clone();
    let path = req.uri().path().to_owned();

    // A panicking handler must not take the connection down with it: run it
    // as its own task and turn a panic into a JSON 500.
    let task = tokio::spawn(route(app.clone(), req, request_id.clone()));
    let mut response = match task.await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(%request_id, %method, %path, error = %e, "handler panicked");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            )
            .into_response(&request_id)
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    // Clients may send any method token: only standard ones become labels.
    let method_label = match method {
        Method::GET | Method::POST | Method::PUT | Method::DELETE | Method::HEAD => method.as_str(),
        Method::PATCH | Method::OPTIONS => method.as_str(),
        _ => "other",
    };
    app.perf()
        .http(route_label(&path), method_label, status, elapsed);

    tracing::info!(
        target: "access",
        %request_id,
        %method,
        %path,
        status,
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
    );
    response
}

/// Every route of the API: what it is, its template (the metrics label),
/// and the methods it accepts (the first names it in `Allow`). The one list
/// of paths: the dispatch, the metrics labels and the 405s all read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Console,
    Extract,
    BatchSubmit,
    BatchUpload,
    BatchList,
    BatchStats,
    Batch,
    BatchStatus,
    BatchRetry,
    BatchResults,
    BatchEvents,
    CacheStats,
    CacheWarm,
    CacheCompany,
    SystemStats,
    Cluster,
    PerformanceReport,
    OpenApi,
    Metrics,
    Health,
    Ready,
}

const GET: &[Method] = &[Method::GET];
const GET_HEAD: &[Method] = &[Method::GET, Method::HEAD];
const POST: &[Method] = &[Method::POST];
const DELETE: &[Method] = &[Method::DELETE];
const POST_DELETE: &[Method] = &[Method::POST, Method::DELETE];

/// `{…}` segments match one path segment: `{id}` a batch id, `{name}` any.
const ROUTES: &[(Route, &str, &[Method])] = &[
    (Route::Console, "/", GET_HEAD),
    (Route::Extract, "/api/v1/company/extract", POST),
    (Route::BatchSubmit, "/api/v1/company/batch/submit", POST),
    (Route::BatchUpload, "/api/v1/company/batch/upload", POST),
    (Route::BatchList, "/api/v1/company/batches", GET),
    (Route::BatchStats, "/api/v1/company/batch/stats", GET),
    (Route::Batch, "/api/v1/company/batch/{id}", DELETE),
    (Route::BatchStatus, "/api/v1/company/batch/{id}/status", GET),
    (Route::BatchRetry, "/api/v1/company/batch/{id}/retry", POST),
    (
        Route::BatchResults,
        "/api/v1/company/batch/{id}/results",
        GET,
    ),
    (Route::BatchEvents, "/api/v1/company/batch/{id}/events", GET),
    (Route::CacheStats, "/api/v1/cache/stats", GET),
    (Route::CacheWarm, "/api/v1/cache/warm", POST_DELETE),
    (Route::CacheCompany, "/api/v1/cache/company/{name}", DELETE),
    (Route::SystemStats, "/api/v1/system/stats", GET),
    (Route::Cluster, "/api/v1/cluster", GET),
    (Route::PerformanceReport, "/api/v1/performance/report", GET),
    (Route::OpenApi, "/api/v1/openapi.json", GET),
    (Route::Metrics, "/metrics", GET),
    (Route::Health, "/health", GET_HEAD),
    (Route::Ready, "/ready", GET_HEAD),
];

/// The route `path` is on, its template and its `{…}` segments.
fn find(path: &str) -> Option<(Route, &'static str, &'static [Method], Vec<&str>)> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    ROUTES.iter().find_map(|(route, template, methods)| {
        let parts: Vec<&str> = template.trim_matches('/').split('/').collect();
        if parts.len() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (part, seg) in parts.iter().zip(&segments) {
            match *part {
                "{id}" if handlers::batch::valid_id(seg) => params.push(*seg),
                "{name}" if !seg.is_empty() => params.push(*seg),
                p if p == *seg && !p.starts_with('{') => {}
                _ => return None,
            }
        }
        Some((*route, *template, *methods, params))
    })
}

/// Routes that never ask for an API key: the probes, and the console page
/// (it holds no data; its calls carry the key). `/metrics` asks when
/// `server.metrics_require_key` says so; every other route, and every
/// unknown path, asks whenever keys are configured.
fn never_keyed(route: Route) -> bool {
    matches!(route, Route::Health | Route::Ready | Route::Console)
}

/// Whether the route with this template may answer 401 (for the API document).
pub(crate) fn may_ask_for_key(template: &str) -> bool {
    ROUTES
        .iter()
        .find(|(_, t, _)| *t == template)
        .is_none_or(|(route, ..)| !never_keyed(*route))
}

/// Whether the route with this template answers `HEAD` (for the API document).
pub(crate) fn answers_head(template: &str) -> bool {
    ROUTES
        .iter()
        .any(|(_, t, methods)| *t == template && methods.contains(&Method::HEAD))
}

/// The route template of `path`, as the metrics label it: ids and company
/// names never become label values.
pub(crate) fn route_label(path: &str) -> &'static str {
    find(path).map_or("other", |(_, template, _, _)| template)
}

async fn route(app: App, mut req: Request<Incoming>, request_id: String) -> Response<Body> {
    let stall = std::time::Duration::from_millis(app.config().server.body_read_timeout_ms.max(1));
    req.extensions_mut()
        .insert(crate::inbound::BodyTimeout(stall));
    let http1 = req.version() < http::Version::HTTP_2;
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let found = find(&path);
    // With API keys on, every route but the probes (and /metrics unless
    // configured) asks for one; unknown paths too, so they reveal nothing.
    let open = match found {
        Some((route, ..)) if never_keyed(route) => true,
        Some((Route::Metrics, ..)) => !app.config().server.metrics_require_key,
        _ => false,
    };
    let denied = if open {
        None
    } else {
        match app.api_keys().check(req.headers()) {
            Verdict::Open => None,
            Verdict::Key(id) => {
                app.count_key(&id);
                None
            }
            Verdict::Missing => Some(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "an API key is required: send Authorization: Bearer <key> or x-api-key: <key>",
            )),
            Verdict::Invalid => Some(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "the API key given is not accepted",
            )),
        }
    };
    let result = match found {
        _ if denied.is_some() => Err(denied.unwrap_or_else(|| {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "unauthorized")
        })),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no route for {method} {path}"),
        )),
        Some((_, _, methods, _)) if !methods.contains(&method) => Err(not_allowed(methods)),
        Some((route, _, _, params)) => {
            let param = params.first().copied().unwrap_or_default();
            match route {
                Route::Console => Ok(handlers::console()),
                Route::Extract => handlers::extract::extract(&app, req).await,
                Route::BatchSubmit => handlers::batch::submit(&app, req).await,
                Route::BatchUpload => handlers::upload::upload(&app, req).await,
                Route::BatchList => handlers::batch::list(&app).await,
                Route::BatchStats => handlers::batch::stats(&app).await,
                Route::Batch => handlers::batch::cancel(&app, param).await,
                Route::BatchStatus => handlers::batch::status(&app, param).await,
                Route::BatchRetry => handlers::batch::retry(&app, param).await,
                Route::BatchResults => {
                    handlers::batch::results(&app, param, req.uri().query()).await
                }
                Route::BatchEvents => handlers::events::events(&app, param).await,
                Route::CacheStats => handlers::cache::stats(&app),
                Route::CacheWarm if method == Method::DELETE => handlers::cache::cancel_warm(&app),
                Route::CacheWarm => handlers::cache::warm(&app, req).await,
                Route::CacheCompany => handlers::cache::invalidate(&app, param).await,
                Route::SystemStats => Ok(handlers::system_stats(&app)),
                Route::Cluster => Ok(handlers::health::cluster(&app).await),
                Route::PerformanceReport => handlers::perf::report(&app),
                Route::OpenApi => Ok(handlers::openapi_json()),
                Route::Metrics => Ok(handlers::perf::metrics(&app)),
                Route::Health => Ok(handlers::health::health(&app)),
                Route::Ready => Ok(handlers::health::ready(&app)),
            }
        }
    };
    match result {
        Ok(r) => r,
        Err(e) => {
            let allow = (e.status == StatusCode::METHOD_NOT_ALLOWED)
                .then(|| {
                    e.details
                        .get("allow")
                        .and_then(|a| a.as_str())
                        .map(str::to_owned)
                })
                .flatten();
            let unauthorized = e.status == StatusCode::UNAUTHORIZED;
            let stalled = e.status == StatusCode::REQUEST_TIMEOUT;
            let mut r = e.into_response(&request_id);
            if stalled {
                // The rest of the body may never come: the connection goes
                // (HTTP/2 resets just the stream).
                app.inbound().body_timed_out();
                if http1 {
                    r.headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
            }
            if let Some(allow) = allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
                r.headers_mut().insert(header::ALLOW, allow);
            }
            if unauthorized {
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            r
        }
    }
}

/// 405 naming every method the route accepts (also in `Allow`).
fn not_allowed(methods: &[Method]) -> ApiError {
    let allow = methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("this route accepts {allow} only"),
    )
    .with_details(serde_json::json!({ "allow": allow }))
}

#[cfg(test)]
mod tests {
    /// The OpenAPI document describes every route of the router, with each
    /// method it accepts, and nothing else.
    #[test]
    fn the_openapi_document_has_every_route_and_only_those() {
        let mut routes: Vec<(String, String)> = ROUTES
            .iter()
            .flat_map(|(_, path, methods)| {
                methods
                    .iter()
                    .map(move |m| (m.as_str().to_owned(), (*path).to_owned()))
            })
            .collect();
        routes.sort();
        assert_eq!(crate::openapi::operations(), routes);
        let doc = crate::openapi::document();
        assert_eq!(doc["openapi"], "3.1.0");
        let profile = &doc["components"]["schemas"]["CompanyProfile"]["properties"];
        for field in ["name", "website", "website_choice", "social", "pages"] {
            assert!(
                profile.get(field).is_some(),
                "CompanyProfile.{field} is described"
            );
        }
        // 401 where the router may ask for a key, never on the probes.
        let paths = &doc["paths"];
        assert!(paths["/api/v1/company/extract"]["post"]["responses"]["401"].is_object());
        assert!(paths["/metrics"]["get"]["responses"]["401"].is_object());
        assert!(paths["/health"]["get"]["responses"]["401"].is_null());
        assert!(paths["/"]["get"]["responses"]["401"].is_null());
    }

    use super::*;

    #[test]
    fn every_route_is_found_by_its_own_template_and_labelled_by_it() {
        for (route, template, _) in ROUTES {
            let path = template
                .replace("{id}", "b0123456789abcdef")
                .replace("{name}", "Acme%20Inc");
            let (found, label, _, _) = find(&path).unwrap_or_else(|| panic!("{path}"));
            assert_eq!((found, label), (*route, *template));
            assert_eq!(route_label(&path), *template);
        }
        assert_eq!(
            route_label("/api/v1/company/batch/b0123456789abcdef/nope"),
            "other"
        );
        assert_eq!(route_label("/wp-admin"), "other");
    }
}
