//! The Prometheus names of the cache's counters: lookups per level, tier
//! and result, sizes, coalesced and stale answers, whether Redis is up.

use extract_core::metrics::MetricSink;

use crate::CacheStats;

impl CacheStats {
    /// `extract_cache_lookups_total{level,tier,result}`,
    /// `extract_cache_{entries,bytes}{level}`,
    /// `extract_cache_{coalesced,stale_served}_total{level}` and, with
    /// Redis, `extract_redis_up`.
    pub fn write_metrics(&self, sink: &dyn MetricSink) {
        for (level, l) in [
            ("company", &self.company),
            ("serp", &self.serp),
            ("page", &self.page),
        ] {
            let tiers = [("l1", Some(&l.l1)), ("l2", l.l2.as_ref())];
            for (tier, t) in tiers {
                let Some(t) = t else { continue };
                for (result, n) in [("hit", t.hits), ("miss", t.misses)] {
                    sink.counter(
                        "extract_cache_lookups_total",
                        &[("level", level), ("tier", tier), ("result", result)],
                        n,
                    );
                }
            }
            let level = [("level", level)];
            sink.gauge("extract_cache_entries", &level, l.l1_entries as f64);
            sink.gauge("extract_cache_bytes", &level, l.l1_bytes as f64);
            sink.counter("extract_cache_coalesced_total", &level, l.coalesced);
            sink.counter("extract_cache_stale_served_total", &level, l.stale_served);
        }
        if let Some(redis) = &self.redis {
            let up = if redis.connected { 1.0 } else { 0.0 };
            sink.gauge("extract_redis_up", &[], up);
        }
    }
}

#[cfg(test)]
mod tests {
    use extract_core::metrics::MetricList;

    use crate::{Cache, Config};

    #[test]
    fn an_in_process_cache_writes_its_first_tier_only() {
        let caches = Cache::with_store(&Config::default(), None);
        let sink = MetricList::default();
        caches.stats().write_metrics(&sink);
        let lookups = |tier| {
            sink.value(
                "extract_cache_lookups_total",
                &[("level", "company"), ("tier", tier), ("result", "miss")],
            )
        };
        assert_eq!(lookups("l1"), Some(0.0));
        assert_eq!(lookups("l2"), None, "no shared tier without Redis");
        assert_eq!(sink.value("extract_redis_up", &[]), None);
        assert_eq!(
            sink.value("extract_cache_entries", &[("level", "page")]),
            Some(0.0)
        );
    }
}
