//! Running a batch: the flusher and lease-renewer tasks, one item through
//! the profile source, recording results, finishing with the summary and
//! the webhook.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use extract_concurrency::Policy;
use extract_core::{CompanyProfile, CompanyQuery};
use tokio::sync::Notify;

use super::queries::status_of;
use super::{lock, BatchService, Live, FLUSH_EVERY};
use crate::eta::Throughput;
use crate::model::{now_ms, Batch, BatchState, Counts, Item, ItemError, ItemState};
use crate::summary::summarize;

impl BatchService {
    pub(super) fn start(&self, batch: Batch, items: Vec<Item>) {
        let remaining = items.iter().filter(|i| !i.state.is_final()).count();
        let live = Arc::new(Live {
            batch: Mutex::new(batch.clone()),
            throughput: Mutex::new(Throughput::default()),
            cancelled: AtomicBool::new(false),
            handles: Mutex::new(Vec::new()),
            remaining: AtomicUsize::new(remaining),
            dirty: Notify::new(),
            finished: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            unstored: Mutex::new(Vec::new()),
            ended: Mutex::new(vec![false; batch.counts.total()]),
            writing: tokio::sync::Mutex::new(()),
        });
        lock(&self.inner.live).insert(batch.id.clone(), live.clone());
        let service = self.clone();
        tokio::spawn(async move { service.run(batch.id, live, items).await });
    }

    async fn run(&self, id: String, live: Arc<Live>, items: Vec<Item>) {
        if self.inner.queue.is_some() {
            return self.run_shared(id, live, items).await;
        }
        // Writes the latest batch record after each change, one at a time,
        // so that an older snapshot never overwrites a newer one.
        let flusher = {
            let service = self.clone();
            let live = live.clone();
            let id = id.clone();
            tokio::spawn(async move {
                loop {
                    live.dirty.notified().await;
                    let lost = {
                        let _writing = live.writing.lock().await;
                        let snapshot = lock(&live.batch).clone();
                        if snapshot.state.is_final() {
                            break; // finish() writes the final record
                        }
                        matches!(service.inner.store.put_batch(&snapshot).await, Ok(false))
                    };
                    if lost {
                        service.recreate(&id, &live).await;
                    }
                    // At most a few writes a second, however fast items end:
                    // the record carries every submitted line.
                    tokio::time::sleep(FLUSH_EVERY).await;
                }
            })
        };
        let renewer = self.renew(&id, &live);

        let (mode, min_confidence) = {
            let b = lock(&live.batch);
            (b.mode, b.min_confidence)
        };
        let pending: Vec<Item> = items.into_iter().filter(|i| !i.state.is_final()).collect();
        // Companies a cache already holds finish at once.
        let mut to_run = Vec::new();
        let queries: Vec<CompanyQuery> = pending.iter().map(|i| query(&i.name, mode)).collect();
        let found = self.inner.profiles.cached(&queries).await;
        for (item, hit) in pending.into_iter().zip(found) {
            match hit {
                Some(profile) => {
                    let done = finished(item, Ok((profile, true)), 0, min_confidence);
                    self.complete(&id, &live, done, ItemState::Pending).await;
                }
                None => to_run.push(item),
            }
        }
        if to_run.is_empty() {
            self.finish(&id, &live).await;
        }
        for item in to_run {
            if self.inner.stopping.load(Ordering::Acquire) {
                break; // the rest stay pending for the next owner
            }
            // Cancelled while this loop ran: the rest end skipped here, so
            // that every item is recorded whenever cancel() came.
            if live.cancelled.load(Ordering::Acquire) {
                self.complete(&id, &live, skipped_by_cancel(item), ItemState::Pending)
                    .await;
                continue;
            }
            self.enqueue(&id, &live, item);
        }
        let _ = flusher.await;
        renewer.abort();
    }

    /// Renews the batch's lease until it is closed (finished or handed back).
    pub(super) fn renew(&self, id: &str, live: &Arc<Live>) -> tokio::task::JoinHandle<()> {
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

    /// Schedules one item at the batch's priority.
    fn enqueue(&self, id: &str, live: &Arc<Live>, item: Item) {
        let (priority, mode, min_confidence) = {
            let b = lock(&live.batch);
            (b.priority, b.mode, b.min_confidence)
        };
        let service = self.clone();
        let live_job = live.clone();
        let job_id = id.to_owned();
        let index = item.index;
        let handle = self.inner.scheduler.submit(priority, async move {
            service
                .process(&job_id, &live_job, item, mode, min_confidence)
                .await
        });
        lock(&live.handles).push((index, handle));
    }

    /// The store lost the batch while this instance runs it (Redis restarted
    /// empty): the record is written again from what is held here, every
    /// item pending, and the items that had ended here are run again (most
    /// answer from the cache), so that the batch still ends with every
    /// result stored. Said in the log and counted (`records_recreated`).
    async fn recreate(&self, id: &str, live: &Arc<Live>) {
        let take_ended = || -> Vec<usize> {
            let mut ended = lock(&live.ended);
            let taken = ended
                .iter()
                .enumerate()
                .filter(|(_, e)| **e)
                .map(|(i, _)| i)
                .collect();
            ended.iter_mut().for_each(|e| *e = false);
            taken
        };
        let mut lost = take_ended();
        tracing::error!(batch = id, rerun = lost.len(), "the job store lost a running batch (Redis restarted empty?): re-creating it and running its ended items again");
        let Some((_, items)) = self.write_again(id, live).await else {
            return;
        };
        // Items that ended while the record was written may have been
        // overwritten as pending: they run again too.
        lost.extend(take_ended());
        lost.sort_unstable();
        lost.dedup();
        live.remaining.fetch_add(lost.len(), Ordering::AcqRel);
        for index in lost {
            self.enqueue(id, live, items[index].clone());
        }
    }

    /// Writes the batch again, every item pending, after the store lost it
    /// (counted in `records_recreated`); `None` when the store still refuses
    /// (the next look tries again).
    pub(super) async fn write_again(
        &self,
        id: &str,
        live: &Arc<Live>,
    ) -> Option<(Batch, Vec<Item>)> {
        let (snapshot, items) = self.reset_to_pending(live);
        self.inner.recreated.fetch_add(1, Ordering::Relaxed);
        let created = {
            let _writing = live.writing.lock().await;
            self.inner.store.create(&snapshot, &items).await
        };
        match created {
            Ok(()) => Some((snapshot, items)),
            Err(e) => {
                tracing::warn!(batch = id, error = %e, "could not re-create the lost batch yet");
                None
            }
        }
    }

    /// The batch as this instance holds it with every item pending again
    /// (the running ones counted as running), and those items: what is
    /// written when the store lost the batch.
    pub(super) fn reset_to_pending(&self, live: &Arc<Live>) -> (Batch, Vec<Item>) {
        let mut b = lock(&live.batch);
        let total = b.counts.total();
        let running = b.counts.running;
        b.counts = Counts {
            pending: total - running,
            running,
            ..Counts::default()
        };
        let mut names = vec![String::new(); total];
        for (line, index) in b.line_items.iter().enumerate() {
            if names[*index].is_empty() {
                names[*index] = b.lines[line].trim().to_owned();
            }
        }
        let items: Vec<Item> = names
            .into_iter()
            .enumerate()
            .map(|(index, name)| Item {
                index,
                name,
                state: ItemState::Pending,
                error: None,
                elapsed_ms: None,
                profile: None,
            })
            .collect();
        (b.clone(), items)
    }

    async fn process(
        &self,
        id: &str,
        live: &Arc<Live>,
        item: Item,
        mode: extract_core::ExtractionMode,
        min_confidence: Option<f32>,
    ) {
        if self.inner.stopping.load(Ordering::Acquire) {
            return; // left pending: the next owner runs it
        }
        if live.cancelled.load(Ordering::Acquire) {
            // Started after cancel() took the queue: recorded here, once
            // (cancel() records only the jobs it stopped from starting).
            self.complete(id, live, skipped_by_cancel(item), ItemState::Pending)
                .await;
            return;
        }
        {
            let mut b = lock(&live.batch);
            b.counts.moved(ItemState::Pending, ItemState::Running);
            if b.state == BatchState::Queued {
                b.state = BatchState::Running;
                b.started_at_ms = Some(now_ms());
            }
        }
        live.dirty.notify_one();
        let done = self.serve_item(item, mode, min_confidence).await;
        self.complete(id, live, done, ItemState::Running).await;
    }

    /// Runs one item through the profile source within its timeout: the
    /// item as it ends (succeeded, cached, skipped or failed).
    pub(super) async fn serve_item(
        &self,
        item: Item,
        mode: extract_core::ExtractionMode,
        min_confidence: Option<f32>,
    ) -> Item {
        let started = Instant::now();
        let q = query(&item.name, mode);
        let timeout = Duration::from_millis(self.inner.config.item_timeout_ms.max(1));
        // An item refused by an open breaker waits for it (its Retry-After)
        // rather than failing at once: for its trial, and once more if that
        // trial fails, within most of its own timeout. An item whose search
        // failed outright (5xx, timeout, no connection: the start of an
        // outage, before the breaker opened) is tried again the same way.
        // A short bad patch upstream fails nobody; a provider that stays
        // broken fails the batch in a few cool-downs, not in an item
        // timeout per company. A failing site is not retried here: the
        // fetch layer already did, and another run would not help it.
        let budget = timeout.mul_f64(0.9);
        let waits = Policy::backoff(3, Duration::from_millis(250), budget, budget);
        let serve = waits.retry_when(
            || self.inner.profiles.serve(&q),
            |r| {
                use extract_core::{Error as E, Upstream};
                match r {
                    Err(E::Unavailable { retry_after, .. }) => Some(*retry_after),
                    Err(
                        e @ (E::Status { status: 500.., .. }
                        | E::Timeout { .. }
                        | E::Connect { .. }),
                    ) if e.upstream() == Some(Upstream::Search) => Some(None),
                    _ => None,
                }
            },
        );
        let result = tokio::time::timeout(timeout, serve).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(served) => finished(
                item,
                served.map(|s| (s.value, s.outcome.is_hit())),
                elapsed_ms,
                min_confidence,
            ),
            Err(_) => Item {
                state: ItemState::Failed,
                error: Some(ItemError {
                    kind: "timeout".to_owned(),
                    message: format!(
                        "took longer than {} ms (batch.item_timeout_ms)",
                        timeout.as_millis()
                    ),
                }),
                elapsed_ms: Some(elapsed_ms),
                ..item
            },
        }
    }

    /// Records a finished item; the last one finishes the batch. Storing the
    /// result is retried (about 6 s in all); a result the store still cannot
    /// take is kept in memory and written before the batch finishes, so
    /// that a store outage loses nothing.
    pub(super) async fn complete(&self, id: &str, live: &Arc<Live>, item: Item, from: ItemState) {
        let inner = &self.inner;
        // Marked before the write: a lost batch re-runs what had ended, or
        // was about to be stored, when the store lost it.
        if let Some(e) = lock(&live.ended).get_mut(item.index) {
            *e = true;
        }
        let stored = inner
            .store_retry
            .retry(|| inner.store.put_item(id, &item), Result::is_err)
            .await;
        if let Err(e) = stored {
            tracing::warn!(batch = id, item = item.index, error = %e, "job store unavailable: the result is kept in memory until it can be written");
            lock(&live.unstored).push(item.clone());
        }
        {
            let mut b = lock(&live.batch);
            b.counts.moved(from, item.state);
        }

        lock(&live.throughput).record(Instant::now());
        self.count_outcome(&item);
        live.dirty.notify_one();
        if live.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            // Off the scheduler's worker: finishing may wait for the store.
            let (service, id, live) = (self.clone(), id.to_owned(), live.clone());
            tokio::spawn(async move { service.finish(&id, &live).await });
        }
    }

    pub(super) async fn finish(&self, id: &str, live: &Arc<Live>) {
        if live.finished.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = &self.inner;
        // Every result stored first, then read back: the final counts and
        // the summary are those of what is stored. An outage makes this
        // wait (the lease is still renewed), for an hour at most.
        let patient = Policy::backoff(
            u32::MAX,
            Duration::from_millis(250),
            Duration::from_secs(5),
            Duration::from_secs(3600),
        );
        let written = patient
            .retry(|| self.store_unstored(id, live), |left: &usize| *left > 0)
            .await;
        if written > 0 {
            tracing::error!(
                batch = id,
                results = written,
                "results could not be stored within an hour; the batch stays unfinished"
            );
            live.finished.store(false, Ordering::Release);
            return;
        }
        if matches!(inner.store.batch(id).await, Ok(None)) {
            // Lost while running: re-create it; its re-run items finish it.
            live.finished.store(false, Ordering::Release);
            self.recreate(id, live).await;
            return;
        }
        let items = match patient
            .retry(|| inner.store.items(id), Result::is_err)
            .await
        {
            Ok(items) => items,
            Err(e) => {
                tracing::error!(batch = id, error = %e, "could not read the stored results; the batch stays unfinished");
                live.finished.store(false, Ordering::Release);
                return;
            }
        };
        let mut counts = Counts::default();
        for item in &items {
            *counts.slot(item.state) += 1;
        }
        let summary = summarize(&items);
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
            b.finished_at_ms = Some(now_ms());
            b.summary = Some(summary.clone());
            b.clone()
        };
        live.dirty.notify_one();
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

impl BatchService {
    /// Counts an item this instance ended: its time and its outcome.
    pub(super) fn count_outcome(&self, item: &Item) {
        let inner = &self.inner;
        if let Some(ms) = item.elapsed_ms.filter(|_| item.state != ItemState::Cached) {
            let mut times = lock(&inner.item_times);
            times.push_back(ms);
            if times.len() > 10_000 {
                times.pop_front();
            }
        }
        *lock(&inner.outcomes).slot(item.state) += 1;
        if item.state != ItemState::Skipped {
            inner.done.fetch_add(1, Ordering::Relaxed);
            if matches!(item.state, ItemState::Succeeded | ItemState::Cached) {
                inner.ok.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Writes the results kept in memory; answers how many are still unstored.
    async fn store_unstored(&self, id: &str, live: &Arc<Live>) -> usize {
        let pending = std::mem::take(&mut *lock(&live.unstored));
        let mut left = Vec::new();
        for item in pending {
            if self.inner.store.put_item(id, &item).await.is_err() {
                left.push(item);
            }
        }
        let n = left.len();
        lock(&live.unstored).extend(left);
        n
    }
}

/// An item the cancelled batch never started.
pub(crate) fn skipped_by_cancel(item: Item) -> Item {
    Item {
        state: ItemState::Skipped,
        error: Some(ItemError {
            kind: "cancelled".to_owned(),
            message: "the batch was cancelled before this company started".to_owned(),
        }),
        ..item
    }
}

/// An item ended with `result` (the profile, and whether a cache answered):
/// `cached`, `succeeded`, `skipped` (robots refuses the homepage) or
/// `failed` with its error kind, a profile below `min_confidence` included.
pub(super) fn finished(
    item: Item,
    result: extract_core::Result<(Arc<CompanyProfile>, bool)>,
    elapsed_ms: u64,
    min_confidence: Option<f32>,
) -> Item {
    let result = result.and_then(|(profile, cached)| match min_confidence {
        // Below the bar the item fails; its message names the best candidate.
        Some(m) => profile.check_confidence(m).map(|()| (profile, cached)),
        None => Ok((profile, cached)),
    });
    match result {
        Ok((profile, cached)) => {
            let skipped = profile
                .pages
                .first()
                .is_some_and(|p| p.outcome.is_robots_refusal());
            let state = if cached {
                ItemState::Cached
            } else if skipped {
                ItemState::Skipped
            } else {
                ItemState::Succeeded
            };
            Item {
                state,
                error: (state == ItemState::Skipped).then(|| ItemError {
                    kind: "robots".to_owned(),
                    message: "robots.txt refuses the homepage".to_owned(),
                }),
                elapsed_ms: Some(elapsed_ms),
                profile: Some(Arc::unwrap_or_clone(profile)),
                ..item
            }
        }
        Err(e) => Item {
            state: ItemState::Failed,
            error: Some(ItemError {
                kind: e.kind().to_owned(),
                message: e.to_string(),
            }),
            elapsed_ms: Some(elapsed_ms),
            ..item
        },
    }
}

pub(super) fn query(name: &str, mode: extract_core::ExtractionMode) -> CompanyQuery {
    let mut q = CompanyQuery::by_name(name).unwrap_or_else(|_| CompanyQuery {
        name: Some(name.to_owned()),
        domain: None,
        mode,
        freshness: Default::default(),
        priority: Default::default(),
    });
    q.mode = mode;
    q
}
