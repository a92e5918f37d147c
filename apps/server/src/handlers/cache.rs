//! `GET /api/v1/cache/stats`, `POST` and `DELETE /api/v1/cache/warm`,
//! `DELETE /api/v1/cache/company/{name}`.

use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use serde::Deserialize;
use serde_json::json;

use super::{json_response, read_json};
use crate::error::ApiError;
use crate::{App, Body};

fn disabled() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "cache_disabled",
        "caching is turned off (cache.enabled = false)",
    )
}

#[utoipa::path(operation_id = "cache_stats", get, path = "/api/v1/cache/stats", tag = "cache",
    responses(
        (status = 200, description = "Hits, misses and sizes per level", body = crate::openapi::Json),
        (status = 503, description = "The cache is disabled", body = crate::openapi::ErrorBody),
    ))]
pub(crate) fn stats(app: &App) -> Result<Response<Body>, ApiError> {
    let cache = app.cache().ok_or_else(disabled)?;
    Ok(json_response(StatusCode::OK, &cache.stats()))
}

/// Names to extract into the cache in the background.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WarmRequest {
    /// The companies.
    company_names: Vec<String>,
}

#[utoipa::path(operation_id = "cache_warm", post, path = "/api/v1/cache/warm", tag = "cache",
    request_body = crate::handlers::cache::WarmRequest,
    responses(
        (status = 202, description = "Queued", body = crate::openapi::WarmQueued),
        (status = 400, description = "Malformed JSON", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is too large", body = crate::openapi::ErrorBody),
        (status = 415, description = "Not JSON", body = crate::openapi::ErrorBody),
        (status = 422, description = "A name is not accepted, or too many", body = crate::openapi::ErrorBody),
        (status = 429, description = "The warming queue is full", body = crate::openapi::ErrorBody),
        (status = 503, description = "The cache is disabled", body = crate::openapi::ErrorBody),
    ))]
pub(crate) async fn warm(app: &App, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    let cache = app.cache().ok_or_else(disabled)?;
    let body: WarmRequest = read_json(req, app.config().server.max_body_bytes).await?;
    let max = app.config().extract.max_name_chars;
    let bad: Vec<usize> = body
        .company_names
        .iter()
        .enumerate()
        .filter(|(_, n)| n.trim().is_empty() || n.chars().count() > max)
        .map(|(i, _)| i)
        .collect();
    if body.company_names.is_empty() || !bad.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "company_names must be a non-empty list of names, each 1 to max_name_chars characters",
        )
        .with_details(
            json!({ "field": "company_names", "invalid_indexes": bad, "max_name_chars": max }),
        ));
    }
    let most = app.batches().config().max_size;
    if body.company_names.len() > most {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!(
                "{} names submitted; one warm request holds at most {most} (batch.max_size)",
                body.company_names.len()
            ),
        )
        .with_details(json!({ "field": "company_names", "max_size": most })));
    }
    match cache.warm(app.profiles().clone(), body.company_names) {
        Ok(accepted) => Ok(json_response(
            StatusCode::ACCEPTED,
            &crate::openapi::WarmQueued {
                queued: accepted.queued,
                duplicates: accepted.duplicates,
                progress: cache.warmer().progress(),
            },
        )),
        Err(full) => {
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "warm_queue_full",
                full.to_string(),
            )
            .with_details(json!({
                "pending": full.pending,
                "capacity": full.capacity,
                "asked": full.asked,
            }));
            e.retry_after_s = Some(5);
            Err(e)
        }
    }
}

/// `DELETE /api/v1/cache/warm`: empties the warming queue (names being
/// extracted finish).
#[utoipa::path(operation_id = "cache_warm_cancel", delete, path = "/api/v1/cache/warm", tag = "cache",
    responses(
        (status = 200, description = "The warming queue emptied", body = crate::openapi::WarmCancelled),
        (status = 503, description = "The cache is disabled", body = crate::openapi::ErrorBody),
    ))]
pub(crate) fn cancel_warm(app: &App) -> Result<Response<Body>, ApiError> {
    let cache = app.cache().ok_or_else(disabled)?;
    let dropped = cache.warmer().cancel();
    Ok(json_response(
        StatusCode::OK,
        &crate::openapi::WarmCancelled {
            cancelled: dropped,
            progress: cache.warmer().progress(),
        },
    ))
}

#[utoipa::path(operation_id = "cache_company", delete, path = "/api/v1/cache/company/{name}", tag = "cache",
    params(("name" = String, Path, description = "The company's name (URL-encoded)")),
    responses(
        (status = 200, description = "Its cached profile is forgotten", body = crate::openapi::Invalidated),
        (status = 404, description = "No such route (an empty name)", body = crate::openapi::ErrorBody),
        (status = 422, description = "The name is not accepted", body = crate::openapi::ErrorBody),
        (status = 503, description = "The cache is disabled", body = crate::openapi::ErrorBody),
    ))]
pub(crate) async fn invalidate(app: &App, name: &str) -> Result<Response<Body>, ApiError> {
    let profiles = app.profile_cache().ok_or_else(disabled)?;
    let name = url::form_urlencoded::parse(format!("n={name}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let was_cached = profiles
        .invalidate(&name)
        .await
        .map_err(|e| ApiError::from_core(&e).with_details(json!({ "field": "name" })))?;
    Ok(json_response(
        StatusCode::OK,
        &crate::openapi::Invalidated {
            company: name,
            invalidated: true,
            was_cached_here: was_cached,
        },
    ))
}
