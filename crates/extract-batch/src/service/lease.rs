//! Ownership of running batches: the lease, and taking over batches whose
//! owner stopped renewing it.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::{lock, BatchService};
use crate::model::{Counts, ItemState};
use crate::Result;

impl BatchService {
    pub(super) fn lease(&self) -> Duration {
        Duration::from_secs(self.inner.config.lease_s.max(1))
    }

    /// Takes over the unfinished batches whose owner stopped renewing its
    /// lease (this instance's own, after a restart). Returns how many.
    pub async fn resume(&self) -> Result<usize> {
        if self.inner.stopping.load(Ordering::Acquire) {
            return Ok(0);
        }
        let mut resumed = 0;
        for mut batch in self.inner.store.batches().await? {
            let id = batch.id.clone();
            if batch.state.is_final() || lock(&self.inner.live).contains_key(&id) {
                continue;
            }
            if !self
                .inner
                .store
                .lease(&id, &self.inner.owner, self.lease())
                .await?
            {
                continue;
            }
            let mut items = self.inner.store.items(&id).await?;
            // Items that were running when the owner stopped run again.
            let mut counts = Counts::default();
            for item in &mut items {
                if item.state == ItemState::Running {
                    item.state = ItemState::Pending;
                }
                *counts.slot(item.state) += 1;
            }
            batch.counts = counts;
            tracing::info!(batch = %id, pending = counts.pending, "resuming batch");
            self.start(batch, items);
            resumed += 1;
        }
        Ok(resumed)
    }

    /// Stops this instance's part in every batch it runs (on SIGTERM): no
    /// new item is taken or starts, the running ones get up to `grace` to
    /// finish and their results are stored, those held here are handed
    /// back to the queue, and each batch's lease is given up at once so
    /// that another instance resumes it without waiting for the lease to
    /// lapse.
    pub async fn shutdown(&self, grace: Duration) {
        self.inner.stopping.store(true, Ordering::SeqCst);
        let live: Vec<(String, Arc<super::Live>)> = lock(&self.inner.live)
            .iter()
            .map(|(id, l)| (id.clone(), l.clone()))
            .collect();
        // The items held here go back to the queue (another instance, or
        // this one's next run, takes them); the counts are in the store
        // already, so a batch held here only gives up its lease.
        self.stop_working(tokio::time::Instant::now() + grace).await;
        for (id, l) in live {
            l.closed.store(true, Ordering::Release);
            if !l.finished.load(Ordering::Acquire) {
                self.write_handed_back(&id, &l).await;
            }
            match self.inner.store.release(&id, &self.inner.owner).await {
                Ok(()) => tracing::info!(batch = %id, "batch handed back: its lease is released"),
                Err(e) => {
                    tracing::warn!(batch = %id, error = %e, "lease not released; it lapses on its own")
                }
            }
        }
    }

    /// Writes the record of a batch handed back with the stored counts:
    /// with a queue of this process, what was running here is pending
    /// again (the next holder runs it).
    async fn write_handed_back(&self, id: &str, l: &Arc<super::Live>) {
        let Ok(Some(progress)) = self.inner.store.progress(id).await else {
            return;
        };
        let snapshot = {
            let mut b = lock(&l.batch);
            if progress.counts.total() == b.counts.total() {
                b.counts = progress.counts;
            }
            if !self.inner.queue.shared() {
                b.counts.pending += std::mem::take(&mut b.counts.running);
            }
            b.clone()
        };
        let _writing = l.writing.lock().await;
        if let Err(e) = self.inner.store.put_batch(&snapshot).await {
            tracing::warn!(batch = id, error = %e, "could not write the handed-back batch's record");
        }
    }

    /// Keeps resuming batches whose owner went away (see [`resume`](Self::resume)),
    /// every `batch.lease_s / 2`, for as long as the service exists.
    pub fn keep_resuming(&self) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(&self.inner);
        let every = self.lease() / 2;
        tokio::spawn(async move {
            loop {
                let Some(inner) = weak.upgrade() else { break };
                let service = BatchService { inner };
                match service.resume().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(batches = n, "resumed unfinished batches"),
                    Err(e) => tracing::warn!(error = %e, "could not look for batches to resume"),
                }
                drop(service);
                tokio::time::sleep(every).await;
            }
        })
    }
}
