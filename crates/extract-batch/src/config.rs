//! Settings of batch processing (`[batch]`). Defaults match `config/default.toml`.

use extract_core::Secret;
use serde::{Deserialize, Serialize};

/// Batch settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Accept batches at all (`BATCH_PROCESSING_ENABLED`).
    pub enabled: bool,
    /// Most companies in one batch.
    pub max_size: usize,
    /// Time allowed for one company, ms; past it the item fails with `timeout`.
    pub item_timeout_ms: u64,
    /// Finished batches (and their results) are kept this long, seconds.
    pub retention_s: u64,
    /// The secret completion webhooks are signed with (HMAC-SHA256); empty: unsigned.
    pub webhook_secret: Secret,
    /// Delivery attempts of a completion webhook.
    pub webhook_attempts: u32,
    /// A batch is owned by the instance running it for this long, renewed
    /// while it runs; an instance resumes a batch whose owner stopped renewing.
    pub lease_s: u64,
    /// Key prefix of the Redis job store.
    pub redis_prefix: String,
    /// With the Redis job store: every instance takes the items of every
    /// batch from one queue (Redis Streams), rather than each batch running
    /// on the instance holding its lease.
    pub share_work: bool,
    /// With shared work: an item an instance took and has not finished for
    /// this long is taken over by another (its instance stopped), ms.
    /// 0: `item_timeout_ms` and 30 s.
    pub reclaim_idle_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            max_size: 100,
            item_timeout_ms: 60_000,
            retention_s: 86_400,
            webhook_secret: Secret::default(),
            webhook_attempts: 4,
            lease_s: 30,
            redis_prefix: "extract".to_owned(),
            share_work: true,
            reclaim_idle_ms: 0,
        }
    }
}
