//! The Prometheus names of the batch engine's counters: items finished by
//! outcome, and the shared work queue's backlog.

use extract_core::metrics::MetricSink;

use crate::{BatchService, QueueDepth};

impl BatchService {
    /// `extract_batch_items_total{outcome}`: items this instance finished.
    pub fn write_metrics(&self, sink: &dyn MetricSink) {
        let o = self.item_outcomes();
        for (outcome, n) in [
            ("succeeded", o.succeeded),
            ("cached", o.cached),
            ("failed", o.failed),
            ("skipped", o.skipped),
        ] {
            sink.counter(
                "extract_batch_items_total",
                &[("outcome", outcome)],
                n as u64,
            );
        }
    }
}

impl QueueDepth {
    /// `extract_work_{backlog,pending}{priority}`.
    pub fn write_metrics(&self, sink: &dyn MetricSink) {
        for (priority, depth) in [
            ("high", self.high),
            ("normal", self.normal),
            ("low", self.low),
        ] {
            let label = [("priority", priority)];
            sink.gauge("extract_work_backlog", &label, depth.backlog as f64);
            sink.gauge("extract_work_pending", &label, depth.pending as f64);
        }
    }
}
