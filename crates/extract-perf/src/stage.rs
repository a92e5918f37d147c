//! The stages a profile request goes through, as metrics and the report name them.

use serde::Serialize;

/// One stage of the service's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// A whole `POST /api/v1/company/extract` profile request, cache included.
    Request,
    /// A profile answered from the cache.
    Cache,
    /// A search provider call: permits, rate limiter, breaker, retries included.
    Search,
    /// A robots.txt fetch.
    Robots,
    /// A page fetch: permits, politeness, breaker, retries included.
    Fetch,
    /// Reading one page's signals (CPU).
    Extract,
    /// Classifying one profile's industry (CPU).
    Classify,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 7] = [
        Stage::Request,
        Stage::Cache,
        Stage::Search,
        Stage::Robots,
        Stage::Fetch,
        Stage::Extract,
        Stage::Classify,
    ];

    /// The stages whose time makes up an extraction (what a bottleneck can be).
    pub const WORK: [Stage; 5] = [
        Stage::Search,
        Stage::Robots,
        Stage::Fetch,
        Stage::Extract,
        Stage::Classify,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Request => "request",
            Stage::Cache => "cache",
            Stage::Search => "search",
            Stage::Robots => "robots",
            Stage::Fetch => "fetch",
            Stage::Extract => "extract",
            Stage::Classify => "classify",
        }
    }

    /// Calls that leave the process.
    pub fn is_upstream(self) -> bool {
        matches!(self, Stage::Search | Stage::Robots | Stage::Fetch)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl From<extract_core::CpuStage> for Stage {
    fn from(stage: extract_core::CpuStage) -> Stage {
        match stage {
            extract_core::CpuStage::Extract => Stage::Extract,
            extract_core::CpuStage::Classify => Stage::Classify,
        }
    }
}

/// How a stage's p95 grades against its bounds (its `level` in the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// p95 within the first bound.
    Excellent,
    /// Within the second.
    Good,
    /// Within the third.
    Acceptable,
    /// Within the fourth.
    Poor,
    /// Past every bound.
    Critical,
}

impl Grade {
    /// The level of a p95 (ms) against four ascending bounds.
    pub fn of(p95_ms: f64, bounds: &[f64; 4]) -> Grade {
        match bounds.iter().position(|b| p95_ms <= *b) {
            Some(0) => Grade::Excellent,
            Some(1) => Grade::Good,
            Some(2) => Grade::Acceptable,
            Some(_) => Grade::Poor,
            None => Grade::Critical,
        }
    }
}
