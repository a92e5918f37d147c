//! The one home for Redis: every crate that talks to Redis gets its pool
//! here, and what the instances sharing one Redis keep together lives here.
//!
//! - [`Redis`]: the one pool builder ([`Redis::connect`] with [`Options`]),
//!   commands bounded in time and skipped while Redis is down, errors
//!   counted, refusals to write (`OOM`, `READONLY`, …) remembered. The
//!   cache's shared tier, the heartbeats and the rate limits use its
//!   commands; the job store and the work queue send their own scripts
//!   and streams through [`Redis::pool`].
//! - [`new_instance_id`]: an instance's one id among the others, for its
//!   heartbeats, batch leases and queue consumer.
//! - [`Members`]: who is alive ([`RedisMembers`] heartbeats,
//!   [`LocalMembers`] for one instance alone), and [`RedisRate`], the
//!   cluster's rate limits (`extract_core::SharedRate`: one Lua GCRA call
//!   per departure, on Redis's clock).
//!
//! Architecture invariant: it depends on `extract-core` only (for the
//! `SharedRate` trait), and no other crate builds a Redis connection.
//!
//! # Embedding
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::sync::atomic::AtomicUsize;
//! use extract_core::SharedRate;
//! use extract_redis::{new_instance_id, Members, Options, Redis, RedisMembers, RedisRate};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let redis = Redis::connect("redis://127.0.0.1:6379", Options::default()).await?;
//! // Ten searches a second for every instance together.
//! let live = Arc::new(AtomicUsize::new(1));
//! let rate = RedisRate::new(redis.clone(), "myservice", live);
//! if let Some(wait) = rate.try_depart("search", 10.0, 1).await.unwrap() {
//!     tokio::time::sleep(wait).await;
//! }
//! let members = RedisMembers::new(redis.clone(), "myservice");
//! let me = new_instance_id();
//! println!("{me}: {} alive", members.live().await?.len());
//! # Ok::<(), extract_redis::Error>(())
//! # }).unwrap();
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod cluster;
mod error;
mod instance;

pub use client::{write_refusal, Options, Redis, RedisState};
pub use cluster::{Instance, LocalMembers, Members, RedisMembers, RedisRate};
pub use error::{Error, Result};
pub use instance::new_instance_id;
