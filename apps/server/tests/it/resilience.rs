//! Rate limits, retries, politeness, breakers and memory pressure, against
//! the sandbox over real loopback HTTP.

use std::time::{Duration, Instant};

use extract_sandbox::Knobs;

use crate::common::{extract, request, stack};

async fn extract_all(
    addr: std::net::SocketAddr,
    names: &[String],
    at_once: usize,
    mode: &str,
) -> Vec<u16> {
    // Keep `at_once` requests in flight all the time (no waiting for a whole
    // chunk), as a steady client would.
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(at_once));
    let tasks: Vec<_> = names
        .iter()
        .map(|name| {
            let permits = permits.clone();
            let body = serde_json::json!({ "company_name": name, "extraction_mode": mode });
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await.unwrap();
                extract(addr, &body).await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_providers_rate_no_429_and_the_time_the_rate_allows() {
    let rate = 100.0;
    let stack = stack(1_000, |c| {
        c.search.rate_per_sec = rate;
        c.search.burst = 1;
        c.concurrency.max_extractions = 64;
        c.concurrency.max_searches = 64;
        // Politeness waits are another test's business.
        c.extract.respect_robots = false;
    })
    .await;
    // The provider refuses above 10% over the limiter's rate: requests
    // leave paced, but a loaded 2-core host can bunch two arrivals (one 429
    // in a CI run at exactly the rate); 10% is the slack the cluster and
    // scale-out tests give the same way.
    stack.sandbox.set_knobs(Knobs {
        serp_rate: rate * 1.1,
        ..Knobs::default()
    });
    let names: Vec<String> = stack.sandbox.world().names(500);
    let started = Instant::now();
    let statuses = extract_all(stack.addr(), &names, 64, "basic").await;
    let elapsed = started.elapsed();
    let bound = Duration::from_secs_f64((names.len() - 1) as f64 / rate);
    println!("500 companies at {rate}/s: took {elapsed:?}, the rate allows {bound:?}");
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(stack.sandbox.stats().rate_limited, 0, "no 429");
    // The limiter paces rather than letting the provider refuse: never faster
    // than the rate allows. How close to the bound it runs is a benchmark's
    // figure (a loaded 2-core CI host ran it 27% over once); here only that
    // it did not stall.
    assert!(
        elapsed >= bound.mul_f64(0.95),
        "{elapsed:?} is faster than the rate allows ({bound:?})"
    );
    assert!(
        elapsed <= bound.mul_f64(1.5),
        "{elapsed:?} is more than 50% over {bound:?}: the limiter stalled"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_limiter_429s_are_retried_after_retry_after_and_all_complete() {
    let stack = stack(1_000, |c| {
        c.search.rate_per_sec = 0.0;
        c.concurrency.max_extractions = 32;
        c.concurrency.max_searches = 32;
        c.concurrency.retry_attempts = 10;
        c.concurrency.retry_budget_ms = 30_000;
        c.concurrency.breaker_min_calls = 100_000;
        c.extract.respect_robots = false;
    })
    .await;
    stack.sandbox.set_knobs(Knobs {
        serp_rate: 20.0,
        ..Knobs::default()
    });
    let names: Vec<String> = stack
        .sandbox
        .world()
        .companies()
        .iter()
        .skip(500)
        .take(60)
        .map(|c| c.name.clone())
        .collect();
    let statuses = extract_all(stack.addr(), &names, 32, "basic").await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let limited = stack.sandbox.stats().rate_limited;
    let stats = request(stack.addr(), "GET", "/api/v1/system/stats", None, "")
        .await
        .json;
    println!("429s: {limited}, retries: {}", stats["retries"]["retries"]);
    assert!(limited >= 5, "429s happened: {limited}");
    assert!(stats["retries"]["retries"].as_u64().unwrap() >= limited);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_host_gets_more_than_the_per_host_rate() {
    let stack = stack(1_000, |c| {
        c.crawl.per_host_rate = 2.0;
        c.concurrency.max_extractions = 16;
    })
    .await;
    // Comprehensive mode: robots.txt, homepage, about and contact per host.
    let names: Vec<String> = stack
        .sandbox
        .world()
        .companies()
        .iter()
        .skip(600)
        .take(12)
        .map(|c| c.name.clone())
        .collect();
    let statuses = extract_all(stack.addr(), &names, 12, "comprehensive").await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let stats = stack.sandbox.stats();
    println!(
        "page requests {}, highest per-host rate {}/s",
        stats.page_requests, stats.max_host_rps
    );
    assert!(stats.page_requests >= 40);
    assert!(
        stats.max_host_rps <= 2,
        "{} requests to one host within a second",
        stats.max_host_rps
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_host_opens_its_breaker_fails_fast_and_closes_after_recovery() {
    let stack = stack(600, |c| {
        c.concurrency.breaker_min_calls = 4;
        c.concurrency.breaker_failure_ratio = 0.5;
        c.concurrency.breaker_cooldown_s = 1;
        c.concurrency.retry_attempts = 2;
        c.concurrency.retry_base_ms = 100;
        c.crawl.per_host_rate = 0.0;
        c.cache.enabled = false;
    })
    .await;
    let walmart = serde_json::json!({ "domain": "walmart.com" });
    stack.sandbox.set_knobs(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    });
    let started = Instant::now();
    let first = extract(stack.addr(), &walmart).await;
    let slow_failure = started.elapsed();
    assert_eq!(first.status, 502, "{}", first.json);
    // Fail until the breaker opens.
    let mut opened = None;
    for _ in 0..10 {
        let t = Instant::now();
        let r = extract(stack.addr(), &walmart).await;
        if r.status == 503 {
            assert_eq!(r.json["error"]["code"], "upstream_unavailable");
            let retry_after: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
            assert!(
                retry_after >= 1,
                "a single extract fails fast and says when to retry"
            );
            opened = Some(t.elapsed());
            break;
        }
    }
    let fast_failure = opened.expect("the breaker opened");
    println!("failure with retries {slow_failure:?}, with the breaker open {fast_failure:?}");
    assert!(
        fast_failure * 5 < slow_failure,
        "fails fast: {fast_failure:?} vs {slow_failure:?}"
    );
    let system = request(stack.addr(), "GET", "/api/v1/system/stats", None, "")
        .await
        .json;
    assert!(
        system["breakers"]["open_upstreams"]
            .to_string()
            .contains("walmart.com"),
        "{}",
        system["breakers"]
    );

    // The host recovers; after the cool-down a trial call closes the breaker.
    stack.sandbox.set_knobs(Knobs::default());
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let recovered = extract(stack.addr(), &walmart).await;
    assert_eq!(recovered.status, 200, "{}", recovered.json);
    assert_eq!(extract(stack.addr(), &walmart).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_memory_pressure_the_run_slows_and_completes() {
    let stack = stack(1_000, |c| {
        // Far below what the process uses: pressure from the first sample.
        c.resources.max_memory_mb = 8;
        c.resources.sample_interval_ms = 50;
        c.cache.l1_floor_bytes = 0;
        c.concurrency.max_extractions = 16;
        c.crawl.per_host_rate = 0.0;
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let names: Vec<String> = stack
        .sandbox
        .world()
        .companies()
        .iter()
        .skip(700)
        .take(60)
        .map(|c| c.name.clone())
        .collect();
    let statuses = extract_all(stack.addr(), &names, 16, "basic").await;
    assert!(statuses.iter().all(|s| *s == 200));
    let system = request(stack.addr(), "GET", "/api/v1/system/stats", None, "")
        .await
        .json;
    let extractions = &system["permits"][0];
    println!(
        "under pressure: {extractions}, resources {}",
        system["resources"]
    );
    assert_eq!(system["resources"]["pressure"], "critical");
    assert!(
        extractions["decreases"].as_u64().unwrap() > 0,
        "admission slowed"
    );
    assert!(extractions["limit"].as_u64().unwrap() < 16);
    // The pressure lasts: with no new pages coming in, a few more samples
    // keep shedding what the last requests added.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let cache = request(stack.addr(), "GET", "/api/v1/cache/stats", None, "")
        .await
        .json;
    let page = &cache["page"];
    assert!(
        page["l1_entries"].as_u64().unwrap() < page["computed"].as_u64().unwrap() / 2,
        "the in-process cache shed entries: {page}"
    );
}

/// CPU pressure (a limit every sample is over) slows admission and never
/// sheds the cache: a load of cached requests makes zero recomputations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_cpu_pressure_cached_requests_recompute_nothing() {
    let stack = stack(100, |c| {
        c.resources.max_cpu_percent = 0.0;
        c.resources.sample_interval_ms = 50;
        c.crawl.per_host_rate = 0.0;
    })
    .await;
    let names: Vec<String> = stack.sandbox.world().names(5);
    assert!(extract_all(stack.addr(), &names, 5, "basic")
        .await
        .iter()
        .all(|s| *s == 200));
    let searches = stack.sandbox.stats().search_requests;
    let pages = stack.sandbox.stats().page_requests;
    // Two seconds of cached load: forty samples over the CPU limit.
    let until = Instant::now() + Duration::from_secs(2);
    let mut served = 0;
    while Instant::now() < until {
        let load: Vec<String> = names.iter().cycle().take(40).cloned().collect();
        let statuses = extract_all(stack.addr(), &load, 8, "basic").await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        served += statuses.len();
    }
    let system = request(stack.addr(), "GET", "/api/v1/system/stats", None, "")
        .await
        .json;
    assert_eq!(
        system["resources"]["cpu_over"], true,
        "{}",
        system["resources"]
    );
    assert!(
        system["permits"][0]["decreases"].as_u64().unwrap() > 0,
        "admission slowed"
    );
    let stats = stack.sandbox.stats();
    assert_eq!(
        (stats.search_requests, stats.page_requests),
        (searches, pages),
        "{served} cached requests under CPU pressure recomputed nothing"
    );
}
