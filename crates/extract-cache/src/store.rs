//! The shared tier: a key-value store behind a trait, with Redis as the real
//! one. Every call is bounded in time and skipped when the store is down, so
//! a missing Redis costs a branch, not a wait.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use extract_redis::{Options, Redis};

use crate::{Config, Result};

/// Whether the shared tier is usable now: Redis's state.
pub type StoreState = extract_redis::RedisState;

/// A shared key-value store with expiry: the cache's L2 (and, later, the
/// job store's backend). Implementations must not block when unavailable.
#[async_trait]
pub trait RemoteStore: Send + Sync {
    /// The value at `key`.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// The values at `keys`, in order, in as few round trips as possible.
    async fn mget(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>>;
    /// Stores `value` at `key` for `ttl`.
    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<()>;
    /// Removes `keys`.
    async fn del(&self, keys: &[String]) -> Result<()>;
    /// Whether it is usable now.
    fn state(&self) -> StoreState;
}

/// Connects to `config.redis_url` with a pool of `redis_max_connections`
/// through `extract-redis`, the one pool builder. A Redis that is down at
/// start is not an error: the pool keeps reconnecting in the background and
/// the store reports itself down.
pub async fn connect_redis(config: &Config) -> Result<Arc<Redis>> {
    Ok(Redis::connect(
        config.redis_url.expose(),
        Options {
            connections: config.redis_max_connections,
            command_timeout: Duration::from_millis(config.redis_command_timeout_ms),
            connect_timeout: Duration::from_millis(config.redis_connect_timeout_ms),
            command_attempts: 1,
            probe_key: format!("{}:probe", config.prefix),
            purpose: "cache",
        },
    )
    .await?)
}

/// Redis as the shared tier: every call bounded in time and skipped while
/// Redis is down (see [`Redis::bounded`]).
#[async_trait]
impl RemoteStore for Redis {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(Redis::get(self, key).await?)
    }

    async fn mget(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>> {
        Ok(Redis::mget(self, keys).await?)
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<()> {
        // Whole seconds, at least one, as the cache's TTLs are.
        let secs = Duration::from_secs(ttl.as_secs().max(1));
        Ok(self.set_px(key, value, secs).await?)
    }

    async fn del(&self, keys: &[String]) -> Result<()> {
        Ok(Redis::del(self, keys).await?)
    }

    fn state(&self) -> StoreState {
        Redis::state(self)
    }
}
