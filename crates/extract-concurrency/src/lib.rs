//! Concurrency control for the extraction service, as decorators over the
//! traits of `extract-core`.
//!
//! Built so far: [`HostLimiter`], per-host politeness for crawled sites
//! (`crawl.per_host_rate`, and robots `Crawl-delay` when longer).
//!
//! To come (issue 5): named permit pools (extractions, searches, crawls),
//! token buckets per search provider, a priority scheduler (high / normal /
//! low over `async-channel`, weighted so low is never starved), a circuit
//! breaker per upstream, retry with exponential backoff and full jitter
//! honouring `Retry-After`, and adaptive concurrency.
//!
//! Architecture invariant: it depends on `extract-core` only.
//!
//! # Embedding
//!
//! ```
//! use std::sync::Arc;
//! use extract_concurrency::{Config, HostLimiter};
//! use extract_core::Fetch;
//!
//! fn polite(transport: Arc<dyn Fetch>) -> Arc<dyn Fetch> {
//!     Arc::new(HostLimiter::new(transport, &Config { per_host_rate: 2.0, ..Config::default() }))
//! }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod host;

pub use config::Config;
pub use host::HostLimiter;
