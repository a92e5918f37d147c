//! When memory sheds the in-process cache: from 90 % of `MAX_MEMORY_MB`
//! until memory is back under 75 % (hysteresis, so a process hovering at
//! the threshold does not flap), each sample freeing what is over 75 %.
//! The cache decides what it can free (never below its floor, never an
//! entry being served); this decides when and how much.

use crate::ProcessSample;

/// Memory share of the limit from which the cache is shed…
pub const SHED_FROM: f64 = 0.9;
/// …until memory is back under this share.
pub const SHED_UNTIL: f64 = 0.75;

/// The shedding state, fed one [`ProcessSample`] at a time.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryShedder {
    shedding: bool,
}

impl MemoryShedder {
    /// Bytes to free after `sample`: what is over [`SHED_UNTIL`] while
    /// shedding, `None` when not shedding.
    pub fn after(&mut self, sample: &ProcessSample) -> Option<u64> {
        let ratio = sample.memory_ratio();
        self.shedding = if ratio >= SHED_FROM {
            true
        } else if ratio < SHED_UNTIL {
            false
        } else {
            self.shedding
        };
        self.shedding.then(|| {
            let until = (sample.max_memory_bytes as f64 * SHED_UNTIL) as u64;
            sample.rss_bytes.saturating_sub(until)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::MemoryShedder;
    use crate::ProcessSample;

    #[test]
    fn the_cache_is_shed_with_hysteresis_down_to_three_quarters() {
        let mut shedder = MemoryShedder::default();
        let mut seen = Vec::new();
        for ratio in [0.5, 0.8, 0.92, 0.85, 0.76, 0.74, 0.8, 0.95] {
            let sample = ProcessSample {
                rss_bytes: (ratio * 1000.0) as u64,
                max_memory_bytes: 1000,
                ..ProcessSample::default()
            };
            seen.push(shedder.after(&sample));
        }
        assert_eq!(
            seen,
            [
                None,
                None,
                Some(170),
                Some(100),
                Some(10),
                None,
                None,
                Some(200)
            ]
        );
    }
}
