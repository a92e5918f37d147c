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
    /// Longest company name accepted, in characters.
    pub max_name_chars: usize,
    /// Bounds on what one page may cost.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_search_results: 10,
            max_name_chars: 256,
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
}

/// Search provider settings (`[search]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// The provider.
    pub provider: Provider,
    /// The provider's base URL.
    pub endpoint: String,
    /// The provider's API key, where it needs one.
    pub api_key: Secret,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            provider: Provider::Searxng,
            endpoint: "http://127.0.0.1:8888".to_owned(),
            api_key: Secret::default(),
        }
    }
}

impl SearchConfig {
    /// The codec for the configured provider.
    pub fn codec(&self) -> crate::Result<Box<dyn crate::search::Codec>> {
        match self.provider {
            Provider::Searxng => Ok(Box::new(crate::search::Searxng::new(&self.endpoint))),
        }
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
