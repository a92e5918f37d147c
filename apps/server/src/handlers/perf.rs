//! `GET /metrics` (Prometheus text) and `GET /api/v1/performance/report`.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};

use crate::error::ApiError;
use crate::handlers::json_response;
use crate::{App, Body};

/// The Prometheus exposition: totals kept by the other parts are read now,
/// then everything is rendered.
#[utoipa::path(operation_id = "metrics", get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "Prometheus text exposition", content_type = "text/plain"),
    ))]
pub(crate) fn metrics(app: &App) -> Response<Body> {
    collect(app);
    let mut r = Response::new(crate::full(Bytes::from(app.perf().render())));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

/// The performance report, or 503 when monitoring is off.
#[utoipa::path(operation_id = "performance_report", get, path = "/api/v1/performance/report", tag = "operations",
    responses(
        (status = 200, description = "Stages over rolling windows, the bottleneck and recommendations, cache use, alerts", body = crate::openapi::Json),
        (status = 503, description = "Monitoring is off", body = crate::openapi::ErrorBody),
    ))]
pub(crate) fn report(app: &App) -> Result<Response<Body>, ApiError> {
    match app.perf().report() {
        Some(r) => Ok(json_response(StatusCode::OK, &r)),
        None => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "performance_monitoring_disabled",
            "performance monitoring is off (performance.enabled, PERFORMANCE_MONITORING_ENABLED); /metrics is still served",
        )),
    }
}

/// Each part writes its counters and gauges into the monitor, under the
/// names it owns; the server writes only its own (cluster, keys, inbound
/// connections, uptime).
fn collect(app: &App) {
    let m = app.perf();
    let s = app.system_stats();
    for p in &s.permits {
        p.write_metrics(m);
    }
    s.search_rate.write_metrics("search", m);
    s.breakers.write_metrics(m);
    s.retries.write_metrics(m);
    app.http_client_stats().write_metrics(m);
    s.resources.write_metrics(m);
    s.scheduler.write_metrics(m);
    app.batches().write_metrics(m);
    if let Some(d) = app.queue_depth() {
        d.write_metrics(m);
    }
    if let Some(cache) = app.cache() {
        cache.stats().write_metrics(m);
    }
    let limiter = [("limiter", "search")];
    if app.shared_limits() {
        let fallback = if app.limits_degraded() { 1.0 } else { 0.0 };
        m.gauge("extract_rate_limiter_fallback", &limiter, fallback);
    }
    m.gauge(
        "extract_cluster_instances",
        &[],
        app.live_instances() as f64,
    );
    for (key, n) in app.key_requests() {
        m.counter("extract_api_key_requests_total", &[("key", &key)], n);
    }
    // Only with Redis configured.
    if !app.config().cache.redis_url.expose().is_empty() {
        let refused = if app.redis_writes_refused().is_some() {
            1.0
        } else {
            0.0
        };
        m.gauge("extract_redis_writes_refused", &[], refused);
    }
    let inbound = app.inbound().stats();
    m.counter(
        "extract_http_body_timeouts_total",
        &[],
        inbound.body_timeouts,
    );
    for (cap, n) in inbound.uploads_refused {
        m.counter("extract_uploads_refused_total", &[("cap", cap)], n);
    }
    m.gauge("extract_event_streams", &[], inbound.event_streams as f64);
    m.counter(
        "extract_event_streams_refused_total",
        &[],
        inbound.event_streams_refused,
    );
    m.gauge("extract_uptime_seconds", &[], app.uptime_s() as f64);
}
