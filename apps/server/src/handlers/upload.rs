//! `POST /api/v1/company/batch/upload`: a CSV, XLSX or plain list becomes a
//! batch. A table's columns are recognised by header; `?<role>_column=`
//! overrides what was recognised, and `?preview=true` answers what would be
//! read (the headers, the mapping, the rows) without starting anything, so
//! that the console can show the mapping and let it be changed first.

use std::collections::HashMap;

use extract_batch::BatchRequest;
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use serde::Serialize;

use super::batch::{accepted, bad_param, batch_error, enum_param, share_param};
use super::json_response;
use crate::columns::Role;
use crate::error::ApiError;
use crate::names::Upload;
use crate::{App, Body};

/// What an upload would read (`?preview=true`).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Preview {
    /// `table` (a header row was recognised) or `list` (one name a line).
    kind: &'static str,
    /// The header, in the file's order (a table's).
    headers: Vec<String>,
    /// The header of each recognised column: `name`, `domain`, `country`,
    /// `city`, `linkedin`, `id`.
    #[schema(value_type = Object)]
    mapping: HashMap<&'static str, String>,
    /// Rows (or names) under the header.
    rows: usize,
    /// The first few rows, as read.
    sample: Vec<Vec<String>>,
}

/// The query parameters that choose a column for a role.
const ROLE_PARAMS: [(&str, Role); 6] = [
    ("name_column", Role::Name),
    ("domain_column", Role::Domain),
    ("country_column", Role::Country),
    ("city_column", Role::City),
    ("linkedin_column", Role::Linkedin),
    ("id_column", Role::Id),
];

const KNOWN: &str = "extraction_mode, priority, min_confidence, min_field_confidence, preview, name_column, domain_column, country_column, city_column, linkedin_column, id_column";

#[utoipa::path(operation_id = "batch_upload", post, path = "/api/v1/company/batch/upload", tag = "batches",
    params(
        ("extraction_mode" = Option<extract_core::ExtractionMode>, Query, description = "How deep to read each site"),
        ("priority" = Option<extract_core::Priority>, Query, description = "Scheduling priority"),
        ("min_confidence" = Option<f64>, Query, description = "The lowest website-match confidence accepted, 0–1"),
        ("min_field_confidence" = Option<f64>, Query, description = "Profile fields below this confidence, 0–1, are left out of the results"),
        ("preview" = Option<bool>, Query, description = "Answer 200 with what would be read (headers, the recognised mapping, rows, a sample) and start nothing"),
        ("name_column" = Option<String>, Query, description = "The header of the column holding the company's name (instead of the one recognised; empty: none)"),
        ("domain_column" = Option<String>, Query, description = "The header of the domain column"),
        ("country_column" = Option<String>, Query, description = "The header of the country column"),
        ("city_column" = Option<String>, Query, description = "The header of the city column"),
        ("linkedin_column" = Option<String>, Query, description = "The header of the LinkedIn column"),
        ("id_column" = Option<String>, Query, description = "The header of the caller's id column"),
    ),
    request_body(description = "A CSV or an XLSX workbook (its first sheet) whose first row names its columns (the company's name, domain, country, city, LinkedIn page, an id, in the common languages; every other column is carried to the results), or a list, one name a line (the first column)",
        content(
            (String = "text/csv"),
            (String = "text/plain"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/octet-stream"),
        )),
    responses(
        (status = 202, description = "Accepted", body = crate::openapi::Accepted),
        (status = 200, description = "With `preview=true`: what would be read", body = Preview),
        (status = 400, description = "An unknown or malformed parameter, or a column parameter naming no header", body = crate::openapi::ErrorBody),
        (status = 413, description = "The file is too large", body = crate::openapi::ErrorBody),
        (status = 422, description = "Not a CSV or XLSX file, a table with no name nor domain column, or names refused", body = crate::openapi::ErrorBody),
        (status = 503, description = "Batches are disabled", body = crate::openapi::ErrorBody),
    ))]
pub(crate) async fn upload(app: &App, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    if !app.batches().config().enabled {
        return Err(ApiError::from_batch(&extract_batch::Error::Disabled));
    }
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let mut request = BatchRequest::default();
    let mut preview = false;
    let mut chosen: Vec<(Role, &str, &str)> = Vec::new();
    for (key, value) in &params {
        match key.as_str() {
            "extraction_mode" => request.extraction_mode = enum_param(key, value)?,
            "priority" => request.priority = enum_param(key, value)?,
            "min_confidence" => request.min_confidence = Some(share_param(key, value)?),
            "min_field_confidence" => {
                request.min_field_confidence = Some(share_param(key, value)?);
            }
            "preview" => {
                preview = match value.as_str() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => {
                        return Err(bad_param(
                            key,
                            format!("preview is true or false, not {value:?}"),
                        ))
                    }
                }
            }
            k => match ROLE_PARAMS.iter().find(|(p, _)| *p == k) {
                Some((p, role)) => chosen.push((*role, p, value.as_str())),
                None => {
                    return Err(bad_param(
                        key,
                        format!("unknown parameter {key:?}; known: {KNOWN}"),
                    ))
                }
            },
        }
    }
    let body = super::read_bytes(req, app.config().server.max_body_bytes).await?;
    match app.inbound().read_upload(body).await? {
        Upload::Names(names) if preview => Ok(json_response(
            StatusCode::OK,
            &Preview {
                kind: "list",
                headers: Vec::new(),
                mapping: HashMap::new(),
                rows: names.len(),
                sample: names.into_iter().take(5).map(|n| vec![n]).collect(),
            },
        )),
        Upload::Names(names) => {
            request.company_names = names;
            start(app, request).await
        }
        Upload::Table { header, rows } => {
            let mut mapping = crate::columns::mapping(&header);
            for (role, param, value) in chosen {
                mapping.retain(|(r, _)| *r != role);
                if value.trim().is_empty() {
                    continue; // no column holds it
                }
                let at = header.iter().position(|h| h == value.trim()).ok_or_else(|| {
                    bad_param(
                        param,
                        format!("{param} {value:?} is not a header of the file; its headers are {header:?}"),
                    )
                })?;
                mapping.push((role, at));
            }
            if preview {
                let named = mapping
                    .iter()
                    .map(|(role, at)| (role.as_str(), header[*at].clone()))
                    .collect();
                return Ok(json_response(
                    StatusCode::OK,
                    &Preview {
                        kind: "table",
                        rows: rows.len(),
                        sample: rows.iter().take(5).cloned().collect(),
                        headers: header,
                        mapping: named,
                    },
                ));
            }
            crate::columns::put_table(&mut request, header, rows, &mapping).map_err(|message| {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_file", message)
            })?;
            start(app, request).await
        }
    }
}

async fn start(app: &App, request: BatchRequest) -> Result<Response<Body>, ApiError> {
    let batch = app.batches().submit(request).await.map_err(batch_error)?;
    Ok(accepted(&batch))
}
