//! What hostile files and crowds of event streams cost the server, one run:
//! `cargo run --release -p extract-benches --example hostile`.
//!
//! The server in-process with its defaults (`MAX_MEMORY_MB` = 512, the
//! upload caps of `config/default.toml`) against the sandbox. Resident
//! memory is sampled every 5 ms from `/proc/self/status` (the process holds
//! the sandbox too, so the figures are rises over the idle level).
//!
//! 1. A 1 KB workbook with cells `A1` and `XFD1048576`, uploaded.
//! 2. Two workbooks under 1 MB whose sheet inflates to about 270 MB, at once,
//!    while `/health` is asked every 10 ms: its latency beside the idle one.
//! 3. Resident memory 3 s after the refusals.
//! 4. A batch's rate with no event stream and with 200 streams attached.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use extract_benches::load::{client, get_json, service, LoadClient};
use extract_sandbox::{Knobs, Sandbox};
use extract_test_support::hostile::{bomb, corners};
use http_body_util::{BodyExt, Full};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let web = Sandbox::start(
        "127.0.0.1:0".parse()?,
        extract_sandbox::Config {
            companies: 1_000,
            knobs: Knobs {
                latency_ms: 50,
                ..Knobs::default()
            },
            ..extract_sandbox::Config::default()
        },
    )
    .await?;
    let server = service(web.addr(), |c| {
        c.crawl.per_host_rate = 0.0;
        c.search.rate_per_sec = 0.0;
        c.batch.max_size = 1_000;
    })
    .await?;
    let addr = server.addr();
    let c = client();
    let rss = Rss::start();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_health = health_times(&c, addr, 100).await;
    let idle = rss.now();
    println!("| measure | figure | baseline |");
    println!("|---|---|---|");

    // 1. The corners.
    rss.reset();
    let file = corners("XFD1048576", 1_048_576, false);
    let t = Instant::now();
    let (status, _) = upload(&c, addr, file.clone()).await?;
    println!(
        "| {} B workbook, cells A1 and XFD1048576 | {status} in {:.1} ms, resident +{:.1} MiB at the peak | process alive, /health 200 |",
        file.len(),
        t.elapsed().as_secs_f64() * 1e3,
        mib(rss.peak().saturating_sub(idle)),
    );

    // 2. Two bombs at once, /health asked meanwhile.
    let file = bomb(6_000_000);
    rss.reset();
    let stop = Arc::new(AtomicBool::new(false));
    let during = {
        let (c, stop) = (c.clone(), stop.clone());
        tokio::spawn(async move {
            let mut times = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                times.push(timed_health(&c, addr).await);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            times
        })
    };
    let t = Instant::now();
    let (a, b) = tokio::join!(
        upload(&c, addr, file.clone()),
        upload(&c, addr, file.clone())
    );
    let took = t.elapsed();
    let (a, b) = (a?, b?);
    stop.store(true, Ordering::Relaxed);
    let during = during.await?;
    let peak = rss.peak();
    println!(
        "| two {:.0} KiB workbooks inflating to ~270 MB, at once | {} {} and {} {} in {:.2} s, resident +{:.1} MiB at the peak ({:.0} MiB of 512) | 64 MiB inflated cap each |",
        file.len() as f64 / 1024.0,
        a.0,
        a.1["error"]["details"]["cap"],
        b.0,
        b.1["error"]["details"]["cap"],
        took.as_secs_f64(),
        mib(peak.saturating_sub(idle)),
        mib(peak),
    );
    println!(
        "| /health meanwhile ({} asks) | p50 {:.2} ms, max {:.2} ms | idle p50 {:.2} ms, max {:.2} ms |",
        during.len(),
        quantile(&during, 0.5),
        quantile(&during, 1.0),
        quantile(&idle_health, 0.5),
        quantile(&idle_health, 1.0),
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss.now();
    let pressure =
        get_json(&c, addr, "/api/v1/system/stats").await?["resources"]["pressure"].clone();
    println!(
        "| resident 3 s after the refusals | {:.0} MiB (pressure {pressure}) | {:.0} MiB idle before |",
        mib(after),
        mib(idle),
    );

    // 3. A batch's rate with 0 and 200 event streams.
    let names: Vec<String> = web.world().names(usize::MAX);
    let alone = batch_rate(&c, addr, &names[..400], 0).await?;
    let watched = batch_rate(&c, addr, &names[400..800], 200).await?;
    println!(
        "| batch of 400 with 200 event streams attached | {watched:.1} items/s | {alone:.1} items/s with none ({:.2}×) |",
        watched / alone
    );
    server.shutdown().await;
    web.shutdown().await;
    Ok(())
}

async fn upload(
    c: &LoadClient,
    addr: std::net::SocketAddr,
    file: Vec<u8>,
) -> anyhow::Result<(u16, serde_json::Value)> {
    let req = http::Request::post(format!("http://{addr}/api/v1/company/batch/upload"))
        .header("content-type", XLSX)
        .body(Full::new(Bytes::from(file)))?;
    let res = c.request(req).await?;
    let status = res.status().as_u16();
    let body = res.into_body().collect().await?.to_bytes();
    Ok((status, serde_json::from_slice(&body).unwrap_or_default()))
}

async fn timed_health(c: &LoadClient, addr: std::net::SocketAddr) -> Duration {
    let t = Instant::now();
    let _ = get_json(c, addr, "/health").await;
    t.elapsed()
}

async fn health_times(c: &LoadClient, addr: std::net::SocketAddr, n: usize) -> Vec<Duration> {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(timed_health(c, addr).await);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    v
}

/// Items a second of a batch of `names` with `streams` event streams read
/// from its start to its end.
async fn batch_rate(
    c: &LoadClient,
    addr: std::net::SocketAddr,
    names: &[String],
    streams: usize,
) -> anyhow::Result<f64> {
    let body = serde_json::json!({ "company_names": names }).to_string();
    let req = http::Request::post(format!("http://{addr}/api/v1/company/batch/submit"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))?;
    let t = Instant::now();
    let res = c.request(req).await?;
    let v: serde_json::Value =
        serde_json::from_slice(&res.into_body().collect().await?.to_bytes())?;
    let id = v["batch_id"].as_str().unwrap_or_default().to_owned();
    anyhow::ensure!(!id.is_empty(), "batch not accepted: {v}");
    // Each stream on its own connection, read to its end.
    let readers: Vec<_> = (0..streams)
        .map(|_| {
            let id = id.clone();
            tokio::spawn(async move {
                let c = client();
                let req =
                    http::Request::get(format!("http://{addr}/api/v1/company/batch/{id}/events"))
                        .body(Full::new(Bytes::new()))
                        .expect("request");
                let res = c.request(req).await?;
                anyhow::ensure!(res.status() == 200, "stream refused: {}", res.status());
                let n = res.into_body().collect().await?.to_bytes().len();
                Ok::<_, anyhow::Error>(n)
            })
        })
        .collect();
    loop {
        let st = get_json(c, addr, &format!("/api/v1/company/batch/{id}/status")).await?;
        if !matches!(st["state"].as_str(), Some("queued" | "running")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rate = names.len() as f64 / t.elapsed().as_secs_f64();
    for r in readers {
        r.await??;
    }
    Ok(rate)
}

fn quantile(v: &[Duration], q: f64) -> f64 {
    let mut v: Vec<f64> = v.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    v.sort_by(f64::total_cmp);
    let i = ((v.len().saturating_sub(1)) as f64 * q).round() as usize;
    v.get(i).copied().unwrap_or(0.0)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1048576.0
}

/// This process's resident memory, sampled every 5 ms on a thread of its
/// own (so that a busy runtime does not hide a peak).
struct Rss {
    peak: Arc<AtomicU64>,
}

impl Rss {
    fn start() -> Rss {
        let peak = Arc::new(AtomicU64::new(0));
        let p = peak.clone();
        std::thread::spawn(move || loop {
            p.fetch_max(read_rss(), Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(5));
        });
        Rss { peak }
    }

    fn reset(&self) {
        self.peak.store(read_rss(), Ordering::Relaxed);
    }

    fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    fn now(&self) -> u64 {
        read_rss()
    }
}

fn read_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
