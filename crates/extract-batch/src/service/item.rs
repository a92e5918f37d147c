//! One item's run and its ending: through the profile source within the
//! item timeout (waiting out an open breaker), then the item as it ends
//! (succeeded, cached, skipped or failed) and this instance's counts.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use extract_concurrency::Policy;
use extract_core::{CompanyProfile, CompanyQuery, ErrorKind};

use super::{lock, BatchService};
use crate::model::{Item, ItemError, ItemState};

impl BatchService {
    /// Runs one item through the profile source within its timeout: the
    /// item as it ends (succeeded, cached, skipped or failed).
    pub(super) async fn serve_item(
        &self,
        item: Item,
        mode: extract_core::ExtractionMode,
        min_confidence: Option<f32>,
    ) -> Item {
        let started = Instant::now();
        let q = query(&item, mode);
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
                    kind: ErrorKind::Timeout,
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
}

/// An item the cancelled batch never started.
pub(crate) fn skipped_by_cancel(item: Item) -> Item {
    Item {
        state: ItemState::Skipped,
        error: Some(ItemError {
            kind: ErrorKind::Cancelled,
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
                    kind: ErrorKind::Robots,
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
                kind: e.kind(),
                message: e.to_string(),
            }),
            elapsed_ms: Some(elapsed_ms),
            ..item
        },
    }
}

/// The query of `item`: its name, or its domain, with its hints.
pub(super) fn query(item: &Item, mode: extract_core::ExtractionMode) -> CompanyQuery {
    let mut q = CompanyQuery::new(item.given_name(), item.domain.as_deref(), mode, usize::MAX)
        .unwrap_or_else(|_| CompanyQuery {
            name: Some(item.name.clone()),
            domain: None,
            mode,
            freshness: Default::default(),
            priority: Default::default(),
            hints: Default::default(),
        });
    q.mode = mode;
    q.hints = item.hints.clone();
    q
}
