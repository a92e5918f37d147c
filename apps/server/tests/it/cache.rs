//! Caching end to end: restart survival across processes, coalescing, Redis
//! failure and recovery, and the cache endpoints.

use std::time::{Duration, Instant};

use extract_core::Secret;
use extract_test_support::redis::{shared_url, unique_prefix, TestRedis};

use crate::common::{extract, request, stack, start_server, Process};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_process_serves_from_redis_with_no_upstream_call() {
    let Some(redis) = shared_url("restart_survival") else {
        return;
    };
    let stack = stack(600, |_| {}).await;
    let prefix = unique_prefix("restart");
    let walmart = serde_json::json!({ "company_name": "Walmart" });

    let first = Process::start(&stack.sandbox.url(), &redis, &prefix).await;
    let reply = extract(first.addr, &walmart).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.headers["x-cache"], "miss");
    drop(first);

    let upstream_before = stack.sandbox.stats();
    let second = Process::start(&stack.sandbox.url(), &redis, &prefix).await;
    let reply = extract(second.addr, &walmart).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["x-cache"], "hit-l2");
    assert_eq!(reply.json["domain"], "walmart.com");
    let upstream_after = stack.sandbox.stats();
    assert_eq!(
        upstream_after.search_requests, upstream_before.search_requests,
        "no search"
    );
    assert_eq!(
        upstream_after.page_requests, upstream_before.page_requests,
        "no page fetched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_identical_cold_requests_cost_one_of_each_upstream_call() {
    let stack = stack(600, |c| {
        c.crawl.per_host_rate = 0.0;
        c.cache.redis_url = Secret::default();
    })
    .await;
    let addr = stack.addr();
    let replies = futures_util::future::join_all((0..100).map(|_| async move {
        extract(addr, &serde_json::json!({ "company_name": "Exxon Mobil" })).await
    }))
    .await;
    assert!(replies.iter().all(|r| r.status == 200));
    let misses = replies
        .iter()
        .filter(|r| r.headers["x-cache"] == "miss")
        .count();
    assert_eq!(misses, 1, "one computation");
    let stats = stack.sandbox.stats();
    assert_eq!(stats.search_requests, 1);
    // robots.txt and the homepage, once each.
    assert_eq!(stats.page_requests, 2);
    assert_eq!(stats.robots_requests, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_run_fails_nothing_and_l2_hits_resume() {
    let Some(mut redis) = TestRedis::start_or_skip("redis_stopped_mid_run") else {
        return;
    };
    let prefix = unique_prefix("midrun");
    let url = redis.url();
    let configure = |c: &mut extract_server::Config| {
        c.cache.redis_url = Secret::new(url.clone());
        c.cache.prefix = prefix.clone();
        c.cache.redis_command_timeout_ms = 100;
        c.crawl.per_host_rate = 0.0;
    };
    let stack = stack(1_000, configure).await;
    let mut config_b = extract_server::Config::defaults();
    extract_server::sandbox::point_at(&mut config_b, stack.sandbox.addr());
    config_b.cache.warm_file = String::new();
    configure(&mut config_b);
    let b = start_server(config_b).await;

    let names: Vec<String> = stack.sandbox.world().names(60);
    for name in &names[..10] {
        assert_eq!(
            extract(stack.addr(), &serde_json::json!({ "company_name": name }))
                .await
                .status,
            200
        );
    }
    assert_eq!(
        request(stack.addr(), "GET", "/ready", None, "").await.json["status"],
        "ready"
    );

    redis.stop();
    for name in &names[10..40] {
        let r = extract(stack.addr(), &serde_json::json!({ "company_name": name })).await;
        assert_eq!(r.status, 200, "{name} with Redis down: {}", r.json);
    }
    let ready = request(stack.addr(), "GET", "/ready", None, "").await;
    assert_eq!(ready.json["status"], "degraded", "{}", ready.json);
    assert!(ready.json["reason"].is_string());

    assert!(redis.restart());
    let restarted = Instant::now();
    let mut resumed = false;
    for name in &names[40..60] {
        // A company computed by one instance is a shared-tier hit for the other.
        assert_eq!(
            extract(stack.addr(), &serde_json::json!({ "company_name": name }))
                .await
                .status,
            200
        );
        let r = extract(b.addr(), &serde_json::json!({ "company_name": name })).await;
        assert_eq!(r.status, 200);
        if r.headers["x-cache"] == "hit-l2" {
            resumed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(resumed, "L2 hits resumed");
    assert!(
        restarted.elapsed() < Duration::from_secs(5),
        "within 5 s: {:?}",
        restarted.elapsed()
    );
    assert_eq!(
        request(stack.addr(), "GET", "/ready", None, "").await.json["status"],
        "ready"
    );
}

#[tokio::test]
async fn stats_warm_and_invalidate() {
    let stack = stack(600, |c| c.cache.redis_url = Secret::default()).await;
    let addr = stack.addr();
    let walmart = serde_json::json!({ "company_name": "Walmart" });
    assert_eq!(extract(addr, &walmart).await.headers["x-cache"], "miss");
    assert_eq!(extract(addr, &walmart).await.headers["x-cache"], "hit-l1");

    let stats = request(addr, "GET", "/api/v1/cache/stats", None, "").await;
    assert_eq!(stats.status, 200);
    assert_eq!(stats.json["company"]["l1"]["hits"], 1);
    assert_eq!(stats.json["company"]["computed"], 1);
    assert!(stats.json["company"]["l1"]["p99_ms"].is_number());
    assert!(stats.json["redis"].is_null());

    let warm = request(
        addr,
        "POST",
        "/api/v1/cache/warm",
        Some("application/json"),
        r#"{"company_names":["Apple","Chevron"]}"#,
    )
    .await;
    assert_eq!(warm.status, 202, "{}", warm.json);
    assert_eq!(warm.json["queued"], 2);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = request(addr, "GET", "/api/v1/cache/stats", None, "").await;
        if s.json["warm"]["done"] == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "warming finished: {}", s.json);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        extract(addr, &serde_json::json!({ "company_name": "Apple" }))
            .await
            .headers["x-cache"],
        "hit-l1"
    );
    let bad = request(
        addr,
        "POST",
        "/api/v1/cache/warm",
        Some("application/json"),
        r#"{"company_names":["ok",""]}"#,
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json["error"]["details"]["invalid_indexes"][0], 1);

    let del = request(addr, "DELETE", "/api/v1/cache/company/Walmart", None, "").await;
    assert_eq!(del.status, 200, "{}", del.json);
    assert_eq!(extract(addr, &walmart).await.headers["x-cache"], "miss");
    // max_age_s: 0 demands a value computed now.
    let fresh = extract(
        addr,
        &serde_json::json!({ "company_name": "Walmart", "max_age_s": 0 }),
    )
    .await;
    assert_eq!(fresh.headers["x-cache"], "miss");
    let forced = extract(
        addr,
        &serde_json::json!({ "company_name": "Walmart", "force_refresh": true }),
    )
    .await;
    assert_eq!(forced.headers["x-cache"], "miss");
}

/// The request path reads through one profile source whether caching is on
/// or off: the same `x-cache` vocabulary, and the request stage timed the
/// same way (a hit counted as the cache stage too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_cache_says_the_same_with_caching_on_and_off() {
    let walmart = serde_json::json!({ "company_name": "Walmart" });
    let count = |metrics: &str, stage: &str| -> u64 {
        let prefix =
            format!("extract_stage_duration_seconds_count{{stage=\"{stage}\",outcome=\"ok\"}}");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .map_or(0, |v| v.trim().parse::<f64>().unwrap() as u64)
    };
    for enabled in [true, false] {
        let stack = stack(600, |c| {
            c.cache.enabled = enabled;
            c.cache.redis_url = Secret::default();
        })
        .await;
        let addr = stack.addr();
        let first = extract(addr, &walmart).await;
        let second = extract(addr, &walmart).await;
        assert_eq!((first.status, second.status), (200, 200));
        assert_eq!(first.json["domain"], second.json["domain"]);
        let seen = (
            first.headers["x-cache"].to_str().unwrap(),
            second.headers["x-cache"].to_str().unwrap(),
        );
        let reply = request(addr, "GET", "/metrics", None, "").await;
        let metrics = String::from_utf8_lossy(&reply.body);
        if enabled {
            assert_eq!(seen, ("miss", "hit-l1"));
            assert_eq!(
                count(&metrics, "cache"),
                1,
                "one hit timed as the cache stage"
            );
        } else {
            assert_eq!(seen, ("off", "off"));
            assert_eq!(count(&metrics, "cache"), 0);
        }
        assert_eq!(
            count(&metrics, "request"),
            2,
            "both requests timed (caching {enabled})"
        );
    }
}

/// Warming is one bounded queue: a request over `batch.max_size` is 422, one
/// that would overflow `cache.warm_max_pending` is 429 with nothing queued,
/// `DELETE` empties it, and the stats show all of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warming_is_bounded_deduplicated_and_cancellable() {
    let stack = stack(600, |c| {
        c.cache.redis_url = Secret::default();
        c.cache.warm_concurrency = 1;
        c.cache.warm_max_pending = 8;
        c.batch.max_size = 5;
        c.crawl.per_host_rate = 0.0;
    })
    .await;
    let addr = stack.addr();
    let names = |from: usize| -> Vec<String> {
        stack.sandbox.world().companies()[from..from + 5]
            .iter()
            .map(|c| c.name.clone())
            .collect()
    };
    let warm = |body: serde_json::Value| async move {
        request(
            addr,
            "POST",
            "/api/v1/cache/warm",
            Some("application/json"),
            &body.to_string(),
        )
        .await
    };
    let mut six = names(0);
    six.push("One Too Many Inc".into());
    let r = warm(serde_json::json!({ "company_names": six })).await;
    assert_eq!(r.status, 422, "{}", r.json);
    assert_eq!(r.json["error"]["details"]["max_size"], 5);

    let r = warm(serde_json::json!({ "company_names": names(0) })).await;
    assert_eq!(
        (r.status, r.json["queued"].as_u64()),
        (202, Some(5)),
        "{}",
        r.json
    );
    // The same five again: those still queued or running are duplicates;
    // one the worker already finished (a loaded CI host once did) is warmed
    // again, so it is queued, never lost.
    let r = warm(serde_json::json!({ "company_names": names(0) })).await;
    let (queued, duplicates) = (
        r.json["queued"].as_u64().unwrap(),
        r.json["duplicates"].as_u64().unwrap(),
    );
    let done = r.json["progress"]["done"].as_u64().unwrap();
    assert_eq!(queued + duplicates, 5, "{}", r.json);
    assert!(
        queued <= done,
        "only finished ones are queued again: {}",
        r.json
    );
    assert!(duplicates >= 4, "{}", r.json);
    let r = warm(serde_json::json!({ "company_names": names(10) })).await;
    assert_eq!(r.status, 429, "{}", r.json);
    assert_eq!(r.code(), "warm_queue_full");
    assert!(r.headers.contains_key("retry-after"));

    let r = request(addr, "DELETE", "/api/v1/cache/warm", None, "").await;
    assert_eq!(r.status, 200, "{}", r.json);
    let cancelled = r.json["cancelled"].as_u64().unwrap();
    let stats = request(addr, "GET", "/api/v1/cache/stats", None, "").await;
    assert_eq!(stats.json["warm"]["cancelled"].as_u64(), Some(cancelled));
    assert_eq!(stats.json["warm"]["capacity"], 8);
    // Every name ever queued: the first five and those warmed again.
    assert_eq!(stats.json["warm"]["queued"].as_u64(), Some(5 + queued));
}
