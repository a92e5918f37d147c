//! The router and the wrapper around every request: request id, panic
//! isolation, access log. Handlers live in `handlers/`.

use std::time::Instant;

use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::Incoming;

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

/// The route template of `path`, as the metrics label it: ids and company
/// names never become label values.
pub(crate) fn route_label(path: &str) -> &'static str {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["api", "v1", "company", "extract"] => "/api/v1/company/extract",
        ["api", "v1", "company", "batch", "submit"] => "/api/v1/company/batch/submit",
        ["api", "v1", "company", "batch", "stats"] => "/api/v1/company/batch/stats",
        ["api", "v1", "company", "batch", _] => "/api/v1/company/batch/{id}",
        ["api", "v1", "company", "batch", _, "status"] => "/api/v1/company/batch/{id}/status",
        ["api", "v1", "company", "batch", _, "results"] => "/api/v1/company/batch/{id}/results",
        ["api", "v1", "cache", "stats"] => "/api/v1/cache/stats",
        ["api", "v1", "cache", "warm"] => "/api/v1/cache/warm",
        ["api", "v1", "cache", "company", _] => "/api/v1/cache/company/{name}",
        ["api", "v1", "system", "stats"] => "/api/v1/system/stats",
        ["api", "v1", "performance", "report"] => "/api/v1/performance/report",
        ["metrics"] => "/metrics",
        ["health"] => "/health",
        ["ready"] => "/ready",
        _ => "other",
    }
}

async fn route(app: App, req: Request<Incoming>, request_id: String) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = req.method().clone();
    let result = match segments.as_slice() {
        ["api", "v1", "company", "extract"] => match method {
            Method::POST => handlers::extract::extract(&app, req).await,
            _ => Err(not_allowed("POST")),
        },
        ["api", "v1", "company", "batch", "submit"] => match method {
            Method::POST => handlers::batch::submit(&app, req).await,
            _ => Err(not_allowed("POST")),
        },
        ["api", "v1", "company", "batch", "stats"] => match method {
            Method::GET => handlers::batch::stats(&app).await,
            _ => Err(not_allowed("GET")),
        },
        ["api", "v1", "company", "batch", id, rest @ ..] if handlers::batch::valid_id(id) => {
            match (rest, &method) {
                ([], &Method::DELETE) => handlers::batch::cancel(&app, id).await,
                ([], _) => Err(not_allowed("DELETE")),
                (["status"], &Method::GET) => handlers::batch::status(&app, id).await,
                (["results"], &Method::GET) => {
                    handlers::batch::results(&app, id, req.uri().query()).await
                }
                (["status"] | ["results"], _) => Err(not_allowed("GET")),
                _ => Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    format!("no route for {method} {path}"),
                )),
            }
        }
        ["api", "v1", "cache", "stats"] => match method {
            Method::GET => handlers::cache::stats(&app),
            _ => Err(not_allowed("GET")),
        },
        ["api", "v1", "cache", "warm"] => match method {
            Method::POST => handlers::cache::warm(&app, req).await,
            _ => Err(not_allowed("POST")),
        },
        ["api", "v1", "cache", "company", name] if !name.is_empty() => match method {
            Method::DELETE => handlers::cache::invalidate(&app, name).await,
            _ => Err(not_allowed("DELETE")),
        },
        ["api", "v1", "system", "stats"] => match method {
            Method::GET => Ok(handlers::json_response(
                http::StatusCode::OK,
                &app.system_stats(),
            )),
            _ => Err(not_allowed("GET")),
        },
        ["metrics"] => match method {
            Method::GET => Ok(handlers::perf::metrics(&app)),
            _ => Err(not_allowed("GET")),
        },
        ["api", "v1", "performance", "report"] => match method {
            Method::GET => handlers::perf::report(&app),
            _ => Err(not_allowed("GET")),
        },
        ["health"] => match method {
            Method::GET | Method::HEAD => Ok(handlers::health::health(&app)),
            _ => Err(not_allowed("GET")),
        },
        ["ready"] => match method {
            Method::GET | Method::HEAD => Ok(handlers::health::ready(&app)),
            _ => Err(not_allowed("GET")),
        },
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no route for {method} {path}"),
        )),
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
            let mut r = e.into_response(&request_id);
            if let Some(allow) = allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
                r.headers_mut().insert(header::ALLOW, allow);
            }
            r
        }
    }
}

fn not_allowed(allow: &'static str) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("this route accepts {allow} only"),
    )
    .with_details(serde_json::json!({ "allow": allow }))
}
