//! The part every instance plays: its workers take items from the work
//! queue (as many as it has room for, and the items of a consumer that
//! went away), run each on the local scheduler at its priority within the
//! item timeout, record it once in the store and acknowledge it; on
//! shutdown what is held here is handed back.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use extract_core::ExtractionMode;

use super::holder::patient;
use super::{lock, BatchService, Held};
use crate::model::{Begin, Item, Recorded};
use crate::queue::Delivery;

/// A batch's settings as its items need them, read once a minute.
#[derive(Clone, Copy)]
pub(super) struct Meta {
    mode: ExtractionMode,
    min_confidence: Option<f32>,
    read: Instant,
}

const META_TTL: Duration = Duration::from_secs(60);

fn held_key(d: &Delivery) -> String {
    format!("{:?}/{}", d.priority, d.entry)
}

impl BatchService {
    /// Records a final item once in the store, through an outage; counts
    /// it here when this call stored it.
    pub(super) async fn record(&self, id: &str, item: Item) -> bool {
        let stored = patient()
            .retry(|| self.inner.store.record(id, &item), crate::Result::is_err)
            .await;
        match stored {
            Ok(Recorded::Stored) => {
                self.count_outcome(&item);
                if let Some(l) = lock(&self.inner.live).get(id) {
                    l.dirty.notify_one(); // the holder reads the counts at once
                }
                true
            }
            Ok(Recorded::Already | Recorded::Missing) => true,
            Err(e) => {
                tracing::error!(batch = id, item = item.index, error = %e, "could not record a result within an hour; it runs again elsewhere");
                false
            }
        }
    }

    /// Takes items from the work queue for as long as the service exists
    /// and is not stopping: as many as this instance has room for (its
    /// scheduler's workers and half again), and every so often the items of
    /// a consumer that went away (`batch.reclaim_idle_ms`). Started with
    /// the first batch held here; an instance sharing a queue starts it at
    /// once to run the others' items. `None` when it runs already.
    pub fn keep_working(&self) -> Option<tokio::task::JoinHandle<()>> {
        if self.inner.working.swap(true, Ordering::AcqRel) {
            return None;
        }
        let queue = self.inner.queue.clone();
        let weak = Arc::downgrade(&self.inner);
        let intake = self.inner.intake.clone();
        let workers = self.inner.scheduler.stats().workers.max(1);
        let capacity = workers + workers.div_ceil(2);
        let weights = self.inner.weights;
        let idle_limit = self.reclaim_idle();
        let reclaim_every =
            (idle_limit / 4).clamp(Duration::from_millis(100), Duration::from_secs(5));
        let owner = self.inner.owner.clone();
        Some(tokio::spawn(async move {
            let mut idle = Duration::from_millis(10);
            let mut last_reclaim: Option<Instant> = None;
            loop {
                let Some(inner) = weak.upgrade() else { break };
                let service = BatchService { inner };
                // Set before stopping is read, cleared once what was taken
                // is dispatched: shutdown waits for it, so that nothing
                // taken escapes the hand-back.
                service.inner.taking.store(true, Ordering::SeqCst);
                if service.inner.stopping.load(Ordering::SeqCst) {
                    service.inner.taking.store(false, Ordering::SeqCst);
                    break;
                }
                let free = capacity.saturating_sub(lock(&service.inner.held).len());
                if free == 0 {
                    service.inner.taking.store(false, Ordering::SeqCst);
                    drop(service);
                    let _ =
                        tokio::time::timeout(Duration::from_millis(500), intake.notified()).await;
                    continue;
                }
                let reclaiming = last_reclaim.is_none_or(|t| t.elapsed() >= reclaim_every);
                let got = if reclaiming {
                    last_reclaim = Some(Instant::now());
                    queue.reclaim(&owner, idle_limit, free).await
                } else {
                    queue.take(&owner, free, weights).await
                };
                let pause = match got {
                    Ok(deliveries) if deliveries.is_empty() => {
                        if reclaiming {
                            Duration::ZERO
                        } else {
                            idle = (idle * 2).min(Duration::from_millis(250));
                            idle
                        }
                    }
                    Ok(deliveries) => {
                        if reclaiming {
                            tracing::info!(
                                items = deliveries.len(),
                                "took over batch items a stopped instance held"
                            );
                        }
                        idle = Duration::from_millis(10);
                        for d in deliveries {
                            service.dispatch(d);
                        }
                        Duration::ZERO
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "work queue unavailable");
                        Duration::from_secs(1)
                    }
                };
                service.inner.taking.store(false, Ordering::SeqCst);
                drop(service);
                if !pause.is_zero() {
                    let _ = tokio::time::timeout(pause, intake.notified()).await;
                }
            }
        }))
    }

    /// How long an item may stay unacknowledged before another instance
    /// takes it over: `batch.reclaim_idle_ms`, or the item timeout and 30 s.
    fn reclaim_idle(&self) -> Duration {
        let c = &self.inner.config;
        Duration::from_millis(match c.reclaim_idle_ms {
            0 => c.item_timeout_ms.saturating_add(30_000),
            ms => ms,
        })
    }

    /// Runs a delivered item on the local scheduler at its priority.
    fn dispatch(&self, d: Delivery) {
        let key = held_key(&d);
        {
            let mut held = lock(&self.inner.held);
            if held.contains_key(&key) {
                return; // reclaimed from ourselves: it is running here
            }
            held.insert(
                key.clone(),
                Held {
                    delivery: d.clone(),
                    handle: None,
                },
            );
        }
        let service = self.clone();
        let priority = d.priority;
        let handle = self
            .inner
            .scheduler
            .submit(priority, async move { service.work(d).await });
        if let Some(h) = lock(&self.inner.held).get_mut(&key) {
            h.handle = Some(handle);
        }
    }

    async fn work(&self, d: Delivery) {
        let key = held_key(&d);
        let done = self.work_on(&d).await;
        if done {
            let q = &self.inner.queue;
            let acked = self
                .inner
                .store_retry
                .retry(|| q.ack(&d), crate::Result::is_err)
                .await;
            if let Err(e) = acked {
                // Recorded already: whoever takes it over acknowledges it.
                tracing::warn!(batch = d.batch, item = d.index, error = %e, "could not acknowledge a recorded item");
            }
        }
        if done || !self.inner.stopping.load(Ordering::Acquire) {
            lock(&self.inner.held).remove(&key);
        } // else: handed back at shutdown
        self.inner.intake.notify_one();
    }

    /// One item: `true` when it is over (recorded, or nothing to do).
    async fn work_on(&self, d: &Delivery) -> bool {
        if self.inner.stopping.load(Ordering::Acquire) {
            return false;
        }
        let meta = match self.meta(&d.batch).await {
            Ok(Some(m)) => m,
            Ok(None) => return true, // the batch is gone
            Err(_) => return false,
        };
        let begun = self
            .inner
            .store_retry
            .retry(
                || self.inner.store.begin(&d.batch, d.index),
                crate::Result::is_err,
            )
            .await;
        match begun {
            Err(e) => {
                tracing::warn!(batch = d.batch, item = d.index, error = %e, "could not start an item; it is taken over later");
                false
            }
            Ok(Begin::Missing | Begin::Done) => true,
            Ok(Begin::Skipped(item)) => {
                self.count_outcome(&item);
                true
            }
            Ok(Begin::Run(item)) => {
                let done = self.serve_item(item, meta.mode, meta.min_confidence).await;
                self.record(&d.batch, done).await
            }
        }
    }

    async fn meta(&self, id: &str) -> crate::Result<Option<Meta>> {
        if let Some(m) = lock(&self.inner.meta).get(id) {
            if m.read.elapsed() < META_TTL {
                return Ok(Some(*m));
            }
        }
        let Some(batch) = self.inner.store.batch(id).await? else {
            return Ok(None);
        };
        let m = Meta {
            mode: batch.mode,
            min_confidence: batch.min_confidence,
            read: Instant::now(),
        };
        let mut metas = lock(&self.inner.meta);
        if metas.len() > 1_000 {
            metas.retain(|_, m| m.read.elapsed() < META_TTL);
        }
        metas.insert(id.to_owned(), m);
        Ok(Some(m))
    }

    /// Stops taking items (on SIGTERM): those waiting here never start,
    /// those running get until `deadline`, and what is still held is handed
    /// back to the queue for another instance at once.
    pub(super) async fn stop_working(&self, deadline: tokio::time::Instant) {
        let queue = self.inner.queue.clone();
        // A read in flight finishes dispatching first (stopping is set).
        while self.inner.taking.load(Ordering::SeqCst) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Those waiting here never start; the running ones get until the deadline.
        for h in lock(&self.inner.held).values() {
            if let Some(job) = &h.handle {
                job.cancel();
            }
        }
        let running = |held: &HashMap<String, Held>| {
            held.values().any(|h| {
                h.handle
                    .as_ref()
                    .is_none_or(|j| j.state() == extract_concurrency::JobState::Running)
            })
        };
        while running(&lock(&self.inner.held)) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let left: Vec<Delivery> = lock(&self.inner.held)
            .drain()
            .map(|(_, h)| h.delivery)
            .collect();
        let released = if left.is_empty() {
            Ok(())
        } else {
            queue.release(&left).await
        };
        match released {
            Ok(()) => {
                if !left.is_empty() {
                    tracing::info!(items = left.len(), "handed batch items back to the queue");
                }
                // Holding nothing now: this consumer leaves the group.
                if let Err(e) = queue.forget(&self.inner.owner).await {
                    tracing::debug!(error = %e, "could not leave the consumer group");
                }
            }
            Err(e) => {
                tracing::warn!(items = left.len(), error = %e, "could not hand items back; they are taken over once idle")
            }
        }
    }
}
