//! Export writers for company profiles and batch results: JSON, NDJSON
//! (streamed), CSV (streamed; one row per company, multi-values joined,
//! provenance optional) and XLSX with `rust_xlsxwriter` (sheets Companies,
//! Summary, Errors; the header bold, frozen and filterable, widths from
//! content, the workbook's default style; numbers as numeric cells).
//!
//! No cell can start a formula: values beginning with `=`, `+`, `-`, `@`, a
//! tab or a carriage return are prefixed with an apostrophe, and every XLSX
//! cell that is not a number is written as a string, never a formula.
//!
//! Architecture invariant: it depends on `extract-core` only, and it is the
//! only crate that knows `csv` and `rust_xlsxwriter`.
//!
//! # Embedding
//!
//! ```
//! use extract_core::ItemState;
//! use extract_export::{CsvWriter, Row};
//!
//! let row = Row {
//!     index: 0, query: "=cmd".into(), outcome: ItemState::Failed,
//!     error_kind: Some(extract_core::ErrorKind::NoWebsite), error_message: None, profile: None,
//!     external_id: Some("crm-7".into()), input: vec![("crm_id".into(), "crm-7".into())],
//! };
//! let mut w = CsvWriter::with_input(Vec::new(), false, &["crm_id".to_owned()]).unwrap();
//! w.row(&row).unwrap();
//! let csv = String::from_utf8(w.finish().unwrap()).unwrap();
//! assert!(csv.starts_with("crm_id,index,query"));
//! assert!(csv.contains("'=cmd"));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod row;
mod writers;

pub use error::{Error, Result};
pub use row::{neutralise, Row, COLUMNS, SOURCED};
pub use writers::{csv, json, ndjson_row, xlsx, CsvWriter, SummaryLines, XlsxWriter};
