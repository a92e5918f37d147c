//! The priority scheduler: high, normal and low queues (`async-channel`),
//! served by a fixed set of workers in weighted rounds (4:2:1 by default),
//! so high goes first and low is never starved. Submitting returns a handle
//! whose state can be read, awaited and cancelled.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;

use extract_core::Priority;
use serde::Serialize;
use tokio::sync::oneshot;

type Work = Pin<Box<dyn Future<Output = ()> + Send>>;

struct Job {
    state: Arc<AtomicU8>,
    work: Work,
}

/// Where a submitted job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting in its queue.
    Queued,
    /// Running on a worker.
    Running,
    /// Finished.
    Done,
    /// Cancelled before it ran.
    Cancelled,
}

const QUEUED: u8 = 0;
const RUNNING: u8 = 1;
const DONE: u8 = 2;
const CANCELLED: u8 = 3;

/// A submitted job.
pub struct JobHandle<T> {
    state: Arc<AtomicU8>,
    result: oneshot::Receiver<T>,
}

impl<T> JobHandle<T> {
    /// Where the job is now.
    pub fn state(&self) -> JobState {
        match self.state.load(Ordering::Acquire) {
            QUEUED => JobState::Queued,
            RUNNING => JobState::Running,
            DONE => JobState::Done,
            _ => JobState::Cancelled,
        }
    }

    /// Cancels the job if it has not started; returns whether it was cancelled.
    pub fn cancel(&self) -> bool {
        self.state
            .compare_exchange(QUEUED, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The job's output; `None` if it was cancelled (or the scheduler stopped).
    pub async fn join(self) -> Option<T> {
        self.result.await.ok()
    }
}

/// Queue depths and work done.
#[derive(Debug, Clone, Serialize)]
pub struct SchedulerStats {
    /// Jobs waiting, high priority.
    pub queued_high: usize,
    /// Jobs waiting, normal priority.
    pub queued_normal: usize,
    /// Jobs waiting, low priority.
    pub queued_low: usize,
    /// Jobs running now.
    pub running: usize,
    /// Workers.
    pub workers: usize,
    /// Jobs finished since start.
    pub completed: u64,
}

/// The scheduler.
pub struct Scheduler {
    senders: [async_channel::Sender<Job>; 3],
    running: Arc<AtomicUsize>,
    completed: Arc<AtomicU64>,
    workers: usize,
}

fn class(p: Priority) -> usize {
    match p {
        Priority::High => 0,
        Priority::Normal => 1,
        Priority::Low => 2,
    }
}

impl Scheduler {
    /// Starts `workers` workers taking `weights` (high, normal, low) jobs per round.
    pub fn new(workers: usize, weights: [u32; 3]) -> Arc<Scheduler> {
        let channels = [
            async_channel::unbounded(),
            async_channel::unbounded(),
            async_channel::unbounded(),
        ];
        let receivers: [async_channel::Receiver<Job>; 3] = [
            channels[0].1.clone(),
            channels[1].1.clone(),
            channels[2].1.clone(),
        ];
        let senders = [
            channels[0].0.clone(),
            channels[1].0.clone(),
            channels[2].0.clone(),
        ];
        // One round: weights[0] high slots, then normal, then low, interleaved
        // so that a long run of one class does not come in a block.
        let mut round = Vec::new();
        let max = weights.iter().copied().max().unwrap_or(1).max(1);
        for i in 0..max {
            for (c, w) in weights.iter().enumerate() {
                if i < (*w).max(1) {
                    round.push(c);
                }
            }
        }
        let running = Arc::new(AtomicUsize::new(0));
        let completed = Arc::new(AtomicU64::new(0));
        for w in 0..workers.max(1) {
            let receivers = receivers.clone();
            let round = round.clone();
            let running = running.clone();
            tokio::spawn(async move {
                let mut cursor = w % round.len();
                loop {
                    let preferred = round[cursor];
                    cursor = (cursor + 1) % round.len();
                    let job = match next_job(&receivers, preferred).await {
                        Some(j) => j,
                        None => break,
                    };
                    if job
                        .state
                        .compare_exchange(QUEUED, RUNNING, Ordering::AcqRel, Ordering::Acquire)
                        .is_err()
                    {
                        continue; // cancelled while queued
                    }
                    running.fetch_add(1, Ordering::Relaxed);
                    job.work.await;
                    running.fetch_sub(1, Ordering::Relaxed);
                }
            });
        }
        Arc::new(Scheduler {
            senders,
            running,
            completed,
            workers: workers.max(1),
        })
    }

    /// Queues `work` at `priority`.
    pub fn submit<F, T>(&self, priority: Priority, work: F) -> JobHandle<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let state = Arc::new(AtomicU8::new(QUEUED));
        let done = state.clone();
        let completed = self.completed.clone();
        let job = Job {
            state: state.clone(),
            work: Box::pin(async move {
                let output = work.await;
                // Counted and marked done before the result is delivered, so
                // whoever awaits the handle sees both.
                completed.fetch_add(1, Ordering::Relaxed);
                done.store(DONE, Ordering::Release);
                let _ = tx.send(output);
            }),
        };
        if self.senders[class(priority)].try_send(job).is_err() {
            state.store(CANCELLED, Ordering::Release);
        }
        JobHandle { state, result: rx }
    }

    /// Queue depths and work done.
    pub fn stats(&self) -> SchedulerStats {
        SchedulerStats {
            queued_high: self.senders[0].len(),
            queued_normal: self.senders[1].len(),
            queued_low: self.senders[2].len(),
            running: self.running.load(Ordering::Relaxed),
            workers: self.workers,
            completed: self.completed.load(Ordering::Relaxed),
        }
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        for s in &self.senders {
            s.close();
        }
    }
}

/// The next job: from the preferred class if it has one, else the most
/// urgent non-empty class, else whichever arrives first.
async fn next_job(receivers: &[async_channel::Receiver<Job>; 3], preferred: usize) -> Option<Job> {
    if let Ok(j) = receivers[preferred].try_recv() {
        return Some(j);
    }
    for r in receivers {
        if let Ok(j) = r.try_recv() {
            return Some(j);
        }
    }
    if receivers.iter().all(|r| r.is_closed() && r.is_empty()) {
        return None;
    }
    tokio::select! {
        biased;
        Ok(j) = receivers[0].recv() => Some(j),
        Ok(j) = receivers[1].recv() => Some(j),
        Ok(j) = receivers[2].recv() => Some(j),
        else => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn high_first_and_low_never_starved() {
        let s = Scheduler::new(2, [4, 2, 1]);
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        // Saturate: 60 of each, all queued before the workers drain them.
        for p in [Priority::Low, Priority::Normal, Priority::High] {
            for i in 0..60 {
                let order = order.clone();
                handles.push(s.submit(p, async move {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    order.lock().unwrap().push((p, i));
                }));
            }
        }
        for h in handles {
            h.join().await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        let position = |p: Priority| -> Vec<usize> {
            order
                .iter()
                .enumerate()
                .filter(|(_, (q, _))| *q == p)
                .map(|(i, _)| i)
                .collect()
        };
        let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len() as f64;
        let (high, normal, low) = (
            position(Priority::High),
            position(Priority::Normal),
            position(Priority::Low),
        );
        assert!(
            mean(&high) < mean(&normal) && mean(&normal) < mean(&low),
            "{:?}",
            (mean(&high), mean(&normal), mean(&low))
        );
        // Low progresses while high is still queued: some low job finished
        // before the last high one.
        assert!(
            low[0] < *high.last().unwrap(),
            "low starved: first low at {}",
            low[0]
        );
        assert_eq!(s.stats().completed, 180);
    }

    #[tokio::test]
    async fn handles_report_state_and_cancel() {
        let s = Scheduler::new(1, [4, 2, 1]);
        let (tx, rx) = oneshot::channel::<()>();
        let blocker = s.submit(Priority::High, async move {
            let _ = rx.await;
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(blocker.state(), JobState::Running);
        let queued = s.submit(Priority::Low, async { 1 });
        assert_eq!(queued.state(), JobState::Queued);
        assert_eq!(s.stats().queued_low, 1);
        assert!(queued.cancel());
        assert_eq!(queued.state(), JobState::Cancelled);
        tx.send(()).unwrap();
        blocker.join().await.unwrap();
        assert!(queued.join().await.is_none());
    }
}
