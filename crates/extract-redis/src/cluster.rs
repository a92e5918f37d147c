//! What instances sharing one Redis keep together besides the cache: the
//! cluster's rate limits ([`RedisRate`]: the provider's rate and each host's
//! politeness, one script call per departure, the same GCRA with a sliding
//! window as `extract_concurrency::Gcra` on Redis's clock) and who is alive
//! ([`Members`]: heartbeats with what each instance is doing).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use extract_core::{RateShape, SharedRate, SharedRateError};
use serde::{Deserialize, Serialize};

use crate::{Error, Redis, Result};

/// GCRA and the window log, on Redis's clock (`TIME`), in microseconds.
/// KEYS: the theoretical arrival time, the window log (one hash tag, so one
/// Redis Cluster slot). ARGV: emission interval, tolerance, departures per
/// window, window, a nonce for the log's member. Returns 0 (departed,
/// recorded) or the wait. Numbers pass as `%.0f` strings: Lua's own
/// conversion keeps 14 digits, and microseconds since 1970 have 16.
const SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local emission = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local per_window = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
local at = tat - tolerance
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%.0f', now - window))
local n = redis.call('ZCARD', KEYS[2])
if n >= per_window then
  local oldest = redis.call('ZRANGE', KEYS[2], n - per_window, n - per_window, 'WITHSCORES')
  local free = tonumber(oldest[2]) + window
  if free > at then at = free end
end
if at > now + 1000 then
  return math.floor(at - now)
end
if now < tat + emission then tat = tat + emission else tat = now + emission end
local keep = math.ceil((tat - now + window) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', keep)
redis.call('ZADD', KEYS[2], string.format('%.0f', now), string.format('%.0f', now) .. ':' .. ARGV[5])
redis.call('PEXPIRE', KEYS[2], keep)
return 0
";

/// A rate limit kept for every instance together in Redis.
pub struct RedisRate {
    redis: Arc<Redis>,
    prefix: String,
    instances: Arc<AtomicUsize>,
}

impl RedisRate {
    /// Limits under `prefix` in `redis`; `instances` is the live instance
    /// count the heartbeats keep (for the fallback share).
    pub fn new(redis: Arc<Redis>, prefix: &str, instances: Arc<AtomicUsize>) -> Self {
        RedisRate {
            redis,
            prefix: prefix.to_owned(),
            instances,
        }
    }

    /// The keys of limit `name`, under one hash tag.
    fn keys(&self, name: &str) -> Vec<String> {
        let tag = format!("{{{}:rate:{name}}}", self.prefix);
        vec![format!("{tag}:tat"), format!("{tag}:log")]
    }
}

#[async_trait]
impl SharedRate for RedisRate {
    async fn try_depart(
        &self,
        key: &str,
        rate_per_sec: f64,
        burst: u32,
    ) -> std::result::Result<Option<Duration>, SharedRateError> {
        if rate_per_sec <= 0.0 {
            return Ok(None);
        }
        let shape = RateShape::of(rate_per_sec, burst);
        let args = vec![
            shape.emission.as_micros().to_string(),
            shape.tolerance.as_micros().to_string(),
            shape.per_window.to_string(),
            RateShape::WINDOW.as_micros().to_string(),
            fastrand::u64(..).to_string(),
        ];
        let wait = self
            .redis
            .eval_i64(SCRIPT, self.keys(key), args)
            .await
            .map_err(|e| SharedRateError(e.to_string()))?;
        Ok((wait > 0).then(|| Duration::from_micros(wait as u64)))
    }

    fn instances(&self) -> usize {
        self.instances.load(Ordering::Relaxed).max(1)
    }
}

/// One instance as its heartbeat describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Unique per process: host name and a random suffix.
    pub id: String,
    /// The address its API listens on.
    pub address: String,
    /// Its version.
    pub version: String,
    /// When it started, Unix ms.
    pub started_at_ms: u64,
    /// Its last heartbeat, Unix ms.
    pub seen_at_ms: u64,
    /// Extractions running on it now.
    pub in_flight: usize,
    /// Batches it is running now.
    pub batches: usize,
    /// Its CPU use, percent of its usable cores.
    pub cpu_percent: f32,
    /// Its resident memory, bytes.
    pub rss_bytes: u64,
}

/// Who is alive: each instance beats, and reads the others' beats.
#[async_trait]
pub trait Members: Send + Sync {
    /// Records `me` as alive for `ttl`.
    async fn beat(&self, me: &Instance, ttl: Duration) -> Result<()>;
    /// The instances whose last beat has not expired, oldest first.
    async fn live(&self) -> Result<Vec<Instance>>;
}

/// Heartbeats in Redis: one key per instance (expiring) and an index of
/// ids scored by expiry.
pub struct RedisMembers {
    redis: Arc<Redis>,
    prefix: String,
}

impl RedisMembers {
    /// Members under `prefix` in `redis`.
    pub fn new(redis: Arc<Redis>, prefix: &str) -> Self {
        RedisMembers {
            redis,
            prefix: prefix.to_owned(),
        }
    }

    fn index(&self) -> String {
        format!("{}:instances", self.prefix)
    }

    fn key(&self, id: &str) -> String {
        format!("{}:instance:{id}", self.prefix)
    }
}

#[async_trait]
impl Members for RedisMembers {
    async fn beat(&self, me: &Instance, ttl: Duration) -> Result<()> {
        let body = serde_json::to_vec(me).map_err(|e| Error::Codec(e.to_string()))?;
        self.redis.set_px(&self.key(&me.id), body, ttl).await?;
        let expires = me.seen_at_ms + ttl.as_millis() as u64;
        self.redis
            .zadd_expiring(&self.index(), &me.id, expires)
            .await
    }

    async fn live(&self) -> Result<Vec<Instance>> {
        let ids = self.redis.zlive(&self.index()).await?;
        let keys: Vec<String> = ids.iter().map(|id| self.key(id)).collect();
        let values = self.redis.mget(&keys).await?;
        let mut out: Vec<Instance> = values
            .into_iter()
            .flatten()
            .filter_map(|v| serde_json::from_slice(&v).ok())
            .collect();
        out.sort_by_key(|i: &Instance| (i.started_at_ms, i.id.clone()));
        Ok(out)
    }
}

/// One instance alone, without Redis.
#[derive(Default)]
pub struct LocalMembers {
    me: std::sync::Mutex<Option<Instance>>,
}

#[async_trait]
impl Members for LocalMembers {
    async fn beat(&self, me: &Instance, _ttl: Duration) -> Result<()> {
        *self
            .me
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(me.clone());
        Ok(())
    }

    async fn live(&self) -> Result<Vec<Instance>> {
        Ok(self
            .me
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned()
            .collect())
    }
}
