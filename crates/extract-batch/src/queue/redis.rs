//! The queue every instance shares: batch items in Redis Streams (see the
//! module above for the protocol).

use std::time::Duration;

use async_trait::async_trait;
use extract_core::Priority;
use fred::prelude::{LuaInterface, Pool};

use super::{shares, slot, Delivery, Depth, QueueDepth, WorkQueue, PRIORITIES};
use crate::Result;

/// The group every instance reads through.
const GROUP: &str = "workers";

/// Appends (ARGV[1] = batch, the rest indexes), creating the stream and
/// the group on first use (and after Redis lost them).
const PUSH: &str = r#"
redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
for i = 3, #ARGV do
  redis.call('XADD', KEYS[1], '*', 'b', ARGV[2], 'i', ARGV[i])
end
return #ARGV - 2
"#;

/// The Lua helper both reading scripts start with: appends an entry as the
/// triple (priority slot, entry id, batch, index) `deliveries` reads.
macro_rules! with_emit {
    ($script:literal) => {
        concat!(
            r#"
local function emit(out, slot, entry)
  local f = entry[2]
  local b, i = '', ''
  for k = 1, #f, 2 do
    if f[k] == 'b' then b = f[k + 1] elseif f[k] == 'i' then i = f[k + 1] end
  end
  table.insert(out, tostring(slot)); table.insert(out, entry[1])
  table.insert(out, b); table.insert(out, i)
end
"#,
            $script
        )
    };
}

/// Reads KEYS (high, normal, low) for consumer ARGV[2] of group ARGV[1]:
/// ARGV[3..5] entries from each first, then what is left of ARGV[6] from
/// each in order. Answers flat triples: priority slot, entry id, fields
/// (`b`, batch, `i`, index).
const TAKE: &str = with_emit!(
    r#"
local out = {}
local got = 0
local function read(slot, n)
  if n <= 0 then return end
  local ok, r = pcall(redis.call, 'XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', n, 'STREAMS', KEYS[slot], '>')
  if not ok then
    redis.pcall('XGROUP', 'CREATE', KEYS[slot], ARGV[1], '0', 'MKSTREAM')
    return
  end
  if not r then return end
  for _, stream in ipairs(r) do
    for _, entry in ipairs(stream[2]) do
      emit(out, slot, entry)
      got = got + 1
    end
  end
end
for slot = 1, 3 do read(slot, tonumber(ARGV[2 + slot])) end
for slot = 1, 3 do read(slot, tonumber(ARGV[6]) - got) end
return out
"#
);

/// Takes over entries idle longer than ARGV[3] ms for consumer ARGV[2],
/// at most ARGV[4] from each stream; the same triples as TAKE. Entries
/// whose fields are gone (deleted) are dropped from the group.
const RECLAIM: &str = with_emit!(
    r#"
local out = {}
for slot = 1, #KEYS do
  local ok, r = pcall(redis.call, 'XAUTOCLAIM', KEYS[slot], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', ARGV[4])
  if ok and r then
    for _, entry in ipairs(r[2]) do
      if entry[2] then emit(out, slot, entry) end
    end
  end
end
return out
"#
);

/// Acknowledges and deletes entry ARGV[2] of KEYS[1].
const ACK: &str = r#"
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
"#;

/// Hands entries ARGV[2..] of KEYS[1] to the placeholder consumer
/// `released`, long idle, so that the next XAUTOCLAIM takes them.
const RELEASE: &str = r#"
local n = 0
for i = 2, #ARGV do
  local r = redis.pcall('XCLAIM', KEYS[1], ARGV[1], 'released', 0, ARGV[i], 'IDLE', 999999999999, 'JUSTID')
  if type(r) == 'table' then n = n + #r end
end
return n
"#;

/// Deletes consumer ARGV[2] of group ARGV[1] from each stream where it has
/// no pending entry (deleting one with pending entries would lose them).
const FORGET: &str = r#"
for slot = 1, #KEYS do
  local ok, p = pcall(redis.call, 'XPENDING', KEYS[slot], ARGV[1], '-', '+', 1, ARGV[2])
  if ok and #p == 0 then
    redis.pcall('XGROUP', 'DELCONSUMER', KEYS[slot], ARGV[1], ARGV[2])
  end
end
return 0
"#;

/// XLEN and the pending count of each stream.
const DEPTH: &str = r#"
local out = {}
for slot = 1, #KEYS do
  local len = redis.call('XLEN', KEYS[slot])
  local pending = 0
  local ok, p = pcall(redis.call, 'XPENDING', KEYS[slot], ARGV[1])
  if ok and p then pending = p[1] end
  table.insert(out, len); table.insert(out, pending)
end
return out
"#;

/// The streams in Redis: `<prefix>:{work}:high`, `:normal` and `:low`
/// (one hash tag, so each script's keys share a Redis Cluster slot).
pub struct RedisQueue {
    pool: Pool,
    keys: [String; 3],
}

impl RedisQueue {
    /// Connects with a small pool; a Redis that is down at start is not an
    /// error (commands fail after `timeout` until it is back).
    pub async fn connect(url: &str, prefix: &str, timeout: Duration) -> Result<RedisQueue> {
        let pool = crate::store::connect_pool(url, timeout, 2, "work queue").await?;
        Ok(RedisQueue {
            pool,
            keys: ["high", "normal", "low"].map(|p| format!("{prefix}:{{work}}:{p}")),
        })
    }

    fn deliveries(flat: Vec<String>) -> Vec<Delivery> {
        flat.chunks_exact(4)
            .filter_map(|c| {
                let s: usize = c[0].parse().ok()?;
                Some(Delivery {
                    entry: c[1].clone(),
                    priority: *PRIORITIES.get(s.checked_sub(1)?)?,
                    batch: c[2].clone(),
                    index: c[3].parse().ok()?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl WorkQueue for RedisQueue {
    async fn push(&self, priority: Priority, batch: &str, indexes: &[usize]) -> Result<()> {
        let key = &self.keys[slot(priority)];
        for chunk in indexes.chunks(1000) {
            let mut args = vec![GROUP.to_owned(), batch.to_owned()];
            args.extend(chunk.iter().map(usize::to_string));
            let _: i64 = self.pool.eval(PUSH, vec![key.clone()], args).await?;
        }
        Ok(())
    }

    async fn take(&self, consumer: &str, n: usize, weights: [u32; 3]) -> Result<Vec<Delivery>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let [h, m, l] = shares(n, weights);
        let args = vec![
            GROUP.to_owned(),
            consumer.to_owned(),
            h.to_string(),
            m.to_string(),
            l.to_string(),
            n.to_string(),
        ];
        let flat: Vec<String> = self.pool.eval(TAKE, self.keys.to_vec(), args).await?;
        Ok(Self::deliveries(flat))
    }

    async fn reclaim(&self, consumer: &str, idle: Duration, n: usize) -> Result<Vec<Delivery>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let args = vec![
            GROUP.to_owned(),
            consumer.to_owned(),
            idle.as_millis().max(1).to_string(),
            n.to_string(),
        ];
        let flat: Vec<String> = self.pool.eval(RECLAIM, self.keys.to_vec(), args).await?;
        Ok(Self::deliveries(flat))
    }

    async fn ack(&self, d: &Delivery) -> Result<()> {
        let key = self.keys[slot(d.priority)].clone();
        let _: i64 = self
            .pool
            .eval(ACK, vec![key], vec![GROUP.to_owned(), d.entry.clone()])
            .await?;
        Ok(())
    }

    async fn release(&self, deliveries: &[Delivery]) -> Result<()> {
        for p in PRIORITIES {
            let mut args = vec![GROUP.to_owned()];
            args.extend(
                deliveries
                    .iter()
                    .filter(|d| d.priority == p)
                    .map(|d| d.entry.clone()),
            );
            if args.len() > 1 {
                let _: i64 = self
                    .pool
                    .eval(RELEASE, vec![self.keys[slot(p)].clone()], args)
                    .await?;
            }
        }
        Ok(())
    }

    async fn forget(&self, consumer: &str) -> Result<()> {
        let _: i64 = self
            .pool
            .eval(
                FORGET,
                self.keys.to_vec(),
                vec![GROUP.to_owned(), consumer.to_owned()],
            )
            .await?;
        Ok(())
    }

    async fn depth(&self) -> Result<QueueDepth> {
        let flat: Vec<u64> = self
            .pool
            .eval(DEPTH, self.keys.to_vec(), vec![GROUP.to_owned()])
            .await?;
        let d = |s: usize| Depth {
            backlog: flat.get(2 * s).copied().unwrap_or(0),
            pending: flat.get(2 * s + 1).copied().unwrap_or(0),
        };
        Ok(QueueDepth {
            high: d(0),
            normal: d(1),
            low: d(2),
        })
    }
}
