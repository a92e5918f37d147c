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

/// Copies the other parts' counters and gauges into the monitor.
fn collect(app: &App) {
    let m = app.perf();
    let s = app.system_stats();
    for p in &s.permits {
        m.gauge(
            "extract_permits_in_use",
            &[("pool", p.name.as_str())],
            p.in_use as f64,
        );
        m.gauge(
            "extract_permits_limit",
            &[("pool", p.name.as_str())],
            p.limit as f64,
        );
        m.gauge(
            "extract_permits_waiting",
            &[("pool", p.name.as_str())],
            p.waiting as f64,
        );
    }
    let limiter = [("limiter", "search")];
    m.gauge(
        "extract_rate_limiter_waited_seconds",
        &limiter,
        s.search_rate.wait_seconds,
    );
    m.counter(
        "extract_rate_limiter_waits_total",
        &limiter,
        s.search_rate.waited,
    );
    m.counter(
        "extract_rate_limiter_acquired_total",
        &limiter,
        s.search_rate.acquired,
    );
    if app.shared_limits() {
        m.gauge(
            "extract_rate_limiter_fallback",
            &limiter,
            if app.limits_degraded() { 1.0 } else { 0.0 },
        );
    }
    m.gauge(
        "extract_cluster_instances",
        &[],
        app.live_instances() as f64,
    );
    if let Some(d) = app.queue_depth() {
        for (priority, depth) in [("high", d.high), ("normal", d.normal), ("low", d.low)] {
            m.gauge(
                "extract_work_backlog",
                &[("priority", priority)],
                depth.backlog as f64,
            );
            m.gauge(
                "extract_work_pending",
                &[("priority", priority)],
                depth.pending as f64,
            );
        }
    }
    for (key, n) in app.key_requests() {
        m.counter("extract_api_key_requests_total", &[("key", &key)], n);
    }
    // Only with Redis configured.
    if !app.config().cache.redis_url.expose().is_empty() {
        m.gauge(
            "extract_redis_writes_refused",
            &[],
            if app.redis_writes_refused().is_some() {
                1.0
            } else {
                0.0
            },
        );
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
    m.gauge("extract_breakers_open", &[], s.breakers.open as f64);
    m.counter("extract_breaker_rejections_total", &[], s.breakers.rejected);
    m.counter("extract_retries_total", &[], s.retries.retries);
    m.counter("extract_http_client_requests_total", &[], s.http.requests);
    m.counter(
        "extract_http_client_connections_opened_total",
        &[],
        s.http.connections_opened,
    );
    m.gauge(
        "extract_process_resident_memory_bytes",
        &[],
        s.resources.rss_bytes as f64,
    );
    m.gauge(
        "extract_process_memory_limit_bytes",
        &[],
        s.resources.max_memory_bytes as f64,
    );
    m.gauge(
        "extract_process_cpu_usage_ratio",
        &[],
        f64::from(s.resources.cpu_percent) / 100.0,
    );
    let q = &s.scheduler;
    for (priority, depth) in [
        ("high", q.queued_high),
        ("normal", q.queued_normal),
        ("low", q.queued_low),
    ] {
        m.gauge(
            "extract_batch_queue_depth",
            &[("priority", priority)],
            depth as f64,
        );
    }
    m.gauge("extract_batch_items_running", &[], q.running as f64);
    m.counter("extract_batch_items_completed_total", &[], q.completed);
    let o = app.batches().item_outcomes();
    for (outcome, n) in [
        ("succeeded", o.succeeded),
        ("cached", o.cached),
        ("failed", o.failed),
        ("skipped", o.skipped),
    ] {
        m.counter(
            "extract_batch_items_total",
            &[("outcome", outcome)],
            n as u64,
        );
    }
    m.gauge("extract_uptime_seconds", &[], app.uptime_s() as f64);
    if let Some(cache) = app.cache() {
        let c = cache.stats();
        for (level, l) in [
            ("company", &c.company),
            ("serp", &c.serp),
            ("page", &c.page),
        ] {
            let mut tiers = vec![("l1", &l.l1)];
            if let Some(l2) = &l.l2 {
                tiers.push(("l2", l2));
            }
            for (tier, t) in tiers {
                for (result, n) in [("hit", t.hits), ("miss", t.misses)] {
                    m.counter(
                        "extract_cache_lookups_total",
                        &[("level", level), ("tier", tier), ("result", result)],
                        n,
                    );
                }
            }
            m.gauge(
                "extract_cache_entries",
                &[("level", level)],
                l.l1_entries as f64,
            );
            m.gauge(
                "extract_cache_bytes",
                &[("level", level)],
                l.l1_bytes as f64,
            );
            m.counter(
                "extract_cache_coalesced_total",
                &[("level", level)],
                l.coalesced,
            );
            m.counter(
                "extract_cache_stale_served_total",
                &[("level", level)],
                l.stale_served,
            );
        }
        if let Some(redis) = &c.redis {
            m.gauge(
                "extract_redis_up",
                &[],
                if redis.connected { 1.0 } else { 0.0 },
            );
        }
    }
}
