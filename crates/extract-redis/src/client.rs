//! The one Redis connection pool builder, and commands bounded in time and
//! skipped while Redis is down, so that a missing Redis costs a branch,
//! not a wait.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fred::prelude::{
    Builder, ClientLike, Config as FredConfig, Expiration, KeysInterface, LuaInterface, Pool,
    ReconnectPolicy, SortedSetsInterface,
};

use crate::{Error, Result};

/// How to connect.
#[derive(Debug, Clone)]
pub struct Options {
    /// Connections in the pool (at least one).
    pub connections: usize,
    /// The longest a command may take.
    pub command_timeout: Duration,
    /// The longest a connection may take, and the wait for Redis at start.
    pub connect_timeout: Duration,
    /// Attempts of a command across a reconnection: 1 for a cache that
    /// would rather skip than wait, more for records that must be written.
    pub command_attempts: u32,
    /// The key [`Redis::probe_writes`] writes.
    pub probe_key: String,
    /// What the pool is for, in the log.
    pub purpose: &'static str,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            connections: 4,
            command_timeout: Duration::from_millis(500),
            connect_timeout: Duration::from_secs(2),
            command_attempts: 1,
            probe_key: "extract:probe".to_owned(),
            purpose: "redis",
        }
    }
}

/// Whether Redis is usable now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RedisState {
    /// Connected and answering.
    pub connected: bool,
    /// Why not, when not.
    pub reason: Option<String>,
    /// Commands that failed or timed out since start.
    pub errors: u64,
    /// Why Redis refuses writes (out of memory, read-only replica, failed
    /// snapshot, missing permission) while it still answers reads: the
    /// service keeps serving, but nothing new is kept.
    pub writes_refused: Option<String>,
}

/// A Redis connection pool that reconnects by itself, with the commands
/// the cache, the heartbeats and the rate limits use, each bounded in time.
pub struct Redis {
    pool: Pool,
    timeout: Duration,
    errors: AtomicU64,
    /// The last write refusal seen, until a write succeeds.
    refused: std::sync::Mutex<Option<String>>,
    probe_key: String,
}

/// Why Redis refused a command, when it is a refusal to write: by the error
/// code its answer starts with (`OOM`, `READONLY`, `MISCONF`, `NOPERM`).
pub fn write_refusal(error: &fred::error::Error) -> Option<String> {
    let reply = error.details();
    let code = reply.split_whitespace().next()?;
    let why = match code {
        "OOM" => "out of memory: maxmemory reached and the policy evicts nothing",
        "READONLY" => "read-only: the server is a replica",
        "MISCONF" => "writes stopped: the last snapshot to disk failed",
        "NOPERM" => "no permission for this command or key",
        _ => return None,
    };
    Some(format!("{code}: {why}"))
}

impl Redis {
    /// Connects to `url` with `options`. A Redis that is down at start is
    /// not an error: the pool keeps reconnecting in the background (backing
    /// off from 100 ms to 2 s) and [`Redis::state`] reports it down.
    pub async fn connect(url: &str, options: Options) -> Result<Arc<Redis>> {
        let fred_config = FredConfig::from_url(url).map_err(Error::BadUrl)?;
        let timeout = options.command_timeout.max(Duration::from_millis(1));
        let connect_timeout = options.connect_timeout.max(Duration::from_millis(1));
        let mut builder = Builder::from_config(fred_config);
        builder
            .with_connection_config(|c| {
                c.connection_timeout = connect_timeout;
                c.internal_command_timeout = connect_timeout;
                c.max_command_attempts = options.command_attempts.max(1);
            })
            .with_performance_config(|p| p.default_command_timeout = timeout)
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2));
        let pool = builder
            .build_pool(options.connections.max(1))
            .map_err(Error::BadUrl)?;
        let _connection_tasks = pool.connect();
        let purpose = options.purpose;
        match tokio::time::timeout(connect_timeout, pool.wait_for_connect()).await {
            Ok(Ok(())) => tracing::info!(connections = pool.size(), "{purpose}: redis connected"),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "{purpose}: redis unavailable at start; reconnecting")
            }
            Err(_) => tracing::warn!("{purpose}: redis did not answer at start; reconnecting"),
        }
        Ok(Arc::new(Redis {
            pool,
            timeout,
            errors: AtomicU64::new(0),
            refused: std::sync::Mutex::new(None),
            probe_key: options.probe_key,
        }))
    }

    /// The pool, for a crate that sends commands of its own (the job
    /// store's and the work queue's scripts and streams).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Whether it is usable now.
    pub fn state(&self) -> RedisState {
        let connected = self.pool.next_connected().is_connected();
        RedisState {
            connected,
            reason: (!connected)
                .then(|| "redis unreachable; reconnecting in the background".to_owned()),
            errors: self.errors.load(Ordering::Relaxed),
            writes_refused: self
                .refused
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        }
    }

    /// Runs a Lua `script` (cached by Redis after the first call) that
    /// answers an integer.
    pub async fn eval_i64(
        &self,
        script: &str,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> Result<i64> {
        self.bounded(
            self.pool
                .next_connected()
                .eval::<i64, _, _, _>(script, keys, args),
        )
        .await
    }

    /// The value at `key`.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.bounded(self.pool.next_connected().get::<Option<Vec<u8>>, _>(key))
            .await
    }

    /// The values at `keys`, in order, one round trip per 1,000 keys.
    pub async fn mget(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(1000) {
            let values: Vec<Option<Vec<u8>>> = if chunk.len() == 1 {
                vec![self.get(&chunk[0]).await?]
            } else {
                self.bounded(
                    self.pool
                        .next_connected()
                        .mget::<Vec<Option<Vec<u8>>>, _>(chunk.to_vec()),
                )
                .await?
            };
            out.extend(values);
        }
        Ok(out)
    }

    /// `SET key value PX ttl`.
    pub async fn set_px(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<()> {
        let ms = i64::try_from(ttl.as_millis().max(1)).unwrap_or(i64::MAX);
        self.bounded(self.pool.next_connected().set::<(), _, _>(
            key,
            value,
            Some(Expiration::PX(ms)),
            None,
            false,
        ))
        .await
    }

    /// Removes `keys`.
    pub async fn del(&self, keys: &[String]) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        self.bounded(self.pool.next_connected().del::<i64, _>(keys.to_vec()))
            .await
            .map(|_| ())
    }

    /// Adds `member` to the sorted set `key` scored by its expiry (Unix ms).
    pub async fn zadd_expiring(&self, key: &str, member: &str, expires_ms: u64) -> Result<()> {
        self.bounded(self.pool.next_connected().zadd::<(), _, _>(
            key,
            None,
            None,
            false,
            false,
            (expires_ms as f64, member.to_owned()),
        ))
        .await
    }

    /// The members of the sorted set `key` whose expiry has not passed
    /// (the others are removed).
    pub async fn zlive(&self, key: &str) -> Result<Vec<String>> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()) as f64;
        let client = self.pool.next_connected();
        self.bounded(client.zremrangebyscore::<(), _, _, _>(key, "-inf", now))
            .await?;
        self.bounded(client.zrangebyscore::<Vec<String>, _, _, _>(key, now, "+inf", false, None))
            .await
    }

    /// Writes a short-lived key: clears a write refusal when it succeeds,
    /// records one when Redis refuses. Called every few seconds, so that a
    /// refusal is known even when nothing else writes.
    pub async fn probe_writes(&self) -> Result<()> {
        let written = self
            .set_px(&self.probe_key, b"1".to_vec(), Duration::from_secs(10))
            .await;
        if written.is_ok() {
            *self.refused.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
        written
    }

    /// `fut`, a command on this pool: skipped while disconnected, bounded
    /// by the command timeout, its failure counted (and a refusal to write
    /// remembered).
    pub async fn bounded<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, fred::error::Error>>,
    ) -> Result<T> {
        if !self.pool.next_connected().is_connected() {
            return Err(Error::Disconnected);
        }
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                if let Some(why) = write_refusal(&e) {
                    *self.refused.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
                }
                Err(Error::Redis(e))
            }
            Err(_) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                Err(Error::Timeout)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::write_refusal;
    use fred::error::{Error, ErrorKind};

    #[test]
    fn write_refusals_are_known_by_their_error_code() {
        let check = |reply: &str, code: Option<&str>| {
            let why = write_refusal(&Error::new(ErrorKind::Unknown, reply.to_owned()));
            assert_eq!(
                why.as_deref().map(|w| w.contains(code.unwrap_or("-"))),
                code.map(|_| true),
                "{reply}: {why:?}"
            );
        };
        check(
            "OOM command not allowed when used memory > 'maxmemory'.",
            Some("OOM"),
        );
        check(
            "READONLY You can't write against a read only replica.",
            Some("READONLY"),
        );
        check(
            "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
            Some("MISCONF"),
        );
        check(
            "NOPERM User default has no permissions to run the 'set' command",
            Some("NOPERM"),
        );
        // Other errors are not refusals to write, whatever they mention.
        check("ERR wrong number of arguments (OOM)", None);
        check("WRONGTYPE Operation against a key", None);
    }
}
