//! Where batches live: the `JobStore` trait, an in-memory store (the
//! default) and a Redis store that survives restarts and is shared by
//! several instances.

use std::time::Duration;

use async_trait::async_trait;

use crate::model::{Batch, Begin, Item, Mark, Progress, Recorded};
use crate::Result;

mod memory;
mod redis;

pub use memory::MemoryStore;
pub(crate) use redis::connect_pool;
pub use redis::RedisStore;

/// Storage of batches and their items.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Stores a new batch with its items.
    async fn create(&self, batch: &Batch, items: &[Item]) -> Result<()>;
    /// The batch, if it exists.
    async fn batch(&self, id: &str) -> Result<Option<Batch>>;
    /// Replaces the batch record; `false` when there was none to replace
    /// (it expired — or the store lost it).
    async fn put_batch(&self, batch: &Batch) -> Result<bool>;
    /// Every item of the batch, in order.
    async fn items(&self, id: &str) -> Result<Vec<Item>>;
    /// Replaces one item.
    async fn put_item(&self, id: &str, item: &Item) -> Result<()>;
    /// The items at `indexes`, in that order (`None` where there is none),
    /// without reading the others: exports go through a big batch this way.
    async fn items_at(&self, id: &str, indexes: &[usize]) -> Result<Vec<Option<Item>>> {
        let all = self.items(id).await?;
        Ok(indexes.iter().map(|&i| all.get(i).cloned()).collect())
    }
    /// The ids of every stored batch.
    async fn ids(&self) -> Result<Vec<String>>;
    /// Every stored batch record.
    async fn batches(&self) -> Result<Vec<Batch>> {
        let mut out = Vec::new();
        for id in self.ids().await? {
            if let Some(b) = self.batch(&id).await? {
                out.push(b);
            }
        }
        Ok(out)
    }
    /// Takes or renews ownership of a batch for `ttl`; false if another owner holds it.
    async fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<bool>;
    /// Gives up `owner`'s lease at once (a shutting-down owner), so that
    /// another instance may resume the batch without waiting it out.
    async fn release(&self, _id: &str, _owner: &str) -> Result<()> {
        Ok(())
    }
    /// Forgets the batch after `ttl`.
    async fn expire(&self, id: &str, ttl: Duration) -> Result<()>;
    /// `memory` or `redis`.
    fn kind(&self) -> &'static str;

    // Work shared by several instances: one step each, so that every
    // instance sees the same counts and an item is recorded once.

    /// Marks item `index` running, unless it is over already or the batch
    /// is cancelled (then it is skipped here, once).
    async fn begin(&self, id: &str, index: usize) -> Result<Begin>;
    /// Stores a final item unless it is over already (it ran twice), and
    /// counts it.
    async fn record(&self, id: &str, item: &Item) -> Result<Recorded>;
    /// The counts and flags every instance shares; `None` for an unknown batch.
    async fn progress(&self, id: &str) -> Result<Option<Progress>>;
    /// Sets a flag for every instance to see.
    async fn mark(&self, id: &str, mark: Mark) -> Result<()>;
}
