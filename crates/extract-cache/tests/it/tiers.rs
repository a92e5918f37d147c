//! The two tiers, coalescing, freshness and degradation, on a real Redis.

use extract_core::clock::ManualClock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use extract_cache::{connect_redis, Cache, Config, Outcome, RemoteStore};
use extract_core::{CompanyProfile, CompanyQuery, Freshness, ProfileSource, Result, Secret};
use extract_test_support::redis::{shared_url, unique_prefix, TestRedis};

/// A profile source that counts its calls and takes a little time.
#[derive(Default)]
struct Counting {
    calls: AtomicU64,
    instant: bool,
}

#[async_trait]
impl ProfileSource for Counting {
    async fn profile(&self, q: &CompanyQuery) -> Result<CompanyProfile> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if !self.instant {
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        Ok(CompanyProfile {
            query: format!("{}#{n}", q.label()),
            ..Default::default()
        })
    }
}

fn config(url: &str, prefix: &str) -> Config {
    Config {
        redis_url: Secret::new(url),
        prefix: prefix.to_owned(),
        ..Config::default()
    }
}

#[tokio::test]
async fn a_second_process_reads_the_first_ones_values_from_redis() {
    let Some(url) = shared_url("a_second_process_reads") else {
        return;
    };
    let prefix = unique_prefix("second_process");
    let q = CompanyQuery::by_name("Walmart").unwrap();

    let first = Cache::connect(&config(&url, &prefix)).await.unwrap();
    let source = Arc::new(Counting::default());
    let profiles = first.profiles(source.clone());
    assert_eq!(profiles.serve(&q).await.unwrap().outcome, Outcome::Computed);
    assert_eq!(profiles.serve(&q).await.unwrap().outcome, Outcome::L1);

    // A fresh cache (a restarted process): empty L1, same Redis and prefix.
    let second = Cache::connect(&config(&url, &prefix)).await.unwrap();
    let other_source = Arc::new(Counting::default());
    let profiles = second.profiles(other_source.clone());
    let served = profiles.serve(&q).await.unwrap();
    let (p, outcome) = (served.value, served.outcome);
    assert_eq!(outcome, Outcome::L2);
    assert_eq!(p.query, "Walmart#0");
    assert_eq!(other_source.calls.load(Ordering::SeqCst), 0);
    assert_eq!(profiles.serve(&q).await.unwrap().outcome, Outcome::L1);

    // Invalidation reaches both tiers.
    assert!(profiles.invalidate("walmart").await.unwrap());
    let third = Cache::connect(&config(&url, &prefix)).await.unwrap();
    let outcome = third
        .profiles(other_source.clone())
        .serve(&q)
        .await
        .unwrap()
        .outcome;
    assert_eq!(outcome, Outcome::Computed);
}

#[tokio::test]
async fn concurrent_misses_share_one_computation() {
    let Some(url) = shared_url("concurrent_misses") else {
        return;
    };
    let cache = Cache::connect(&config(&url, &unique_prefix("coalesce")))
        .await
        .unwrap();
    let source = Arc::new(Counting::default());
    let profiles = Arc::new(cache.profiles(source.clone()));
    let q = CompanyQuery::by_name("Exxon Mobil").unwrap();
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let p = profiles.clone();
            let q = q.clone();
            tokio::spawn(async move { p.serve(&q).await.unwrap().outcome })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    assert_eq!(source.calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        outcomes.iter().filter(|o| **o == Outcome::Computed).count(),
        1
    );
    assert_eq!(cache.stats().company.computed, 1);
}

#[tokio::test]
async fn freshness_max_age_force_refresh_and_stale_while_revalidate() {
    let Some(url) = shared_url("freshness") else {
        return;
    };
    let mut c = config(&url, &unique_prefix("fresh"));
    c.company_ttl_s = 60;
    c.stale_grace_s = 600;
    // Time moves when the test says: no waiting out the TTL.
    let clock = Arc::new(ManualClock::at(1_800_000_000_000));
    let store = extract_cache::connect_redis(&c).await.unwrap();
    let cache = Cache::with_clock(&c, Some(store), clock.clone());
    let source = Arc::new(Counting::default());
    let profiles = cache.profiles(source.clone());
    let mut q = CompanyQuery::by_name("Apple").unwrap();
    assert_eq!(profiles.serve(&q).await.unwrap().outcome, Outcome::Computed);

    q.freshness = Freshness {
        max_age_s: None,
        force_refresh: true,
    };
    assert_eq!(profiles.serve(&q).await.unwrap().outcome, Outcome::Computed);
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);

    // Past the TTL: served stale at once, refreshed in the background.
    clock.advance(Duration::from_secs(61));
    q.freshness = Freshness::default();
    let served = profiles.serve(&q).await.unwrap();
    let (stale, outcome) = (served.value, served.outcome);
    assert_eq!(outcome, Outcome::Stale);
    assert_eq!(stale.query, "Apple#1");
    for _ in 0..50 {
        if source.calls.load(Ordering::SeqCst) == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        source.calls.load(Ordering::SeqCst),
        3,
        "the background refresh ran"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let served = profiles.serve(&q).await.unwrap();
    let (fresh, outcome) = (served.value, served.outcome);
    assert_eq!((fresh.query.as_str(), outcome), ("Apple#2", Outcome::L1));

    // A caller that sets a maximum age gets no stale value.
    clock.advance(Duration::from_secs(2));
    q.freshness = Freshness {
        max_age_s: Some(1),
        force_refresh: false,
    };
    assert_eq!(profiles.serve(&q).await.unwrap().outcome, Outcome::Computed);

    // Past the grace period as well: computed again, never served stale,
    // though the entry is still in memory.
    clock.advance(Duration::from_secs(661));
    q.freshness = Freshness::default();
    assert_eq!(profiles.serve(&q).await.unwrap().outcome, Outcome::Computed);
}

#[tokio::test]
async fn prefetch_takes_one_round_trip_per_thousand_keys() {
    let Some(mut redis) = TestRedis::start_or_skip("prefetch") else {
        return;
    };
    let c = config(&redis.url(), &unique_prefix("prefetch"));
    let writer = Cache::connect(&c).await.unwrap();
    let source = Arc::new(Counting {
        instant: true,
        ..Counting::default()
    });

    let names: Vec<CompanyQuery> = (0..1500)
        .map(|i| CompanyQuery::by_name(&format!("Company {i}")).unwrap())
        .collect();
    let profiles = writer.profiles(source.clone());
    for q in names.iter().step_by(2) {
        profiles.profile(q).await.unwrap();
    }
    let reader = Cache::connect(&c).await.unwrap();
    let before = mget_calls(&redis.url()).await;
    let found = reader.profiles(source).cached(&names).await;
    let after = mget_calls(&redis.url()).await;
    assert_eq!(found.iter().filter(|f| f.is_some()).count(), 750);
    assert!(found[0].is_some() && found[1].is_none());
    assert_eq!(after - before, 2, "1,500 keys: two MGETs");
    redis.stop();
}

async fn mget_calls(url: &str) -> u64 {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("redis://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(b"INFO commandstats\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let mut buf = vec![0u8; 65536];
    let n = s.read(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    text.lines()
        .find(|l| l.starts_with("cmdstat_mget:"))
        .and_then(|l| l.split("calls=").nth(1))
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn redis_down_is_a_skipped_tier_and_it_comes_back() {
    let Some(mut redis) = TestRedis::start_or_skip("redis_down") else {
        return;
    };
    let mut c = config(&redis.url(), &unique_prefix("down"));
    c.redis_command_timeout_ms = 100;
    let store = connect_redis(&c).await.unwrap();
    assert!(store.state().connected);
    let cache = Cache::with_store(&c, Some(store.clone() as Arc<dyn RemoteStore>));
    let source = Arc::new(Counting::default());
    let profiles = cache.profiles(source.clone());
    profiles
        .profile(&CompanyQuery::by_name("Before").unwrap())
        .await
        .unwrap();

    redis.stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    for i in 0..20 {
        let started = std::time::Instant::now();
        profiles
            .profile(&CompanyQuery::by_name(&format!("During {i}")).unwrap())
            .await
            .unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "no waiting on a dead Redis"
        );
    }
    assert!(!store.state().connected);
    assert!(store.state().reason.is_some());

    assert!(redis.restart());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !store.state().connected {
        assert!(
            std::time::Instant::now() < deadline,
            "reconnected within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    profiles
        .profile(&CompanyQuery::by_name("After").unwrap())
        .await
        .unwrap();
    let fresh = Cache::with_store(&c, Some(store as Arc<dyn RemoteStore>));
    let outcome = fresh
        .profiles(source)
        .serve(&CompanyQuery::by_name("After").unwrap())
        .await
        .unwrap()
        .outcome;
    assert_eq!(outcome, Outcome::L2);
}
