//! The service's one clock, injectable: what the cache's TTLs, the batch
//! engine's timestamps and in-process expiries, and the performance
//! monitor's windows read as "now". Tests hold a [`ManualClock`] and
//! advance it instead of sleeping.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use extract_core::clock::{Clock, ManualClock};
//!
//! let clock = Arc::new(ManualClock::at(1_000));
//! let shared: Arc<dyn Clock> = clock.clone();
//! clock.advance(Duration::from_secs(3));
//! assert_eq!(shared.now_ms(), 4_000);
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Now, in Unix milliseconds.
pub trait Clock: Send + Sync {
    /// Unix milliseconds now.
    fn now_ms(&self) -> u64;

    /// Unix seconds now.
    fn now_s(&self) -> u64 {
        self.now_ms() / 1000
    }
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }
}

/// The system clock, shared.
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// A clock that moves only when told: for tests.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock showing `ms` (Unix milliseconds).
    pub fn at(ms: u64) -> ManualClock {
        ManualClock(AtomicU64::new(ms))
    }

    /// A clock showing the system's time now, from then on moved by hand.
    pub fn from_now() -> ManualClock {
        ManualClock::at(SystemClock.now_ms())
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}
