//! Configuration of the pipeline and of the search provider. Defaults match
//! `config/default.toml`, where every setting is documented.

use serde::{Deserialize, Serialize};

use crate::extract::Limits;

/// Pipeline settings (`[extract]` in the configuration file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Search hits asked for and scored per company.
    pub max_search_results: usize,
    /// Top website candidates whose homepages are read (concurrently) to
    /// verify the choice; 0 or 1 decides on the search's evidence alone.
    pub verify_candidates: usize,
    /// When the provider gives no knowledge panel with a website, read the
    /// Wikipedia article among the hits (concurrently with the candidates)
    /// and count its infobox's official website as one. Off by default: it
    /// is one more request, to a third party, per company.
    pub wikipedia_lookup: bool,
    /// Longest company name accepted, in characters.
    pub max_name_chars: usize,
    /// Pages read per company in comprehensive mode, the homepage included.
    pub max_pages: usize,
    /// Honour robots.txt (fetched once per host and cached).
    pub respect_robots: bool,
    /// The user-agent token robots.txt groups are matched against.
    pub robots_user_agent: String,
    /// The longest robots `Crawl-delay` honoured, in seconds; a site asking
    /// for more gets this much.
    pub max_crawl_delay_s: u64,
    /// Hosts whose robots.txt is kept in memory.
    pub robots_cache_hosts: usize,
    /// How long a host's robots.txt is kept, in seconds.
    pub robots_ttl_s: u64,
    /// Bounds on what one page may cost.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_search_results: 10,
            verify_candidates: 3,
            wikipedia_lookup: false,
            max_name_chars: 256,
            max_pages: 4,
            respect_robots: true,
            robots_user_agent: "company-extract".to_owned(),
            max_crawl_delay_s: 30,
            robots_cache_hosts: 10_000,

            robots_ttl_s: 3600,
            limits: Limits::default(),
        }
    }
}

/// Which search provider to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Provider {
    /// A SearXNG instance (self-hosted, no key).
    Searxng,
    /// SerpAPI's Google results (key required).
    Serpapi,
    /// Brave Search (key required).
    Brave,
    /// DuckDuckGo's HTML results page (no key).
    Duckduckgo,
}

impl Provider {
    /// The provider's name in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Searxng => "searxng",
            Provider::Serpapi => "serpapi",
            Provider::Brave => "brave",
            Provider::Duckduckgo => "duckduckgo",
        }
    }
}

/// Search provider settings (`[search]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// The provider.
    pub provider: Provider,
    /// The provider's base URL; empty for the provider's public address.
    pub endpoint: String,
    /// The provider's API key, where it needs one.
    pub api_key: Secret,
    /// Requests per second allowed to the provider (0: no limit).
    pub rate_per_sec: f64,
    /// Requests the provider may receive at once before the rate applies.
    pub burst: u32,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            provider: Provider::Duckduckgo,
            endpoint: String::new(),
            api_key: Secret::default(),
            rate_per_sec: 1.0,
            burst: 1,
        }
    }
}

impl SearchConfig {
    /// The base URL requests go to: `endpoint`, or the provider's own.
    pub fn base_url(&self) -> &str {
        match (self.endpoint.trim(), self.provider) {
            ("", Provider::Searxng) => crate::search::Searxng::DEFAULT_ENDPOINT,
            ("", Provider::Serpapi) => crate::search::SerpApi::DEFAULT_ENDPOINT,
            ("", Provider::Brave) => crate::search::Brave::DEFAULT_ENDPOINT,
            ("", Provider::Duckduckgo) => crate::search::DuckDuckGo::DEFAULT_ENDPOINT,
            (e, _) => e,
        }
    }

    /// The codec for the configured provider; an error naming the setting
    /// when a keyed provider has no key.
    pub fn codec(&self) -> crate::Result<Box<dyn crate::search::Codec>> {
        let base = self.base_url();
        let key = || {
            if self.api_key.is_empty() {
                Err(crate::Error::InvalidConfig {
                    key: "search.api_key",
                    message: format!(
                        "the {} provider needs an API key (set search.api_key or EXTRACT_SEARCH__API_KEY)",
                        self.provider.as_str()
                    ),
                })
            } else {
                Ok(self.api_key.clone())
            }
        };
        Ok(match self.provider {
            Provider::Searxng => Box::new(crate::search::Searxng::new(base)),
            Provider::Serpapi => Box::new(crate::search::SerpApi::new(base, key()?)),
            Provider::Brave => Box::new(crate::search::Brave::new(base, key()?)),
            Provider::Duckduckgo => Box::new(crate::search::DuckDuckGo::new(base)),
        })
    }
}

/// A secret (API key, password): never printed by `Debug` or logs.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no secret is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}
