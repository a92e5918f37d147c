//! Errors of the cache's own machinery (the Redis tier).

/// A cache-tier failure. None of these reaches a caller of a cached trait:
/// the tier is skipped and the failure counted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Redis URL is not one.
    #[error("cache.redis_url is not a valid Redis URL: {0}")]
    BadUrl(#[source] fred::error::Error),
    /// Redis is not connected now.
    #[error("redis is not connected")]
    Disconnected,
    /// A command took longer than allowed.
    #[error("redis command timed out")]
    Timeout,
    /// Redis answered with an error.
    #[error("redis: {0}")]
    Redis(#[source] fred::error::Error),
    /// A stored value could not be encoded or decoded.
    #[error("stored value: {0}")]
    Codec(String),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<extract_redis::Error> for Error {
    fn from(e: extract_redis::Error) -> Self {
        match e {
            extract_redis::Error::BadUrl(e) => Error::BadUrl(e),
            extract_redis::Error::Disconnected => Error::Disconnected,
            extract_redis::Error::Timeout => Error::Timeout,
            extract_redis::Error::Redis(e) => Error::Redis(e),
            extract_redis::Error::Codec(m) => Error::Codec(m),
            other => Error::Codec(other.to_string()),
        }
    }
}
