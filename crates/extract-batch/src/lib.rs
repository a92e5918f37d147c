//! Batch extraction jobs: thousands of companies a batch, with progress, an
//! ETA, exports and nothing lost.
//!
//! [`BatchService::submit`] validates a [`BatchRequest`] (1 to
//! `batch.max_size` names; the offending lines named), deduplicates names
//! after normalisation (every line keeps its answer), looks the companies up
//! in the cache (cached items finish at once) and runs the rest through the
//! priority scheduler of `extract-concurrency`. Each item ends `succeeded`,
//! `cached`, `failed` (with an error kind and message) or `skipped`
//! (robots, cancelled); one failure never fails the others. Status carries
//! counts, percent, items per second and an ETA from recent throughput.
//! Batches live behind the [`JobStore`] trait: in memory, or in Redis, where
//! they survive a restart (a restarted instance [`resume`s](BatchService::resume)
//! them under a lease) and expire after `batch.retention_s`. A completion
//! webhook is signed with HMAC-SHA256 ([`SIGNATURE_HEADER`]).
//!
//! A company may come as a [`BatchRecord`] instead of a name: a name or a
//! domain, hints (country, city, LinkedIn page) that tell it from others
//! of its name, and the caller's id and columns, which the batch keeps
//! ([`Inputs`]) so that every result row carries them back. A finished
//! batch's failed items run again, with their inputs, as a linked batch
//! ([`BatchService::retry`]).
//!
//! Architecture invariant: it may use `extract-core`,
//! `extract-concurrency` and `extract-redis` (its connection pools);
//! nothing else of the project (a cache reaches it
//! as the [`ProfileSource`](extract_core::ProfileSource) it runs items
//! through, whose [`serve`](extract_core::ProfileSource::serve) says whether
//! an item was `cached`). One instance holds a batch at a time (its lease:
//! it prefetches, queues, follows and finishes the batch); its items wait
//! in a [`WorkQueue`] — [`MemoryQueue`] for this instance alone (the
//! default) or [`RedisQueue`] (Redis Streams) for every instance reading it
//! — and run through the same path on either, each recorded once
//! ([`JobStore::record`]) whichever worker ran it; no lock is held across
//! an await.
//!
//! # Embedding
//!
//! ```
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use extract_batch::{BatchRequest, BatchService, Config, MemoryStore};
//! use extract_concurrency::Scheduler;
//! use extract_core::{CompanyProfile, CompanyQuery, ProfileSource, Result};
//!
//! struct Echo;
//! #[async_trait]
//! impl ProfileSource for Echo {
//!     async fn profile(&self, q: &CompanyQuery) -> Result<CompanyProfile> {
//!         Ok(CompanyProfile { query: q.label().to_owned(), ..Default::default() })
//!     }
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let service = BatchService::builder(
//!     Arc::new(MemoryStore::default()), Scheduler::new(2, [4, 2, 1]), Arc::new(Echo),
//! )
//! .config(Config::default())
//! .build();
//! let batch = service
//!     .submit(serde_json::from_value::<BatchRequest>(serde_json::json!({
//!         "company_names": ["Acme", "ACME Inc.", "Globex"]
//!     })).unwrap())
//!     .await
//!     .unwrap();
//! assert_eq!(batch.line_items, vec![0, 0, 1]); // "ACME Inc." is Acme
//!
//! // Records: one name in two countries is two companies, each row keeps its id.
//! let batch = service
//!     .submit(serde_json::from_str::<BatchRequest>(r#"{"items": [
//!         {"company_name": "Hoffmann Bau", "country": "AT", "external_id": "7"},
//!         {"company_name": "Hoffmann Bau", "country": "DE", "external_id": "8"}
//!     ]}"#).unwrap())
//!     .await
//!     .unwrap();
//! assert_eq!(batch.line_items, vec![0, 1]);
//! assert_eq!(batch.inputs.id(1), Some("8"));
//! # });
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod error;
mod eta;
mod metrics;
mod model;
mod queue;
mod records;
mod service;
mod store;
mod summary;
mod webhook;

pub use config::Config;
pub use error::{Error, Result};
pub use eta::Throughput;
pub use model::{
    now_ms, Batch, BatchRequest, BatchState, Begin, Counts, ExportFormat, Item, ItemError,
    ItemState, Mark, Progress, Recorded,
};
pub use queue::{Delivery, Depth, MemoryQueue, QueueDepth, RedisQueue, WorkQueue};
pub use records::{BatchRecord, Inputs, Table};
pub use service::{BatchService, BatchStats, Builder, Status};
pub use store::{JobStore, MemoryStore, RedisStore};
pub use summary::{summarize, Summarizer, Summary};
pub use webhook::{sign, Notifier, Webhooks, EVENT_HEADER, SIGNATURE_HEADER};
