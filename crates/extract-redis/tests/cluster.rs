//! The cluster's rate limits and heartbeats, on a real Redis: two instances
//! (two connection pools) keep one rate together.

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use extract_core::SharedRate;
use extract_redis::{Instance, Members, Options, Redis, RedisMembers, RedisRate};
use extract_test_support::redis::{shared_url, unique_prefix, TestRedis};

async fn connect(url: &str) -> Arc<Redis> {
    Redis::connect(url, Options::default()).await.unwrap()
}

/// Departs under `key` as fast as the shared limit lets it for `run`; the
/// departure times.
async fn depart_for(rate: Arc<RedisRate>, per_sec: f64, burst: u32, run: Duration) -> Vec<Instant> {
    let started = Instant::now();
    let mut times = Vec::new();
    while started.elapsed() < run {
        match rate.try_depart("search", per_sec, burst).await.unwrap() {
            None => times.push(Instant::now()),
            Some(wait) => tokio::time::sleep(wait).await,
        }
    }
    times
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_keep_one_rate_together() {
    let Some(url) = shared_url("cluster_rate") else {
        return;
    };
    let prefix = unique_prefix("cluster_rate");
    let live = Arc::new(AtomicUsize::new(2));
    let a = Arc::new(RedisRate::new(connect(&url).await, &prefix, live.clone()));
    let b = Arc::new(RedisRate::new(connect(&url).await, &prefix, live));
    let run = Duration::from_secs(3);
    // Four callers on each instance, as concurrent requests would be.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let r = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(depart_for(r, 20.0, 5, run))
        })
        .collect();
    let mut all = Vec::new();
    let mut per_instance = [0usize; 2];
    for (i, t) in tasks.into_iter().enumerate() {
        let times = t.await.unwrap();
        per_instance[i % 2] += times.len();
        all.extend(times);
    }
    all.sort();
    let busiest = extract_test_support::timing::max_in_window(&all, Duration::from_secs(1));
    println!(
        "two instances at 20/s together: {} departures in {run:?} ({per_instance:?}), at most {busiest} in any second",
        all.len()
    );
    assert!(busiest <= 20, "{busiest} in one second");
    // 3 s at 20/s with a burst of 5, less the 2 % slack.
    assert!((50..=66).contains(&all.len()), "{} departures", all.len());
    assert!(
        per_instance.iter().all(|n| *n >= 10),
        "both instances got slots: {per_instance:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_list_the_live_and_forget_the_silent() {
    let Some(url) = shared_url("cluster_members") else {
        return;
    };
    let prefix = unique_prefix("cluster_members");
    let members = RedisMembers::new(connect(&url).await, &prefix);
    let now = extract_core_now();
    let me = |id: &str, started: u64| Instance {
        id: id.to_owned(),
        address: "127.0.0.1:1".to_owned(),
        version: "test".to_owned(),
        started_at_ms: started,
        seen_at_ms: extract_core_now(),
        in_flight: 3,
        batches: 1,
        cpu_percent: 10.0,
        rss_bytes: 1 << 20,
    };
    members
        .beat(&me("a", now - 10), Duration::from_secs(10))
        .await
        .unwrap();
    members
        .beat(&me("b", now), Duration::from_millis(300))
        .await
        .unwrap();
    let live = members.live().await.unwrap();
    assert_eq!(
        live.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        ["a", "b"],
        "oldest first"
    );
    assert_eq!(live[0].in_flight, 3);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let live = members.live().await.unwrap();
    assert_eq!(live.len(), 1, "b went silent: {live:?}");
}

/// The limit answers an error (the caller's cue to keep to its share)
/// while Redis is down, and works again when it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_is_an_error_not_a_wait() {
    let Some(mut redis) = TestRedis::start_or_skip("cluster_rate_down") else {
        return;
    };
    let prefix = unique_prefix("cluster_rate_down");
    let rate = RedisRate::new(
        connect(&redis.url()).await,
        &prefix,
        Arc::new(AtomicUsize::new(3)),
    );
    assert_eq!(rate.try_depart("search", 10.0, 1).await, Ok(None));
    redis.stop();
    let t = Instant::now();
    assert!(rate.try_depart("search", 10.0, 1).await.is_err());
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    assert_eq!(rate.instances(), 3);
    assert!(redis.restart());
    let deadline = Instant::now() + Duration::from_secs(10);
    while rate.try_depart("search", 10.0, 1).await.is_err() {
        assert!(Instant::now() < deadline, "back after the restart");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn extract_core_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}
