//! `POST /api/v1/company/extract`: one company, one profile.

use std::time::Duration;

use extract_core::{CompanyQuery, ExtractionMode, Freshness, Hints};
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use serde::Deserialize;
use serde_json::json;

use super::{json_response, read_json};
use crate::error::ApiError;
use crate::{App, Body};

/// The request body: a company name, a domain, or both.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExtractRequest {
    /// The company's name.
    company_name: Option<String>,
    /// Its domain, when known: the search is skipped and the site checked
    /// against `company_name` when both are given.
    domain: Option<String>,
    /// The company's country (ISO code such as `DE`, or a name such as
    /// `Austria`): candidates whose domain, phone numbers, address,
    /// identifiers or language agree are preferred.
    country: Option<String>,
    /// The company's city: candidates whose address or words name it are preferred.
    city: Option<String>,
    /// The company's LinkedIn page (`https://www.linkedin.com/company/<slug>`):
    /// its slug is one more form of the name, and a site linking to it is confirmed.
    linkedin_url: Option<String>,
    /// How deep to read the site.
    #[serde(default)]
    extraction_mode: ExtractionMode,
    /// A cached profile older than this many seconds is extracted again.
    #[schema(minimum = 0)]
    max_age_s: Option<u64>,
    /// Extract again even when cached.
    #[serde(default)]
    force_refresh: bool,
    /// Below this match confidence of the website choice, answer 404
    /// `no_confident_match` with the candidates instead of a profile.
    #[schema(minimum = 0.0, maximum = 1.0)]
    min_confidence: Option<f32>,
    /// Profile fields whose confidence is below this are left out of the answer.
    #[schema(minimum = 0.0, maximum = 1.0)]
    min_field_confidence: Option<f32>,
}

#[utoipa::path(operation_id = "extract", post, path = "/api/v1/company/extract", tag = "extract",
    request_body = crate::handlers::extract::ExtractRequest,
    responses(
        (status = 200, description = "The profile; `x-cache` says hit or miss", body = extract_core::CompanyProfile),
        (status = 400, description = "Malformed JSON", body = crate::openapi::ErrorBody),
        (status = 404, description = "No website found, or none confident enough", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is too large", body = crate::openapi::ErrorBody),
        (status = 415, description = "Not JSON", body = crate::openapi::ErrorBody),
        (status = 422, description = "A value is not accepted", body = crate::openapi::ErrorBody),
        (status = 429, description = "Too many requests", body = crate::openapi::ErrorBody),
        (status = 502, description = "The search provider or the site failed", body = crate::openapi::ErrorBody),
        (status = 503, description = "An upstream is unavailable (breaker open)", body = crate::openapi::ErrorBody),
        (status = 504, description = "The extraction took too long", body = crate::openapi::ErrorBody),
    ))]
pub(crate) async fn extract(app: &App, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    let body: ExtractRequest = read_json(req, app.config().server.max_body_bytes).await?;
    let mut query = CompanyQuery::new(
        body.company_name.as_deref(),
        body.domain.as_deref(),
        body.extraction_mode,
        app.config().extract.max_name_chars,
    )
    .map_err(|e| {
        let field = if body
            .company_name
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty())
            || body.domain.is_none()
        {
            "company_name"
        } else {
            "domain"
        };
        ApiError::from_core(&e).with_details(
            json!({ "field": field, "max_name_chars": app.config().extract.max_name_chars }),
        )
    })?;
    let hints = Hints::new(
        body.country.as_deref(),
        body.city.as_deref(),
        body.linkedin_url.as_deref(),
    )
    .map_err(|e| {
        let field = match &e {
            extract_core::Error::InvalidQuery(m) if m.starts_with("country") => "country",
            extract_core::Error::InvalidQuery(m) if m.starts_with("city") => "city",
            _ => "linkedin_url",
        };
        ApiError::from_core(&e).with_details(json!({ "field": field }))
    })?;
    query.hints = hints;
    for (field, value) in [
        ("min_confidence", body.min_confidence),
        ("min_field_confidence", body.min_field_confidence),
    ] {
        if let Some(m) = value.filter(|m| !(0.0..=1.0).contains(m)) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                format!("{field} must be between 0 and 1, not {m}"),
            )
            .with_details(json!({ "field": field })));
        }
    }
    query.freshness = Freshness {
        max_age_s: body.max_age_s,
        force_refresh: body.force_refresh,
    };
    let timeout = Duration::from_millis(app.config().server.request_timeout_ms);
    match tokio::time::timeout(timeout, app.requests().serve(&query)).await {
        Ok(Ok(served)) => {
            // The profile stays cached; the bar applies to this answer only.
            if let Some(m) = body.min_confidence {
                served
                    .value
                    .check_confidence(m)
                    .map_err(|e| ApiError::from_core(&e))?;
            }
            // A cached profile was made for whoever asked first: its `query`
            // is always this caller's own words.
            let mut profile = served.value;
            if profile.query != query.label() {
                std::sync::Arc::make_mut(&mut profile).query = query.label().to_owned();
            }
            if let Some(min) = body.min_field_confidence {
                std::sync::Arc::make_mut(&mut profile).retain_confident(min);
            }
            let mut response = json_response(StatusCode::OK, &*profile);
            response.headers_mut().insert(
                "x-cache",
                http::HeaderValue::from_static(served.outcome.as_str()),
            );
            Ok(response)
        }
        Ok(Err(e)) => {
            tracing::warn!(company = query.label(), error = %e, "extraction failed");
            Err(ApiError::from_core(&e))
        }
        Err(_) => Err(ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            format!("extraction took longer than {} ms", timeout.as_millis()),
        )),
    }
}
