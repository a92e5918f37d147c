//! The API's OpenAPI 3.1 document (`GET /api/v1/openapi.json`), generated
//! by utoipa from the types the handlers read and write (`ExtractRequest`,
//! `BatchRequest`, `CompanyProfile`, `Status`, the [`ErrorBody`] every error
//! is sent as, …), so a field added to one of them is in the document. Each
//! operation is described by a `#[utoipa::path]` on the handler that serves
//! it (`handlers/`); the `HEAD` of a `GET` route is derived here from the
//! router's own list. A test checks that the router's routes and the
//! document's operations are the same set.

use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use extract_batch::Status;
use extract_core::CompanyProfile;

/// Every error answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    pub(crate) error: ErrorDetail,
}

/// What went wrong, in a stable code and a message.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// A stable code (`invalid_request`, `not_found`, `no_website`, …).
    pub(crate) code: String,
    /// What happened, for a person.
    pub(crate) message: String,
    /// The request's id (also in `x-request-id`).
    pub(crate) request_id: String,
    /// More, by code (the offending field, the allowed methods, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub(crate) details: Option<serde_json::Value>,
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

/// `GET /health`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    /// Always `ok`.
    pub(crate) status: &'static str,
    /// Seconds since start.
    pub(crate) uptime_s: u64,
}

/// `GET /ready`: whether to send this instance traffic, and why not quite.
#[derive(Default, Serialize, ToSchema)]
pub(crate) struct Readiness {
    /// `ready`; `degraded` (serving, with the reason); `draining` (503).
    pub(crate) status: &'static str,
    /// Why not `ready`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    /// Failed Redis commands since start, when the shared tier is down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) redis_errors: Option<u64>,
    /// True while Redis answers but refuses writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) redis_writes_refused: Option<bool>,
}

impl Readiness {
    /// `degraded`, for `reason`.
    pub(crate) fn degraded(reason: impl Into<String>) -> Readiness {
        Readiness {
            status: "degraded",
            reason: Some(reason.into()),
            ..Readiness::default()
        }
    }
}

/// `POST /api/v1/cache/warm` (202).
#[derive(Serialize, ToSchema)]
pub(crate) struct WarmQueued {
    /// Names queued by this request.
    pub(crate) queued: usize,
    /// Names of this request already queued or repeated in it.
    pub(crate) duplicates: usize,
    /// The warmer since start: `{queued, done, failed, cancelled, pending, workers}`.
    #[schema(value_type = Object)]
    pub(crate) progress: extract_cache::WarmProgress,
}

/// `DELETE /api/v1/cache/warm`.
#[derive(Serialize, ToSchema)]
pub(crate) struct WarmCancelled {
    /// Names dropped from the queue (those being extracted finish).
    pub(crate) cancelled: usize,
    /// The warmer since start.
    #[schema(value_type = Object)]
    pub(crate) progress: extract_cache::WarmProgress,
}

/// `DELETE /api/v1/cache/company/{name}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Invalidated {
    /// The name, decoded.
    pub(crate) company: String,
    /// Always true: no instance serves the profile from its shared tier
    /// any more.
    pub(crate) invalidated: bool,
    /// Whether this instance held it in memory.
    pub(crate) was_cached_here: bool,
}

/// `GET /api/v1/company/batches`.
#[derive(Serialize, ToSchema)]
pub(crate) struct BatchList {
    /// Newest first, at most 100.
    pub(crate) batches: Vec<Status>,
}

/// A JSON object whose members the operation's description names.
pub(crate) type Json = serde_json::Value;

#[derive(OpenApi)]
#[openapi(
    info(title = "company-extract", description = "Company profiles from names or domains: one at a time, or in batches."),
    paths(
        crate::handlers::console, crate::handlers::extract::extract,
        crate::handlers::batch::submit, crate::handlers::upload::upload,
        crate::handlers::batch::list, crate::handlers::batch::stats,
        crate::handlers::batch::cancel, crate::handlers::batch::retry,
        crate::handlers::batch::status, crate::handlers::batch::results,
        crate::handlers::events::events, crate::handlers::cache::stats,
        crate::handlers::cache::warm, crate::handlers::cache::cancel_warm,
        crate::handlers::cache::invalidate, crate::handlers::system_stats,
        crate::handlers::health::cluster, crate::handlers::perf::report,
        crate::handlers::openapi_json, crate::handlers::perf::metrics,
        crate::handlers::health::health, crate::handlers::health::ready,
    ),
    components(schemas(
        ErrorBody, ErrorDetail, Accepted, BatchList, CompanyProfile, Status, Health, Readiness,
        WarmQueued, WarmCancelled, Invalidated,
    )),
    modifiers(&Heads, &Keys),
)]
struct ApiDoc;

/// The `HEAD` of every route the router answers `HEAD` on: its `GET`,
/// each answer without a body.
struct Heads;

impl utoipa::Modify for Heads {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            if !crate::router::answers_head(path) {
                continue;
            }
            let Some(get) = &item.get else { continue };
            let mut head = get.clone();
            head.operation_id = get.operation_id.as_ref().map(|id| format!("{id}_head"));
            head.summary = None;
            head.description = Some("The `GET`'s headers, without its body.".to_owned());
            for response in head.responses.responses.values_mut() {
                if let utoipa::openapi::RefOr::T(r) = response {
                    r.content.clear();
                }
            }
            item.head = Some(head);
        }
    }
}

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
#[cfg(test)]
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
