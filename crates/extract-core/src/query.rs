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

/// What the caller knows of a company besides its name: each narrows the
/// website choice (see `website_choice.reasons`), none is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hints {
    /// The country, as an ISO 3166-1 alpha-2 code (`DE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The city, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The company's LinkedIn page, as its slug (`acme-gmbh` of
    /// `linkedin.com/company/acme-gmbh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin: Option<String>,
}

/// The most characters a city hint may have.
const MAX_CITY_CHARS: usize = 100;

impl Hints {
    /// Validates and normalises what a caller wrote: a country as a code or
    /// a name in the common languages (`AT`, `Austria`, `Österreich`), a city
    /// of at most 100 characters, a LinkedIn company URL or its slug.
    /// Empty values count as absent.
    pub fn new(country: Option<&str>, city: Option<&str>, linkedin: Option<&str>) -> Result<Self> {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let country = match given(country) {
            Some(c) => Some(country_of(c).ok_or_else(|| {
                Error::InvalidQuery(format!(
                    "country {c:?} is not an ISO 3166-1 alpha-2 code (DE, AT, US…) or a country name"
                ))
            })?),
            None => None,
        };
        let city = match given(city) {
            Some(c) if c.chars().count() > MAX_CITY_CHARS => {
                return Err(Error::InvalidQuery(format!(
                    "city is longer than {MAX_CITY_CHARS} characters"
                )))
            }
            other => other.map(str::to_owned),
        };
        let linkedin = match given(linkedin) {
            Some(l) => Some(linkedin_slug(l).ok_or_else(|| {
                Error::InvalidQuery(format!(
                    "linkedin_url {l:?} is not a LinkedIn company page (https://www.linkedin.com/company/<name>)"
                ))
            })?),
            None => None,
        };
        Ok(Hints {
            country,
            city,
            linkedin,
        })
    }

    /// Whether no hint is given.
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.city.is_none() && self.linkedin.is_none()
    }
}

/// The ISO code of a country written as a code or a name.
fn country_of(written: &str) -> Option<String> {
    if let Some(code) = crate::extract::country_code(written) {
        return Some(code.to_owned());
    }
    (written.len() == 2 && written.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| written.to_ascii_uppercase())
}

/// The slug of a LinkedIn company page URL, or the slug itself.
fn linkedin_slug(written: &str) -> Option<String> {
    let slug = if written.contains("linkedin.com/") {
        linkedin_slug_of(written)?
    } else if !written.contains(['/', ' ', '.']) {
        written
    } else {
        return None;
    };
    let ok = !slug.is_empty()
        && slug.len() <= 100
        && slug
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '%'));
    ok.then(|| slug.to_lowercase())
}

/// The slug of a LinkedIn company (or showcase) page's URL.
pub(crate) fn linkedin_slug_of(url: &str) -> Option<&str> {
    let rest = url.split_once("linkedin.com/")?.1;
    let rest = rest
        .strip_prefix("company/")
        .or_else(|| rest.strip_prefix("showcase/"))?;
    rest.split(['/', '?', '#']).next().filter(|s| !s.is_empty())
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
    /// What else the caller knows: country, city, LinkedIn page.
    #[serde(default)]
    pub hints: Hints,
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
            hints: Hints::default(),
        })
    }

    /// The same query with `hints`.
    #[must_use]
    pub fn with_hints(mut self, hints: Hints) -> Self {
        self.hints = hints;
        self
    }

    /// A query for a company name with default options.
    pub fn by_name(name: &str) -> Result<Self> {
        Self::new(Some(name), None, ExtractionMode::Basic, usize::MAX)
    }

    /// The stable identity of this query: what caches key on and batches
    /// deduplicate on. Freshness and priority are not part of it.
    pub fn identity(&self) -> String {
        let subject = match (&self.domain, &self.name) {
            // The site given, checked against the name given.
            (Some(d), Some(n)) => format!("d:{d}|n:{}", normalize_name(n)),
            (Some(d), None) => format!("d:{d}"),
            (None, Some(n)) => format!("n:{}", normalize_name(n)),
            (None, None) => String::new(),
        };
        let mut id = format!("{}|{}", subject, self.mode.as_str());
        // Hints change the answer: the same name in another country is
        // another company.
        let h = &self.hints;
        if let Some(c) = &h.country {
            id.push_str(&format!("|c:{c}"));
        }
        if let Some(c) = &h.city {
            id.push_str(&format!("|city:{}", normalize_name(c)));
        }
        if let Some(l) = &h.linkedin {
            id.push_str(&format!("|li:{l}"));
        }
        id
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

    #[test]
    fn hints_are_read_from_codes_names_and_urls_and_part_of_the_identity() {
        let h = Hints::new(
            Some(" Österreich "),
            Some("Wien"),
            Some("https://www.linkedin.com/company/Hoffmann-Bau/about/"),
        )
        .unwrap();
        assert_eq!(h.country.as_deref(), Some("AT"));
        assert_eq!(h.linkedin.as_deref(), Some("hoffmann-bau"));
        assert_eq!(
            Hints::new(Some("kr"), None, None)
                .unwrap()
                .country
                .as_deref(),
            Some("KR")
        );
        assert_eq!(
            Hints::new(None, None, Some("acme"))
                .unwrap()
                .linkedin
                .as_deref(),
            Some("acme")
        );
        assert!(Hints::new(Some("Atlantis"), None, None).is_err());
        assert!(Hints::new(None, None, Some("https://example.com/acme")).is_err());
        assert!(Hints::new(None, Some(&"x".repeat(101)), None).is_err());
        assert!(Hints::new(Some(""), Some(" "), None).unwrap().is_empty());
        let plain = CompanyQuery::by_name("Hoffmann Bau").unwrap();
        let hinted = plain.clone().with_hints(h);
        assert_ne!(plain.identity(), hinted.identity());
        assert!(hinted.identity().contains("|c:AT"));
    }
}
