//! Batch throughput with 1, 2 and 3 instances sharing one Redis, in one
//! run: `cargo run --release -p extract-benches --example scale_out`.
//!
//! A private `redis-server` on a free port, the sandbox, and 1 to 3 server
//! instances in this process, each with its own scheduler, limits and
//! connection pools, all on that Redis (their work shared through its
//! streams). Every run extracts companies none has seen (a new key prefix,
//! new names), submitted as one batch to the first instance.
//!
//! 1. Bound by each instance's concurrency (4 extractions each, slow
//!    sites, no provider limit): throughput should grow near-linearly.
//! 2. Bound by the provider's rate (R searches a second for the cluster,
//!    32 extractions each): throughput should stay flat at R, with no 429.

use std::time::{Duration, Instant};

use extract_benches::load::{self, service};
use extract_sandbox::{Knobs, Sandbox};
use extract_test_support::redis::TestRedis;

const N: usize = 400;
const R: f64 = 40.0;

/// `k` instances on `redis` under `prefix`, tweaked; one batch of `names`.
async fn run(
    web: &Sandbox,
    redis: &str,
    prefix: &str,
    k: usize,
    names: &[String],
    tweak: impl Fn(&mut extract_server::Config),
) -> anyhow::Result<f64> {
    let mut servers = Vec::new();
    for _ in 0..k {
        servers.push(
            service(web.addr(), |c| {
                c.cache.redis_url = extract_core::Secret::new(redis);
                c.cache.prefix = prefix.to_owned();
                c.batch.redis_prefix = prefix.to_owned();
                c.batch.max_size = N;
                c.cluster.heartbeat_ms = 200;
                tweak(c);
            })
            .await?,
        );
    }
    // Every instance beats before the batch (the fallback share needs them).
    tokio::time::sleep(Duration::from_millis(600)).await;
    let started = Instant::now();
    let st = load::run_batch(
        &load::client(),
        servers[0].addr(),
        names,
        Duration::from_millis(20),
        async || Ok(()),
    )
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        st["counts"]["failed"].as_u64() == Some(0),
        "items failed: {st}"
    );
    for s in servers {
        s.shutdown().await;
    }
    Ok(seconds)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let redis =
        TestRedis::start().ok_or_else(|| anyhow::anyhow!("redis-server is not installed"))?;
    let web = Sandbox::start(
        "127.0.0.1:0".parse()?,
        extract_sandbox::Config {
            companies: 6 * N + 10,
            ..extract_sandbox::Config::default()
        },
    )
    .await?;
    let names: Vec<String> = web.world().names(usize::MAX);
    let mut batch = 0;
    let mut next = || {
        batch += 1;
        (
            format!("scale{batch}"),
            names[(batch - 1) * N..batch * N].to_vec(),
        )
    };

    println!("scale-out: {N} companies a batch, one batch per run, 1 to 3 instances on one Redis");
    // 1. Each instance's concurrency is the bound.
    web.set_knobs(Knobs {
        latency_ms: 20,
        site_latency_ms: 80,
        ..Knobs::default()
    });
    let mut per_instance = Vec::new();
    for k in 1..=3 {
        let (prefix, names) = next();
        let s = run(&web, &redis.url(), &prefix, k, &names, |c| {
            c.concurrency.max_extractions = 4;
            c.search.rate_per_sec = 0.0;
            c.crawl.per_host_rate = 0.0;
        })
        .await?;
        per_instance.push(N as f64 / s);
        println!(
            "  bound = 4 extractions per instance, {k} instance(s): {:.1} companies/s ({s:.1} s), {:.2}× one instance",
            N as f64 / s,
            N as f64 / s / per_instance[0]
        );
    }
    // 2. The provider's rate is the bound.
    web.set_knobs(Knobs {
        latency_ms: 20,
        serp_rate: R,
        ..Knobs::default()
    });
    for k in 1..=3 {
        let (prefix, names) = next();
        let limited_before = web.stats().rate_limited;
        let s = run(&web, &redis.url(), &prefix, k, &names, |c| {
            c.concurrency.max_extractions = 32;
            c.search.rate_per_sec = R;
            c.search.burst = 1;
            c.crawl.per_host_rate = 0.0;
        })
        .await?;
        println!(
            "  bound = the provider's R = {R}/s, {k} instance(s): {:.1} companies/s ({s:.1} s) = {:.2}× R, {} × 429",
            N as f64 / s,
            N as f64 / s / R,
            web.stats().rate_limited - limited_before
        );
    }
    Ok(())
}
