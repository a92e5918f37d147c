//! Instances sharing one Redis: the provider's rate kept for all of them
//! together, and each one listed by `GET /api/v1/cluster`.

use std::time::{Duration, Instant};

use extract_sandbox::Knobs;
use extract_server::{sandbox, Config};
use extract_test_support::redis::{shared_url, unique_prefix};
use serde_json::json;

use crate::common::{extract, get, start_server};

/// Two servers on one Redis (one prefix), each configured at 20 searches a
/// second, against one provider that answers 429 above 22 a second: 10%
/// over, room for the test host's scheduling (the limiter spaces the
/// departures, but on a loaded 2-core machine their arrivals can bunch by
/// tens of milliseconds), and far under the 40 a second of two instances
/// that do not share the limit. Both extract 60 companies at once. Returns
/// the provider's 429s, the requests that failed, the wall time and the
/// cluster as the first instance lists it.
async fn two_instances(
    shared_limits: bool,
    test: &str,
) -> Option<(u64, usize, Duration, serde_json::Value)> {
    let redis = shared_url(test)?;
    let prefix = unique_prefix(test);
    let web = crate::common::sandbox_with(
        300,
        Knobs {
            serp_rate: 22.0,
            ..Knobs::default()
        },
    )
    .await;
    let config = || {
        let mut c = Config::defaults();
        sandbox::point_at(&mut c, web.addr());
        c.cache.warm_file = String::new();
        c.cache.redis_url = extract_core::Secret::new(&redis);
        c.cache.prefix = prefix.clone();
        c.batch.redis_prefix = prefix.clone();
        c.search.rate_per_sec = 20.0;
        c.search.burst = 1;
        c.concurrency.max_extractions = 32;
        c.crawl.per_host_rate = 0.0;
        c.cluster.heartbeat_ms = 200;
        c.cluster.shared_limits = shared_limits;
        c
    };
    let a = start_server(config()).await;
    let b = start_server(config()).await;
    let names: Vec<String> = web.world().names(120);
    let started = Instant::now();
    let replies = futures_util::future::join_all(names.iter().enumerate().map(|(i, n)| {
        let addr = if i % 2 == 0 { a.addr() } else { b.addr() };
        let body = json!({ "company_name": n });
        async move { extract(addr, &body).await.status }
    }))
    .await;
    let took = started.elapsed();
    let failed = replies.iter().filter(|s| **s != 200).count();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cluster = get(a.addr(), "/api/v1/cluster").await.json;
    Some((web.stats().rate_limited, failed, took, cluster))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_keep_the_providers_rate_together() {
    let Some((limited, failed, took, cluster)) = two_instances(true, "cluster_shared").await else {
        return;
    };
    println!("two instances, shared limit at 20/s: {limited} × 429, 120 companies in {took:?}, {failed} failed");
    assert_eq!(
        (limited, failed),
        (0, 0),
        "no 429 although two instances search"
    );
    // 120 searches at 20/s together take about 6 s (one instance alone at 20/s each would take 3).
    assert!(took >= Duration::from_secs(5), "{took:?}");
    assert_eq!(cluster["live"], 2, "{cluster:#}");
    assert_eq!(cluster["limits"]["search"], "cluster", "{cluster:#}");
    let ids: Vec<&str> = cluster["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&cluster["self"].as_str().unwrap()),
        "{cluster:#}"
    );
    assert!(cluster["instances"][0]["address"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
}

/// The same without the shared limit: each instance keeps 20/s on its own,
/// together twice the provider's rate, and the provider says 429 (some
/// requests fail once their retries are spent).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_shared_limit_two_instances_exceed_the_rate() {
    let Some((limited, failed, took, cluster)) = two_instances(false, "cluster_local").await else {
        return;
    };
    println!("two instances, each at 20/s alone: {limited} × 429, 120 companies in {took:?}, {failed} failed");
    assert!(limited > 0, "twice the rate gets 429s");
    assert_eq!(cluster["limits"]["search"], "local", "{cluster:#}");
}

/// Redis goes away: requests still go, each instance keeping to its share of
/// the rate, and `/ready`, `/metrics` and the system stats say so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_an_instance_keeps_to_its_share_and_says_so() {
    let Some(mut redis) = extract_test_support::redis::TestRedis::start_or_skip("cluster_fallback")
    else {
        return;
    };
    let s = crate::common::stack(100, |c| {
        c.cache.redis_url = extract_core::Secret::new(redis.url());
        c.search.rate_per_sec = 20.0;
        c.cluster.heartbeat_ms = 200;
    })
    .await;
    let names: Vec<String> = s.sandbox.world().names(2);
    let first = extract(s.addr(), &json!({ "company_name": names[0] })).await;
    assert_eq!(first.status, 200, "{}", first.json);
    let stats = get(s.addr(), "/api/v1/system/stats").await.json;
    assert_eq!(stats["search_rate"]["scope"], "cluster");
    redis.stop();
    let second = extract(s.addr(), &json!({ "company_name": names[1] })).await;
    assert_eq!(second.status, 200, "{}", second.json);
    let stats = get(s.addr(), "/api/v1/system/stats").await.json;
    assert_eq!(
        stats["search_rate"]["scope"], "fallback",
        "{}",
        stats["search_rate"]
    );
    let ready = get(s.addr(), "/ready").await;
    assert_eq!(
        (ready.status, ready.json["status"].as_str()),
        (200, Some("degraded"))
    );
    let metrics = crate::common::request(s.addr(), "GET", "/metrics", None, "").await;
    let text = String::from_utf8_lossy(&metrics.body);
    assert!(
        text.contains("extract_rate_limiter_fallback{limiter=\"search\"} 1"),
        "{text}"
    );
}
