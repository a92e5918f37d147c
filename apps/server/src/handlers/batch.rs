//! `POST /api/v1/company/batch/submit`, `GET …/batch/{id}/status`,
//! `GET …/batch/{id}/results`, `POST …/batch/{id}/retry`, `DELETE
//! …/batch/{id}`, `GET …/batch/stats`.

use std::collections::HashMap;

use extract_batch::{BatchRequest, ExportFormat};
use http::{header, HeaderValue, Request, Response, StatusCode};
use hyper::body::Incoming;
use serde_json::json;

use super::{json_response, read_json};
use crate::error::ApiError;
use crate::results;
use crate::{App, Body};

/// Most rows in one JSON page.
const MAX_PER_PAGE: usize = 1_000;

pub(crate) fn batch_error(e: extract_batch::Error) -> ApiError {
    ApiError::from_batch(&e)
}

/// Batch ids are what `submit` makes: short, ASCII alphanumeric.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn urls(id: &str) -> (String, String) {
    let base = format!("/api/v1/company/batch/{id}");
    (format!("{base}/status"), format!("{base}/results"))
}

#[utoipa::path(operation_id = "batch_submit", post, path = "/api/v1/company/batch/submit", tag = "batches",
    request_body = extract_batch::BatchRequest,
    responses(
        (status = 202, description = "Accepted; `Location` is its status", body = crate::openapi::Accepted),
        (status = 400, description = "Malformed JSON", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is too large", body = crate::openapi::ErrorBody),
        (status = 415, description = "Not JSON", body = crate::openapi::ErrorBody),
        (status = 422, description = "Names refused (`details.invalid_indexes`) or a value not accepted", body = crate::openapi::ErrorBody),
        (status = 503, description = "Batches are disabled", body = crate::openapi::ErrorBody),
    ))]
pub(crate) async fn submit(app: &App, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    if !app.batches().config().enabled {
        // Refused before the body is read.
        return Err(ApiError::from_batch(&extract_batch::Error::Disabled));
    }
    let request: BatchRequest = read_json(req, app.config().server.max_body_bytes).await?;
    // An internal or unresolvable webhook is refused now, not at delivery.
    if let Some(url) = request.webhook_url.as_deref() {
        app.http().check_destination(url).await.map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_batch",
                format!("webhook_url is not allowed: {e}"),
            )
            .with_details(json!({ "field": "webhook_url" }))
        })?;
    }
    let batch = app.batches().submit(request).await.map_err(batch_error)?;
    Ok(accepted(&batch))
}

/// 202 with the new batch's id, counts and URLs, and `Location`.
pub(super) fn accepted(batch: &extract_batch::Batch) -> Response<Body> {
    let (status_url, results_url) = urls(&batch.id);
    let body = crate::openapi::Accepted {
        batch_id: batch.id.clone(),
        state: batch.state,
        submitted: batch.lines.len(),
        items: batch.counts.total(),
        status_url: status_url.clone(),
        results_url,
        retry_of: batch.retry_of.clone(),
    };
    let mut r = json_response(StatusCode::ACCEPTED, &body);
    if let Ok(v) = HeaderValue::from_str(&status_url) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// `GET /api/v1/company/batches`: the status of every stored batch, newest
/// first (at most 100).
#[utoipa::path(operation_id = "batch_list", get, path = "/api/v1/company/batches", tag = "batches",
    responses(
        (status = 200, description = "The stored batches", body = crate::openapi::BatchList),
    ))]
pub(crate) async fn list(app: &App) -> Result<Response<Body>, ApiError> {
    let batches = app.batches().list(100).await.map_err(batch_error)?;
    Ok(json_response(
        StatusCode::OK,
        &crate::openapi::BatchList { batches },
    ))
}

#[utoipa::path(operation_id = "batch_status", get, path = "/api/v1/company/batch/{id}/status", tag = "batches",
    params(("id" = String, Path, description = "The batch id", pattern = "^[A-Za-z0-9]{1,64}$")),
    responses(
        (status = 200, description = "Progress", body = extract_batch::Status),
        (status = 404, description = "No such batch", body = crate::openapi::ErrorBody),
    ))]
pub(crate) async fn status(app: &App, id: &str) -> Result<Response<Body>, ApiError> {
    let status = app.batches().status(id).await.map_err(batch_error)?;
    Ok(json_response(StatusCode::OK, &status))
}

/// `POST …/batch/{id}/retry`: the failed items of a finished batch run
/// again as a new batch linked to it (202, its `retry_of` the first).
#[utoipa::path(operation_id = "batch_retry", post, path = "/api/v1/company/batch/{id}/retry", tag = "batches",
    params(("id" = String, Path, description = "The batch id", pattern = "^[A-Za-z0-9]{1,64}$")),
    responses(
        (status = 202, description = "The finished batch's failed items run again as a new batch, linked by `retry_of`, with the same settings; items that succeeded are not run again, and the first batch's results stay", body = crate::openapi::Accepted),
        (status = 404, description = "No such batch", body = crate::openapi::ErrorBody),
        (status = 409, description = "The batch has not finished (`batch_not_finished`)", body = crate::openapi::ErrorBody),
        (status = 422, description = "The batch has no failed items (`invalid_batch`)", body = crate::openapi::ErrorBody),
        (status = 503, description = "Batch processing is disabled, or the job store is unavailable", body = crate::openapi::ErrorBody),
    ))]
pub(crate) async fn retry(app: &App, id: &str) -> Result<Response<Body>, ApiError> {
    if !app.batches().config().enabled {
        return Err(ApiError::from_batch(&extract_batch::Error::Disabled));
    }
    let batch = app.batches().retry(id).await.map_err(batch_error)?;
    Ok(accepted(&batch))
}

#[utoipa::path(operation_id = "batch_cancel", delete, path = "/api/v1/company/batch/{id}", tag = "batches",
    params(("id" = String, Path, description = "The batch id", pattern = "^[A-Za-z0-9]{1,64}$")),
    responses(
        (status = 200, description = "Cancelled: no new item starts; finished results stay", body = extract_batch::Status),
        (status = 404, description = "No such batch", body = crate::openapi::ErrorBody),
    ))]
pub(crate) async fn cancel(app: &App, id: &str) -> Result<Response<Body>, ApiError> {
    let status = app.batches().cancel(id).await.map_err(batch_error)?;
    Ok(json_response(StatusCode::OK, &status))
}

#[utoipa::path(operation_id = "batch_stats", get, path = "/api/v1/company/batch/stats", tag = "batches",
    responses(
        (status = 200, description = "Queue depth per priority, running items, batches per state, item time percentiles, success rate", body = crate::openapi::Json),
    ))]
pub(crate) async fn stats(app: &App) -> Result<Response<Body>, ApiError> {
    let stats = app.batches().stats().await.map_err(batch_error)?;
    Ok(json_response(StatusCode::OK, &stats))
}

/// A query parameter naming one of an enum's values (`basic`, `high`, …).
pub(super) fn enum_param<T: serde::de::DeserializeOwned>(
    key: &str,
    value: &str,
) -> Result<T, ApiError> {
    use serde::de::IntoDeserializer;
    T::deserialize(value.into_deserializer())
        .map_err(|e: serde::de::value::Error| bad_param(key, format!("{key}: {e}")))
}

/// A share from 0 to 1. NaN and infinities parse as numbers but are none:
/// refused here as submit refuses them.
pub(super) fn share_param(key: &str, value: &str) -> Result<f32, ApiError> {
    value
        .parse::<f32>()
        .ok()
        .filter(|m| (0.0..=1.0).contains(m))
        .ok_or_else(|| {
            bad_param(
                key,
                format!("{key} must be a number between 0 and 1, got {value:?}"),
            )
        })
}

pub(super) fn bad_param(name: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", message)
        .with_details(json!({ "parameter": name }))
}

fn number(params: &HashMap<String, String>, name: &str, default: usize) -> Result<usize, ApiError> {
    match params.get(name) {
        None => Ok(default),
        Some(v) => v.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            bad_param(
                name,
                format!("{name} must be a whole number from 1, got {v:?}"),
            )
        }),
    }
}

fn download(body: Body, content_type: &'static str, file_name: String) -> Response<Body> {
    let mut r = Response::new(body);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[utoipa::path(operation_id = "batch_results", get, path = "/api/v1/company/batch/{id}/results", tag = "batches",
    params(
        ("id" = String, Path, description = "The batch id", pattern = "^[A-Za-z0-9]{1,64}$"),
        ("format" = Option<extract_batch::ExportFormat>, Query, description = "json (paged), csv, ndjson or xlsx; default: the batch's"),
        ("page" = Option<u64>, Query, minimum = 1, description = "JSON page, from 1"),
        ("per_page" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Rows a JSON page"),
        ("provenance" = Option<bool>, Query, description = "CSV: add `<field>_source` and `_method` columns"),
    ),
    responses(
        (status = 200, description = "The results: `{batch, summary, page, per_page, results: [...]}` as JSON, or a CSV, NDJSON or XLSX download", content(
            (crate::openapi::Json = "application/json"),
            (String = "text/csv"),
            (String = "application/x-ndjson"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "An unknown or malformed parameter", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such batch", body = crate::openapi::ErrorBody),
    ))]
pub(crate) async fn results(
    app: &App,
    id: &str,
    query: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    for key in params.keys() {
        if !matches!(key.as_str(), "format" | "page" | "per_page" | "provenance") {
            return Err(bad_param(
                key,
                format!("unknown parameter {key:?}; known: format, page, per_page, provenance"),
            ));
        }
    }
    let service = app.batches();
    let batch = service.batch(id).await.map_err(batch_error)?;
    let format = match params.get("format") {
        None => batch.export_format,
        Some(name) => crate::from_wire_name::<ExportFormat>(name).map_err(|_| {
            bad_param(
                "format",
                format!("format must be json, ndjson, csv or xlsx, got {name:?}"),
            )
        })?,
    };
    let provenance = match params.get("provenance").map(String::as_str) {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(bad_param(
                "provenance",
                format!("provenance must be true or false, got {other:?}"),
            ))
        }
    };
    // Checked whatever the format: a wrong parameter is never ignored.
    let page = number(&params, "page", 1)?;
    let per_page = number(&params, "per_page", 100)?;
    if per_page > MAX_PER_PAGE {
        return Err(bad_param(
            "per_page",
            format!("per_page is at most {MAX_PER_PAGE}, got {per_page}"),
        ));
    }
    let name = format!("batch-{}.{}", batch.id, format.as_str());
    match format {
        ExportFormat::Json => {
            let total = batch.lines.len();
            let from = (page - 1).saturating_mul(per_page);
            let rows = results::rows(service, &batch, from, from.saturating_add(per_page))
                .await
                .map_err(batch_error)?;
            // A struct, not `json!`: `json!` would widen the profiles' f32
            // confidences to f64 digits that differ from the NDJSON export.
            #[derive(serde::Serialize)]
            struct Page<'a> {
                batch_id: &'a str,
                state: extract_batch::BatchState,
                counts: &'a extract_batch::Counts,
                page: usize,
                per_page: usize,
                total: usize,
                pages: usize,
                results: &'a [extract_export::Row],
                summary: &'a Option<extract_batch::Summary>,
            }
            Ok(json_response(
                StatusCode::OK,
                &Page {
                    batch_id: &batch.id,
                    state: batch.state,
                    counts: &batch.counts,
                    page,
                    per_page,
                    total,
                    pages: total.div_ceil(per_page),
                    results: &rows,
                    summary: &batch.summary,
                },
            ))
        }
        ExportFormat::Ndjson => Ok(download(
            results::stream(service.clone(), batch, format, provenance),
            "application/x-ndjson",
            name,
        )),
        ExportFormat::Csv => Ok(download(
            results::stream(service.clone(), batch, format, provenance),
            "text/csv; charset=utf-8",
            name,
        )),
        ExportFormat::Xlsx => {
            // Built before the answer, so that a failure is a JSON error,
            // not a cut-off file; streamed from a temporary file.
            let file = results::xlsx_file(service, &batch).await.map_err(|e| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "export_failed",
                    e.to_string(),
                )
            })?;
            Ok(download(
                results::file_body(file),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                name,
            ))
        }
    }
}
