//! What callers ask of batches: cancel, status, results, summary, stats.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use extract_concurrency::SchedulerStats;
use serde::Serialize;

use super::{lock, BatchService};
use crate::eta::Throughput;
use crate::model::{now_ms, Batch, BatchState, Counts, Item, Mark};
use crate::summary::{Summarizer, Summary};
use crate::{Config, Error, Result};

/// Progress of a batch, as `GET …/status` shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Status {
    /// The id.
    pub batch_id: String,
    /// Where it is.
    pub state: BatchState,
    /// Lines submitted.
    pub submitted: usize,
    /// Distinct companies among them.
    pub items: usize,
    /// Items per state.
    pub counts: Counts,
    /// Items over, percent.
    pub percent: f64,
    /// Since the batch was accepted, seconds.
    pub elapsed_s: f64,
    /// Items a second, recently.
    pub items_per_s: Option<f64>,
    /// Seconds until done at the recent rate.
    pub eta_s: Option<f64>,
    /// Accepted at, Unix ms.
    pub created_at_ms: u64,
    /// Finished at, Unix ms.
    pub finished_at_ms: Option<u64>,
    /// The batch whose failed items this one runs again, when it is a retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_of: Option<String>,
}

/// Batch processing as a whole, as `GET /api/v1/company/batch/stats` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct BatchStats {
    /// Queues per priority, running items, workers.
    pub scheduler: SchedulerStats,
    /// Batches per state among those stored.
    pub batches: HashMap<String, usize>,
    /// Batches running in this instance.
    pub active_batches: usize,
    /// Item times over the last 10,000 items, ms.
    pub item_p50_ms: Option<u64>,
    /// 95th percentile.
    pub item_p95_ms: Option<u64>,
    /// 99th percentile.
    pub item_p99_ms: Option<u64>,
    /// (succeeded + cached) / finished items since start.
    pub success_rate: Option<f64>,
    /// `memory` or `redis`.
    pub store: &'static str,
    /// Running batches whose record the store lost (Redis restarted empty)
    /// and this instance re-created, since start.
    pub records_recreated: u64,
}

impl BatchService {
    /// Cancels a batch: items not yet started are skipped (on every
    /// instance, as each takes one), running ones finish, finished results
    /// are kept.
    pub async fn cancel(&self, id: &str) -> Result<Status> {
        let status = self.status(id).await?;
        if status.state.is_final() {
            return Ok(status);
        }
        if self.inner.store.progress(id).await?.is_none() {
            return Err(Error::NotFound(id.to_owned()));
        }
        self.inner.store.mark(id, Mark::Cancelled).await?;
        if let Some(l) = lock(&self.inner.live).get(id) {
            l.cancelled.store(true, Ordering::Release);
            l.dirty.notify_one();
        }
        self.status(id).await
    }

    /// Progress of a batch.
    pub async fn status(&self, id: &str) -> Result<Status> {
        let live = lock(&self.inner.live).get(id).cloned();
        if let Some(live) = live {
            // Read in place: the record of a big batch is never copied for it.
            let batch = lock(&live.batch);
            let throughput = lock(&live.throughput);
            return Ok(status_of(&batch, Some(&throughput)));
        }
        let batch = self
            .inner
            .store
            .batch(id)
            .await?
            .ok_or_else(|| Error::NotFound(id.to_owned()))?;
        Ok(status_of(&batch, None))
    }

    /// The status of the stored batches, newest first, at most `limit`.
    pub async fn list(&self, limit: usize) -> Result<Vec<Status>> {
        let mut batches = self.inner.store.batches().await?;
        batches.sort_by_key(|b| std::cmp::Reverse(b.created_at_ms));
        batches.truncate(limit);
        let mut out = Vec::with_capacity(batches.len());
        for stored in batches {
            let live = lock(&self.inner.live).get(&stored.id).cloned();
            out.push(match live {
                Some(l) => {
                    let b = lock(&l.batch);
                    let t = lock(&l.throughput);
                    status_of(&b, Some(&t))
                }
                None => status_of(&stored, None),
            });
        }
        Ok(out)
    }

    /// The batch record: this instance's latest when it runs the batch here,
    /// the stored one otherwise.
    pub async fn batch(&self, id: &str) -> Result<Batch> {
        let live = lock(&self.inner.live).get(id).cloned();
        match live {
            Some(l) => Ok(lock(&l.batch).clone()),
            None => self
                .inner
                .store
                .batch(id)
                .await?
                .ok_or_else(|| Error::NotFound(id.to_owned())),
        }
    }

    /// The batch record and all its items (for small results and tests).
    pub async fn results(&self, id: &str) -> Result<(Batch, Vec<Item>)> {
        let batch = self.batch(id).await?;
        let items = self.inner.store.items(id).await?;
        Ok((batch, items))
    }

    /// Some items of a batch, in the order asked (`None` where missing):
    /// exports page through a big batch with this.
    pub async fn items_at(&self, id: &str, indexes: &[usize]) -> Result<Vec<Option<Item>>> {
        self.inner.store.items_at(id, indexes).await
    }

    /// The summary and industry analysis of a batch: the stored one of a
    /// finished batch, else one made from the items so far.
    pub async fn summary(&self, id: &str) -> Result<Summary> {
        let batch = self.batch(id).await?;
        if let Some(s) = batch.summary {
            return Ok(s);
        }
        Ok(self
            .summarize_stored(id, batch.counts.total())
            .await?
            .finish())
    }

    /// The stored items `0..total` summarised a page at a time.
    pub(super) async fn summarize_stored(&self, id: &str, total: usize) -> Result<Summarizer> {
        const PAGE: usize = 500;
        let mut s = Summarizer::default();
        let mut from = 0;
        while from < total {
            let to = (from + PAGE).min(total);
            let indexes: Vec<usize> = (from..to).collect();
            for item in self
                .inner
                .store
                .items_at(id, &indexes)
                .await?
                .iter()
                .flatten()
            {
                s.add(item);
            }
            from = to;
        }
        Ok(s)
    }

    /// Batch processing as a whole.
    pub async fn stats(&self) -> Result<BatchStats> {
        let mut batches: HashMap<String, usize> = HashMap::new();
        for stored in self.inner.store.batches().await? {
            // A batch running here is fresher in memory than in the store.
            let state = lock(&self.inner.live)
                .get(&stored.id)
                .map_or(stored.state, |l| lock(&l.batch).state);
            *batches.entry(state.as_str().to_owned()).or_default() += 1;
        }
        let times: Vec<Duration> = lock(&self.inner.item_times)
            .iter()
            .map(|ms| Duration::from_millis(*ms))
            .collect();
        let q = |p: f64| -> Option<u64> {
            extract_core::latency::quantile_of(times.iter().copied(), p)
                .map(|d| d.as_millis() as u64)
        };
        let done = self.inner.done.load(Ordering::Relaxed);
        Ok(BatchStats {
            scheduler: self.inner.scheduler.stats(),
            batches,
            active_batches: lock(&self.inner.live).len(),
            item_p50_ms: q(0.5),
            item_p95_ms: q(0.95),
            item_p99_ms: q(0.99),
            success_rate: (done > 0)
                .then(|| self.inner.ok.load(Ordering::Relaxed) as f64 / done as f64),
            store: self.inner.store.kind(),
            records_recreated: self.inner.recreated.load(Ordering::Relaxed),
        })
    }

    /// Items this instance finished since it started, by final state
    /// (`pending` and `running` stay 0).
    pub fn item_outcomes(&self) -> Counts {
        *lock(&self.inner.outcomes)
    }

    /// The shared queue's backlog per priority; `None` when the queue is
    /// this process's own (the scheduler's stats show it).
    pub async fn queue_depth(&self) -> Option<Result<crate::QueueDepth>> {
        let queue = self.inner.queue.clone();
        if !queue.shared() {
            return None;
        }
        Some(queue.depth().await)
    }

    /// Whether batch items are shared with other instances through a queue.
    pub fn shares_work(&self) -> bool {
        self.inner.queue.shared()
    }

    /// This instance's name as a lease owner and a queue consumer.
    pub fn consumer_id(&self) -> &str {
        &self.inner.owner
    }

    /// Queue items this instance holds now (taken, not yet acknowledged).
    pub fn held_items(&self) -> usize {
        lock(&self.inner.held).len()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}

pub(super) fn status_of(batch: &Batch, throughput: Option<&Throughput>) -> Status {
    let total = batch.counts.total();
    let finished = batch.counts.finished();
    let now = Instant::now();
    let end = batch.finished_at_ms.unwrap_or_else(now_ms);
    let remaining = total - finished;
    // Measured here when this instance runs the batch, else the rate the
    // running instance last stored (the cluster's, with shared work).
    let rate = match throughput {
        Some(t) => t.rate(now),
        None => batch.items_per_s.filter(|_| !batch.state.is_final()),
    };
    Status {
        batch_id: batch.id.clone(),
        state: batch.state,
        submitted: batch.lines.len(),
        items: total,
        counts: batch.counts,
        percent: if total == 0 {
            100.0
        } else {
            finished as f64 * 100.0 / total as f64
        },
        elapsed_s: end.saturating_sub(batch.created_at_ms) as f64 / 1000.0,
        items_per_s: rate,
        eta_s: if batch.state.is_final() {
            Some(0.0)
        } else {
            crate::eta::eta_at(rate, remaining)
        },
        created_at_ms: batch.created_at_ms,
        finished_at_ms: batch.finished_at_ms,
        retry_of: batch.retry_of.clone(),
    }
}
