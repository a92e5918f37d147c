//! Ownership of running batches: the lease, and taking over batches whose
//! owner stopped renewing it.

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
