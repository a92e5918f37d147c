//! The API's OpenAPI 3.1 document (`GET /api/v1/openapi.json`), generated
//! by utoipa from the types the handlers read and write (`ExtractRequest`,
//! `BatchRequest`, `CompanyProfile`, `Status`, …), so a field added to one of
//! them is in the document. Each operation below names the route of the
//! router it documents; a test checks that the router's routes and the
//! document's operations are the same set.
// The operation functions exist only for their attributes.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::handlers::{cache::WarmRequest, extract::ExtractRequest};
use extract_batch::{BatchRequest, Status};
use extract_core::CompanyProfile;

/// Every error answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong, in a stable code and a message.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// A stable code (`invalid_request`, `not_found`, `no_website`, …).
    code: String,
    /// What happened, for a person.
    message: String,
    /// The request's id (also in `x-request-id`).
    request_id: String,
    /// More, by code (the offending field, the allowed methods, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    details: Option<serde_json::Value>,
}

/// A batch accepted (202): what the handlers send, and the schema of it.
#[derive(Serialize, ToSchema)]
pub(crate) struct Accepted {
    pub(crate) batch_id: String,
    pub(crate) state: extract_batch::BatchState,
    /// Lines submitted.
    pub(crate) submitted: usize,
    /// Distinct companies among them.
    pub(crate) items: usize,
    pub(crate) status_url: String,
    pub(crate) results_url: String,
    /// The batch whose failed items this one runs again (a retry's answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) retry_of: Option<String>,
}

/// `GET /api/v1/company/batches`.
#[derive(Serialize, ToSchema)]
pub(crate) struct BatchList {
    /// Newest first, at most 100.
    batches: Vec<Status>,
}

/// A JSON object whose members the operation's description names.
type Json = serde_json::Value;

#[utoipa::path(get, path = "/", tag = "console",
    responses((status = 200, description = "The web console", content_type = "text/html")))]
fn console() {}

#[utoipa::path(head, path = "/", tag = "console",
    responses((status = 200, description = "The web console's headers")))]
fn console_head() {}

#[utoipa::path(post, path = "/api/v1/company/extract", tag = "extract",
    request_body = ExtractRequest,
    responses(
        (status = 200, description = "The profile; `x-cache` says hit or miss", body = CompanyProfile),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 404, description = "No website found, or none confident enough", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A value is not accepted", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody),
        (status = 502, description = "The search provider or the site failed", body = ErrorBody),
        (status = 503, description = "An upstream is unavailable (breaker open)", body = ErrorBody),
        (status = 504, description = "The extraction took too long", body = ErrorBody),
    ))]
fn extract() {}

#[utoipa::path(post, path = "/api/v1/company/batch/submit", tag = "batches",
    request_body = BatchRequest,
    responses(
        (status = 202, description = "Accepted; `Location` is its status", body = Accepted),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Names refused (`details.invalid_indexes`) or a value not accepted", body = ErrorBody),
        (status = 503, description = "Batches are disabled", body = ErrorBody),
    ))]
fn batch_submit() {}

#[utoipa::path(post, path = "/api/v1/company/batch/upload", tag = "batches",
    params(
        ("extraction_mode" = Option<extract_core::ExtractionMode>, Query, description = "How deep to read each site"),
        ("priority" = Option<extract_core::Priority>, Query, description = "Scheduling priority"),
        ("min_confidence" = Option<f64>, Query, description = "The lowest website-match confidence accepted, 0–1"),
        ("min_field_confidence" = Option<f64>, Query, description = "Profile fields below this confidence, 0–1, are left out of the results"),
    ),
    request_body(description = "A CSV (its `company_name` column), a list (one name a line) or an XLSX workbook (its first sheet)",
        content(
            (String = "text/csv"),
            (String = "text/plain"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/octet-stream"),
        )),
    responses(
        (status = 202, description = "Accepted", body = Accepted),
        (status = 400, description = "An unknown or malformed parameter", body = ErrorBody),
        (status = 413, description = "The file is too large", body = ErrorBody),
        (status = 422, description = "Not a CSV or XLSX file, or names refused", body = ErrorBody),
        (status = 503, description = "Batches are disabled", body = ErrorBody),
    ))]
fn batch_upload() {}

#[utoipa::path(get, path = "/api/v1/company/batches", tag = "batches",
    responses(
        (status = 200, description = "The stored batches", body = BatchList),
    ))]
fn batch_list() {}

#[utoipa::path(get, path = "/api/v1/company/batch/stats", tag = "batches",
    responses(
        (status = 200, description = "Queue depth per priority, running items, batches per state, item time percentiles, success rate", body = Json),
    ))]
fn batch_stats() {}

#[utoipa::path(delete, path = "/api/v1/company/batch/{id}", tag = "batches",
    params(("id" = String, Path, description = "The batch id", pattern = "^[A-Za-z0-9]{1,64}$")),
    responses(
        (status = 200, description = "Cancelled: no new item starts; finished results stay", body = Status),
        (status = 404, description = "No such batch", body = ErrorBody),
    ))]
fn batch_cancel() {}

#[utoipa::path(post, path = "/api/v1/company/batch/{id}/retry", tag = "batches",
    params(("id" = String, Path, description = "The batch id", pattern = "^[A-Za-z0-9]{1,64}$")),
    responses(
        (status = 202, description = "The finished batch's failed items run again as a new batch, linked by `retry_of`, with the same settings; items that succeeded are not run again, and the first batch's results stay", body = Accepted),
        (status = 404, description = "No such batch", body = ErrorBody),
        (status = 409, description = "The batch has not finished (`batch_not_finished`)", body = ErrorBody),
        (status = 422, description = "The batch has no failed items (`invalid_batch`)", body = ErrorBody),
        (status = 503, description = "Batch processing is disabled, or the job store is unavailable", body = ErrorBody),
    ))]
fn batch_retry() {}

#[utoipa::path(get, path = "/api/v1/company/batch/{id}/status", tag = "batches",
    params(("id" = String, Path, description = "The batch id", pattern = "^[A-Za-z0-9]{1,64}$")),
    responses(
        (status = 200, description = "Progress", body = Status),
        (status = 404, description = "No such batch", body = ErrorBody),
    ))]
fn batch_status() {}

#[utoipa::path(get, path = "/api/v1/company/batch/{id}/results", tag = "batches",
    params(
        ("id" = String, Path, description = "The batch id", pattern = "^[A-Za-z0-9]{1,64}$"),
        ("format" = Option<extract_batch::ExportFormat>, Query, description = "json (paged), csv, ndjson or xlsx; default: the batch's"),
        ("page" = Option<u64>, Query, minimum = 1, description = "JSON page, from 1"),
        ("per_page" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Rows a JSON page"),
        ("provenance" = Option<bool>, Query, description = "CSV: add `<field>_source` and `_method` columns"),
    ),
    responses(
        (status = 200, description = "The results: `{batch, summary, page, per_page, results: [...]}` as JSON, or a CSV, NDJSON or XLSX download", content(
            (Json = "application/json"),
            (String = "text/csv"),
            (String = "application/x-ndjson"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "An unknown or malformed parameter", body = ErrorBody),
        (status = 404, description = "No such batch", body = ErrorBody),
    ))]
fn batch_results() {}

#[utoipa::path(get, path = "/api/v1/company/batch/{id}/events", tag = "batches",
    params(("id" = String, Path, description = "The batch id", pattern = "^[A-Za-z0-9]{1,64}$")),
    responses(
        (status = 200, description = "Server-Sent Events: `progress` (a status), `item` (`{index, name, outcome, error_kind}`), `finished` (the final status)", content_type = "text/event-stream"),
        (status = 404, description = "No such batch", body = ErrorBody),
    ))]
fn batch_events() {}

#[utoipa::path(get, path = "/api/v1/cache/stats", tag = "cache",
    responses(
        (status = 200, description = "Hits, misses and sizes per level", body = Json),
        (status = 503, description = "The cache is disabled", body = ErrorBody),
    ))]
fn cache_stats() {}

#[utoipa::path(post, path = "/api/v1/cache/warm", tag = "cache",
    request_body = WarmRequest,
    responses(
        (status = 202, description = "Queued: `{queued, pending}`", body = Json),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A name is not accepted, or too many", body = ErrorBody),
        (status = 429, description = "The warming queue is full", body = ErrorBody),
        (status = 503, description = "The cache is disabled", body = ErrorBody),
    ))]
fn cache_warm() {}

#[utoipa::path(delete, path = "/api/v1/cache/warm", tag = "cache",
    responses(
        (status = 200, description = "The warming queue emptied: `{cancelled}`", body = Json),
        (status = 503, description = "The cache is disabled", body = ErrorBody),
    ))]
fn cache_warm_cancel() {}

#[utoipa::path(delete, path = "/api/v1/cache/company/{name}", tag = "cache",
    params(("name" = String, Path, description = "The company's name (URL-encoded)")),
    responses(
        (status = 200, description = "Its cached profile is forgotten: `{removed}`", body = Json),
        (status = 404, description = "No such route (an empty name)", body = ErrorBody),
        (status = 422, description = "The name is not accepted", body = ErrorBody),
        (status = 503, description = "The cache is disabled", body = ErrorBody),
    ))]
fn cache_company() {}

#[utoipa::path(get, path = "/api/v1/system/stats", tag = "operations",
    responses(
        (status = 200, description = "Limits, breakers, retries, connections, memory, CPU, the scheduler", body = Json),
    ))]
fn system_stats() {}

#[utoipa::path(get, path = "/api/v1/cluster", tag = "operations",
    responses(
        (status = 200, description = "The live instances, the limits' scope, the work streams' backlog", body = Json),
    ))]
fn cluster() {}

#[utoipa::path(get, path = "/api/v1/performance/report", tag = "operations",
    responses(
        (status = 200, description = "Stages over rolling windows, the bottleneck and recommendations, cache use, alerts", body = Json),
        (status = 503, description = "Monitoring is off", body = ErrorBody),
    ))]
fn performance_report() {}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses(
        (status = 200, description = "This document", body = Json),
    ))]
fn openapi_json() {}

#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "Prometheus text exposition", content_type = "text/plain"),
    ))]
fn metrics() {}

#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is up", body = Json)))]
fn health() {}

#[utoipa::path(head, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is up")))]
fn health_head() {}

#[utoipa::path(get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Ready (`ready` or `degraded`, with the reason)", body = Json),
        (status = 503, description = "Draining, or not ready", body = Json),
    ))]
fn ready() {}

#[utoipa::path(head, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Ready"),
        (status = 503, description = "Draining, or not ready"),
    ))]
fn ready_head() {}

#[derive(OpenApi)]
#[openapi(
    info(title = "company-extract", description = "Company profiles from names or domains: one at a time, or in batches."),
    paths(
        console, console_head, extract, batch_submit, batch_upload, batch_list, batch_stats,
        batch_cancel, batch_status, batch_retry, batch_results, batch_events, cache_stats, cache_warm,
        cache_warm_cancel, cache_company, system_stats, cluster, performance_report, openapi_json,
        metrics, health, health_head, ready, ready_head,
    ),
    components(schemas(ErrorBody, ErrorDetail, Accepted, BatchList, CompanyProfile, Status)),
    modifiers(&Keys),
)]
struct ApiDoc;

/// API keys, when the server asks for them: `Authorization: Bearer` or
/// `x-api-key`, and a 401 on every operation of a route the router may
/// guard (`router::may_ask_for_key`, the rule the router applies).
struct Keys;

impl utoipa::Modify for Keys {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
        );
        let unauthorized = ResponseBuilder::new()
            .description(
                "An API key is needed, or the one given is not accepted (with API keys on)",
            )
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        let security = vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("api_key", Vec::<String>::new()),
        ];
        for (path, item) in doc.paths.paths.iter_mut() {
            if !crate::router::may_ask_for_key(path) {
                continue;
            }
            let operations = [
                &mut item.get,
                &mut item.head,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                op.responses
                    .responses
                    .insert("401".to_owned(), RefOr::T(unauthorized.clone()));
                op.security = Some(security.clone());
            }
        }
    }
}

/// The document, as JSON.
pub(crate) fn document() -> serde_json::Value {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    serde_json::to_value(&doc).unwrap_or_default()
}

/// The document, built once.
pub(crate) fn cached() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(document)
}

/// Every `(method, path)` the document describes, upper-case methods.
pub(crate) fn operations() -> Vec<(String, String)> {
    let doc = document();
    let mut out = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in item.as_object().map(|o| o.keys()).into_iter().flatten() {
                if ["get", "head", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                    out.push((method.to_ascii_uppercase(), path.clone()));
                }
            }
        }
    }
    out.sort();
    out
}
