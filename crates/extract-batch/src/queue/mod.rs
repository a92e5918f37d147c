//! The work queue batch items wait in until a worker takes them: the
//! [`WorkQueue`] trait, with [`MemoryQueue`] (this instance's workers
//! alone) and [`RedisQueue`] (every instance's). A batch runs through the
//! same path on either.
//!
//! The Redis queue: one stream per priority, read through one consumer
//! group.
//! The instance that accepts (or resumes) a batch appends its items
//! (`XADD`, a thousand a script call); every instance's workers read them
//! (`XREADGROUP`, weighted across priorities so that low is never starved),
//! record the result, then acknowledge and delete the entry (`XACK` +
//! `XDEL`, so a stream holds only what is not done). Entries held by a
//! consumer that stopped are taken over once idle long enough
//! (`XAUTOCLAIM`); a shutting-down consumer hands its entries back at once
//! (`XCLAIM` to a placeholder consumer, marked long idle). Recording is
//! idempotent ([`JobStore::record`](crate::JobStore::record)), so an item
//! run twice is recorded once.

use std::time::Duration;

use async_trait::async_trait;
use extract_core::Priority;
use serde::Serialize;

use crate::Result;

mod memory;
mod redis;

pub use memory::MemoryQueue;
pub use redis::RedisQueue;

/// One item handed to a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The stream entry's id.
    pub entry: String,
    /// Which stream it came from.
    pub priority: Priority,
    /// The batch.
    pub batch: String,
    /// The item's index in the batch.
    pub index: usize,
}

/// Backlog of one priority's stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Depth {
    /// Entries not yet done (delivered or not).
    pub backlog: u64,
    /// Of those, delivered to a consumer and not yet acknowledged.
    pub pending: u64,
}

/// The streams' depth, per priority.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueDepth {
    /// High priority.
    pub high: Depth,
    /// Normal priority.
    pub normal: Depth,
    /// Low priority.
    pub low: Depth,
}

/// Batch items waiting for any instance to run them.
#[async_trait]
pub trait WorkQueue: Send + Sync {
    /// Appends `indexes` of `batch` at `priority`.
    async fn push(&self, priority: Priority, batch: &str, indexes: &[usize]) -> Result<()>;
    /// Up to about `n` new items for `consumer`, shared across priorities by
    /// `weights` (high, normal, low); what one priority leaves goes to the others.
    async fn take(&self, consumer: &str, n: usize, weights: [u32; 3]) -> Result<Vec<Delivery>>;
    /// Up to `n` items that another consumer held for longer than `idle`
    /// without acknowledging them (it stopped), now `consumer`'s.
    async fn reclaim(&self, consumer: &str, idle: Duration, n: usize) -> Result<Vec<Delivery>>;
    /// The item is done (recorded): it leaves the stream.
    async fn ack(&self, delivery: &Delivery) -> Result<()>;
    /// Hands items back undone (shutting down): any consumer reclaims them
    /// at once.
    async fn release(&self, deliveries: &[Delivery]) -> Result<()>;
    /// Backlog and pending entries per priority.
    async fn depth(&self) -> Result<QueueDepth>;
    /// Removes `consumer` from the group where it holds nothing (a clean
    /// shutdown), so that the group does not collect stopped instances.
    async fn forget(&self, consumer: &str) -> Result<()>;
    /// Whether every instance reads this queue and its items outlive this
    /// process (Redis). A queue of this process alone loses its items on a
    /// restart: the holder of a resumed batch queues its pending items again.
    fn shared(&self) -> bool {
        true
    }
}

pub(crate) fn slot(p: Priority) -> usize {
    match p {
        Priority::High => 0,
        Priority::Normal => 1,
        Priority::Low => 2,
    }
}

/// The priorities, in the order of their slots.
pub(crate) const PRIORITIES: [Priority; 3] = [Priority::High, Priority::Normal, Priority::Low];

/// `n` shared by `weights`, each priority at least one when `n` > 0.
pub(crate) fn shares(n: usize, weights: [u32; 3]) -> [usize; 3] {
    let total: u64 = weights.iter().map(|w| u64::from(*w).max(1)).sum();
    weights.map(|w| {
        let share = (n as u64 * u64::from(w).max(1)).div_ceil(total);
        (share as usize).max(usize::from(n > 0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_priority_gets_a_share() {
        assert_eq!(shares(7, [4, 2, 1]), [4, 2, 1]);
        assert_eq!(shares(1, [4, 2, 1]), [1, 1, 1]);
        assert_eq!(shares(0, [4, 2, 1]), [0, 0, 0]);
        assert_eq!(shares(10, [0, 0, 0]), [4, 4, 4]);
    }
}
