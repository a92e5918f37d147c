//! The Prometheus names of this crate's counters: each snapshot writes
//! itself to a [`MetricSink`].

use extract_core::metrics::MetricSink;

use crate::{BreakerStats, PermitStats, RateSnapshot, RetryStats, SchedulerStats};

impl PermitStats {
    /// `extract_permits_{in_use,limit,waiting}{pool}`.
    pub fn write_metrics(&self, sink: &dyn MetricSink) {
        let pool = [("pool", self.name.as_str())];
        sink.gauge("extract_permits_in_use", &pool, self.in_use as f64);
        sink.gauge("extract_permits_limit", &pool, self.limit as f64);
        sink.gauge("extract_permits_waiting", &pool, self.waiting as f64);
    }
}

impl RateSnapshot {
    /// `extract_rate_limiter_{waited_seconds,waits_total,acquired_total}{limiter}`.
    pub fn write_metrics(&self, limiter: &str, sink: &dyn MetricSink) {
        let label = [("limiter", limiter)];
        sink.gauge(
            "extract_rate_limiter_waited_seconds",
            &label,
            self.wait_seconds,
        );
        sink.counter("extract_rate_limiter_waits_total", &label, self.waited);
        sink.counter("extract_rate_limiter_acquired_total", &label, self.acquired);
    }
}

impl BreakerStats {
    /// `extract_breakers_open`, `extract_breaker_rejections_total`.
    pub fn write_metrics(&self, sink: &dyn MetricSink) {
        sink.gauge("extract_breakers_open", &[], self.open as f64);
        sink.counter("extract_breaker_rejections_total", &[], self.rejected);
    }
}

impl RetryStats {
    /// `extract_retries_total`.
    pub fn write_metrics(&self, sink: &dyn MetricSink) {
        sink.counter("extract_retries_total", &[], self.retries);
    }
}

impl SchedulerStats {
    /// `extract_batch_queue_depth{priority}`, `extract_batch_items_running`,
    /// `extract_batch_items_completed_total`.
    pub fn write_metrics(&self, sink: &dyn MetricSink) {
        for (priority, depth) in [
            ("high", self.queued_high),
            ("normal", self.queued_normal),
            ("low", self.queued_low),
        ] {
            sink.gauge(
                "extract_batch_queue_depth",
                &[("priority", priority)],
                depth as f64,
            );
        }
        sink.gauge("extract_batch_items_running", &[], self.running as f64);
        sink.counter("extract_batch_items_completed_total", &[], self.completed);
    }
}

#[cfg(test)]
mod tests {
    use extract_core::metrics::MetricList;

    use crate::SchedulerStats;

    #[test]
    fn the_scheduler_writes_its_depth_per_priority() {
        let sink = MetricList::default();
        SchedulerStats {
            queued_high: 1,
            queued_normal: 2,
            queued_low: 3,
            running: 4,
            workers: 8,
            completed: 5,
        }
        .write_metrics(&sink);
        let depth = |p| sink.value("extract_batch_queue_depth", &[("priority", p)]);
        assert_eq!(
            (depth("high"), depth("normal"), depth("low")),
            (Some(1.0), Some(2.0), Some(3.0))
        );
        assert_eq!(sink.value("extract_batch_items_running", &[]), Some(4.0));
        assert_eq!(
            sink.value("extract_batch_items_completed_total", &[]),
            Some(5.0)
        );
    }
}
