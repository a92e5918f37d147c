//! Progress estimates from recent throughput: items per second over the last
//! completions (not since the start, which a slow beginning would skew).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The last completions of a batch.
#[derive(Debug, Default)]
pub struct Throughput {
    done: VecDeque<Instant>,
}

/// Completions remembered (and the window they span, at most a minute).
const KEEP: usize = 200;
const WINDOW: Duration = Duration::from_secs(60);

impl Throughput {
    /// Records a completion now.
    pub fn record(&mut self, at: Instant) {
        self.done.push_back(at);
        while self.done.len() > KEEP
            || self
                .done
                .front()
                .is_some_and(|t| at.duration_since(*t) > WINDOW)
        {
            self.done.pop_front();
        }
    }

    /// Records `n` completions now (counted elsewhere, read together).
    pub fn record_many(&mut self, n: usize, at: Instant) {
        for _ in 0..n.min(KEEP) {
            self.record(at);
        }
    }

    /// Items per second over the recent window, or `None` with too little data.
    pub fn rate(&self, now: Instant) -> Option<f64> {
        let first = *self.done.front()?;
        let span = now.duration_since(first).as_secs_f64();
        (self.done.len() >= 3 && span > 0.0).then(|| (self.done.len() - 1) as f64 / span.max(1e-3))
    }

    /// Seconds until `remaining` items are done at the recent rate.
    pub fn eta(&self, remaining: usize, now: Instant) -> Option<f64> {
        eta_at(self.rate(now), remaining)
    }
}

/// Seconds until `remaining` items are done at `rate` items a second (0
/// with none left; `None` without a positive rate).
pub(crate) fn eta_at(rate: Option<f64>, remaining: usize) -> Option<f64> {
    if remaining == 0 {
        return Some(0.0);
    }
    rate.filter(|r| *r > 0.0).map(|r| remaining as f64 / r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_recent_rate() {
        let t0 = Instant::now();
        let mut t = Throughput::default();
        // Slow start: 1 item/s for 10 s, then 10 items/s.
        for i in 0..10 {
            t.record(t0 + Duration::from_secs(i));
        }
        for i in 0..100 {
            t.record(t0 + Duration::from_secs(10) + Duration::from_millis(100 * i));
        }
        let now = t0 + Duration::from_secs(20);
        let rate = t.rate(now).unwrap();
        assert!(rate > 5.0, "recent, not overall: {rate}");
        assert!(t.eta(100, now).unwrap() < 20.0);
        assert_eq!(t.eta(0, now), Some(0.0));
        assert!(Throughput::default().eta(5, now).is_none());
    }
}
