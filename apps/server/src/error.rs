//! The JSON error model: `{"error": {"code", "message", "details"}}` with the
//! right status. [`ApiError::from_core`] is the one place where domain errors
//! become HTTP statuses.

use bytes::Bytes;
use extract_core as core;
use http::{header, Response, StatusCode};
use serde_json::{json, Value};

use crate::Body;

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Structured details (the offending field, limits, …).
    pub details: Value,
    /// Seconds a client should wait before trying again (`Retry-After`).
    pub retry_after_s: Option<u64>,
}

impl ApiError {
    /// An error with no details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Value::Null,
            retry_after_s: None,
        }
    }

    /// Adds details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// Maps a domain error to its HTTP status and code.
    pub fn from_core(err: &core::Error) -> Self {
        use core::Error as E;
        let (status, code) = match err {
            E::InvalidQuery(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
            E::NoWebsite { .. } => (StatusCode::NOT_FOUND, "no_website"),
            E::NoConfidentMatch { .. } => (StatusCode::NOT_FOUND, "no_confident_match"),
            E::Refused { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "fetch_refused"),
            E::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, "upstream_unavailable"),
            E::Timeout { .. } => (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout"),
            E::Status { .. }
            | E::Connect { .. }
            | E::InvalidResponse { .. }
            | E::BodyTooLarge { .. } => (StatusCode::BAD_GATEWAY, "upstream_error"),
            // A variant added later is an upstream problem until mapped.
            _ => (StatusCode::BAD_GATEWAY, "upstream_error"),
        };
        let mut details = json!({ "kind": err.kind() });
        if let Some(upstream) = err.upstream() {
            details["upstream"] = json!(upstream);
        }
        if let E::Status { status, .. } = err {
            details["upstream_status"] = json!(status);
        }
        if let E::NoConfidentMatch {
            confidence,
            min_confidence,
            candidates,
            ..
        } = err
        {
            details["confidence"] = json!(confidence);
            details["min_confidence"] = json!(min_confidence);
            details["candidates"] = json!(candidates);
        }
        let mut e = ApiError::new(status, code, err.to_string()).with_details(details);
        // An open breaker says when it will try again: so does the answer.
        if let E::Unavailable {
            retry_after: Some(d),
            ..
        } = err
        {
            e.retry_after_s = Some(d.as_secs_f64().ceil().max(1.0) as u64);
        }
        e
    }

    /// Maps a batch error to its HTTP status and code.
    pub fn from_batch(err: &extract_batch::Error) -> Self {
        use extract_batch::Error as E;
        match err {
            E::Disabled => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "batch_disabled",
                err.to_string(),
            ),
            E::Invalid { message, indexes } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_batch",
                message.clone(),
            )
            .with_details(json!({ "invalid_indexes": indexes })),
            E::NotFound(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "batch_not_found", err.to_string())
            }
            E::NotFinished { .. } => {
                ApiError::new(StatusCode::CONFLICT, "batch_not_finished", err.to_string())
            }
            E::Store { .. } => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "job_store_unavailable",
                err.to_string(),
            ),
            _ => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                err.to_string(),
            ),
        }
    }

    /// The HTTP response.
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let body = crate::openapi::ErrorBody {
            error: crate::openapi::ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                request_id: request_id.to_owned(),
                details: (!self.details.is_null()).then_some(self.details),
            },
        };
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = Response::new(crate::full(Bytes::from(body)));
        *response.status_mut() = self.status;
        if let Some(s) = self.retry_after_s {
            response.headers_mut().insert(header::RETRY_AFTER, s.into());
        }
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    }
}
