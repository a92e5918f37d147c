//! The work queue of one instance: batch items in this process's memory,
//! taken by this instance's own workers. The same trait as the Redis
//! Streams queue, so that a batch runs through one path whichever holds
//! its items; nothing here survives a restart, so the holder of a batch
//! queues its pending items again when it resumes one
//! ([`WorkQueue::shared`]).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use extract_core::clock::{self, Clock};

use async_trait::async_trait;
use extract_core::Priority;

use super::{slot, Delivery, Depth, QueueDepth, WorkQueue, PRIORITIES};
use crate::Result;

/// An item taken and not yet acknowledged.
struct Taken {
    delivery: Delivery,
    consumer: String,
    /// When it was taken, Unix ms by the queue's clock.
    since_ms: u64,
}

#[derive(Default)]
struct State {
    /// Waiting items per priority (high, normal, low): entry id, batch, index.
    waiting: [VecDeque<(u64, String, usize)>; 3],
    /// Taken and not acknowledged, by entry id.
    taken: HashMap<u64, Taken>,
    /// Entry ids handed back at shutdown: reclaimed at once, whatever their idle time.
    released: Vec<u64>,
    next: u64,
    /// Where the weighted rounds of `take` stand.
    turn: usize,
}

/// Batch items in memory, for the workers of this instance alone (the
/// default; [`RedisQueue`](crate::RedisQueue) shares them between instances).
pub struct MemoryQueue {
    state: Mutex<State>,
    /// What idle times are measured against.
    clock: Arc<dyn Clock>,
}

impl Default for MemoryQueue {
    fn default() -> Self {
        MemoryQueue::with_clock(clock::system())
    }
}

impl MemoryQueue {
    /// A queue measuring idle times by `clock`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> MemoryQueue {
        MemoryQueue {
            state: Mutex::default(),
            clock,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn entry_id(d: &Delivery) -> Option<u64> {
    d.entry.parse().ok()
}

#[async_trait]
impl WorkQueue for MemoryQueue {
    async fn push(&self, priority: Priority, batch: &str, indexes: &[usize]) -> Result<()> {
        let mut s = self.state();
        for &index in indexes {
            s.next += 1;
            let id = s.next;
            s.waiting[slot(priority)].push_back((id, batch.to_owned(), index));
        }
        Ok(())
    }

    async fn take(&self, consumer: &str, n: usize, weights: [u32; 3]) -> Result<Vec<Delivery>> {
        let mut s = self.state();
        // Weighted rounds across takes: `weights` turns of high, then of
        // normal, then of low, skipping an empty priority; the position is
        // kept between calls, so that however few items a call asks for,
        // each priority gets its share and low is never starved.
        let cycle: Vec<usize> = (0..3)
            .flat_map(|i| std::iter::repeat_n(i, weights[i].max(1) as usize))
            .collect();
        let mut out = Vec::new();
        while out.len() < n {
            let next = (0..cycle.len())
                .map(|k| (s.turn + k) % cycle.len())
                .find(|&pos| !s.waiting[cycle[pos]].is_empty());
            let Some(pos) = next else { break };
            s.turn = (pos + 1) % cycle.len();
            let slot = cycle[pos];
            let Some((id, batch, index)) = s.waiting[slot].pop_front() else {
                break;
            };
            let delivery = Delivery {
                entry: id.to_string(),
                priority: PRIORITIES[slot],
                batch,
                index,
            };
            s.taken.insert(
                id,
                Taken {
                    delivery: delivery.clone(),
                    consumer: consumer.to_owned(),
                    since_ms: self.clock.now_ms(),
                },
            );
            out.push(delivery);
        }
        Ok(out)
    }

    async fn reclaim(&self, consumer: &str, idle: Duration, n: usize) -> Result<Vec<Delivery>> {
        let mut s = self.state();
        let released = std::mem::take(&mut s.released);
        let now = self.clock.now_ms();
        let mut ids: Vec<u64> = released
            .into_iter()
            .filter(|id| s.taken.contains_key(id))
            .collect();
        let mut idle_ids: Vec<u64> = s
            .taken
            .iter()
            .filter(|(id, t)| {
                now.saturating_sub(t.since_ms) >= idle.as_millis() as u64 && !ids.contains(id)
            })
            .map(|(id, _)| *id)
            .collect();
        idle_ids.sort_unstable();
        ids.extend(idle_ids);
        let mut out = Vec::new();
        for id in ids {
            if out.len() >= n {
                s.released.push(id); // still due at once next time
                continue;
            }
            if let Some(t) = s.taken.get_mut(&id) {
                t.consumer = consumer.to_owned();
                t.since_ms = now;
                out.push(t.delivery.clone());
            }
        }
        Ok(out)
    }

    async fn ack(&self, d: &Delivery) -> Result<()> {
        if let Some(id) = entry_id(d) {
            self.state().taken.remove(&id);
        }
        Ok(())
    }

    async fn release(&self, deliveries: &[Delivery]) -> Result<()> {
        let mut s = self.state();
        for id in deliveries.iter().filter_map(entry_id) {
            if s.taken.contains_key(&id) && !s.released.contains(&id) {
                s.released.push(id);
            }
        }
        Ok(())
    }

    async fn depth(&self) -> Result<QueueDepth> {
        let s = self.state();
        let mut pending = [0u64; 3];
        for t in s.taken.values() {
            pending[slot(t.delivery.priority)] += 1;
        }
        let d = |i: usize| Depth {
            backlog: s.waiting[i].len() as u64 + pending[i],
            pending: pending[i],
        };
        Ok(QueueDepth {
            high: d(0),
            normal: d(1),
            low: d(2),
        })
    }

    async fn forget(&self, consumer: &str) -> Result<()> {
        let _ = consumer; // consumers are not registered here
        Ok(())
    }

    fn shared(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexes(d: &[Delivery]) -> Vec<(Priority, usize)> {
        d.iter().map(|d| (d.priority, d.index)).collect()
    }

    #[tokio::test]
    async fn takes_in_weighted_rounds_that_carry_over_between_calls() {
        let q = MemoryQueue::default();
        q.push(Priority::High, "a", &[0, 1, 2, 3, 4, 5])
            .await
            .unwrap();
        q.push(Priority::Low, "b", &[0, 1]).await.unwrap();
        // Rounds of 4 high, 2 normal (none waiting) and 1 low.
        let got = q.take("me", 4, [4, 2, 1]).await.unwrap();
        assert_eq!(
            indexes(&got),
            (0..4).map(|i| (Priority::High, i)).collect::<Vec<_>>()
        );
        let depth = q.depth().await.unwrap();
        assert_eq!((depth.high.backlog, depth.high.pending), (6, 4));
        assert_eq!((depth.low.backlog, depth.low.pending), (2, 0));
        for d in &got {
            q.ack(d).await.unwrap();
        }
        assert_eq!(q.depth().await.unwrap().high.pending, 0);
        // One at a time, low still gets its turn before high runs out.
        let mut rest = Vec::new();
        for _ in 0..4 {
            rest.extend(q.take("me", 1, [4, 2, 1]).await.unwrap());
        }
        assert_eq!(
            indexes(&rest),
            vec![
                (Priority::Low, 0),
                (Priority::High, 4),
                (Priority::High, 5),
                (Priority::Low, 1)
            ]
        );
    }

    #[tokio::test]
    async fn released_items_are_reclaimed_at_once_and_idle_ones_after_the_limit() {
        let q = MemoryQueue::default();
        q.push(Priority::Normal, "a", &[0, 1]).await.unwrap();
        let got = q.take("gone", 2, [4, 2, 1]).await.unwrap();
        assert!(q
            .reclaim("me", Duration::from_secs(60), 10)
            .await
            .unwrap()
            .is_empty());
        q.release(&got[..1]).await.unwrap();
        let back = q.reclaim("me", Duration::from_secs(60), 10).await.unwrap();
        assert_eq!(indexes(&back), vec![(Priority::Normal, 0)]);
        let idle = q.reclaim("me", Duration::ZERO, 10).await.unwrap();
        assert_eq!(idle.len(), 2, "both are idle past a zero limit");
        q.ack(&got[0]).await.unwrap();
        q.ack(&got[1]).await.unwrap();
        assert_eq!(q.depth().await.unwrap(), QueueDepth::default());
    }
}
