//! Every metric the service exposes, with its type and help text: the one
//! list `/metrics` describes and `docs/observability.md` documents.

use metrics::{KeyName, Recorder, SharedString};

/// A metric's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Only goes up.
    Counter,
    /// Goes up and down.
    Gauge,
    /// Observations in buckets (0.1 ms to 30 s).
    Histogram,
}

/// `(name, kind, labels, help)` of every metric.
pub const METRICS: &[(&str, MetricKind, &str, &str)] = &[
    ("extract_build_info", MetricKind::Gauge, "version", "Always 1; the running version in its label."),
    ("extract_performance_monitoring_enabled", MetricKind::Gauge, "", "1 when rolling windows, the report and alerts run."),
    ("extract_http_requests_total", MetricKind::Counter, "route, method, status", "HTTP requests answered, by route template, method and status."),
    ("extract_http_request_duration_seconds", MetricKind::Histogram, "route", "Time to answer an HTTP request, by route template."),
    ("extract_stage_duration_seconds", MetricKind::Histogram, "stage, outcome", "Time of one run of a stage (request, cache, search, robots, fetch, extract, classify), ok or error."),
    ("extract_upstream_requests_total", MetricKind::Counter, "upstream, outcome", "Calls to the search provider (search) and to sites (robots, fetch) by outcome: ok, http_429, http_5xx, or an error kind such as upstream_timeout or upstream_unavailable (breaker open)."),
    ("extract_cache_lookups_total", MetricKind::Counter, "level, tier, result", "Cache lookups by level (company, serp, page), tier (l1, l2) and result (hit, miss)."),
    ("extract_cache_entries", MetricKind::Gauge, "level", "Entries in the in-process tier, by level."),
    ("extract_cache_bytes", MetricKind::Gauge, "level", "Bytes held by the in-process tier, by level."),
    ("extract_cache_coalesced_total", MetricKind::Counter, "level", "Lookups that waited for an identical computation instead of starting one."),
    ("extract_cache_stale_served_total", MetricKind::Counter, "level", "Expired entries served while refreshed in the background."),
    ("extract_redis_up", MetricKind::Gauge, "", "1 when the shared cache tier's Redis is connected, 0 when not (absent without Redis)."),
    ("extract_permits_in_use", MetricKind::Gauge, "pool", "Permits held, by pool (extractions, searches, crawls)."),
    ("extract_permits_limit", MetricKind::Gauge, "pool", "Permits there are now, by pool (the extraction pool's limit adapts)."),
    ("extract_permits_waiting", MetricKind::Gauge, "pool", "Callers waiting for a permit, by pool."),
    ("extract_rate_limiter_waited_seconds", MetricKind::Gauge, "limiter", "Seconds callers have waited for a token of the search rate limiter since start (only grows: use rate())."),

    ("extract_rate_limiter_waits_total", MetricKind::Counter, "limiter", "Calls that had to wait for a token."),
    ("extract_rate_limiter_fallback", MetricKind::Gauge, "limiter", "1 while the cluster's rate limit (in Redis) is unreachable and this instance keeps to its share of the rate, 0 otherwise (absent without a shared limit)."),
    ("extract_cluster_instances", MetricKind::Gauge, "", "Live instances sharing this one's Redis, from their heartbeats (1 without Redis)."),
    ("extract_api_key_requests_total", MetricKind::Counter, "key", "Requests made with an API key, by the key's id (the first 8 hex digits of its SHA-256; never the key)."),
    ("extract_rate_limiter_acquired_total", MetricKind::Counter, "limiter", "Tokens taken."),
    ("extract_http_body_timeouts_total", MetricKind::Counter, "", "Requests answered 408 because their body sent nothing for server.body_read_timeout_ms."),
    ("extract_uploads_refused_total", MetricKind::Counter, "cap", "Uploaded files refused, by the upload cap passed (or invalid)."),
    ("extract_event_streams", MetricKind::Gauge, "", "Server-Sent Event streams open now."),
    ("extract_event_streams_refused_total", MetricKind::Counter, "", "Event streams refused with 429 past server.max_event_streams or its per-batch twin."),
    ("extract_redis_writes_refused", MetricKind::Gauge, "", "1 while Redis answers but refuses writes (OOM, READONLY, MISCONF, NOPERM), probed every 2 s; only with Redis."),
    ("extract_breakers_open", MetricKind::Gauge, "", "Circuit breakers open now (search provider and crawled hosts)."),
    ("extract_breaker_rejections_total", MetricKind::Counter, "", "Calls failed at once by an open breaker."),
    ("extract_retries_total", MetricKind::Counter, "", "Upstream calls retried (timeouts, connection failures, 429, 5xx)."),
    ("extract_http_client_requests_total", MetricKind::Counter, "", "Requests sent by the outbound HTTP client."),
    ("extract_http_client_connections_opened_total", MetricKind::Counter, "", "Connections the outbound client opened; the rest reused pooled ones."),
    ("extract_batch_queue_depth", MetricKind::Gauge, "priority", "Batch items waiting in the scheduler, by priority (high, normal, low)."),
    ("extract_batch_items_running", MetricKind::Gauge, "", "Batch items running now."),
    ("extract_batch_items_completed_total", MetricKind::Counter, "", "Batch items the scheduler finished, whatever their outcome."),
    ("extract_batch_items_total", MetricKind::Counter, "outcome", "Items of finished batches by outcome (succeeded, cached, failed, skipped), among the batches stored."),
    ("extract_process_resident_memory_bytes", MetricKind::Gauge, "", "Resident memory of the process."),
    ("extract_process_memory_limit_bytes", MetricKind::Gauge, "", "MAX_MEMORY_MB in bytes."),
    ("extract_process_cpu_usage_ratio", MetricKind::Gauge, "", "CPU used by the process over the last sample (1.0 = one core)."),
    ("extract_alerts_active", MetricKind::Gauge, "", "Alerts firing now."),
    ("extract_alert_events_total", MetricKind::Counter, "state", "Alert changes: firing, resolved."),
    ("extract_uptime_seconds", MetricKind::Gauge, "", "Seconds since the process started."),
];

/// Describes every metric of [`METRICS`] to `recorder` (the `# HELP` lines).
pub(crate) fn describe(recorder: &impl Recorder) {
    for (name, kind, _, help) in METRICS {
        let key = KeyName::from_const_str(name);
        let help = SharedString::const_str(help);
        match kind {
            MetricKind::Counter => recorder.describe_counter(key, None, help),
            MetricKind::Gauge => recorder.describe_gauge(key, None, help),
            MetricKind::Histogram => recorder.describe_histogram(key, None, help),
        }
    }
}
