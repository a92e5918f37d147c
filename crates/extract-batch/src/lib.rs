//! Batch extraction jobs (to be built: issue 6).
//!
//! This crate will own batch jobs: validated and deduplicated submission,
//! scheduling by priority with cache prefetch, per-item error isolation,
//! progress with an ETA from recent throughput, cancellation, paged results,
//! summary statistics and industry analysis, a signed completion webhook, and
//! the `JobStore` trait with an in-memory and a Redis implementation that
//! survives restarts and is shared by several server instances.
//!
//! Architecture invariant: it may use `extract-core`, `extract-cache` and
//! `extract-concurrency`; nothing else of the project.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
