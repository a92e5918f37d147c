//! Errors of the cache's own machinery (the Redis tier).

/// A cache-tier failure. None of these reaches a caller of a cached trait:
/// the tier is skipped and the failure counted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `cache.redis_url` is not a Redis URL.
    #[error("cache.redis_url is not a valid Redis URL: {0}")]
    BadUrl(#[source] fred::error::Error),
    /// Redis is not connected, timed out, or answered with an error.
    #[error(transparent)]
    Redis(extract_redis::Error),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<extract_redis::Error> for Error {
    fn from(e: extract_redis::Error) -> Self {
        match e {
            extract_redis::Error::BadUrl(e) => Error::BadUrl(e),
            other => Error::Redis(other),
        }
    }
}
