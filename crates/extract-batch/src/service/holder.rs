//! The part of the instance holding a batch's lease: it prefetches the
//! cached items, appends the rest to the work queue, follows the counts in
//! the store until every item is over, writes the batch record a few times
//! a second, re-creates it when the store lost it, and finishes the batch
//! (the summary, the final record, the webhook). The items themselves run
//! in [`worker`](super::worker), on whichever instance takes them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use extract_concurrency::Policy;
use extract_core::{CompanyQuery, Priority};
use tokio::sync::Notify;

use super::item::{finished, query};
use super::queries::status_of;
use super::{lock, BatchService, Live, FLUSH_EVERY};
use crate::eta::Throughput;
use crate::model::{Batch, BatchState, Counts, Item, ItemState, Mark};

/// Companies looked up in the cache at once before a batch is queued.
const PREFETCH_PAGE: usize = 500;

/// The least time between two reads of a followed batch's counts.
const MIN_LOOK: Duration = Duration::from_millis(50);

/// The longest a followed batch's record goes unwritten while it runs.
const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// Retries of a write that must happen (a result, the queue's items) for an
/// hour at most: an outage delays them, never loses them.
pub(super) fn patient() -> Policy {
    Policy::backoff(
        u32::MAX,
        Duration::from_millis(250),
        Duration::from_secs(5),
        Duration::from_secs(3600),
    )
}

impl BatchService {
    /// Holds `batch` here (just submitted, or resumed under this lease).
    pub(super) fn start(&self, batch: Batch, items: Vec<Item>) {
        let live = Arc::new(Live {
            batch: Mutex::new(batch.clone()),
            throughput: Mutex::new(Throughput::default()),
            cancelled: AtomicBool::new(false),
            dirty: Notify::new(),
            finished: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            writing: tokio::sync::Mutex::new(()),
        });
        lock(&self.inner.live).insert(batch.id.clone(), live.clone());
        // The workers of a queue of this process start with its first batch.
        drop(self.keep_working());
        let service = self.clone();
        tokio::spawn(async move { service.run(batch.id, live, items).await });
    }

    /// Cached items end at once, the rest go to the queue (unless an
    /// earlier holder put them in a queue that outlived it), then the
    /// shared counts are followed until the batch is over.
    async fn run(&self, id: String, live: Arc<Live>, items: Vec<Item>) {
        let renewer = self.renew(&id, &live);
        let (mode, min_confidence, priority) = {
            let b = lock(&live.batch);
            (b.mode, b.min_confidence, b.priority)
        };
        // Looked up a page at a time: a big batch whose companies are all
        // cached never holds every profile at once.
        let pending: Vec<Item> = items.into_iter().filter(|i| !i.state.is_final()).collect();
        let mut to_run = Vec::new();
        for page in pending.chunks(PREFETCH_PAGE) {
            let queries: Vec<CompanyQuery> = page.iter().map(|i| query(i, mode)).collect();
            let found = self.inner.profiles.cached(&queries).await;
            for (item, hit) in page.iter().zip(found) {
                match hit {
                    Some(profile) => {
                        let done = finished(item.clone(), Ok((profile, true)), 0, min_confidence);
                        self.record(&id, done).await;
                    }
                    None => to_run.push(item.index),
                }
            }
        }
        let enqueued = self.inner.queue.shared()
            && self
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

    /// Renews the batch's lease until it is closed (finished or handed back).
    fn renew(&self, id: &str, live: &Arc<Live>) -> tokio::task::JoinHandle<()> {
        let store = self.inner.store.clone();
        let live = live.clone();
        let owner = self.inner.owner.clone();
        let id = id.to_owned();
        let lease = self.lease();
        tokio::spawn(async move {
            while !live.closed.load(Ordering::Acquire) {
                tokio::time::sleep(lease / 3).await;
                if live.closed.load(Ordering::Acquire) {
                    break; // released or finished meanwhile: never take it back
                }
                let _ = store.lease(&id, &owner, lease).await;
            }
        })
    }

    /// Appends items to the queue and marks the batch enqueued, retrying
    /// through an outage (a repeat appends duplicates, which recording once
    /// makes harmless).
    async fn push_all(&self, id: &str, priority: Priority, indexes: &[usize]) {
        let queue = self.inner.queue.clone();
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
        self.inner.intake.notify_one(); // a worker here may take them at once
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
                Ok(None) => self.recreate(id, live).await,
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
                            b.started_at_ms = Some(self.inner.clock.now_ms());
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
                        // when the counts moved (at most a few times a
                        // second, however fast items end), and every few
                        // seconds for the rate the other instances' ETA reads.
                        let (counts, state) = {
                            let b = lock(&live.batch);
                            (b.counts, b.state)
                        };
                        let moved = written.as_ref().is_none_or(
                            |(c, s, at): &(Counts, BatchState, Instant)| {
                                *s != state
                                    || (*c != counts && at.elapsed() >= FLUSH_EVERY)
                                    || at.elapsed() >= REFRESH_EVERY
                            },
                        );
                        if moved {
                            let snapshot = lock(&live.batch).clone();
                            let lost = {
                                let _writing = live.writing.lock().await;
                                matches!(self.inner.store.put_batch(&snapshot).await, Ok(false))
                            };
                            written = Some((snapshot.counts, snapshot.state, Instant::now()));
                            if lost {
                                self.recreate(id, live).await;
                            }
                        }
                    }
                }
                Err(e) => tracing::debug!(batch = id, error = %e, "batch progress unavailable"),
            }
            // Woken by a recorded item, or after a while for the other
            // instances' items; at most twenty looks a second.
            let looked = Instant::now();
            let _ = tokio::time::timeout(FLUSH_EVERY, live.dirty.notified()).await;
            if let Some(rest) = MIN_LOOK.checked_sub(looked.elapsed()) {
                tokio::time::sleep(rest).await;
            }
        }
    }

    /// The store lost a batch this instance holds (Redis restarted empty):
    /// the record is written again from what is held here, every item
    /// pending, and every item is queued again (most answer from the
    /// cache), so that the batch still ends with every result stored. Said
    /// in the log and counted (`records_recreated`).
    async fn recreate(&self, id: &str, live: &Arc<Live>) {
        tracing::error!(batch = id, "the job store lost a running batch (Redis restarted empty?): re-creating it and queueing its items again");
        let (snapshot, items) = reset_to_pending(live);
        self.inner.recreated.fetch_add(1, Ordering::Relaxed);
        let created = {
            let _writing = live.writing.lock().await;
            self.inner.store.create(&snapshot, &items).await
        };
        if let Err(e) = created {
            tracing::warn!(batch = id, error = %e, "could not re-create the lost batch yet");
            return; // the next look tries again
        }
        let indexes: Vec<usize> = items.iter().map(|i| i.index).collect();
        self.push_all(id, snapshot.priority, &indexes).await;
    }

    /// Every item is over: the final counts and the summary are read from
    /// what is stored, the final record is written, the batch expires after
    /// `batch.retention_s`, and the webhook is sent.
    pub(super) async fn finish(&self, id: &str, live: &Arc<Live>) {
        if live.finished.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = &self.inner;
        if matches!(inner.store.batch(id).await, Ok(None)) {
            // Lost while running: re-create it; its re-run items finish it.
            live.finished.store(false, Ordering::Release);
            self.recreate(id, live).await;
            return;
        }
        // Read a page at a time (a big batch never sits in memory whole);
        // an outage makes this wait (the lease is still renewed), for an
        // hour at most.
        let total = lock(&live.batch).counts.total();
        let summarizer = match patient()
            .retry(|| self.summarize_stored(id, total), Result::is_err)
            .await
        {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(batch = id, error = %e, "could not read the stored results; the batch stays unfinished");
                live.finished.store(false, Ordering::Release);
                return;
            }
        };
        let counts = summarizer.counts();
        let summary = summarizer.finish();
        let final_batch = {
            let mut b = lock(&live.batch);
            if counts.total() == b.counts.total() {
                b.counts = counts;
            }
            b.state = if live.cancelled.load(Ordering::Acquire) {
                BatchState::Cancelled
            } else if b.counts.failed > 0 {
                BatchState::CompletedWithErrors
            } else {
                BatchState::Completed
            };
            b.finished_at_ms = Some(self.inner.clock.now_ms());
            b.summary = Some(summary.clone());
            b.clone()
        };
        let writing = live.writing.lock().await;
        let stored = inner
            .store_retry
            .retry(|| inner.store.put_batch(&final_batch), Result::is_err)
            .await;
        if let Err(e) = stored {
            tracing::error!(batch = id, error = %e, "could not store the finished batch");
        }
        drop(writing);
        let _ = inner
            .store
            .expire(id, Duration::from_secs(inner.config.retention_s.max(1)))
            .await;
        live.closed.store(true, Ordering::Release);
        lock(&inner.live).remove(id);
        tracing::info!(
            batch = id,
            state = final_batch.state.as_str(),
            "batch finished"
        );
        if let (Some(url), Some(webhooks)) =
            (final_batch.webhook_url.clone(), inner.webhooks.clone())
        {
            let body = serde_json::json!({
                "event": "batch.completed",
                "batch": status_of(&final_batch, None),
                "summary": summary,
            });
            let body = serde_json::to_vec(&body).unwrap_or_default();
            tokio::spawn(async move { webhooks.deliver(&url, "batch.completed", body).await });
        }
    }
}

/// The batch as this instance holds it with every item pending again
/// (the running ones counted as running), and those items: what is
/// written when the store lost the batch.
fn reset_to_pending(live: &Arc<Live>) -> (Batch, Vec<Item>) {
    let mut b = lock(&live.batch);
    let total = b.counts.total();
    let running = b.counts.running;
    b.counts = Counts {
        pending: total - running,
        running,
        ..Counts::default()
    };
    // Each item's first line: its name, and the domain and hints it was given.
    let mut first_line = vec![None; total];
    for (line, index) in b.line_items.iter().enumerate() {
        first_line[*index].get_or_insert(line);
    }
    let items: Vec<Item> = first_line
        .into_iter()
        .enumerate()
        .map(|(index, line)| Item {
            index,
            name: line
                .map(|l| b.lines[l].trim().to_owned())
                .unwrap_or_default(),
            domain: line.and_then(|l| b.inputs.domains.get(l).cloned().flatten()),
            hints: line
                .and_then(|l| b.inputs.hints.get(l).cloned())
                .unwrap_or_default(),
            state: ItemState::Pending,
            error: None,
            elapsed_ms: None,
            profile: None,
        })
        .collect();
    (b.clone(), items)
}
