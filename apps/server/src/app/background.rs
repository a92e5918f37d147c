//! What the application does in the background: the once-a-second sample
//! for the monitor (and the alert webhooks it triggers), the reaction to
//! memory and CPU pressure, warming from a file; and the transport of every
//! webhook.

use std::sync::Arc;

use async_trait::async_trait;
use extract_batch::{Notifier, Webhooks};
use extract_perf as perf;
use extract_perf::PoolSample;
use extract_resources::{HttpClient, MemoryShedder, Pressure};

use super::App;

impl App {
    /// Once a second: the permit pools, the search limiter, memory and the
    /// cache go to the performance monitor, which judges its alert rules;
    /// alert changes go to `performance.alerts.webhook_url` when set.
    pub(super) fn sample_every_second(&self) {
        /// Seconds between two probes of whether Redis takes writes.
        const WRITE_PROBE_EVERY_S: u64 = 2;
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut seconds: u64 = 0;
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { break };
                let app = App { inner };
                seconds += 1;
                if seconds.is_multiple_of(WRITE_PROBE_EVERY_S) {
                    app.probe_redis_writes();
                }
                let events = app.inner.perf.sample(app.perf_sample());
                let alerts = &app.config().performance.alerts;
                let url = alerts.webhook_url.trim().to_owned();
                if !url.is_empty() && !events.is_empty() {
                    let sink = AlertWebhook {
                        webhooks: Webhooks::new(
                            Arc::new(WebhookSender(app.inner.http.clone())),
                            &alerts.webhook_secret,
                            alerts.webhook_attempts,
                        ),
                        url,
                    };
                    // Delivery never holds the sampler up.
                    tokio::spawn(async move { perf::deliver_alerts(events, &sink).await });
                }
            }
        });
    }

    /// Probes whether Redis takes writes (in its own task: a slow Redis
    /// never holds the sampler up), and logs a change of answer once.
    fn probe_redis_writes(&self) {
        let Some(redis) = self.inner.redis.clone() else {
            return;
        };
        let app = self.clone();
        tokio::spawn(async move {
            let _ = redis.probe_writes().await;
            // Unreachable is reported as such (`connected`), not as a refusal.
            let now = redis.state().writes_refused;
            let mut held = app
                .inner
                .redis_writes_refused
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if *held != now {
                match &now {
                    Some(why) => {
                        tracing::warn!(reason = %why, "redis refuses writes: results are not cached nor batches stored until it takes them again")
                    }
                    None => tracing::info!("redis takes writes again"),
                }
                (*held).clone_from(&now);
            }
        });
    }

    /// What the performance monitor samples.
    fn perf_sample(&self) -> perf::Sample {
        let g = &self.inner.guards;
        let pools = [&g.extractions, &g.searches, &g.crawls]
            .into_iter()
            .map(|p| {
                let s = p.stats();
                PoolSample {
                    name: s.name,
                    in_use: s.in_use,
                    limit: s.limit,
                    waiting: s.waiting,
                    wait_s: s.wait_s,
                }
            })
            .collect();
        let rate = g.search_rate.snapshot(g.search_rate_per_sec);
        let resources = self.inner.monitor.current();
        // The profile level alone: the other levels are not needed here.
        let (cache_hits, cache_misses) = self.inner.profile_cache.as_ref().map_or((0, 0), |c| {
            let s = c.tiered().snapshot();

            let l2 = s.l2.as_ref().map_or(0, |t| t.hits);
            (s.l1.hits + l2, s.computed)
        });
        perf::Sample {
            at_ms: 0,
            pools,
            limiter_wait_s: rate.wait_seconds,
            politeness_wait_s: g.politeness.snapshot(0.0).wait_seconds,
            limiter_waited: rate.waited,
            limiter_rate_per_s: rate.rate_per_sec,
            rss_bytes: resources.rss_bytes,
            max_memory_bytes: resources.max_memory_bytes,
            cache_hits,
            cache_misses,
        }
    }

    /// Under memory or CPU pressure admission slows (the adaptive extraction
    /// limit halves each sample, and grows back by itself once the pressure
    /// is gone). Only memory sheds the in-process cache, when and as much as
    /// [`MemoryShedder`] says, never below `cache.l1_floor_bytes` and never
    /// an entry being served. CPU load is when the cache saves most.
    pub(super) fn react_to_pressure(&self) {
        let mut samples = self.inner.monitor.subscribe();
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut shedder = MemoryShedder::default();
            while samples.changed().await.is_ok() {
                let sample = *samples.borrow();
                let Some(inner) = weak.upgrade() else { break };
                if sample.pressure >= Pressure::Elevated {
                    inner.guards.extractions.overloaded();
                }
                let Some(over) = shedder.after(&sample) else {
                    continue;
                };
                if let Some(cache) = &inner.cache {
                    let freed = cache.shed(over).await;
                    tracing::warn!(
                        rss_mb = sample.rss_bytes >> 20,
                        shed_mb = freed >> 20,
                        "memory pressure: slowing admission, shedding the in-process cache"
                    );
                }
            }
        });
    }

    /// Writes this instance's heartbeat every `cluster.heartbeat_ms` (it
    /// counts as gone three heartbeats after its last) and counts the live
    /// instances, until shutdown begins.
    pub(super) fn beat(&self) {
        let weak = Arc::downgrade(&self.inner);
        let every = std::time::Duration::from_millis(self.config().cluster.heartbeat_ms.max(100));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { break };
                let app = App { inner };
                if app.is_draining() {
                    break;
                }
                let c = &app.inner.cluster;
                match c.members.beat(&app.instance(), every * 3).await {
                    Ok(()) => {
                        if let Ok(live) = c.members.live().await {
                            c.live
                                .store(live.len().max(1), std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    Err(e) => tracing::debug!(error = %e, "heartbeat not written"),
                }
                if let Some(Ok(depth)) = app.batches().queue_depth().await {
                    *c.depth
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(depth);
                }
            }
        });
    }

    /// Queues the configured warm list, if any.
    pub(super) fn warm_from_file(&self) {
        let file = self.config().cache.warm_file.trim();
        let Some(cache) = self.cache() else { return };
        if file.is_empty() {
            return;
        }
        match std::fs::read_to_string(file) {
            Ok(text) => {
                let names = extract_cache::read_list(&text);
                match cache.warm(self.profiles().clone(), names) {
                    Ok(a) => tracing::info!(
                        file,
                        companies = a.queued,
                        "warming the cache in the background"
                    ),
                    Err(e) => tracing::warn!(file, error = %e, "cache.warm_file not warmed"),
                }
            }
            Err(e) => tracing::warn!(file, error = %e, "cache.warm_file not readable; no warming"),
        }
    }
}

/// Webhooks (batch completions, alerts) go out through the service's HTTP client: the same
/// SSRF guard, timeouts and pool as every other outbound request.
pub(super) struct WebhookSender(pub(super) HttpClient);

#[async_trait]
impl Notifier for WebhookSender {
    async fn post(
        &self,
        url: &str,
        body: Vec<u8>,
        headers: Vec<(String, String)>,
    ) -> Result<u16, extract_core::Error> {
        self.0.post(url, body.into(), &headers).await
    }
}

/// Alert changes go to `performance.alerts.webhook_url` as signed webhooks.
struct AlertWebhook {
    webhooks: Webhooks,
    url: String,
}

#[async_trait]
impl perf::AlertSink for AlertWebhook {
    async fn deliver(&self, event: &str, body: Vec<u8>) -> bool {
        self.webhooks.deliver(&self.url, event, body).await
    }
}
