//! Cache keys: `<prefix>:v<schema>:<kind>:<hash>`, the hash a 128-bit xxh3 of
//! the normalised input, so keys are short, stable across processes and
//! releases, and change only when the schema version does.

/// The version of everything the cache stores. Bump it when a cached type
/// changes shape: old entries then miss instead of failing to decode.
pub const SCHEMA_VERSION: u32 = 1;

/// What a level caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Company profiles.
    Company,
    /// Search results.
    Serp,
    /// Crawled pages.
    Page,
}

impl Level {
    /// The level's name in keys and stats.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Company => "company",
            Level::Serp => "serp",
            Level::Page => "page",
        }
    }
}

/// The key of `input` at `level` under `prefix`.
///
/// ```
/// use extract_cache::{key, Level};
/// let k = key("extract", Level::Company, "n:walmart|basic");
/// assert!(k.starts_with("extract:v1:company:"));
/// assert_eq!(k, key("extract", Level::Company, "n:walmart|basic"));
/// ```
pub fn key(prefix: &str, level: Level, input: &str) -> String {
    let hash = xxhash_rust::xxh3::xxh3_128(input.as_bytes());
    format!("{prefix}:v{SCHEMA_VERSION}:{}:{hash:032x}", level.as_str())
}
