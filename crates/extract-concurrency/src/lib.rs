//! Concurrency control for the extraction service, as decorators over the
//! traits of `extract-core`:
//!
//! - [`Permits`] pools for extractions, searches and crawls
//!   ([`LimitedProfiles`], [`LimitedSearch`], [`LimitedFetch`]); the
//!   extraction pool adapts (AIMD) to 429s, timeouts and memory pressure;
//! - [`RateLimitedSearch`]: the provider's rate as a [`Gcra`] that never lets
//!   more than the rate into any one-second window;
//! - [`HostLimiter`]: per-host politeness honouring robots `Crawl-delay`;
//! - [`Breakers`] per upstream ([`BreakerSearch`], [`BreakerFetch`]);
//! - [`retry`]: exponential backoff with full jitter honouring `Retry-After`
//!   ([`RetrySearch`], [`RetryFetch`]);
//! - [`Scheduler`]: high / normal / low queues served by weight.
//!
//! Architecture invariant: it depends on `extract-core` only; no lock is
//! held across an await.
//!
//! # Embedding
//!
//! ```
//! use std::sync::Arc;
//! use extract_concurrency::{Config, HostConfig, HostLimiter, Permits, LimitedFetch, Policy, RetryFetch};
//! use extract_core::Fetch;
//!
//! fn resilient(transport: Arc<dyn Fetch>) -> Arc<dyn Fetch> {
//!     let config = Config::default();
//!     let polite: Arc<dyn Fetch> = Arc::new(HostLimiter::new(transport, &HostConfig::default()));
//!     let retried: Arc<dyn Fetch> = Arc::new(RetryFetch::new(polite, Policy::new(&config)));
//!     Arc::new(LimitedFetch::new(retried, Permits::new(extract_core::Pool::Crawls, config.max_crawls, 1)))
//! }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod breaker;
mod config;
mod host;
mod metrics;
mod permits;
mod rate;
pub mod retry;
mod scheduler;

pub use breaker::{BreakerFetch, BreakerSearch, BreakerStats, Breakers, Trial};
pub use config::{Config, HostConfig};
pub use host::HostLimiter;
pub use permits::{
    is_overload, LimitedFetch, LimitedProfiles, LimitedSearch, Permit, PermitStats, Permits,
};
pub use rate::{Gcra, RateLimitedSearch, RateSnapshot, RateStats};
pub use retry::{Policy, RetryFetch, RetrySearch, RetryStats};
pub use scheduler::{JobHandle, JobState, Scheduler, SchedulerStats};
