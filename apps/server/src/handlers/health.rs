//! `GET /health` (the process is alive), `GET /ready` (it should get
//! traffic) and `GET /api/v1/cluster` (the instances sharing its Redis).

use http::{Response, StatusCode};
use serde_json::json;

use super::json_response;
use crate::openapi::{Health, Readiness};
use crate::{App, Body};

#[utoipa::path(operation_id = "health", get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is up", body = Health)))]
pub(crate) fn health(app: &App) -> Response<Body> {
    let health = Health {
        status: "ok",
        uptime_s: app.uptime_s(),
    };
    json_response(StatusCode::OK, &health)
}

#[utoipa::path(operation_id = "ready", get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Ready (`ready` or `degraded`, with the reason)", body = Readiness),
        (status = 503, description = "Draining, or not ready", body = Readiness),
    ))]
pub(crate) fn ready(app: &App) -> Response<Body> {
    if app.is_draining() {
        let draining = Readiness {
            status: "draining",
            ..Readiness::degraded("shutting down")
        };
        return json_response(StatusCode::SERVICE_UNAVAILABLE, &draining);
    }
    json_response(StatusCode::OK, &readiness(app))
}

/// Ready, or degraded and why.
fn readiness(app: &App) -> Readiness {
    // A shared tier that is down degrades the service; it keeps serving.
    if let Some(state) = app.cache().and_then(|c| c.store_state()) {
        if !state.connected {
            return Readiness {
                status: "degraded",
                reason: state.reason,
                redis_errors: Some(state.errors),
                ..Readiness::default()
            };
        }
    }
    // Redis answers but refuses writes (OOM, READONLY, MISCONF, NOPERM):
    // reads and extraction go on, nothing new is kept.
    if let Some(reason) = app.redis_writes_refused() {
        return Readiness {
            redis_writes_refused: Some(true),
            ..Readiness::degraded(format!(
                "redis answers but refuses writes ({reason}): nothing new is cached or stored"
            ))
        };
    }
    // Redis answers the cache but not the cluster's limits (or the other way):
    // each instance keeps to its share of the rates meanwhile.
    if app.limits_degraded() {
        return Readiness::degraded(
            "the cluster's rate limits are unreachable: this instance keeps to its share (rate / live instances)",
        );
    }
    Readiness {
        status: "ready",
        ..Readiness::default()
    }
}

/// The live instances sharing this one's Redis, what each is doing, and
/// whether the rate limits are the cluster's.
#[utoipa::path(operation_id = "cluster", get, path = "/api/v1/cluster", tag = "operations",
    responses(
        (status = 200, description = "The live instances, the limits' scope, the work streams' backlog", body = crate::openapi::Json),
    ))]
pub(crate) async fn cluster(app: &App) -> Response<Body> {
    let instances = app.instances().await;
    let stats = app.system_stats();
    // Backlog (entries not done) and pending (taken, not acknowledged) of
    // each priority's stream, read now; null without shared work.
    let streams = match app.batches().queue_depth().await {
        Some(Ok(d)) => json!(d),
        Some(Err(e)) => json!({ "error": e.to_string() }),
        None => serde_json::Value::Null,
    };
    json_response(
        StatusCode::OK,
        &json!({
            "self": app.instance_id(),
            "live": instances.len(),
            "instances": instances,
            "limits": {
                "shared": app.shared_limits(),
                "search": stats.search_rate.scope,
            },
            "work": {
                "in_flight": instances.iter().map(|i| i.in_flight).sum::<usize>(),
                "batch_items_running": instances.iter().map(|i| i.batches).sum::<usize>(),
                "queued_here": stats.scheduler.queued_high + stats.scheduler.queued_normal + stats.scheduler.queued_low,
                "shared": app.batches().shares_work(),
                "held_here": app.batches().held_items(),
                "streams": streams,
            },
        }),
    )
}
