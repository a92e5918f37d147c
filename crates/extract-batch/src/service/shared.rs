//! Work shared by every instance (a [`WorkQueue`](crate::WorkQueue) in
//! Redis Streams): the instance holding a batch's lease prefetches the
//! cached items, appends the rest to the queue and follows the counts in
//! the store until every item is over; every instance's workers take items
//! from the queue, run them on the local scheduler, record them once in the
//! store and acknowledge them.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use extract_concurrency::Policy;
use extract_core::{CompanyQuery, ExtractionMode, Priority};

use super::run::{finished, query};
use super::{lock, BatchService, Held, Live, FLUSH_EVERY};
use crate::model::{now_ms, BatchState, Begin, Counts, Item, Mark, Recorded};
use crate::queue::Delivery;

/// A batch's settings as its items need them, read once a minute.
#[derive(Clone, Copy)]
pub(super) struct Meta {
    mode: ExtractionMode,
    min_confidence: Option<f32>,
    read: Instant,
}

const META_TTL: Duration = Duration::from_secs(60);

/// The longest a followed batch's record goes unwritten while it runs.
const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// Retries of a write that must happen (a result, the queue's items) for an
/// hour at most: a Redis outage delays them, never loses them.
fn patient() -> Policy {
    Policy::backoff(
        u32::MAX,
        Duration::from_millis(250),
        Duration::from_secs(5),
        Duration::from_secs(3600),
    )
}

fn held_key(d: &Delivery) -> String {
    format!("{:?}/{}", d.priority, d.entry)
}

impl BatchService {
    /// The lease holder's part: cached items end at once, the rest go to
    /// the queue (unless an earlier holder put them there), then the
    /// shared counts are followed until the batch is over.
    pub(super) async fn run_shared(&self, id: String, live: Arc<Live>, items: Vec<Item>) {
        let renewer = self.renew(&id, &live);
        let (mode, min_confidence, priority) = {
            let b = lock(&live.batch);
            (b.mode, b.min_confidence, b.priority)
        };
        let pending: Vec<Item> = items.into_iter().filter(|i| !i.state.is_final()).collect();
        let queries: Vec<CompanyQuery> = pending.iter().map(|i| query(&i.name, mode)).collect();
        let found = self.inner.profiles.cached(&queries).await;
        let mut to_run = Vec::new();
        for (item, hit) in pending.into_iter().zip(found) {
            match hit {
                Some(profile) => {
                    let done = finished(item, Ok((profile, true)), 0, min_confidence);
                    self.record_shared(&id, done).await;
                }
                None => to_run.push(item.index),
            }
        }
        let enqueued = self
            .inner
            .store
            .progress(&id)
            .await
            .ok()
            .flatten()
            .is_some_and(|p| p.enqueued);
        if !enqueued && !to_run.is_empty() {
            self.push_all(&id, priority, &to_run).await;
        }
        self.follow(&id, &live).await;
        renewer.abort();
    }

    /// Appends items to the queue and marks the batch enqueued, retrying
    /// through an outage (a repeat appends duplicates, which recording once
    /// makes harmless).
    async fn push_all(&self, id: &str, priority: Priority, indexes: &[usize]) {
        let Some(queue) = self.inner.queue.clone() else {
            return;
        };
        let store = self.inner.store.clone();
        let pushed = patient()
            .retry(
                || async {
                    if self.inner.stopping.load(Ordering::Acquire) {
                        return Ok(()); // the next holder enqueues them
                    }
                    queue.push(priority, id, indexes).await?;
                    store.mark(id, Mark::Enqueued).await
                },
                crate::Result::is_err,
            )
            .await;
        if let Err(e) = pushed {
            tracing::error!(batch = id, error = %e, "could not queue the batch's items within an hour");
        }
    }

    /// Follows the shared counts: into this instance's record and
    /// throughput, written to the store a few times a second, until every
    /// item is over (then finishes the batch) or this instance stops.
    async fn follow(&self, id: &str, live: &Arc<Live>) {
        let mut last_done: Option<usize> = None;
        let mut written: Option<(Counts, BatchState, Instant)> = None;
        loop {
            if live.closed.load(Ordering::Acquire) || self.inner.stopping.load(Ordering::Acquire) {
                break;
            }
            match self.inner.store.progress(id).await {
                Ok(None) => self.recreate_shared(id, live).await,
                Ok(Some(p)) => {
                    let done = p.counts.finished();
                    let over = {
                        let mut b = lock(&live.batch);
                        let total = b.counts.total();
                        if p.counts.total() == total {
                            b.counts = p.counts;
                        }
                        if b.state == BatchState::Queued && (p.counts.running > 0 || done > 0) {
                            b.state = BatchState::Running;
                            b.started_at_ms = Some(now_ms());
                        }
                        let mut t = lock(&live.throughput);
                        if let Some(last) = last_done {
                            t.record_many(done.saturating_sub(last), Instant::now());
                        }
                        b.items_per_s = t.rate(Instant::now());
                        done >= total
                    };
                    last_done = Some(done);
                    if p.cancelled {
                        live.cancelled.store(true, Ordering::Release);
                    }
                    if over {
                        self.finish(id, live).await;
                        if live.closed.load(Ordering::Acquire) {
                            break;
                        }
                    } else {
                        // The record carries every submitted line: written
                        // when the counts moved, and every few seconds for
                        // the rate the other instances' ETA reads.
                        let snapshot = lock(&live.batch).clone();
                        let moved = written.as_ref().is_none_or(
                            |(c, s, at): &(Counts, BatchState, Instant)| {
                                *c != snapshot.counts
                                    || *s != snapshot.state
                                    || at.elapsed() >= REFRESH_EVERY
                            },
                        );
                        if moved {
                            let lost = {
                                let _writing = live.writing.lock().await;
                                matches!(self.inner.store.put_batch(&snapshot).await, Ok(false))
                            };
                            written = Some((snapshot.counts, snapshot.state, Instant::now()));
                            if lost {
                                self.recreate_shared(id, live).await;
                            }
                        }
                    }
                }
                Err(e) => tracing::debug!(batch = id, error = %e, "batch progress unavailable"),
            }
            let _ = tokio::time::timeout(FLUSH_EVERY, live.dirty.notified()).await;
        }
    }

    /// The store lost a batch this instance holds (Redis restarted empty):
    /// written again, every item pending, and every item queued again
    /// (most answer from the cache).
    async fn recreate_shared(&self, id: &str, live: &Arc<Live>) {
        tracing::error!(batch = id, "the job store lost a running batch (Redis restarted empty?): re-creating it and queueing its items again");
        let Some((snapshot, items)) = self.write_again(id, live).await else {
            return;
        };
        let indexes: Vec<usize> = items.iter().map(|i| i.index).collect();
        self.push_all(id, snapshot.priority, &indexes).await;
    }

    /// Records a final item once in the store, through an outage; counts
    /// it here when this call stored it.
    async fn record_shared(&self, id: &str, item: Item) -> bool {
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

    /// Takes items from the shared queue for as long as the service exists
    /// and is not stopping: as many as this instance has room for (its
    /// scheduler's workers and half again), and every so often the items of
    /// a consumer that went away (`batch.reclaim_idle_ms`). `None` without
    /// a queue.
    pub fn keep_working(&self) -> Option<tokio::task::JoinHandle<()>> {
        let queue = self.inner.queue.clone()?;
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
            let queue = self.inner.queue.clone();
            if let Some(q) = queue {
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
                self.record_shared(&d.batch, done).await
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
        let Some(queue) = self.inner.queue.clone() else {
            return;
        };
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

    /// Skips the shared batch's items that have not started, on every
    /// instance (each sees the flag when it takes one).
    pub(super) async fn cancel_shared(&self, id: &str) -> crate::Result<()> {
        if self.inner.store.progress(id).await?.is_none() {
            return Err(crate::Error::NotFound(id.to_owned()));
        }
        self.inner.store.mark(id, Mark::Cancelled).await?;
        if let Some(l) = lock(&self.inner.live).get(id) {
            l.cancelled.store(true, Ordering::Release);
            l.dirty.notify_one();
        }
        Ok(())
    }
}
