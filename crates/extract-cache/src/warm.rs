//! Cache warming: company names extracted in the background, a few at a
//! time, through one bounded, deduplicated, cancellable queue, with
//! progress that the stats report.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use extract_core::{CompanyQuery, Priority, ProfileSource};
use serde::Serialize;

/// The one warming queue of the process: every warm request adds to it,
/// deduplicated against what is still pending, bounded in length, and
/// `concurrency` workers drain it at low priority whatever the number of
/// requests. [`cancel`](Warmer::cancel) empties it.
#[derive(Debug)]
pub struct Warmer {
    concurrency: usize,
    capacity: usize,
    state: Mutex<Queue>,
    queued: AtomicU64,
    done: AtomicU64,
    failed: AtomicU64,
    cancelled: AtomicU64,
}

#[derive(Debug, Default)]
struct Queue {
    waiting: VecDeque<CompanyQuery>,
    /// Identities waiting or in flight: a name asked for twice is warmed once.
    pending: HashSet<String>,
    workers: usize,
}

/// A snapshot of warming progress.
#[derive(Debug, Clone, Serialize)]
pub struct WarmProgress {
    /// Names accepted for warming since start.
    pub queued: u64,
    /// Names extracted (or found cached).
    pub done: u64,
    /// Names that failed.
    pub failed: u64,
    /// Names dropped from the queue by a cancel.
    pub cancelled: u64,
    /// Names waiting or being extracted now.
    pub pending: u64,
    /// Workers draining the queue now.
    pub workers: usize,
    /// The most names that may be pending at once.
    pub capacity: usize,
}

/// What a warm request got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WarmAccepted {
    /// Names added to the queue.
    pub queued: usize,
    /// Names already pending (or repeated in the request), not added again.
    pub duplicates: usize,
}

/// Why a warm request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the warming queue holds {pending} of at most {capacity} names; {asked} more do not fit")]
pub struct QueueFull {
    /// Names pending now.
    pub pending: usize,
    /// The queue's bound.
    pub capacity: usize,
    /// New names the request asked for.
    pub asked: usize,
}

fn lock(m: &Mutex<Queue>) -> std::sync::MutexGuard<'_, Queue> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Warmer {
    /// A warmer with `concurrency` workers at most and room for `capacity`
    /// pending names.
    pub fn new(concurrency: usize, capacity: usize) -> Arc<Warmer> {
        Arc::new(Warmer {
            concurrency: concurrency.max(1),
            capacity: capacity.max(1),
            state: Mutex::new(Queue::default()),
            queued: AtomicU64::new(0),
            done: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
        })
    }

    /// Adds `names` to the queue, drained through `source` (the cached
    /// stack) in the background. All or nothing: a request whose new names
    /// do not fit is refused, so that nothing is dropped silently.
    pub fn warm(
        self: &Arc<Self>,
        source: Arc<dyn ProfileSource>,
        names: Vec<String>,
    ) -> Result<WarmAccepted, QueueFull> {
        let mut seen = HashSet::new();
        let queries: Vec<CompanyQuery> = names
            .iter()
            .filter_map(|n| CompanyQuery::by_name(n).ok())
            .map(|mut q| {
                q.priority = Priority::Low;
                q
            })
            .filter(|q| seen.insert(q.identity()))
            .collect();
        let repeated = names.len() - queries.len();
        let spawn = {
            let mut st = lock(&self.state);
            let fresh: Vec<CompanyQuery> = queries
                .into_iter()
                .filter(|q| !st.pending.contains(&q.identity()))
                .collect();
            let duplicates = repeated + (seen.len() - fresh.len());
            if st.pending.len() + fresh.len() > self.capacity {
                return Err(QueueFull {
                    pending: st.pending.len(),
                    capacity: self.capacity,
                    asked: fresh.len(),
                });
            }
            let queued = fresh.len();
            for q in fresh {
                st.pending.insert(q.identity());
                st.waiting.push_back(q);
            }
            self.queued.fetch_add(queued as u64, Ordering::Relaxed);
            let spawn = self
                .concurrency
                .saturating_sub(st.workers)
                .min(st.waiting.len());
            st.workers += spawn;
            (spawn, WarmAccepted { queued, duplicates })
        };
        for _ in 0..spawn.0 {
            let (warmer, source) = (self.clone(), source.clone());
            tokio::spawn(async move { warmer.work(source).await });
        }
        Ok(spawn.1)
    }

    /// One worker: takes names until the queue is empty.
    async fn work(self: Arc<Self>, source: Arc<dyn ProfileSource>) {
        loop {
            let next = {
                let mut st = lock(&self.state);
                let next = st.waiting.pop_front();
                if next.is_none() {
                    st.workers -= 1;
                }
                next
            };
            let Some(q) = next else { return };
            let ok = source.profile(&q).await.is_ok();
            let counter = if ok { &self.done } else { &self.failed };
            counter.fetch_add(1, Ordering::Relaxed);
            lock(&self.state).pending.remove(&q.identity());
        }
    }

    /// Drops every name still waiting (those being extracted finish);
    /// answers how many were dropped.
    pub fn cancel(&self) -> usize {
        let mut st = lock(&self.state);
        let dropped: Vec<CompanyQuery> = st.waiting.drain(..).collect();
        for q in &dropped {
            st.pending.remove(&q.identity());
        }
        self.cancelled
            .fetch_add(dropped.len() as u64, Ordering::Relaxed);
        dropped.len()
    }

    /// Progress so far.
    pub fn progress(&self) -> WarmProgress {
        let (pending, workers) = {
            let st = lock(&self.state);
            (st.pending.len() as u64, st.workers)
        };
        WarmProgress {
            queued: self.queued.load(Ordering::Relaxed),
            done: self.done.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            cancelled: self.cancelled.load(Ordering::Relaxed),
            pending,
            workers,
            capacity: self.capacity,
        }
    }
}

/// Company names from a warm list: one a line, blank lines and `#` comments skipped.
pub fn read_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use async_trait::async_trait;
    use extract_core::{CompanyProfile, Result};

    use super::*;

    /// Takes 20 ms a company; counts calls.
    #[derive(Default)]
    struct Slow(AtomicU64);

    #[async_trait]
    impl ProfileSource for Slow {
        async fn profile(&self, q: &CompanyQuery) -> Result<CompanyProfile> {
            self.0.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(CompanyProfile {
                query: q.label().to_owned(),
                ..Default::default()
            })
        }
    }

    fn names(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("Company {i}")).collect()
    }

    #[tokio::test]
    async fn one_bounded_deduplicated_cancellable_queue() {
        let source = Arc::new(Slow::default());
        let w = Warmer::new(2, 10);
        let a = w.warm(source.clone(), names(0..6)).unwrap();
        assert_eq!((a.queued, a.duplicates), (6, 0));
        // Asked again, with repeats: only the new names are queued.
        let b = w
            .warm(source.clone(), [names(4..8), names(7..8)].concat())
            .unwrap();
        assert_eq!((b.queued, b.duplicates), (2, 3));
        assert_eq!(
            w.progress().workers,
            2,
            "one pool of workers for every request"
        );
        // Past the bound: refused whole.
        let full = w.warm(source.clone(), names(100..105)).unwrap_err();
        assert_eq!((full.capacity, full.asked), (10, 5));
        // Cancel drops what waits; what runs finishes.
        let dropped = w.cancel();
        assert!(dropped >= 4, "{dropped}");
        for _ in 0..200 {
            if w.progress().workers == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let p = w.progress();
        assert_eq!((p.pending, p.workers), (0, 0), "{p:?}");
        assert_eq!(p.queued, 8);
        assert_eq!(p.done + p.cancelled, 8, "{p:?}");
        assert_eq!(source.0.load(Ordering::Relaxed), p.done);
    }
}
