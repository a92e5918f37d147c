//! Errors of the writers.

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Writing to the output failed.
    #[error("writing the export: {0}")]
    Io(#[source] std::io::Error),
    /// JSON encoding failed.
    #[error("encoding JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// CSV encoding failed.
    #[error("writing CSV: {0}")]
    Csv(#[source] csv::Error),
    /// XLSX writing failed.
    #[error("writing XLSX: {0}")]
    Xlsx(String),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
