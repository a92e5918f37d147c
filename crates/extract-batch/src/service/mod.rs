//! The batch service: accepts batches, runs their items through the
//! priority scheduler (after a cache prefetch), isolates failures, tracks
//! progress, cancels, resumes after a restart, and notifies on completion.
//!
//! One run path whichever queue holds the items: the instance holding a
//! batch's lease ([`holder`]) queues its items and follows the counts the
//! store keeps; every instance's workers ([`worker`]) take items from the
//! [`WorkQueue`] — this process's [`MemoryQueue`](crate::MemoryQueue) by
//! default, or Redis Streams shared by every instance — and record each
//! once in the [`JobStore`].
//!
//! By concept: [`submit`] (validation and deduplication), [`lease`]
//! (ownership, resuming and shutdown), [`holder`] (queueing, following,
//! re-creating and finishing a batch), [`worker`] (taking, running and
//! recording items), [`item`] (one item's run and ending), [`queries`]
//! (cancel, status, results and stats).

use extract_core::clock::Clock;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use extract_concurrency::{JobHandle, Policy, Scheduler};
use extract_core::ProfileSource;
use tokio::sync::Notify;

use crate::eta::Throughput;
use crate::model::{Batch, Counts};
use crate::queue::{Delivery, WorkQueue};
use crate::store::JobStore;
use crate::webhook::{Notifier, Webhooks};
use crate::Config;

mod holder;
mod item;
mod lease;
mod queries;
mod submit;
mod worker;

pub(crate) use item::skipped_by_cancel;
pub use queries::{BatchStats, Status};

/// The least time between two writes of a running batch's record.
const FLUSH_EVERY: Duration = Duration::from_millis(200);

struct Live {
    batch: Mutex<Batch>,
    throughput: Mutex<Throughput>,
    cancelled: AtomicBool,
    /// The counts may have moved: the holder reads them now.
    dirty: Notify,
    /// Every item is over; the batch is being finished.
    finished: AtomicBool,
    /// The final record is stored (the lease is renewed until then).
    closed: AtomicBool,
    /// Orders writes of the batch record, so that a running snapshot is never
    /// written over the final one (an async lock: it is held across the write).
    writing: tokio::sync::Mutex<()>,
}

/// A queue item this instance took and has not acknowledged.
struct Held {
    delivery: Delivery,
    /// Its job on the local scheduler (set right after it is submitted).
    handle: Option<JobHandle<()>>,
}

struct Inner {
    /// Now, for the batches' timestamps.
    clock: Arc<dyn Clock>,
    store: Arc<dyn JobStore>,
    /// Where items wait for a worker: this process's, or every instance's.
    queue: Arc<dyn WorkQueue>,
    /// The worker loop was started.
    working: AtomicBool,
    /// How the queue's reads are shared across priorities (high, normal, low).
    weights: [u32; 3],
    /// Queue items taken here, by priority and entry id.
    held: Mutex<HashMap<String, Held>>,
    /// Room was made for more queue items.
    intake: Arc<Notify>,
    /// The worker loop is reading the queue or dispatching what it read.
    taking: AtomicBool,
    /// Settings of the batches whose items run here.
    meta: Mutex<HashMap<String, worker::Meta>>,
    scheduler: Arc<Scheduler>,
    profiles: Arc<dyn ProfileSource>,
    webhooks: Option<Webhooks>,
    /// Retries of job-store writes (about 6 s in all).
    store_retry: Policy,
    config: Config,
    max_name_chars: usize,
    owner: String,
    live: Mutex<HashMap<String, Arc<Live>>>,
    item_times: Mutex<VecDeque<u64>>,
    ok: AtomicU64,
    done: AtomicU64,
    /// Items finished on this instance since start, by state.
    outcomes: Mutex<Counts>,
    /// Shutting down: no new item starts; pending ones stay for the next owner.
    stopping: AtomicBool,
    /// Batch records re-created after the store lost them.
    recreated: AtomicU64,
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
    queue: Option<(Arc<dyn WorkQueue>, [u32; 3])>,
    instance_id: Option<String>,
    clock: Arc<dyn Clock>,
}

impl Builder {
    /// Tells time by `clock`: a batch's created, started and finished
    /// times, and the in-process queue's idle times (default: the system's;
    /// a [`MemoryStore`](crate::MemoryStore) takes its own).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Takes batch items from `queue` by `weights` (high, normal, low)
    /// (default: a [`MemoryQueue`](crate::MemoryQueue) of this process,
    /// [4, 2, 1]). A queue every instance shares runs a batch's items on all
    /// of them: start this instance's workers with
    /// [`BatchService::keep_working`].
    #[must_use]
    pub fn queue(mut self, queue: Arc<dyn WorkQueue>, weights: [u32; 3]) -> Self {
        self.queue = Some((queue, weights));
        self
    }

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

    /// This instance's id among those sharing the store: the owner of the
    /// leases it holds and the consumer of the queue it reads (default: a
    /// random one; a server passes the `extract_redis::new_instance_id()`
    /// its heartbeats carry).
    #[must_use]
    pub fn instance_id(mut self, id: &str) -> Self {
        self.instance_id = Some(id.to_owned());
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
            queue,
            instance_id,
            clock,
        } = self;
        let (queue, weights) = queue.unwrap_or_else(|| {
            let memory: Arc<dyn WorkQueue> =
                Arc::new(crate::MemoryQueue::with_clock(clock.clone()));
            (memory, [4, 2, 1])
        });
        BatchService {
            inner: Arc::new(Inner {
                store,
                queue,
                working: AtomicBool::new(false),
                weights,
                held: Mutex::new(HashMap::new()),
                intake: Arc::new(Notify::new()),
                taking: AtomicBool::new(false),
                meta: Mutex::new(HashMap::new()),
                scheduler,
                profiles,
                webhooks: notifier
                    .map(|n| Webhooks::new(n, &config.webhook_secret, config.webhook_attempts)),
                store_retry: Policy::backoff(
                    5,
                    Duration::from_millis(200),
                    Duration::from_millis(3200),
                    Duration::from_secs(7),
                ),
                config,
                max_name_chars,
                owner: instance_id.unwrap_or_else(|| format!("{:016x}", fastrand::u64(..))),
                live: Mutex::new(HashMap::new()),
                item_times: Mutex::new(VecDeque::new()),
                ok: AtomicU64::new(0),
                done: AtomicU64::new(0),
                outcomes: Mutex::new(Counts::default()),
                stopping: AtomicBool::new(false),
                recreated: AtomicU64::new(0),
                clock,
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
            queue: None,
            instance_id: None,
            clock: extract_core::clock::system(),
        }
    }
}
