//! Multi-level caching for the extraction service (to be built: issue 4).
//!
//! This crate will own every cache of the service, as decorators over the
//! traits of `extract-core`:
//!
//! - company profiles (`ProfileSource`), search results (`Search`) and crawled
//!   pages (`Fetch`, bodies compressed), each with its own TTL;
//! - two tiers: an in-process L1 (`moka`, size-bounded, TinyLFU) over a Redis
//!   L2 (`fred`, pooled, pipelined `MGET` for batch prefetch);
//! - versioned, hashed keys (`<prefix>:v<schema>:<kind>:<hash>`) and a compact
//!   envelope (schema version, created-at, source) around each value;
//! - request coalescing, stale-while-revalidate, per-request `max_age` and
//!   `force_refresh`, invalidation, warming, stats per level and tier;
//! - graceful degradation: Redis down means L1 and the pipeline keep serving.
//!
//! Architecture invariant: it depends on `extract-core` only, and it is the
//! only crate that talks to Redis for caching.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
