//! Batches in Redis, shared by every instance and kept across restarts.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use fred::prelude::{
    HashesInterface, KeysInterface, LuaInterface, Pool, SetOptions, SortedSetsInterface,
};

use super::JobStore;
use crate::model::{Batch, Begin, Item, ItemState, Mark, Progress, Recorded};
use crate::{Error, Result};

/// Batches in Redis: `<prefix>:batch:{<id>}` (the record),
/// `<prefix>:batch:{<id>}:items` (a hash of items by index, as JSON),
/// `…:states` (a hash of each item's state), `…:counts` (items per state,
/// and the `cancelled` and `enqueued` flags), `…:lease` (the owner), and
/// `<prefix>:batches`, a sorted set of the ids scored by when they expire
/// (Unix ms), pruned on listing. A batch's keys share one hash tag, so the
/// scripts that move an item and its counts together run in one Redis
/// Cluster slot.
pub struct RedisStore {
    pool: Pool,
    prefix: String,
}

/// A pool of `size` connections to `url` with `timeout` on every command
/// and connection, from `extract-redis`'s one builder. A Redis that is down
/// at start is not an error: the pool keeps reconnecting in the background
/// (said in the log, as `purpose`).
pub(crate) async fn connect_pool(
    url: &str,
    timeout: Duration,
    size: usize,
    purpose: &'static str,
) -> Result<Pool> {
    let redis = extract_redis::Redis::connect(
        url,
        extract_redis::Options {
            connections: size,
            command_timeout: timeout,
            connect_timeout: timeout,
            // Records must be written: a command waits out a reconnection.
            command_attempts: 3,
            probe_key: String::new(),
            purpose,
        },
    )
    .await?;
    Ok(redis.pool().clone())
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

/// KEYS: items, states, counts; ARGV[1]: index. Pending → running (or
/// skipped when the batch is cancelled); answers what it did and the item.
const BEGIN_SCRIPT: &str = r#"
local s = redis.call('HGET', KEYS[2], ARGV[1])
if not s then return {'missing'} end
if s ~= 'pending' and s ~= 'running' then return {'done'} end
if s == 'pending' and redis.call('HGET', KEYS[3], 'cancelled') == '1' then
  redis.call('HSET', KEYS[2], ARGV[1], 'skipped')
  redis.call('HINCRBY', KEYS[3], 'pending', -1)
  redis.call('HINCRBY', KEYS[3], 'skipped', 1)
  return {'skipped', redis.call('HGET', KEYS[1], ARGV[1])}
end
if s == 'pending' then
  redis.call('HSET', KEYS[2], ARGV[1], 'running')
  redis.call('HINCRBY', KEYS[3], 'pending', -1)
  redis.call('HINCRBY', KEYS[3], 'running', 1)
end
return {'run', redis.call('HGET', KEYS[1], ARGV[1])}
"#;

/// KEYS: items, states, counts; ARGV: index, final state, item JSON.
/// Stores once: 1 stored, 0 already over, -1 gone.
const RECORD_SCRIPT: &str = r#"
local s = redis.call('HGET', KEYS[2], ARGV[1])
if not s then return -1 end
if s ~= 'pending' and s ~= 'running' then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[3], s, -1)
redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
return 1
"#;

/// KEYS: states, counts; ARGV: every state's name. Sets each state's
/// count to how many items the states hash has in it, in one step.
const COUNT_SCRIPT: &str = r#"
local tally = {}
for _, st in ipairs(ARGV) do tally[st] = 0 end
for _, st in ipairs(redis.call('HVALS', KEYS[1])) do
  tally[st] = (tally[st] or 0) + 1
end
for st, n in pairs(tally) do redis.call('HSET', KEYS[2], st, n) end
return 1
"#;

/// KEYS: states, counts; sets flag ARGV[1] of a batch that exists.
const MARK_SCRIPT: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HSET', KEYS[2], ARGV[1], '1')
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
        let pool = connect_pool(url, timeout, 4, "job store").await?;
        Ok(RedisStore {
            pool,
            prefix: prefix.to_owned(),
        })
    }

    fn key(&self, id: &str) -> String {
        format!("{}:batch:{{{id}}}", self.prefix)
    }

    /// The items, states and counts keys, as the scripts take them.
    fn item_keys(&self, id: &str) -> Vec<String> {
        let key = self.key(id);
        vec![
            format!("{key}:items"),
            format!("{key}:states"),
            format!("{key}:counts"),
        ]
    }

    fn index(&self) -> String {
        format!("{}:batches", self.prefix)
    }
}

#[async_trait]
impl JobStore for RedisStore {
    async fn create(&self, batch: &Batch, items: &[Item]) -> Result<()> {
        let key = self.key(&batch.id);
        let [items_key, states_key, counts_key]: [String; 3] = self
            .item_keys(&batch.id)
            .try_into()
            .unwrap_or_else(|_| unreachable!("three keys"));
        // Written again after a loss: nothing of the old one stays.
        self.pool
            .del::<(), _>(vec![
                items_key.clone(),
                states_key.clone(),
                counts_key.clone(),
            ])
            .await?;
        let fields: Vec<(String, String)> = items
            .iter()
            .map(|i| Ok((i.index.to_string(), serde_json::to_string(i)?)))
            .collect::<Result<_>>()?;
        for chunk in fields.chunks(1000) {
            self.pool
                .hset::<(), _, _>(&items_key, chunk.to_vec())
                .await?;
        }
        let states: Vec<(String, &str)> = items
            .iter()
            .map(|i| (i.index.to_string(), i.state.as_str()))
            .collect();
        for chunk in states.chunks(1000) {
            self.pool
                .hset::<(), _, _>(&states_key, chunk.to_vec())
                .await?;
        }
        // Counted from the states in one script, not from `items`: an
        // item recorded while this ran (a worker that held it when the
        // store lost the batch) is counted as the states hash says, never
        // overwritten by a stale count.
        let states_named: Vec<String> = ItemState::ALL
            .into_iter()
            .map(|st| st.as_str().to_owned())
            .collect();
        let _: i64 = self
            .pool
            .eval(
                COUNT_SCRIPT,
                vec![states_key.clone(), counts_key.clone()],
                states_named,
            )
            .await?;
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
        for k in self.item_keys(id) {
            self.pool.expire::<(), _>(k, secs, None).await?;
        }
        let at = crate::model::now_ms() as f64 + ttl.as_millis() as f64;
        self.pool
            .zadd::<(), _, _>(self.index(), None, None, false, false, (at, id.to_owned()))
            .await?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "redis"
    }

    async fn begin(&self, id: &str, index: usize) -> Result<Begin> {
        let r: Vec<String> = self
            .pool
            .eval(BEGIN_SCRIPT, self.item_keys(id), vec![index.to_string()])
            .await?;
        let item = |raw: Option<&String>| -> Result<Item> {
            let raw = raw.ok_or_else(|| Error::store("an item without its record"))?;
            Ok(serde_json::from_str(raw)?)
        };
        Ok(match r.first().map(String::as_str) {
            Some("done") => Begin::Done,
            Some("skipped") => {
                let skipped = crate::service::skipped_by_cancel(item(r.get(1))?);
                // Only this call moved it to skipped: no other write races it.
                self.put_item(id, &skipped).await?;
                Begin::Skipped(skipped)
            }
            Some("run") => {
                let mut it = item(r.get(1))?;
                it.state = ItemState::Running;
                Begin::Run(it)
            }
            _ => Begin::Missing,
        })
    }

    async fn record(&self, id: &str, item: &Item) -> Result<Recorded> {
        let r: i64 = self
            .pool
            .eval(
                RECORD_SCRIPT,
                self.item_keys(id),
                vec![
                    item.index.to_string(),
                    item.state.as_str().to_owned(),
                    serde_json::to_string(item)?,
                ],
            )
            .await?;
        Ok(match r {
            1 => Recorded::Stored,
            0 => Recorded::Already,
            _ => Recorded::Missing,
        })
    }

    async fn progress(&self, id: &str) -> Result<Option<Progress>> {
        let raw: HashMap<String, String> = self.pool.hgetall(&self.item_keys(id)[2]).await?;
        if raw.is_empty() {
            return Ok(None);
        }
        let mut p = Progress::default();
        for (k, v) in raw {
            let n: usize = v.parse().unwrap_or(0);
            match k.as_str() {
                "cancelled" => p.cancelled = n > 0,
                "enqueued" => p.enqueued = n > 0,
                other => {
                    if let Some(st) = ItemState::parse(other) {
                        *p.counts.slot(st) = n;
                    }
                }
            }
        }
        Ok(Some(p))
    }

    async fn mark(&self, id: &str, mark: Mark) -> Result<()> {
        let keys = self.item_keys(id);
        let _: i64 = self
            .pool
            .eval(
                MARK_SCRIPT,
                vec![keys[1].clone(), keys[2].clone()],
                vec![mark.field().to_owned()],
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "redis_tests.rs"]
mod tests;
