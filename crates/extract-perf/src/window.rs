//! Rolling windows of one stage: per-second slots for the last five
//! minutes, per-minute slots for the last hour, hourly buckets for trends.
//! Time is passed in (Unix seconds), so the windows are tested without
//! waiting.

use std::collections::VecDeque;

use serde::Serialize;

use crate::hist::Hist;

/// Per-second slots kept (the 1 m and 5 m windows).
pub(crate) const SECOND_SLOTS: usize = 300;
/// Per-minute slots kept (the 1 h window).
pub(crate) const MINUTE_SLOTS: usize = 60;

/// A ring of slots, each stamped with the period it holds.
#[derive(Debug)]
struct Ring {
    period_s: u64,
    stamps: Vec<u64>,
    slots: Vec<Hist>,
}

impl Ring {
    fn new(len: usize, period_s: u64) -> Ring {
        Ring {
            period_s,
            stamps: vec![u64::MAX; len],
            slots: vec![Hist::default(); len],
        }
    }

    fn slot(&mut self, now_s: u64) -> &mut Hist {
        let period = now_s / self.period_s;
        let i = (period % self.slots.len() as u64) as usize;
        if self.stamps[i] != period {
            self.stamps[i] = period;
            self.slots[i] = Hist::default();
        }
        &mut self.slots[i]
    }

    /// Everything recorded in the periods overlapping the last `span_s`.
    fn sum(&self, now_s: u64, span_s: u64) -> Hist {
        let now = now_s / self.period_s;
        let periods = span_s.div_ceil(self.period_s).min(self.slots.len() as u64);
        let oldest = now.saturating_sub(periods.saturating_sub(1));
        let mut out = Hist::default();
        for (stamp, slot) in self.stamps.iter().zip(&self.slots) {
            if *stamp != u64::MAX && *stamp >= oldest && *stamp <= now {
                out.merge(slot);
            }
        }
        out
    }
}

/// One window of one stage, as the report shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WindowStats {
    /// Calls in the window.
    pub count: u64,
    /// Calls a second, over the window.
    pub throughput_per_s: f64,
    /// Share of calls that succeeded (`None` without calls).
    pub success_rate: Option<f64>,
    /// Median latency, ms (bucket upper bound: at most 25 % high).
    pub p50_ms: Option<f64>,
    /// 95th percentile, ms.
    pub p95_ms: Option<f64>,
    /// 99th percentile, ms.
    pub p99_ms: Option<f64>,
    /// Seconds spent in this stage, all calls together.
    pub busy_s: f64,
}

impl WindowStats {
    pub(crate) fn of(h: &Hist, span_s: u64) -> WindowStats {
        let ms = |q: f64| h.quantile(q).map(|s| s * 1000.0);
        WindowStats {
            count: h.count,
            throughput_per_s: h.count as f64 / span_s.max(1) as f64,
            success_rate: (h.count > 0).then(|| 1.0 - h.errors as f64 / h.count as f64),
            p50_ms: ms(0.5),
            p95_ms: ms(0.95),
            p99_ms: ms(0.99),
            busy_s: h.seconds,
        }
    }
}

/// The windows of one stage.
#[derive(Debug)]
pub(crate) struct Windows {
    seconds: Ring,
    minutes: Ring,
    /// `(hour since the epoch, calls in it)`, oldest first.
    hours: VecDeque<(u64, Hist)>,
    retention_hours: usize,
}

impl Windows {
    pub(crate) fn new(retention_hours: usize) -> Windows {
        Windows {
            seconds: Ring::new(SECOND_SLOTS, 1),
            minutes: Ring::new(MINUTE_SLOTS, 60),
            hours: VecDeque::new(),
            retention_hours: retention_hours.max(1),
        }
    }

    pub(crate) fn record(&mut self, now_s: u64, seconds: f64, ok: bool) {
        self.seconds.slot(now_s).record(seconds, ok);
        self.minutes.slot(now_s).record(seconds, ok);
        let hour = now_s / 3600;
        if self.hours.back().is_none_or(|(h, _)| *h != hour) {
            self.hours.push_back((hour, Hist::default()));
            while self.hours.len() > self.retention_hours {
                self.hours.pop_front();
            }
        }
        if let Some((_, h)) = self.hours.back_mut() {
            h.record(seconds, ok);
        }
    }

    /// Calls of the last `span_s` seconds (per-second precision up to five
    /// minutes, per-minute beyond).
    pub(crate) fn span(&self, now_s: u64, span_s: u64) -> Hist {
        if span_s <= SECOND_SLOTS as u64 {
            self.seconds.sum(now_s, span_s)
        } else {
            self.minutes.sum(now_s, span_s)
        }
    }

    /// The hourly buckets kept, oldest first, dropping those older than the
    /// retention at `now_s`.
    pub(crate) fn hours(&self, now_s: u64) -> Vec<(u64, Hist)> {
        let oldest = (now_s / 3600).saturating_sub(self.retention_hours as u64 - 1);
        self.hours
            .iter()
            .filter(|(h, _)| *h >= oldest)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_keep_what_falls_inside_them() {
        let mut w = Windows::new(24);
        let t0 = 1_000_000;
        for s in 0..600 {
            w.record(t0 + s, 0.010, s % 4 != 0);
        }
        let now = t0 + 599;
        assert_eq!(w.span(now, 60).count, 60);
        assert_eq!(w.span(now, 300).count, 300);
        // The hour window is per minute: whole minutes overlapping it.
        let hour = w.span(now, 3600).count;
        assert!((600..=600).contains(&hour), "{hour}");
        let stats = WindowStats::of(&w.span(now, 60), 60);
        assert_eq!(stats.success_rate, Some(0.75));
        assert!((stats.throughput_per_s - 1.0).abs() < 1e-9);
        // Nothing recorded for a while: the short windows empty out.
        assert_eq!(w.span(now + 400, 300).count, 0);
        assert_eq!(w.span(now + 400, 60).count, 0);
    }

    #[test]
    fn hourly_buckets_are_kept_for_the_retention() {
        let mut w = Windows::new(3);
        for h in 0..5u64 {
            w.record(h * 3600 + 10, 0.1, true);
        }
        let hours: Vec<u64> = w.hours(4 * 3600 + 20).iter().map(|(h, _)| *h).collect();
        assert_eq!(hours, vec![2, 3, 4]);
        assert_eq!(w.hours(9 * 3600).len(), 0, "all past the retention");
    }
}
