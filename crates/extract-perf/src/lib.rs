//! Performance monitoring (to be built: issue 7).
//!
//! This crate will own the service's `metrics` recorder and its Prometheus
//! rendering (histogram buckets from 0.1 ms to 30 s), rolling windows per
//! stage (p50/p95/p99, throughput, success rate), and the performance report:
//! a level per stage, the bottleneck with its evidence, recommendations,
//! alerts with hysteresis, and hourly trends with regression flags.
//!
//! Architecture invariant: it depends on `extract-core` only, and it is the
//! only crate that knows the Prometheus format.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
