//! One stage's windows as the monitor hands them over, and as the report
//! shows them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{Bounds, Thresholds};
use crate::hist::Hist;
use crate::window::WindowStats;
use crate::{Grade, Stage};

/// A stage's windows, as the monitor hands them over.
pub(crate) struct StageData {
    pub(crate) stage: Stage,
    pub(crate) spans: [(&'static str, u64, Hist); 3],
    pub(crate) window: Hist,
    pub(crate) hours: Vec<(u64, Hist)>,
}

/// The bounds of `stage`.
pub(crate) fn bounds(t: &Thresholds, stage: Stage) -> Bounds {
    match stage {
        Stage::Request => t.request,
        Stage::Cache => t.cache,
        Stage::Search => t.search,
        Stage::Robots => t.robots,
        Stage::Fetch => t.fetch,
        Stage::Extract => t.extract,
        Stage::Classify => t.classify,
    }
}

/// One stage in the report.
#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    /// The stage.
    pub stage: Stage,
    /// Its level over the report window (`None` without calls).
    pub level: Option<Grade>,
    /// The p95 bounds of Excellent, Good, Acceptable, Poor, ms.
    pub bounds_ms: Bounds,
    /// Share of the extraction work time spent in it over the report window
    /// (work stages only).
    pub time_share: Option<f64>,
    /// `1m`, `5m`, `1h`.
    pub windows: BTreeMap<&'static str, WindowStats>,
}

/// A share as a whole percentage.
pub(crate) fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}
