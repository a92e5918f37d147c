//! Errors of batch processing.

/// What can go wrong with a batch request or its store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Batch processing is turned off.
    #[error("batch processing is disabled (BATCH_PROCESSING_ENABLED=false)")]
    Disabled,
    /// The request is not acceptable; `indexes` are the offending lines.
    #[error("{message}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// The offending lines, from 0.
        indexes: Vec<usize>,
    },
    /// No batch with that id (or it expired).
    #[error("no batch {0:?}")]
    NotFound(String),
    /// The batch has not finished: what is asked needs it over.
    #[error("batch {id:?} is {state}; {what}")]
    NotFinished {
        /// The batch.
        id: String,
        /// Its state now.
        state: String,
        /// What cannot be done yet, and when it can.
        what: &'static str,
    },
    /// The job store failed.
    #[error("job store: {message}")]
    Store {
        /// What failed.
        message: String,
        /// The store's own error, when there was one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl Error {
    /// A store failure with no underlying error.
    pub(crate) fn store(message: impl Into<String>) -> Error {
        Error::Store {
            message: message.into(),
            source: None,
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<fred::error::Error> for Error {
    fn from(e: fred::error::Error) -> Self {
        Error::Store {
            message: e.to_string(),
            source: Some(Box::new(e)),
        }
    }
}

impl From<extract_redis::Error> for Error {
    fn from(e: extract_redis::Error) -> Self {
        Error::Store {
            message: e.to_string(),
            source: Some(Box::new(e)),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Store {
            message: format!("corrupt record: {e}"),
            source: Some(Box::new(e)),
        }
    }
}
