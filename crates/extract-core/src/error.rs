//! The one error type of the extraction domain, shared by every trait implementation.

use std::time::Duration;

/// Which upstream an error came from: the search provider or a crawled website.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Upstream {
    /// The web search provider.
    Search,
    /// A company website (homepage, about page, robots.txt).
    Site,
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Upstream::Search => "search provider",
            Upstream::Site => "website",
        })
    }
}

/// What went wrong, by a name callers act on: the one list of error kinds
/// (an API error's `details.kind`, a batch item's `error.kind`, an export's
/// `error_kind`), serialised here and nowhere else.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorKind {
    /// [`Error::InvalidQuery`].
    InvalidQuery,
    /// [`Error::NoWebsite`].
    NoWebsite,
    /// [`Error::NoConfidentMatch`].
    NoConfidentMatch,
    /// [`Error::Timeout`].
    UpstreamTimeout,
    /// [`Error::Status`] 429.
    UpstreamRateLimited,
    /// [`Error::Status`], other statuses.
    UpstreamStatus,
    /// [`Error::Connect`].
    UpstreamUnreachable,
    /// [`Error::InvalidResponse`].
    UpstreamInvalidResponse,
    /// [`Error::BodyTooLarge`].
    UpstreamBodyTooLarge,
    /// [`Error::Refused`].
    FetchRefused,
    /// [`Error::Unavailable`].
    UpstreamUnavailable,
    /// [`Error::InvalidConfig`].
    InvalidConfig,
    /// A batch item that took longer than its timeout.
    Timeout,
    /// A batch item its batch's cancel skipped.
    Cancelled,
    /// A batch item whose homepage robots.txt refuses.
    Robots,
}

impl ErrorKind {
    /// Every kind.
    pub const ALL: [ErrorKind; 15] = [
        ErrorKind::InvalidQuery,
        ErrorKind::NoWebsite,
        ErrorKind::NoConfidentMatch,
        ErrorKind::UpstreamTimeout,
        ErrorKind::UpstreamRateLimited,
        ErrorKind::UpstreamStatus,
        ErrorKind::UpstreamUnreachable,
        ErrorKind::UpstreamInvalidResponse,
        ErrorKind::UpstreamBodyTooLarge,
        ErrorKind::FetchRefused,
        ErrorKind::UpstreamUnavailable,
        ErrorKind::InvalidConfig,
        ErrorKind::Timeout,
        ErrorKind::Cancelled,
        ErrorKind::Robots,
    ];

    /// The wire name (`no_website`), as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidQuery => "invalid_query",
            ErrorKind::NoWebsite => "no_website",
            ErrorKind::NoConfidentMatch => "no_confident_match",
            ErrorKind::UpstreamTimeout => "upstream_timeout",
            ErrorKind::UpstreamRateLimited => "upstream_rate_limited",
            ErrorKind::UpstreamStatus => "upstream_status",
            ErrorKind::UpstreamUnreachable => "upstream_unreachable",
            ErrorKind::UpstreamInvalidResponse => "upstream_invalid_response",
            ErrorKind::UpstreamBodyTooLarge => "upstream_body_too_large",
            ErrorKind::FetchRefused => "fetch_refused",
            ErrorKind::UpstreamUnavailable => "upstream_unavailable",
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Robots => "robots",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with a wire name: `kind == "cancelled"`.
impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Everything that can go wrong while extracting one company.
///
/// The variants are kinds a caller acts on (the server maps them to HTTP
/// statuses, a batch records them per item), not a trace of where the code
/// failed; the message carries the detail.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query itself is unusable (no name and no domain, a domain that is not a host name).
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// Search returned nothing that looks like the company's own website.
    #[error("no official website found for {company:?}")]
    NoWebsite {
        /// The company name as asked.
        company: String,
    },
    /// A website was chosen, but with less match confidence than the request asked for.
    #[error("no confident match for {company:?}: the best candidate {best:?} has confidence {confidence:.2}, below the {min_confidence} asked for")]
    NoConfidentMatch {
        /// The company name as asked.
        company: String,
        /// The best candidate's homepage.
        best: String,
        /// Its match confidence.
        confidence: f32,
        /// The minimum the request asked for.
        min_confidence: f32,
        /// The candidates, best first (the best and the runner-up).
        candidates: Vec<String>,
    },
    /// The upstream did not answer within the time allowed.
    #[error("{upstream} timed out: {url}")]
    Timeout {
        /// Which upstream.
        upstream: Upstream,
        /// The URL that was being fetched (without query string secrets).
        url: String,
    },
    /// The upstream answered with an unusable HTTP status.
    #[error("{upstream} answered HTTP {status}: {url}")]
    Status {
        /// Which upstream.
        upstream: Upstream,
        /// The HTTP status code.
        status: u16,
        /// The URL that was fetched.
        url: String,
        /// How long the upstream asked us to wait (from `Retry-After`), if it said.
        retry_after: Option<Duration>,
    },
    /// The connection could not be made or broke off.
    #[error("{upstream} unreachable: {url}: {message}")]
    Connect {
        /// Which upstream.
        upstream: Upstream,
        /// The URL that was being fetched.
        url: String,
        /// What the transport said.
        message: String,
    },
    /// The upstream answered, but not in a form we can read (bad JSON, not HTML).
    #[error("{upstream} sent an unreadable response: {message}")]
    InvalidResponse {
        /// Which upstream.
        upstream: Upstream,
        /// What was wrong with it.
        message: String,
    },
    /// The response body went over the configured cap.
    #[error("response body of {url} exceeds {limit} bytes")]
    BodyTooLarge {
        /// The URL that was being fetched.
        url: String,
        /// The cap in bytes.
        limit: u64,
    },
    /// The upstream is not being called now: its circuit breaker is open, or
    /// the service is shedding load.
    #[error("{upstream} unavailable: {reason}")]
    Unavailable {
        /// Which upstream.
        upstream: Upstream,
        /// Why.
        reason: String,
        /// When to try again, if known.
        retry_after: Option<Duration>,
    },
    /// A setting is missing or wrong (reported at start-up).
    #[error("{key}: {message}")]
    InvalidConfig {
        /// The setting, e.g. `search.api_key`.
        key: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The URL was refused before connecting: scheme, private address, too many redirects.
    #[error("refused to fetch {url}: {reason}")]
    Refused {
        /// The URL that was refused.
        url: String,
        /// Why.
        reason: String,
    },
}

impl Error {
    /// Which upstream the error came from, if it came from one.
    pub fn upstream(&self) -> Option<Upstream> {
        match self {
            Error::Timeout { upstream, .. }
            | Error::Status { upstream, .. }
            | Error::Connect { upstream, .. }
            | Error::InvalidResponse { upstream, .. }
            | Error::Unavailable { upstream, .. } => Some(*upstream),
            _ => None,
        }
    }

    /// Returns the same error attributed to another upstream (the HTTP client
    /// does not know whether it is fetching for search or for a site).
    pub fn for_upstream(self, to: Upstream) -> Self {
        match self {
            Error::Timeout { url, .. } => Error::Timeout { upstream: to, url },
            Error::Status {
                status,
                url,
                retry_after,
                ..
            } => Error::Status {
                upstream: to,
                status,
                url,
                retry_after,
            },
            Error::Connect { url, message, .. } => Error::Connect {
                upstream: to,
                url,
                message,
            },
            Error::InvalidResponse { message, .. } => Error::InvalidResponse {
                upstream: to,
                message,
            },
            other => other,
        }
    }

    /// A short, stable, machine-readable name of the error kind
    /// (used in API error bodies, batch item errors and metric labels).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidQuery(_) => ErrorKind::InvalidQuery,
            Error::NoWebsite { .. } => ErrorKind::NoWebsite,
            Error::NoConfidentMatch { .. } => ErrorKind::NoConfidentMatch,
            Error::Timeout { .. } => ErrorKind::UpstreamTimeout,
            Error::Status { status: 429, .. } => ErrorKind::UpstreamRateLimited,
            Error::Status { .. } => ErrorKind::UpstreamStatus,
            Error::Connect { .. } => ErrorKind::UpstreamUnreachable,
            Error::InvalidResponse { .. } => ErrorKind::UpstreamInvalidResponse,
            Error::BodyTooLarge { .. } => ErrorKind::UpstreamBodyTooLarge,
            Error::Refused { .. } => ErrorKind::FetchRefused,
            Error::Unavailable { .. } => ErrorKind::UpstreamUnavailable,
            Error::InvalidConfig { .. } => ErrorKind::InvalidConfig,
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `url` as it may be logged or put in an error: without its userinfo
/// (`user:password@`), query string (API keys, tokens) and fragment.
///
/// ```
/// assert_eq!(
///     extract_core::redact_url("https://bob:s3cret@hooks.example/in?token=t#x"),
///     "https://hooks.example/in"
/// );
/// ```
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        // Not a URL: keep what precedes any query, and no userinfo.
        Err(_) => {
            let cut = url.split(['?', '#']).next().unwrap_or_default();
            match cut.rsplit_once('@') {
                Some((_, host)) => host.to_owned(),
                None => cut.to_owned(),
            }
        }
    }
}

#[cfg(test)]
mod kind_tests {
    use super::ErrorKind;

    #[test]
    fn every_kind_is_serialised_as_its_wire_name_and_read_back() {
        for kind in ErrorKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<ErrorKind>(&json).unwrap(), kind);
        }
        let names: std::collections::BTreeSet<&str> =
            ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len(), "names are distinct");
    }
}
