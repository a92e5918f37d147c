//! Where batches live: the `JobStore` trait, an in-memory store (the
//! default) and a Redis store that survives restarts and is shared by
//! several instances.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use fred::prelude::{
    Builder, ClientLike, Config as FredConfig, HashesInterface, KeysInterface, LuaInterface, Pool,
    ReconnectPolicy, SetOptions, SortedSetsInterface,
};

use crate::model::{Batch, Item};
use crate::{Error, Result};

/// Storage of batches and their items.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Stores a new batch with its items.
    async fn create(&self, batch: &Batch, items: &[Item]) -> Result<()>;
    /// The batch, if it exists.
    async fn batch(&self, id: &str) -> Result<Option<Batch>>;
    /// Replaces the batch record; `false` when there was none to replace
    /// (it expired — or the store lost it).
    async fn put_batch(&self, batch: &Batch) -> Result<bool>;
    /// Every item of the batch, in order.
    async fn items(&self, id: &str) -> Result<Vec<Item>>;
    /// Replaces one item.
    async fn put_item(&self, id: &str, item: &Item) -> Result<()>;
    /// The items at `indexes`, in that order (`None` where there is none),
    /// without reading the others: exports go through a big batch this way.
    async fn items_at(&self, id: &str, indexes: &[usize]) -> Result<Vec<Option<Item>>> {
        let all = self.items(id).await?;
        Ok(indexes.iter().map(|&i| all.get(i).cloned()).collect())
    }
    /// The ids of every stored batch.
    async fn ids(&self) -> Result<Vec<String>>;
    /// Every stored batch record.
    async fn batches(&self) -> Result<Vec<Batch>> {
        let mut out = Vec::new();
        for id in self.ids().await? {
            if let Some(b) = self.batch(&id).await? {
                out.push(b);
            }
        }
        Ok(out)
    }
    /// Takes or renews ownership of a batch for `ttl`; false if another owner holds it.
    async fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<bool>;
    /// Gives up `owner`'s lease at once (a shutting-down owner), so that
    /// another instance may resume the batch without waiting it out.
    async fn release(&self, _id: &str, _owner: &str) -> Result<()> {
        Ok(())
    }
    /// Forgets the batch after `ttl`.
    async fn expire(&self, id: &str, ttl: Duration) -> Result<()>;
    /// `memory` or `redis`.
    fn kind(&self) -> &'static str;
}

struct Stored {
    batch: Batch,
    items: Vec<Item>,
    expires: Option<Instant>,
}

/// Batches in this process's memory: lost on restart.
#[derive(Default)]
pub struct MemoryStore {
    batches: Mutex<HashMap<String, Stored>>,
}

impl MemoryStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Stored>> {
        let mut map = self
            .batches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        map.retain(|_, s| s.expires.is_none_or(|e| e > now));
        map
    }
}

#[async_trait]
impl JobStore for MemoryStore {
    async fn create(&self, batch: &Batch, items: &[Item]) -> Result<()> {
        self.lock().insert(
            batch.id.clone(),
            Stored {
                batch: batch.clone(),
                items: items.to_vec(),
                expires: None,
            },
        );
        Ok(())
    }

    async fn batch(&self, id: &str) -> Result<Option<Batch>> {
        Ok(self.lock().get(id).map(|s| s.batch.clone()))
    }

    async fn put_batch(&self, batch: &Batch) -> Result<bool> {
        Ok(match self.lock().get_mut(&batch.id) {
            Some(s) => {
                s.batch = batch.clone();
                true
            }
            None => false,
        })
    }

    async fn items(&self, id: &str) -> Result<Vec<Item>> {
        Ok(self
            .lock()
            .get(id)
            .map(|s| s.items.clone())
            .unwrap_or_default())
    }

    async fn put_item(&self, id: &str, item: &Item) -> Result<()> {
        if let Some(s) = self.lock().get_mut(id) {
            if let Some(slot) = s.items.get_mut(item.index) {
                *slot = item.clone();
            }
        }
        Ok(())
    }

    async fn items_at(&self, id: &str, indexes: &[usize]) -> Result<Vec<Option<Item>>> {
        let map = self.lock();
        let items = map.get(id).map(|s| &s.items[..]).unwrap_or_default();
        Ok(indexes.iter().map(|&i| items.get(i).cloned()).collect())
    }

    async fn ids(&self) -> Result<Vec<String>> {
        Ok(self.lock().keys().cloned().collect())
    }

    async fn lease(&self, _id: &str, _owner: &str, _ttl: Duration) -> Result<bool> {
        Ok(true)
    }

    async fn expire(&self, id: &str, ttl: Duration) -> Result<()> {
        if let Some(s) = self.lock().get_mut(id) {
            s.expires = Some(Instant::now() + ttl);
        }
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

/// Batches in Redis: `<prefix>:batch:<id>` (the record),
/// `<prefix>:batch:<id>:items` (a hash of items by index),
/// `<prefix>:batch:<id>:lease` (the owner), and `<prefix>:batches`, a sorted
/// set of the ids scored by when they expire (Unix ms), pruned on listing.
pub struct RedisStore {
    pool: Pool,
    prefix: String,
}

/// Takes the lease when it is free, renews it when `ARGV[1]` holds it, in
/// one step so that two instances never both own a batch.
const LEASE_SCRIPT: &str = r#"
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"#;

/// Drops the lease only when `ARGV[1]` holds it.
const RELEASE_SCRIPT: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// The score of a batch that has not finished: it never expires.
const NEVER: f64 = 9.0e15;

impl RedisStore {
    /// Connects with a small pool. A Redis that is down at start is not an
    /// error: the pool keeps reconnecting in the background, and until it is
    /// back every command fails after `timeout` with [`Error::Store`].
    pub async fn connect(url: &str, prefix: &str, timeout: Duration) -> Result<RedisStore> {
        let config = FredConfig::from_url(url)?;
        let timeout = timeout.max(Duration::from_millis(1));
        let mut builder = Builder::from_config(config);
        builder
            .with_connection_config(|c| {
                c.connection_timeout = timeout;
                c.internal_command_timeout = timeout;
            })
            .with_performance_config(|p| p.default_command_timeout = timeout)
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2));
        let pool = builder.build_pool(4)?;
        let _tasks = pool.connect();
        match tokio::time::timeout(timeout, pool.wait_for_connect()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "job store: redis unavailable at start; reconnecting")
            }
            Err(_) => tracing::warn!("job store: redis did not answer at start; reconnecting"),
        }
        Ok(RedisStore {
            pool,
            prefix: prefix.to_owned(),
        })
    }

    fn key(&self, id: &str) -> String {
        format!("{}:batch:{id}", self.prefix)
    }

    fn index(&self) -> String {
        format!("{}:batches", self.prefix)
    }
}

#[async_trait]
impl JobStore for RedisStore {
    async fn create(&self, batch: &Batch, items: &[Item]) -> Result<()> {
        let key = self.key(&batch.id);
        let fields: Vec<(String, String)> = items
            .iter()
            .map(|i| Ok((i.index.to_string(), serde_json::to_string(i)?)))
            .collect::<Result<_>>()?;
        for chunk in fields.chunks(1000) {
            self.pool
                .hset::<(), _, _>(format!("{key}:items"), chunk.to_vec())
                .await?;
        }
        self.pool
            .set::<(), _, _>(&key, serde_json::to_string(batch)?, None, None, false)
            .await?;
        self.pool
            .zadd::<(), _, _>(
                self.index(),
                None,
                None,
                false,
                false,
                (NEVER, batch.id.clone()),
            )
            .await?;
        Ok(())
    }

    async fn batch(&self, id: &str) -> Result<Option<Batch>> {
        let raw: Option<String> = self.pool.get(self.key(id)).await?;
        raw.map(|r| serde_json::from_str(&r).map_err(Error::from))
            .transpose()
    }

    async fn batches(&self) -> Result<Vec<Batch>> {
        let ids = self.ids().await?;
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let keys: Vec<String> = chunk.iter().map(|id| self.key(id)).collect();
            let raw: Vec<Option<String>> = self.pool.mget(keys).await?;
            for r in raw.into_iter().flatten() {
                out.push(serde_json::from_str(&r)?);
            }
        }
        Ok(out)
    }

    async fn put_batch(&self, batch: &Batch) -> Result<bool> {
        // XX: never recreate a batch that expired meanwhile.
        let set: Option<String> = self
            .pool
            .set(
                self.key(&batch.id),
                serde_json::to_string(batch)?,
                None,
                Some(SetOptions::XX),
                false,
            )
            .await?;
        Ok(set.is_some())
    }

    async fn items(&self, id: &str) -> Result<Vec<Item>> {
        let raw: HashMap<String, String> =
            self.pool.hgetall(format!("{}:items", self.key(id))).await?;
        let mut items: Vec<Item> = raw
            .values()
            .map(|v| serde_json::from_str(v).map_err(Error::from))
            .collect::<Result<_>>()?;
        items.sort_by_key(|i| i.index);
        Ok(items)
    }

    async fn put_item(&self, id: &str, item: &Item) -> Result<()> {
        self.pool
            .hset::<(), _, _>(
                format!("{}:items", self.key(id)),
                (item.index.to_string(), serde_json::to_string(item)?),
            )
            .await?;
        Ok(())
    }

    async fn items_at(&self, id: &str, indexes: &[usize]) -> Result<Vec<Option<Item>>> {
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let fields: Vec<String> = indexes.iter().map(usize::to_string).collect();
        let raw: Vec<Option<String>> = self
            .pool
            .hmget(format!("{}:items", self.key(id)), fields)
            .await?;
        raw.into_iter()
            .map(|r| {
                r.map(|v| serde_json::from_str(&v).map_err(Error::from))
                    .transpose()
            })
            .collect()
    }

    async fn ids(&self) -> Result<Vec<String>> {
        let now = crate::model::now_ms() as f64;
        self.pool
            .zremrangebyscore::<(), _, _, _>(self.index(), "-inf", now)
            .await?;
        let ids: Vec<String> = self
            .pool
            .zrangebyscore(self.index(), "-inf", "+inf", false, None)
            .await?;
        Ok(ids)
    }

    async fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<bool> {
        let key = format!("{}:lease", self.key(id));
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        let taken: i64 = self
            .pool
            .eval(
                LEASE_SCRIPT,
                vec![key],
                vec![owner.to_owned(), ms.to_string()],
            )
            .await?;
        Ok(taken == 1)
    }

    async fn release(&self, id: &str, owner: &str) -> Result<()> {
        let key = format!("{}:lease", self.key(id));
        let _: i64 = self
            .pool
            .eval(RELEASE_SCRIPT, vec![key], vec![owner.to_owned()])
            .await?;
        Ok(())
    }

    async fn expire(&self, id: &str, ttl: Duration) -> Result<()> {
        let secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX).max(1);
        let key = self.key(id);
        self.pool.expire::<(), _>(&key, secs, None).await?;
        self.pool
            .expire::<(), _>(format!("{key}:items"), secs, None)
            .await?;
        let at = crate::model::now_ms() as f64 + ttl.as_millis() as f64;
        self.pool
            .zadd::<(), _, _>(self.index(), None, None, false, false, (at, id.to_owned()))
            .await?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}
