//! The batch service: accepts batches, runs their items through the
//! priority scheduler (after a cache prefetch), isolates failures, tracks
//! progress, cancels, resumes after a restart, and notifies on completion.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use extract_concurrency::{JobHandle, Scheduler, SchedulerStats};
use extract_core::{CompanyProfile, CompanyQuery, ProfileSource};
use serde::Serialize;
use tokio::sync::Notify;

use crate::eta::Throughput;
use crate::model::{now_ms, Batch, BatchRequest, BatchState, Counts, Item, ItemError, ItemState};
use crate::store::JobStore;
use crate::summary::{summarize, Summary};
use crate::webhook::{deliver, Notifier};
use crate::{Config, Error, Result};

/// The least time between two writes of a running batch's record.
const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// Progress of a batch, as `GET …/status` shows it.
#[derive(Debug, Clone, Serialize)]
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
}

struct Live {
    batch: Mutex<Batch>,
    throughput: Mutex<Throughput>,
    cancelled: AtomicBool,
    handles: Mutex<Vec<(usize, JobHandle<()>)>>,
    remaining: AtomicUsize,
    dirty: Notify,
    finished: AtomicBool,
    /// Orders writes of the batch record, so that a running snapshot is never
    /// written over the final one (an async lock: it is held across the write).
    writing: tokio::sync::Mutex<()>,
}

struct Inner {
    store: Arc<dyn JobStore>,
    scheduler: Arc<Scheduler>,
    profiles: Arc<dyn ProfileSource>,
    notifier: Option<Arc<dyn Notifier>>,
    config: Config,
    max_name_chars: usize,
    owner: String,
    live: Mutex<HashMap<String, Arc<Live>>>,
    item_times: Mutex<VecDeque<u64>>,
    ok: AtomicU64,
    done: AtomicU64,
    /// Items finished on this instance since start, by state.
    outcomes: Mutex<Counts>,
}

/// The batch service.
#[derive(Clone)]
pub struct BatchService {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Builds a [`BatchService`]: the store, scheduler and profile source it
/// needs, then what it may have.
pub struct Builder {
    config: Config,
    store: Arc<dyn JobStore>,
    scheduler: Arc<Scheduler>,
    profiles: Arc<dyn ProfileSource>,
    notifier: Option<Arc<dyn Notifier>>,
    max_name_chars: usize,
}

impl Builder {
    /// The batch settings (default: [`Config::default`]).
    #[must_use]
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Delivers the completion webhooks (default: none are sent).
    #[must_use]
    pub fn notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifier = Some(notifier);
        self
    }

    /// The longest company name accepted (default: `extract.max_name_chars`'s default).
    #[must_use]
    pub fn max_name_chars(mut self, max: usize) -> Self {
        self.max_name_chars = max;
        self
    }

    /// The service.
    pub fn build(self) -> BatchService {
        let Builder {
            config,
            store,
            scheduler,
            profiles,
            notifier,
            max_name_chars,
        } = self;
        BatchService {
            inner: Arc::new(Inner {
                store,
                scheduler,
                profiles,
                notifier,
                config,
                max_name_chars,
                owner: format!("{:016x}", fastrand::u64(..)),
                live: Mutex::new(HashMap::new()),
                item_times: Mutex::new(VecDeque::new()),
                ok: AtomicU64::new(0),
                done: AtomicU64::new(0),
                outcomes: Mutex::new(Counts::default()),
            }),
        }
    }
}

impl BatchService {
    /// A service running items through `profiles` (the outermost source:
    /// a cache on the way answers `cached` items and the prefetch) on
    /// `scheduler`, storing in `store`.
    pub fn builder(
        store: Arc<dyn JobStore>,
        scheduler: Arc<Scheduler>,
        profiles: Arc<dyn ProfileSource>,
    ) -> Builder {
        Builder {
            config: Config::default(),
            store,
            scheduler,
            profiles,
            notifier: None,
            max_name_chars: extract_core::Config::default().max_name_chars,
        }
    }

    /// Validates, deduplicates and starts a batch.
    pub async fn submit(&self, request: BatchRequest) -> Result<Batch> {
        let inner = &self.inner;
        if !inner.config.enabled {
            return Err(Error::Disabled);
        }
        let n = request.company_names.len();
        if n == 0 {
            return Err(Error::Invalid {
                message: "company_names must list at least one company".to_owned(),
                indexes: Vec::new(),
            });
        }
        if n > inner.config.max_size {
            return Err(Error::Invalid {
                message: format!(
                    "{n} companies submitted; at most {} are allowed (batch.max_size)",
                    inner.config.max_size
                ),
                indexes: Vec::new(),
            });
        }
        if let Some(url) = &request.webhook_url {
            let ok = url_is_http(url);
            if !ok {
                return Err(Error::Invalid {
                    message: format!("webhook_url {url:?} is not an http or https URL"),
                    indexes: Vec::new(),
                });
            }
        }
        if let Some(m) = request.min_confidence {
            if !(0.0..=1.0).contains(&m) {
                return Err(Error::Invalid {
                    message: format!("min_confidence must be between 0 and 1, not {m}"),
                    indexes: Vec::new(),
                });
            }
        }
        let mut bad = Vec::new();
        let mut queries = Vec::with_capacity(n);
        for (i, name) in request.company_names.iter().enumerate() {
            match CompanyQuery::new(
                Some(name),
                None,
                request.extraction_mode,
                inner.max_name_chars,
            ) {
                Ok(q) => queries.push(q),
                Err(_) => bad.push(i),
            }
        }
        if !bad.is_empty() {
            return Err(Error::Invalid {
                message: format!(
                    "{} company names are empty, have no letters or digits, or are longer than {} characters",
                    bad.len(),
                    inner.max_name_chars
                ),
                indexes: bad,
            });
        }
        // One item per distinct company; every line keeps its answer.
        let mut by_identity: HashMap<String, usize> = HashMap::new();
        let mut items: Vec<Item> = Vec::new();
        let mut line_items = Vec::with_capacity(n);
        for (q, name) in queries.iter().zip(&request.company_names) {
            let next = items.len();
            let index = *by_identity.entry(q.identity()).or_insert(next);
            if index == next {
                items.push(Item {
                    index,
                    name: name.trim().to_owned(),
                    state: ItemState::Pending,
                    error: None,
                    elapsed_ms: None,
                    profile: None,
                });
            }
            line_items.push(index);
        }
        let batch = Batch {
            id: format!("{:016x}{:08x}", fastrand::u64(..), fastrand::u32(..)),
            state: BatchState::Queued,
            mode: request.extraction_mode,
            min_confidence: request.min_confidence,
            priority: request.priority,
            export_format: request.export_format,
            webhook_url: request.webhook_url,
            lines: request
                .company_names
                .iter()
                .map(|s| s.trim().to_owned())
                .collect(),
            line_items,
            counts: Counts {
                pending: items.len(),
                ..Counts::default()
            },
            created_at_ms: now_ms(),
            started_at_ms: None,
            finished_at_ms: None,
            summary: None,
        };
        inner.store.create(&batch, &items).await?;
        if !inner
            .store
            .lease(&batch.id, &inner.owner, self.lease())
            .await?
        {
            return Err(Error::Store(
                "could not take the new batch's lease".to_owned(),
            ));
        }
        self.start(batch.clone(), items);
        Ok(batch)
    }

    fn lease(&self) -> Duration {
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

    fn start(&self, batch: Batch, items: Vec<Item>) {
        let remaining = items.iter().filter(|i| !i.state.is_final()).count();
        let live = Arc::new(Live {
            batch: Mutex::new(batch.clone()),
            throughput: Mutex::new(Throughput::default()),
            cancelled: AtomicBool::new(false),
            handles: Mutex::new(Vec::new()),
            remaining: AtomicUsize::new(remaining),
            dirty: Notify::new(),
            finished: AtomicBool::new(false),
            writing: tokio::sync::Mutex::new(()),
        });
        lock(&self.inner.live).insert(batch.id.clone(), live.clone());
        let service = self.clone();
        tokio::spawn(async move { service.run(batch.id, live, items).await });
    }

    async fn run(&self, id: String, live: Arc<Live>, items: Vec<Item>) {
        // Writes the latest batch record after each change, one at a time,
        // so that an older snapshot never overwrites a newer one.
        let flusher = {
            let store = self.inner.store.clone();
            let live = live.clone();
            tokio::spawn(async move {
                loop {
                    live.dirty.notified().await;
                    {
                        let _writing = live.writing.lock().await;
                        let snapshot = lock(&live.batch).clone();
                        if snapshot.state.is_final() {
                            break; // finish() writes the final record
                        }
                        let _ = store.put_batch(&snapshot).await;
                    }
                    // At most a few writes a second, however fast items end:
                    // the record carries every submitted line.
                    tokio::time::sleep(FLUSH_EVERY).await;
                }
            })
        };
        let renewer = {
            let store = self.inner.store.clone();
            let live = live.clone();
            let owner = self.inner.owner.clone();
            let id = id.clone();
            let lease = self.lease();
            tokio::spawn(async move {
                while !live.finished.load(Ordering::Acquire) {
                    tokio::time::sleep(lease / 3).await;
                    let _ = store.lease(&id, &owner, lease).await;
                }
            })
        };

        let (priority, mode, min_confidence) = {
            let b = lock(&live.batch);
            (b.priority, b.mode, b.min_confidence)
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
            let service = self.clone();
            let live_job = live.clone();
            let job_id = id.clone();
            let index = item.index;
            let handle = self.inner.scheduler.submit(priority, async move {
                service
                    .process(&job_id, &live_job, item, mode, min_confidence)
                    .await
            });
            lock(&live.handles).push((index, handle));
        }
        let _ = flusher.await;
        renewer.abort();
    }

    async fn process(
        &self,
        id: &str,
        live: &Arc<Live>,
        item: Item,
        mode: extract_core::ExtractionMode,
        min_confidence: Option<f32>,
    ) {
        if live.cancelled.load(Ordering::Acquire) {
            return; // cancel() has recorded it
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
        let started = Instant::now();
        let q = query(&item.name, mode);
        let timeout = Duration::from_millis(self.inner.config.item_timeout_ms.max(1));
        let result = tokio::time::timeout(timeout, self.inner.profiles.serve(&q)).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let done = match result {
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
        };
        self.complete(id, live, done, ItemState::Running).await;
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

    /// Records a finished item; the last one finishes the batch. Storing the
    /// result is retried (about 6 s in all) so that a short store outage
    /// loses nothing.
    async fn complete(&self, id: &str, live: &Arc<Live>, item: Item, from: ItemState) {
        let inner = &self.inner;
        for attempt in 0..5u32 {
            match inner.store.put_item(id, &item).await {
                Ok(()) => break,
                Err(e) if attempt == 4 => {
                    tracing::error!(batch = id, item = item.index, error = %e, "could not store an item result");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200 << attempt)).await,
            }
        }
        {
            let mut b = lock(&live.batch);
            b.counts.moved(from, item.state);
        }
        lock(&live.throughput).record(Instant::now());
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
        live.dirty.notify_one();
        if live.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.finish(id, live).await;
        }
    }

    async fn finish(&self, id: &str, live: &Arc<Live>) {
        if live.finished.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = &self.inner;
        let items = match inner.store.items(id).await {
            Ok(items) => items,
            Err(e) => {
                tracing::warn!(batch = id, error = %e, "could not read items for the summary");
                Vec::new()
            }
        };
        let summary = summarize(&items);
        let final_batch = {
            let mut b = lock(&live.batch);
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
        for attempt in 0..5u32 {
            match inner.store.put_batch(&final_batch).await {
                Ok(()) => break,
                Err(e) if attempt == 4 => {
                    tracing::error!(batch = id, error = %e, "could not store the finished batch");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200 << attempt)).await,
            }
        }
        drop(writing);
        let _ = inner
            .store
            .expire(id, Duration::from_secs(inner.config.retention_s.max(1)))
            .await;
        lock(&inner.live).remove(id);
        tracing::info!(
            batch = id,
            state = final_batch.state.as_str(),
            "batch finished"
        );
        if let (Some(url), Some(notifier)) =
            (final_batch.webhook_url.clone(), inner.notifier.clone())
        {
            let body = serde_json::json!({
                "event": "batch.completed",
                "batch": status_of(&final_batch, None),
                "summary": summary,
            });
            let secret = (!inner.config.webhook_secret.is_empty())
                .then(|| inner.config.webhook_secret.expose().as_bytes().to_vec());
            let attempts = inner.config.webhook_attempts;
            tokio::spawn(deliver(
                notifier,
                url,
                serde_json::to_vec(&body).unwrap_or_default(),
                secret,
                attempts,
            ));
        }
    }

    /// Cancels a batch: queued items are skipped at once, running ones
    /// finish, finished results are kept.
    pub async fn cancel(&self, id: &str) -> Result<Status> {
        let live = lock(&self.inner.live).get(id).cloned();
        let Some(live) = live else {
            // Not running here: finished already, or unknown.
            return self.status(id).await;
        };
        live.cancelled.store(true, Ordering::Release);
        let handles: Vec<(usize, JobHandle<()>)> = std::mem::take(&mut *lock(&live.handles));
        let mut skipped = Vec::new();
        for (index, handle) in handles {
            if handle.cancel() {
                skipped.push(index);
            }
        }
        let items = self.inner.store.items(id).await?;
        for index in skipped {
            if let Some(item) = items.get(index).cloned() {
                let item = Item {
                    state: ItemState::Skipped,
                    error: Some(ItemError {
                        kind: "cancelled".to_owned(),
                        message: "the batch was cancelled before this company started".to_owned(),
                    }),
                    ..item
                };
                self.complete(id, &live, item, ItemState::Pending).await;
            }
        }
        if live.remaining.load(Ordering::Acquire) == 0 {
            self.finish(id, &live).await;
        }
        self.status(id).await
    }

    /// Progress of a batch.
    pub async fn status(&self, id: &str) -> Result<Status> {
        let live = lock(&self.inner.live).get(id).cloned();
        if let Some(live) = live {
            let batch = lock(&live.batch).clone();
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

    /// The summary and industry analysis of a batch.
    pub async fn summary(&self, id: &str) -> Result<Summary> {
        let (_, items) = self.results(id).await?;
        Ok(summarize(&items))
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
        let mut times: Vec<u64> = lock(&self.inner.item_times).iter().copied().collect();
        times.sort_unstable();
        let q = |p: f64| -> Option<u64> {
            (!times.is_empty())
                .then(|| times[((times.len() as f64 * p) as usize).min(times.len() - 1)])
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
        })
    }

    /// Items this instance finished since it started, by final state
    /// (`pending` and `running` stay 0).
    pub fn item_outcomes(&self) -> Counts {
        *lock(&self.inner.outcomes)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}

/// An item ended with `result` (the profile, and whether a cache answered):
/// `cached`, `succeeded`, `skipped` (robots refuses the homepage) or
/// `failed` with its error kind, a profile below `min_confidence` included.
fn finished(
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

fn query(name: &str, mode: extract_core::ExtractionMode) -> CompanyQuery {
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

fn url_is_http(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && lower.len() > "https://".len()
}

fn status_of(batch: &Batch, throughput: Option<&Throughput>) -> Status {
    let total = batch.counts.total();
    let finished = batch.counts.finished();
    let now = Instant::now();
    let end = batch.finished_at_ms.unwrap_or_else(now_ms);
    let remaining = total - finished;
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
        items_per_s: throughput.and_then(|t| t.rate(now)),
        eta_s: if batch.state.is_final() {
            Some(0.0)
        } else {
            throughput.and_then(|t| t.eta(remaining, now))
        },
        created_at_ms: batch.created_at_ms,
        finished_at_ms: batch.finished_at_ms,
    }
}
