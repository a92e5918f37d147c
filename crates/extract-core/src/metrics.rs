//! How a part of the service reports its counters and gauges: it writes
//! them, under names it owns, to a [`MetricSink`] (the performance monitor
//! in the server, a list in a test). The server asks each part to write
//! instead of copying their numbers under names of its own.

/// Where counters and gauges are written. Names are Prometheus names
/// (`extract_…`, counters ending in `_total`); labels are `(key, value)`.
pub trait MetricSink {
    /// A value that goes up and down.
    fn gauge(&self, name: &'static str, labels: &[(&'static str, &str)], value: f64);
    /// A total since start.
    fn counter(&self, name: &'static str, labels: &[(&'static str, &str)], total: u64);
}

/// One value written: `(name, labels, value)`.
pub type Written = (String, Vec<(String, String)>, f64);

/// A sink that keeps what is written, for tests.
#[derive(Debug, Default)]
pub struct MetricList(std::sync::Mutex<Vec<Written>>);

impl MetricList {
    /// What was written, in order.
    pub fn take(&self) -> Vec<Written> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The value written last under `name` with exactly these labels.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.iter()
            .rev()
            .find(|(n, l, _)| {
                n == name
                    && l.len() == labels.len()
                    && l.iter()
                        .zip(labels)
                        .all(|((k, v), (k2, v2))| k == k2 && v == v2)
            })
            .map(|(_, _, v)| *v)
    }

    fn push(&self, name: &str, labels: &[(&'static str, &str)], value: f64) {
        let labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((name.to_owned(), labels, value));
    }
}

impl MetricSink for MetricList {
    fn gauge(&self, name: &'static str, labels: &[(&'static str, &str)], value: f64) {
        self.push(name, labels, value);
    }

    fn counter(&self, name: &'static str, labels: &[(&'static str, &str)], total: u64) {
        self.push(name, labels, total as f64);
    }
}
