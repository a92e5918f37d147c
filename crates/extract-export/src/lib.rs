//! Export writers (to be built: issue 6).
//!
//! This crate will own the writers of company profiles and batch results:
//! JSON, NDJSON and CSV streamed row by row, and XLSX (`umya-spreadsheet`)
//! with Companies, Summary and Errors sheets. No cell can start a formula.
//!
//! Architecture invariant: it depends on `extract-core` only, and it is the
//! only crate that knows `csv` and `umya-spreadsheet`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
