//! What one company costs the shared Redis, and what one Redis can take, for
//! the arithmetic of `docs/scaling.md`:
//! `cargo run --release -p extract-benches --example redis_cost`.
//!
//! A private `redis-server` on a free port; a server on it (cache, job
//! store, cluster limits, heartbeats) extracts N companies cold as single
//! requests and then N more as one batch. Redis's own counters (`INFO
//! commandstats`, `used_memory`) before and after give commands and bytes
//! per company; `redis-benchmark` on the same Redis gives its commands per
//! second on this machine.

use std::process::Command;
use std::time::Instant;

use extract_benches::load::{self, service};
use extract_benches::workload;
use extract_test_support::redis::TestRedis;

const N: usize = 300;

fn info(url: &str, section: &str) -> String {
    extract_test_support::redis::cli(url, &["info", section])
}

/// Total commands Redis has run (INFO commandstats, every `calls=`).
fn commands(url: &str) -> u64 {
    info(url, "commandstats")
        .lines()
        .filter_map(|l| l.split("calls=").nth(1))
        .filter_map(|r| r.split(',').next()?.parse::<u64>().ok())
        .sum()
}

fn used_memory(url: &str) -> u64 {
    info(url, "memory")
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let redis =
        TestRedis::start().ok_or_else(|| anyhow::anyhow!("redis-server is not installed"))?;
    let url = redis.url();
    let web = extract_sandbox::Sandbox::start(
        "127.0.0.1:0".parse()?,
        extract_sandbox::Config {
            companies: 2 * N + 10,
            ..extract_sandbox::Config::default()
        },
    )
    .await?;
    let server = service(web.addr(), |c| {
        c.cache.redis_url = extract_core::Secret::new(url.clone());
        c.search.rate_per_sec = 0.0;
        c.crawl.per_host_rate = 0.0;
        c.batch.max_size = N;
        c.concurrency.max_extractions = 16;
    })
    .await?;
    let names: Vec<String> = web.world().names(usize::MAX);

    // Single extracts, cold.
    let (c0, m0) = (commands(&url), used_memory(&url));
    let t = Instant::now();
    let failed = workload::run(server.addr(), &names[..N], 16).await;
    let singles_s = t.elapsed().as_secs_f64();
    let (c1, m1) = (commands(&url), used_memory(&url));
    // The same companies again: cached.
    workload::run(server.addr(), &names[..N], 16).await;
    let c2 = commands(&url);

    // A batch of N other companies.
    load::run_batch(
        &load::client(),
        server.addr(),
        &names[N..2 * N],
        std::time::Duration::from_millis(100),
        async || Ok(()),
    )
    .await?;
    let (c3, m3) = (commands(&url), used_memory(&url));
    server.shutdown().await;

    // What this Redis takes: redis-benchmark, 50 clients, GET and SET of 1 KB.
    let port = url.rsplit(':').next().unwrap_or("6379").to_owned();
    let bench = Command::new("redis-benchmark")
        .args([
            "-p", &port, "-q", "-n", "200000", "-c", "50", "-d", "1024", "-t", "get,set",
        ])
        .output()?;
    let bench = String::from_utf8_lossy(&bench.stdout).into_owned();

    println!("{N} cold single extracts ({failed} failed) in {singles_s:.1} s:");
    println!(
        "  Redis commands per company: {:.1}; memory per company: {:.1} KiB",
        (c1 - c0) as f64 / N as f64,
        m1.saturating_sub(m0) as f64 / 1024.0 / N as f64
    );
    println!(
        "the same {N} again, cached: {:.1} Redis commands per request",
        (c2 - c1) as f64 / N as f64
    );
    println!(
        "a batch of {N} other companies: {:.1} Redis commands per company; memory per company {:.1} KiB",
        (c3 - c2) as f64 / N as f64,
        m3.saturating_sub(m1) as f64 / 1024.0 / N as f64
    );
    println!("redis-benchmark on the same Redis (50 clients, 1 KB values):");
    for line in bench.lines().filter(|l| l.contains("requests per second")) {
        let last = line.rsplit('\r').next().unwrap_or(line);
        println!("  {}", last.trim());
    }
    Ok(())
}
