//! Request handlers, one module per API area, and the helpers they share.

pub(crate) mod batch;
pub(crate) mod cache;
pub(crate) mod events;
pub(crate) mod extract;
pub(crate) mod health;
pub(crate) mod perf;
pub(crate) mod upload;

use bytes::Bytes;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ApiError;
use crate::{App, Body};

/// The web console: one page, its script and styles inline, built into the
/// binary (no Node toolchain, no CDN).
const CONSOLE: &str = include_str!("../console/index.html");

/// `GET /api/v1/system/stats`: limits, breakers, retries, connections,
/// memory, CPU and the scheduler.
#[utoipa::path(operation_id = "system_stats", get, path = "/api/v1/system/stats", tag = "operations",
    responses(
        (status = 200, description = "Limits, breakers, retries, connections, memory, CPU, the scheduler", body = crate::openapi::Json),
    ))]
pub(crate) fn system_stats(app: &App) -> Response<Body> {
    json_response(StatusCode::OK, &app.system_stats())
}

/// `GET /api/v1/openapi.json`: the API's document.
#[utoipa::path(operation_id = "openapi_json", get, path = "/api/v1/openapi.json", tag = "operations",
    responses(
        (status = 200, description = "This document", body = crate::openapi::Json),
    ))]
pub(crate) fn openapi_json() -> Response<Body> {
    json_response(StatusCode::OK, crate::openapi::cached())
}

/// `GET /`: the web console.
#[utoipa::path(operation_id = "console", get, path = "/", tag = "console",
    responses((status = 200, description = "The web console", content_type = "text/html")))]
pub(crate) fn console() -> Response<Body> {
    let mut r = Response::new(crate::full(Bytes::from_static(CONSOLE.as_bytes())));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut r = Response::new(crate::full(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// Reads a JSON request body: content type checked, size capped before and
/// while reading, syntax errors 400, wrong values 422.
pub(crate) async fn read_json<T: DeserializeOwned>(
    req: Request<Incoming>,
    limit: u64,
) -> Result<T, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mime = content_type.split(';').next().unwrap_or_default().trim();
    if mime != "application/json" && !mime.ends_with("+json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "expected content-type application/json, got {:?}",
                if mime.is_empty() { "none" } else { mime }
            ),
        ));
    }
    let body = read_bytes(req, limit).await?;
    serde_json::from_slice(&body).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                e.to_string(),
            ),
            _ => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("request body is not valid JSON: {e}"),
            ),
        }
    })
}

/// The request body, at most `limit` bytes (413 beyond, named).
pub(crate) async fn read_bytes(
    req: Request<Incoming>,
    limit: u64,
) -> Result<bytes::Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body exceeds {limit} bytes"),
        )
        .with_details(serde_json::json!({ "limit_bytes": limit }))
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|l| l > limit) {
        return Err(too_large());
    }
    // A body that makes no progress for `server.body_read_timeout_ms` is
    // answered 408 (the router closes the connection), so that a client
    // cannot hold a request open by sending nothing.
    let stall = req
        .extensions()
        .get::<crate::inbound::BodyTimeout>()
        .map(|t| t.0);
    let mut body = http_body_util::Limited::new(
        req.into_body(),
        usize::try_from(limit).unwrap_or(usize::MAX),
    );
    let mut out = bytes::BytesMut::new();
    loop {
        let next = match stall {
            Some(t) => tokio::time::timeout(t, body.frame()).await.map_err(|_| {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "request_timeout",
                    format!(
                        "the request body sent nothing for {} ms (server.body_read_timeout_ms)",
                        t.as_millis()
                    ),
                )
            })?,
            None => body.frame().await,
        };
        let Some(frame) = next else { break };
        let frame = frame.map_err(|e| {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                too_large()
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_body",
                    format!("could not read the request body: {e}"),
                )
            }
        })?;
        if let Ok(data) = frame.into_data() {
            out.extend_from_slice(&data);
        }
    }
    let body = out.freeze();
    Ok(body)
}
