//! Monitoring, part two: each bound the performance report can name, and
//! that relieving it raises throughput (part one, `perf.rs`: `/metrics`
//! and the report's verdicts).

use std::time::Duration;

use extract_sandbox::Knobs;
use serde_json::{json, Value};

use crate::common::{extract, stack};
use crate::perf::*;

/// Runs `n` companies in `mode`, `at_once` at a time, against a server set
/// up by `tweak` behind a sandbox with `knobs`; the report and the
/// companies per second.
async fn load_of(
    tweak: impl FnOnce(&mut extract_server::Config),
    knobs: Knobs,
    n: usize,
    at_once: usize,
    mode: &str,
) -> (Value, f64) {
    let s = stack(200, |c| {
        c.resources.max_memory_mb = 4096;
        tweak(c);
    })
    .await;
    s.sandbox.set_knobs(knobs);
    // Let the resource monitor take its first samples.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let addr = s.addr();
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(at_once.max(1)));
    let started = std::time::Instant::now();
    let statuses = futures_util::future::join_all(names(&s, 0, n).into_iter().map(|name| {
        let body = json!({ "company_name": name, "extraction_mode": mode });
        let permits = permits.clone();
        async move {
            let _p = permits.acquire_owned().await.unwrap();
            extract(addr, &body).await.status
        }
    }))
    .await;
    let rate = n as f64 / started.elapsed().as_secs_f64();
    assert!(statuses.iter().all(|c| *c == 200), "{statuses:?}");
    let_sample().await;
    (report(&s).await, rate)
}

/// [`load_of`] with every company at once and `latency_ms` on every answer.
async fn bound_of(
    tweak: impl FnOnce(&mut extract_server::Config),
    latency_ms: u64,
    n: usize,
    mode: &str,
) -> (Value, f64) {
    let knobs = Knobs {
        latency_ms,
        ..Knobs::default()
    };
    load_of(tweak, knobs, n, n, mode).await
}

/// Each bound is named, with the recommendation that, applied, raises
/// throughput: the provider's rate at 5/s with permits to spare, the
/// extraction permits, per-host politeness, memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bound_is_named_and_its_relief_raises_throughput() {
    type Tweak = fn(&mut extract_server::Config);
    /// Label, set-up, relief, latency (ms), companies, mode, bound named, recommendation.
    type Scenario = (
        &'static str,
        Tweak,
        Tweak,
        u64,
        usize,
        &'static str,
        &'static str,
        &'static str,
    );
    let scenarios: [Scenario; 4] = [
        (
            "limiter-bound at 5/s",
            |c| {
                c.search.rate_per_sec = 5.0;
                c.concurrency.max_extractions = 64;
                c.extract.verify_candidates = 1;
            },
            |c| c.search.rate_per_sec = 40.0,
            0,
            20,
            "basic",
            "search_rate_limiter",
            "raise_search_rate",
        ),
        (
            "pool-bound at 2 extractions",
            |c| {
                c.concurrency.max_extractions = 2;
                c.crawl.per_host_rate = 0.0;
            },
            |c| c.concurrency.max_extractions = 24,
            40,
            24,
            "basic",
            "extractions",
            "raise_extraction_permits",
        ),
        (
            "politeness-bound at 1 page/s per host",
            |c| {
                c.crawl.per_host_rate = 1.0;
                c.concurrency.max_extractions = 64;
                c.concurrency.max_crawls = 64;
                c.extract.verify_candidates = 1;
            },
            // The recommendation's "fewer pages per company": the one relief
            // that also helps a site whose robots.txt sets a Crawl-delay.
            |c| c.extract.max_pages = 1,
            0,
            10,
            "comprehensive",
            "politeness",
            "relax_politeness",
        ),
        (
            // Far below what the (shared) test process uses: pressure from the first sample.
            "memory-bound at 8 MiB",
            |c| {
                c.resources.max_memory_mb = 8;
                c.resources.sample_interval_ms = 50;
                c.concurrency.max_extractions = 24;
                c.crawl.per_host_rate = 0.0;
            },
            |c| c.resources.max_memory_mb = 16_384,
            40,
            24,
            "basic",
            "memory",
            "raise_memory_limit",
        ),
    ];
    for (label, setup, relief, latency, n, mode, bound, rec) in scenarios {
        let (r, before) = bound_of(setup, latency, n, mode).await;
        let b = &r["bottleneck"];
        assert_eq!(b["name"], bound, "{label}: {r:#}");
        assert!(
            recommendation_ids(&r).contains(&rec.to_owned()),
            "{label}: {r:#}"
        );
        let (_, after) = bound_of(
            |c| {
                setup(c);
                relief(c);
            },
            latency,
            n,
            mode,
        )
        .await;
        println!(
            "{label}: named {bound} ({}); {rec} applied: {before:.1} -> {after:.1} companies/s",
            b["summary"]
        );
        assert!(after > before * 1.3, "{label}: {before:.1} -> {after:.1}/s");
    }
}

/// (b) Slow sites behind a fast search, permits to spare: named the sites'
/// latency, and the recommendation (more companies at once) applied raises
/// throughput.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_sites_named_and_more_at_once_raises_throughput() {
    let run = |at_once| {
        load_of(
            |c| {
                c.extract.verify_candidates = 1;
                c.concurrency.max_extractions = 64;
                c.concurrency.max_crawls = 64;
                c.crawl.per_host_rate = 0.0;
            },
            Knobs {
                site_latency_ms: 300,
                ..Knobs::default()
            },
            24,
            at_once,
            "basic",
        )
    };
    let (r, before) = run(3).await;
    let b = &r["bottleneck"];
    assert_eq!(
        (b["kind"].as_str(), b["name"].as_str()),
        (Some("latency"), Some("fetch")),
        "{r:#}"
    );
    assert!(recommendation_ids(&r).contains(&"speed_up_fetching".to_owned()));
    let (_, after) = run(24).await;
    println!(
        "slow sites: named fetch latency; 3 -> 24 at once: {before:.1} -> {after:.1} companies/s"
    );
    assert!(after > before * 1.3, "{before:.1} -> {after:.1}/s");
}
