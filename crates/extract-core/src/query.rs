//! What a caller asks for: the company, how deep to look, how fresh, how urgent.

use serde::{Deserialize, Serialize};

use crate::normalize::{normalize_domain, normalize_name};
use crate::{Error, Result};

/// How much of a company's website to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ExtractionMode {
    /// The homepage only.
    #[default]
    Basic,
    /// The homepage plus the about / contact / imprint pages it links to.
    Comprehensive,
}

impl ExtractionMode {
    /// The name used on the wire and in cache keys.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtractionMode::Basic => "basic",
            ExtractionMode::Comprehensive => "comprehensive",
        }
    }
}

/// How urgent a piece of work is; schedulers serve higher priorities first
/// without starving lower ones.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Priority {
    /// Background work (cache warming, large batches).
    Low,
    /// The default.
    #[default]
    Normal,
    /// Interactive work.
    High,
}

/// How fresh a cached answer must be. Caches read it; the pipeline ignores it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Freshness {
    /// Accept a cached profile no older than this many seconds (`None`: the cache's own TTL).
    pub max_age_s: Option<u64>,
    /// Skip every cache read and recompute (the result is still stored).
    pub force_refresh: bool,
}

/// One company to extract: a name, a domain, or both.
///
/// Build it with [`CompanyQuery::new`] so that it is validated; the fields are
/// public for reading.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CompanyQuery {
    /// The company name as given (trimmed).
    pub name: Option<String>,
    /// The company's domain as given (normalised: lowercase, no scheme, no `www.`).
    /// When present, search is skipped.
    pub domain: Option<String>,
    /// How much of the site to read.
    pub mode: ExtractionMode,
    /// Cache freshness asked for by the caller.
    pub freshness: Freshness,
    /// Scheduling priority.
    pub priority: Priority,
}

impl CompanyQuery {
    /// Validates and builds a query. At least one of `name` and `domain` must be
    /// non-empty; a name may be at most `max_name_chars` characters.
    pub fn new(
        name: Option<&str>,
        domain: Option<&str>,
        mode: ExtractionMode,
        max_name_chars: usize,
    ) -> Result<Self> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        let domain = domain.map(str::trim).filter(|d| !d.is_empty());
        if let Some(n) = name {
            let chars = n.chars().count();
            if chars > max_name_chars {
                return Err(Error::InvalidQuery(format!(
                    "company_name is {chars} characters long; at most {max_name_chars} are allowed"
                )));
            }
            if normalize_name(n).is_empty() {
                return Err(Error::InvalidQuery(
                    "company_name has no letters or digits".to_owned(),
                ));
            }
        }
        let domain =
            match domain {
                Some(d) => Some(normalize_domain(d).ok_or_else(|| {
                    Error::InvalidQuery(format!("domain {d:?} is not a host name"))
                })?),
                None => None,
            };
        if name.is_none() && domain.is_none() {
            return Err(Error::InvalidQuery(
                "company_name or domain is required and must not be empty".to_owned(),
            ));
        }
        Ok(CompanyQuery {
            name: name.map(str::to_owned),
            domain,
            mode,
            freshness: Freshness::default(),
            priority: Priority::default(),
        })
    }

    /// A query for a company name with default options.
    pub fn by_name(name: &str) -> Result<Self> {
        Self::new(Some(name), None, ExtractionMode::Basic, usize::MAX)
    }

    /// The stable identity of this query: what caches key on and batches
    /// deduplicate on. Freshness and priority are not part of it.
    pub fn identity(&self) -> String {
        let subject = match (&self.domain, &self.name) {
            (Some(d), _) => format!("d:{d}"),
            (None, Some(n)) => format!("n:{}", normalize_name(n)),
            (None, None) => String::new(),
        };
        format!("{}|{}", subject, self.mode.as_str())
    }

    /// A human label for logs and errors: the name if given, else the domain.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .or(self.domain.as_deref())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_ignores_case_punctuation_and_legal_suffix() {
        let a = CompanyQuery::by_name("Walmart Inc.").unwrap();
        let b = CompanyQuery::by_name("  WALMART ").unwrap();
        assert_eq!(a.identity(), b.identity());
        let c =
            CompanyQuery::new(Some("Walmart"), None, ExtractionMode::Comprehensive, 100).unwrap();
        assert_ne!(a.identity(), c.identity());
    }

    #[test]
    fn rejects_empty_long_and_bad_domain() {
        assert!(CompanyQuery::new(Some("  "), None, ExtractionMode::Basic, 10).is_err());
        assert!(CompanyQuery::new(None, None, ExtractionMode::Basic, 10).is_err());
        assert!(CompanyQuery::new(
            Some("x".repeat(11).as_str()),
            None,
            ExtractionMode::Basic,
            10
        )
        .is_err());
        assert!(CompanyQuery::new(Some("!!!"), None, ExtractionMode::Basic, 10).is_err());
        assert!(CompanyQuery::new(None, Some("not a domain"), ExtractionMode::Basic, 10).is_err());
        let q = CompanyQuery::new(
            None,
            Some("https://www.Walmart.com/"),
            ExtractionMode::Basic,
            10,
        )
        .unwrap();
        assert_eq!(q.domain.as_deref(), Some("walmart.com"));
    }
}
