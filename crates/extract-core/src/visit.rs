//! What happened to each page a crawl looked at, as a profile records it.

use serde::{Deserialize, Serialize};

/// What happened to one page the crawl looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageVisit {
    /// The page URL (after redirects).
    pub url: String,
    /// HTTP status, when the page was fetched.
    pub status: Option<u16>,
    /// What happened to it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub outcome: VisitOutcome,
}

/// What happened to a page, written on the wire as `fetched`,
/// `fetched_truncated`, `read`, `read_truncated`, `skipped_robots`,
/// `skipped_robots_unavailable`, `skipped_not_html`, `failed_status` or
/// `failed_<error kind>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum VisitOutcome {
    /// Fetched and read.
    Fetched,
    /// Fetched and read, but cut at a size or parser-memory limit.
    FetchedTruncated,
    /// A saved page read (`inspect`), not fetched.
    Read,
    /// A saved page read, cut at a limit.
    ReadTruncated,
    /// robots.txt refuses the page.
    SkippedRobots,
    /// robots.txt could not be read (5xx), so nothing of the site is read.
    SkippedRobotsUnavailable,
    /// The answer was not HTML.
    SkippedNotHtml,
    /// The site answered with an error status.
    FailedStatus,
    /// The fetch failed with this error kind (`timeout`, `connect`, …).
    Failed(String),
}

impl VisitOutcome {
    /// The name on the wire.
    pub fn as_str(&self) -> std::borrow::Cow<'static, str> {
        use std::borrow::Cow::{Borrowed, Owned};
        match self {
            VisitOutcome::Fetched => Borrowed("fetched"),
            VisitOutcome::FetchedTruncated => Borrowed("fetched_truncated"),
            VisitOutcome::Read => Borrowed("read"),
            VisitOutcome::ReadTruncated => Borrowed("read_truncated"),
            VisitOutcome::SkippedRobots => Borrowed("skipped_robots"),
            VisitOutcome::SkippedRobotsUnavailable => Borrowed("skipped_robots_unavailable"),
            VisitOutcome::SkippedNotHtml => Borrowed("skipped_not_html"),
            VisitOutcome::FailedStatus => Borrowed("failed_status"),
            VisitOutcome::Failed(kind) => Owned(format!("failed_{kind}")),
        }
    }

    /// robots.txt kept the page from being read.
    pub fn is_robots_refusal(&self) -> bool {
        matches!(
            self,
            VisitOutcome::SkippedRobots | VisitOutcome::SkippedRobotsUnavailable
        )
    }
}

impl std::fmt::Display for VisitOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl From<VisitOutcome> for String {
    fn from(o: VisitOutcome) -> String {
        o.as_str().into_owned()
    }
}

impl From<String> for VisitOutcome {
    /// Any name not listed is a failure of that kind (`failed_<kind>`, or
    /// the whole name when it has no such prefix).
    fn from(s: String) -> VisitOutcome {
        match s.as_str() {
            "fetched" => VisitOutcome::Fetched,
            "fetched_truncated" => VisitOutcome::FetchedTruncated,
            "read" => VisitOutcome::Read,
            "read_truncated" => VisitOutcome::ReadTruncated,
            "skipped_robots" => VisitOutcome::SkippedRobots,
            "skipped_robots_unavailable" => VisitOutcome::SkippedRobotsUnavailable,
            "skipped_not_html" => VisitOutcome::SkippedNotHtml,
            "failed_status" => VisitOutcome::FailedStatus,
            other => {
                VisitOutcome::Failed(other.strip_prefix("failed_").unwrap_or(other).to_owned())
            }
        }
    }
}
