//! Who an instance is among those sharing one Redis.

/// A new id for an instance among those sharing one Redis: the host name
/// (`HOSTNAME`, a pod's name under Kubernetes) and a random suffix. An
/// instance takes one at start and goes by it everywhere: its heartbeats,
/// the batch leases it holds and the work queue it reads. (Per instance,
/// not per process: a test may run several instances in one process.)
///
/// ```
/// let id = extract_redis::new_instance_id();
/// assert_ne!(id, extract_redis::new_instance_id());
/// assert!(id.rsplit_once('-').is_some_and(|(_, suffix)| suffix.len() == 6));
/// ```
pub fn new_instance_id() -> String {
    format!(
        "{}-{:06x}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "extract".to_owned()),
        fastrand::u32(..0x00ff_ffff)
    )
}
