//! Where batches live: the `JobStore` trait, an in-memory store (the
//! default) and a Redis store that survives restarts and is shared by
//! several instances.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use fred::prelude::{
    Builder, ClientLike, Config as FredConfig, Expiration, HashesInterface, KeysInterface, Pool,
    ReconnectPolicy, SetOptions, SetsInterface,
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
    /// Replaces the batch record.
    async fn put_batch(&self, batch: &Batch) -> Result<()>;
    /// Every item of the batch, in order.
    async fn items(&self, id: &str) -> Result<Vec<Item>>;
    /// Replaces one item.
    async fn put_item(&self, id: &str, item: &Item) -> Result<()>;
    /// The ids of every stored batch.
    async fn ids(&self) -> Result<Vec<String>>;
    /// Takes or renews ownership of a batch for `ttl`; false if another owner holds it.
    async fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<bool>;
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

    async fn put_batch(&self, batch: &Batch) -> Result<()> {
        if let Some(s) = self.lock().get_mut(&batch.id) {
            s.batch = batch.clone();
        }
        Ok(())
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
/// `<prefix>:batch:<id>:lease` (the owner), `<prefix>:batches` (the ids).
pub struct RedisStore {
    pool: Pool,
    prefix: String,
}

impl RedisStore {
    /// Connects (waiting for Redis up to `connect_timeout`: a job store that
    /// cannot be reached at start is an error, unlike the cache).
    pub async fn connect(url: &str, prefix: &str, connect_timeout: Duration) -> Result<RedisStore> {
        let config = FredConfig::from_url(url)?;
        let mut builder = Builder::from_config(config);
        builder
            .with_connection_config(|c| c.connection_timeout = connect_timeout)
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2));
        let pool = builder.build_pool(4)?;
        let _tasks = pool.connect();
        tokio::time::timeout(connect_timeout, pool.wait_for_connect())
            .await
            .map_err(|_| Error::Store("redis did not answer in time".to_owned()))??;
        Ok(RedisStore {
            pool,
            prefix: prefix.to_owned(),
        })
    }

    fn key(&self, id: &str) -> String {
        format!("{}:batch:{id}", self.prefix)
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
            .sadd::<(), _, _>(format!("{}:batches", self.prefix), batch.id.clone())
            .await?;
        Ok(())
    }

    async fn batch(&self, id: &str) -> Result<Option<Batch>> {
        let raw: Option<String> = self.pool.get(self.key(id)).await?;
        raw.map(|r| serde_json::from_str(&r).map_err(Error::from))
            .transpose()
    }

    async fn put_batch(&self, batch: &Batch) -> Result<()> {
        // XX: never recreate a batch that expired meanwhile.
        self.pool
            .set::<(), _, _>(
                self.key(&batch.id),
                serde_json::to_string(batch)?,
                None,
                Some(SetOptions::XX),
                false,
            )
            .await?;
        Ok(())
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

    async fn ids(&self) -> Result<Vec<String>> {
        let ids: Vec<String> = self
            .pool
            .smembers(format!("{}:batches", self.prefix))
            .await?;
        Ok(ids)
    }

    async fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<bool> {
        let key = format!("{}:lease", self.key(id));
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        let current: Option<String> = self.pool.get(&key).await?;
        if current.as_deref() == Some(owner) {
            self.pool.pexpire::<(), _>(&key, ms, None).await?;
            return Ok(true);
        }
        let taken: Option<String> = self
            .pool
            .set(
                &key,
                owner,
                Some(Expiration::PX(ms)),
                Some(SetOptions::NX),
                false,
            )
            .await?;
        Ok(taken.is_some())
    }

    async fn expire(&self, id: &str, ttl: Duration) -> Result<()> {
        let secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX).max(1);
        let key = self.key(id);
        self.pool.expire::<(), _>(&key, secs, None).await?;
        self.pool
            .expire::<(), _>(format!("{key}:items"), secs, None)
            .await?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}
