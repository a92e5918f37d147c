//! Errors of a Redis command.

/// A Redis failure: a bad URL, no connection, a timeout or an error reply.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Redis URL is not one.
    #[error("not a valid Redis URL: {0}")]
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
