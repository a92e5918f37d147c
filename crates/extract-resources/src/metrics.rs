//! The Prometheus names of this crate's counters: the HTTP client's
//! traffic and the process's memory and CPU, each written to a
//! [`MetricSink`].

use extract_core::metrics::MetricSink;

use crate::{ClientStats, ProcessSample};

impl ClientStats {
    /// `extract_http_client_requests_total`,
    /// `extract_http_client_connections_opened_total`.
    pub fn write_metrics(&self, sink: &dyn MetricSink) {
        sink.counter("extract_http_client_requests_total", &[], self.requests);
        sink.counter(
            "extract_http_client_connections_opened_total",
            &[],
            self.connections_opened,
        );
    }
}

impl ProcessSample {
    /// `extract_process_{resident_memory_bytes,memory_limit_bytes,cpu_usage_ratio}`.
    pub fn write_metrics(&self, sink: &dyn MetricSink) {
        sink.gauge(
            "extract_process_resident_memory_bytes",
            &[],
            self.rss_bytes as f64,
        );
        sink.gauge(
            "extract_process_memory_limit_bytes",
            &[],
            self.max_memory_bytes as f64,
        );
        sink.gauge(
            "extract_process_cpu_usage_ratio",
            &[],
            f64::from(self.cpu_percent) / 100.0,
        );
    }
}

#[cfg(test)]
mod tests {
    use extract_core::metrics::MetricList;

    use crate::{ClientStats, ProcessSample};

    #[test]
    fn memory_and_traffic_are_written_under_their_names() {
        let sink = MetricList::default();
        ClientStats {
            requests: 7,
            connections_opened: 2,
            hosts: 1,
        }
        .write_metrics(&sink);
        ProcessSample {
            rss_bytes: 1 << 20,
            cpu_percent: 150.0,
            max_memory_bytes: 2 << 20,
            ..ProcessSample::default()
        }
        .write_metrics(&sink);
        assert_eq!(
            sink.value("extract_http_client_requests_total", &[]),
            Some(7.0)
        );
        assert_eq!(
            sink.value("extract_process_resident_memory_bytes", &[]),
            Some(1_048_576.0)
        );
        assert_eq!(
            sink.value("extract_process_cpu_usage_ratio", &[]),
            Some(1.5)
        );
    }
}
