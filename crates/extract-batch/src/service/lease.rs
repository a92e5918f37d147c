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
    /// new item starts (with a shared queue: none is taken, and those held
    /// here are handed back after the grace), the running ones get up to `grace` to finish and
    /// their results are stored, each batch's record is written with the
    /// rest still pending, and its lease is given up at once so that
    /// another instance resumes it without waiting for the lease to lapse.
    pub async fn shutdown(&self, grace: Duration) {
        self.inner.stopping.store(true, Ordering::SeqCst);
        let live: Vec<(String, Arc<super::Live>)> = lock(&self.inner.live)
            .iter()
            .map(|(id, l)| (id.clone(), l.clone()))
            .collect();
        if self.inner.queue.is_some() {
            // Shared work: the items held here go back to the queue; the
            // counts are in the store already, so a batch held here only
            // gives up its lease.
            self.stop_working(tokio::time::Instant::now() + grace).await;
            for (id, l) in live {
                l.closed.store(true, Ordering::Release);
                match self.inner.store.release(&id, &self.inner.owner).await {
                    Ok(()) => {
                        tracing::info!(batch = %id, "batch handed back: its lease is released")
                    }
                    Err(e) => {
                        tracing::warn!(batch = %id, error = %e, "lease not released; it lapses on its own")
                    }
                }
            }
            return;
        }
        for (_, l) in &live {
            // Queued jobs never start; their items stay pending.
            for (_, handle) in std::mem::take(&mut *lock(&l.handles)) {
                handle.cancel();
            }
        }
        let deadline = tokio::time::Instant::now() + grace;
        for (id, l) in live {
            while lock(&l.batch).counts.running > 0 && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            if l.finished.load(Ordering::Acquire) {
                continue; // finishing on its own
            }
            let snapshot = {
                let mut b = lock(&l.batch);
                // Items left running past the grace run again elsewhere.
                let running = b.counts.running;
                b.counts.running = 0;
                b.counts.pending += running;
                b.clone()
            };
            let stored = {
                let _writing = l.writing.lock().await;
                self.inner.store.put_batch(&snapshot).await.map(|_| ())
            };
            let released = self.inner.store.release(&id, &self.inner.owner).await;
            l.closed.store(true, Ordering::Release); // stops the renewer
            match (stored, released) {
                (Ok(()), Ok(())) => {
                    tracing::info!(batch = %id, pending = snapshot.counts.pending, "batch handed back: its lease is released")
                }
                (s, r) => {
                    tracing::warn!(batch = %id, stored = s.is_ok(), released = r.is_ok(), "batch not cleanly handed back; its lease lapses on its own")
                }
            }
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
