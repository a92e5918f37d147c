//! Cache warming: a list of company names extracted in the background, a few
//! at a time, with progress that the stats report.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use extract_core::{CompanyQuery, Priority, ProfileSource};
use serde::Serialize;

/// Progress of warming since start.
#[derive(Debug, Default)]
pub struct Warmer {
    queued: AtomicU64,
    done: AtomicU64,
    failed: AtomicU64,
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
    /// Names still to do.
    pub pending: u64,
}

impl Warmer {
    /// A warmer with nothing queued.
    pub fn new() -> Arc<Warmer> {
        Arc::new(Warmer::default())
    }

    /// Extracts `names` through `source` (the cached stack) in the background,
    /// `concurrency` at a time, at low priority. Returns how many were queued.
    pub fn warm(
        self: &Arc<Self>,
        source: Arc<dyn ProfileSource>,
        names: Vec<String>,
        concurrency: usize,
    ) -> usize {
        let queries: Vec<CompanyQuery> = names
            .iter()
            .filter_map(|n| CompanyQuery::by_name(n).ok())
            .map(|mut q| {
                q.priority = Priority::Low;
                q
            })
            .collect();
        let count = queries.len();
        self.queued.fetch_add(count as u64, Ordering::Relaxed);
        let warmer = self.clone();
        let permits = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
        tokio::spawn(async move {
            let mut tasks = tokio::task::JoinSet::new();
            for q in queries {
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    break;
                };
                let source = source.clone();
                let warmer = warmer.clone();
                tasks.spawn(async move {
                    let ok = source.profile(&q).await.is_ok();
                    let counter = if ok { &warmer.done } else { &warmer.failed };
                    counter.fetch_add(1, Ordering::Relaxed);
                    drop(permit);
                });
                // Reap finished tasks so the set stays small.
                while tasks.try_join_next().is_some() {}
            }
            while tasks.join_next().await.is_some() {}
        });
        count
    }

    /// Progress so far.
    pub fn progress(&self) -> WarmProgress {
        let queued = self.queued.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed);
        let failed = self.failed.load(Ordering::Relaxed);
        WarmProgress {
            queued,
            done,
            failed,
            pending: queued.saturating_sub(done + failed),
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
