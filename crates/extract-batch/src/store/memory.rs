//! Batches in this process's memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use extract_core::clock::{self, Clock};

use super::JobStore;
use crate::model::{Batch, Begin, Counts, Item, ItemState, Mark, Progress, Recorded};
use crate::Result;

struct Stored {
    batch: Batch,
    items: Vec<Item>,
    /// Items per state, kept with every change: progress is read often.
    counts: Counts,
    /// When it goes, Unix ms by the store's clock.
    expires_ms: Option<u64>,
    cancelled: bool,
    enqueued: bool,
}

fn counts_of(items: &[Item]) -> Counts {
    let mut counts = Counts::default();
    for i in items {
        *counts.slot(i.state) += 1;
    }
    counts
}

/// Batches in this process's memory: lost on restart.
pub struct MemoryStore {
    batches: Mutex<HashMap<String, Stored>>,
    /// What expiry is measured against.
    clock: Arc<dyn Clock>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::with_clock(clock::system())
    }
}

impl MemoryStore {
    /// A store expiring batches by `clock`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> MemoryStore {
        MemoryStore {
            batches: Mutex::default(),
            clock,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Stored>> {
        let mut map = self
            .batches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = self.clock.now_ms();
        map.retain(|_, s| s.expires_ms.is_none_or(|e| e > now));
        map
    }
}

#[async_trait]
impl JobStore for MemoryStore {
    async fn create(&self, batch: &Batch, items: &[Item]) -> Result<()> {
        self.lock().insert(
            batch.id.clone(),
            Stored {
                batch: batch.clone(),
                items: items.to_vec(),
                counts: counts_of(items),
                expires_ms: None,
                cancelled: false,
                enqueued: false,
            },
        );
        Ok(())
    }

    async fn batch(&self, id: &str) -> Result<Option<Batch>> {
        Ok(self.lock().get(id).map(|s| s.batch.clone()))
    }

    async fn put_batch(&self, batch: &Batch) -> Result<bool> {
        Ok(match self.lock().get_mut(&batch.id) {
            Some(s) => {
                s.batch = batch.clone();
                true
            }
            None => false,
        })
    }

    async fn items(&self, id: &str) -> Result<Vec<Item>> {
        Ok(self
            .lock()
            .get(id)
            .map(|s| s.items.clone())
            .unwrap_or_default())
    }

    async fn put_item(&self, id: &str, item: &Item) -> Result<()> {
        if let Some(s) = self.lock().get_mut(id) {
            if let Some(slot) = s.items.get_mut(item.index) {
                s.counts.moved(slot.state, item.state);
                *slot = item.clone();
            }
        }
        Ok(())
    }

    async fn items_at(&self, id: &str, indexes: &[usize]) -> Result<Vec<Option<Item>>> {
        let map = self.lock();
        let items = map.get(id).map(|s| &s.items[..]).unwrap_or_default();
        Ok(indexes.iter().map(|&i| items.get(i).cloned()).collect())
    }

    async fn ids(&self) -> Result<Vec<String>> {
        Ok(self.lock().keys().cloned().collect())
    }

    async fn lease(&self, _id: &str, _owner: &str, _ttl: Duration) -> Result<bool> {
        Ok(true)
    }

    async fn expire(&self, id: &str, ttl: Duration) -> Result<()> {
        if let Some(s) = self.lock().get_mut(id) {
            s.expires_ms = Some(self.clock.now_ms() + ttl.as_millis() as u64);
        }
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }

    async fn begin(&self, id: &str, index: usize) -> Result<Begin> {
        let mut map = self.lock();
        let Some(s) = map.get_mut(id) else {
            return Ok(Begin::Missing);
        };
        let cancelled = s.cancelled;
        let Some(item) = s.items.get_mut(index) else {
            return Ok(Begin::Missing);
        };
        let from = item.state;
        let begun = match from {
            st if st.is_final() => Begin::Done,
            ItemState::Pending if cancelled => {
                *item = crate::service::skipped_by_cancel(item.clone());
                Begin::Skipped(item.clone())
            }
            _ => {
                item.state = ItemState::Running;
                Begin::Run(item.clone())
            }
        };
        s.counts.moved(from, item.state);
        Ok(begun)
    }

    async fn record(&self, id: &str, item: &Item) -> Result<Recorded> {
        let mut map = self.lock();
        let Some(s) = map.get_mut(id) else {
            return Ok(Recorded::Missing);
        };
        Ok(match s.items.get_mut(item.index) {
            None => Recorded::Missing,
            Some(old) if old.state.is_final() => Recorded::Already,
            Some(old) => {
                s.counts.moved(old.state, item.state);
                *old = item.clone();
                Recorded::Stored
            }
        })
    }

    async fn progress(&self, id: &str) -> Result<Option<Progress>> {
        Ok(self.lock().get(id).map(|s| Progress {
            counts: s.counts,
            cancelled: s.cancelled,
            enqueued: s.enqueued,
        }))
    }

    async fn mark(&self, id: &str, mark: Mark) -> Result<()> {
        if let Some(s) = self.lock().get_mut(id) {
            match mark {
                Mark::Cancelled => s.cancelled = true,
                Mark::Enqueued => s.enqueued = true,
            }
        }
        Ok(())
    }
}
