//! Concurrency control for the extraction service (to be built: issue 5).
//!
//! This crate will own, as decorators over the traits of `extract-core`:
//!
//! - named permit pools (extractions, searches, crawls);
//! - token buckets (`leaky-bucket`) per search provider and per crawled host,
//!   honouring robots `Crawl-delay`;
//! - a priority scheduler (high / normal / low over `async-channel`, weighted
//!   so that low is never starved) whose handles report their state;
//! - a circuit breaker per upstream, retry with exponential backoff and full
//!   jitter honouring `Retry-After`, and adaptive concurrency.
//!
//! Architecture invariant: it depends on `extract-core` only.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
