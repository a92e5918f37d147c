//! Criterion benches of the extraction service, its performance suite, and
//! the accuracy report. The benches live in `benches/`, runnable reports in
//! `examples/`; this library holds what they share.

#![warn(missing_docs)]

pub mod accuracy;
pub mod gold;
pub mod hard_names;
pub mod load;
pub mod pages;
pub mod workload;
