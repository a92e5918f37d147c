//! The memory and CPU monitor: samples this process's RSS and CPU with
//! `sysinfo`, compares them with `MAX_MEMORY_MB` and `MAX_CPU_PERCENT`, and
//! publishes a pressure level that the rest of the service reacts to: CPU
//! over its limit slows admission only (a busy process needs its cache most);
//! memory over 75 % slows admission too, and over 90 % sheds the in-process
//! cache with hysteresis ([`crate::MemoryShedder`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};
use tokio::sync::watch;

/// Resource limits (`[resources]` in the configuration file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    /// Resident memory the process should stay under, in MiB (`MAX_MEMORY_MB`).
    pub max_memory_mb: u64,
    /// CPU the process should stay under, percent of the cores it may use
    /// (`std::thread::available_parallelism`: its CPU affinity and cgroup
    /// quota), so 100 is all of them (`MAX_CPU_PERCENT`).
    pub max_cpu_percent: f32,
    /// How often to sample, in ms.
    pub sample_interval_ms: u64,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            max_memory_mb: 512,
            max_cpu_percent: 80.0,
            sample_interval_ms: 1_000,
        }
    }
}

/// How close the process is to its limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pressure {
    /// Well under the limits.
    #[default]
    Normal,
    /// Over 75 % of the memory limit, or over the CPU limit: slow admission.
    Elevated,
    /// Over 90 % of the memory limit: admit as little as possible; the
    /// in-process cache is shed until memory is back under 75 %.
    Critical,
}

/// One sample.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ProcessSample {
    /// Resident set size, bytes.
    pub rss_bytes: u64,
    /// CPU use since the previous sample, percent (100 = one core).
    pub cpu_percent: f32,
    /// The same, percent of the cores the process may use (100 = all).
    pub cpu_share_percent: f32,
    /// Whether CPU is over `max_cpu_percent`.
    pub cpu_over: bool,
    /// The pressure level.
    pub pressure: Pressure,
    /// The configured memory limit, bytes.
    pub max_memory_bytes: u64,
}

/// The running monitor.
#[derive(Clone)]
pub struct ProcessMonitor {
    rx: watch::Receiver<ProcessSample>,
}

/// The memory pressure level for a resident size.
pub fn memory_pressure(rss_bytes: u64, config: &MonitorConfig) -> Pressure {
    let max = config.max_memory_mb.saturating_mul(1024 * 1024).max(1);
    let ratio = rss_bytes as f64 / max as f64;
    if ratio >= 0.9 {
        Pressure::Critical
    } else if ratio >= 0.75 {
        Pressure::Elevated
    } else {
        Pressure::Normal
    }
}

/// The pressure level for a reading: the memory level, and at least
/// `Elevated` while CPU (percent of the usable cores) is over its limit.
pub fn pressure(rss_bytes: u64, cpu_share_percent: f32, config: &MonitorConfig) -> Pressure {
    let memory = memory_pressure(rss_bytes, config);
    if cpu_share_percent >= config.max_cpu_percent {
        memory.max(Pressure::Elevated)
    } else {
        memory
    }
}

/// The cores this process may use.
pub fn usable_cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

impl ProcessSample {
    /// Resident memory over the limit, as a share (1.0 = at the limit).
    pub fn memory_ratio(&self) -> f64 {
        self.rss_bytes as f64 / self.max_memory_bytes.max(1) as f64
    }
}

impl ProcessMonitor {
    /// Starts sampling in the background.
    pub fn start(config: MonitorConfig) -> ProcessMonitor {
        let (tx, rx) = watch::channel(ProcessSample::default());
        let pid = sysinfo::get_current_pid().ok();
        let cores = usable_cores() as f32;
        tokio::spawn(async move {
            let mut system = System::new();
            let interval = Duration::from_millis(config.sample_interval_ms.max(50));
            while let Some(pid) = pid {
                system.refresh_processes_specifics(
                    ProcessesToUpdate::Some(&[pid]),
                    true,
                    ProcessRefreshKind::nothing().with_memory().with_cpu(),
                );
                if let Some(p) = system.process(Pid::from(usize::from(pid))) {
                    let rss = p.memory();
                    let cpu = p.cpu_usage();
                    let share = cpu / cores;
                    let sample = ProcessSample {
                        rss_bytes: rss,
                        cpu_percent: cpu,
                        cpu_share_percent: share,
                        cpu_over: share >= config.max_cpu_percent,
                        pressure: pressure(rss, share, &config),
                        max_memory_bytes: config.max_memory_mb.saturating_mul(1024 * 1024),
                    };
                    if tx.send(sample).is_err() {
                        break; // nobody listens any more
                    }
                }
                tokio::time::sleep(interval).await;
            }
        });
        ProcessMonitor { rx }
    }

    /// The latest sample.
    pub fn current(&self) -> ProcessSample {
        *self.rx.borrow()
    }

    /// A receiver that wakes on every new sample.
    pub fn subscribe(&self) -> watch::Receiver<ProcessSample> {
        self.rx.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        let c = MonitorConfig {
            max_memory_mb: 100,
            max_cpu_percent: 80.0,
            sample_interval_ms: 100,
        };
        let mb = 1024 * 1024;
        assert_eq!(pressure(50 * mb, 10.0, &c), Pressure::Normal);
        assert_eq!(pressure(80 * mb, 10.0, &c), Pressure::Elevated);
        assert_eq!(pressure(50 * mb, 95.0, &c), Pressure::Elevated);
        assert_eq!(pressure(95 * mb, 10.0, &c), Pressure::Critical);
        assert_eq!(pressure(95 * mb, 95.0, &c), Pressure::Critical);
        assert_eq!(memory_pressure(50 * mb, &c), Pressure::Normal);
    }

    #[tokio::test]
    async fn samples_this_process() {
        let m = ProcessMonitor::start(MonitorConfig {
            sample_interval_ms: 50,
            ..MonitorConfig::default()
        });
        let mut rx = m.subscribe();
        rx.changed().await.unwrap();
        assert!(m.current().rss_bytes > 1024 * 1024, "{:?}", m.current());
    }
}
