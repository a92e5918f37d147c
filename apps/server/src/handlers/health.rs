//! `GET /health` (the process is alive) and `GET /ready` (it should get traffic).

use http::{Response, StatusCode};
use serde_json::json;

use super::json_response;
use crate::{App, Body};

pub(crate) fn health(app: &App) -> Response<Body> {
    json_response(
        StatusCode::OK,
        &json!({ "status": "ok", "uptime_s": app.uptime_s() }),
    )
}

pub(crate) fn ready(app: &App) -> Response<Body> {
    if app.is_draining() {
        return json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "status": "draining", "reason": "shutting down" }),
        );
    }
    // A shared tier that is down degrades the service; it keeps serving.
    if let Some(state) = app.cache().and_then(|c| c.store_state()) {
        if !state.connected {
            return json_response(
                StatusCode::OK,
                &json!({ "status": "degraded", "reason": state.reason, "redis_errors": state.errors }),
            );
        }
    }
    json_response(StatusCode::OK, &json!({ "status": "ready" }))
}
