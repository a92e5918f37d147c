//! One batch of 100,000 names on one instance with Redis and
//! `MAX_MEMORY_MB=512`, with 20 event-stream clients attached throughout:
//! `cargo build --release -p extract-server && cargo run --release -p
//! extract-benches --example batch_100k` (`-- 20000` for a smaller one).
//!
//! The server runs as its own process (the release binary, pointed at the
//! sandbox with `--sandbox-url`), so that its resident memory is its own:
//! the peak is the kernel's high-water mark (`VmHWM`), read after the
//! batch and again after the XLSX download. A private `redis-server` on a
//! free port holds the batch. Printed: items a second, status p99 while
//! the batch runs, the peaks, that every item is stored (the NDJSON export
//! has a line for each), and the events the streams received.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use extract_benches::load::{client, get_json, get_text, submit, LoadClient};
use extract_sandbox::{Config as SandboxConfig, Sandbox};
use extract_test_support::redis::TestRedis;
use http_body_util::{BodyExt, Full};

const MAX_MEMORY_MB: u64 = 512;
const STREAMS: usize = 20;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The process's resident high-water mark and current size, bytes.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / 1_048_576.0)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Reads an event stream to its end; counts its events.
async fn follow(c: LoadClient, addr: SocketAddr, id: String, events: Arc<AtomicU64>) {
    let Ok(req) = http::Request::get(format!("http://{addr}/api/v1/company/batch/{id}/events"))
        .body(Full::new(Bytes::new()))
    else {
        return;
    };
    let Ok(res) = c.request(req).await else {
        return;
    };
    let mut body = res.into_body();
    while let Some(Ok(frame)) = body.frame().await {
        if let Some(data) = frame.data_ref() {
            let n = data.windows(7).filter(|w| *w == b"event: ").count();
            events.fetch_add(n as u64, Ordering::Relaxed);
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    // `-- N --verbose`: resident memory and the cache's size every 10 s.
    let verbose = std::env::args().any(|a| a == "--verbose");
    let binary =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/extract-server");
    anyhow::ensure!(
        binary.exists(),
        "build the server first: cargo build --release -p extract-server"
    );
    let redis = TestRedis::start().ok_or_else(|| anyhow::anyhow!("redis-server is needed"))?;
    let t = Instant::now();
    let web = Sandbox::start(
        "127.0.0.1:0".parse()?,
        SandboxConfig {
            companies: n,
            ..SandboxConfig::default()
        },
    )
    .await?;
    println!(
        "sandbox of {n} companies serving after {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let names: Vec<String> = web.world().names(n);
    let port = free_port()?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let server = Server(
        Command::new(&binary)
            .args(["--sandbox-url", &format!("http://{}", web.addr())])
            .args(["--bind", &addr.to_string()])
            .env("REDIS_URL", redis.url())
            .env("MAX_MEMORY_MB", MAX_MEMORY_MB.to_string())
            .env("EXTRACT_BATCH__MAX_SIZE", n.to_string())
            .env("EXTRACT_SERVER__MAX_BODY_BYTES", (64 << 20).to_string())
            .env("EXTRACT_SEARCH__RATE_PER_SEC", "0")
            .env("EXTRACT_CACHE__WARM_FILE", "")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let pid = server.0.id();
    let c = client();
    let mut ready = false;
    for _ in 0..300 {
        if get_json(&c, addr, "/health").await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(ready, "the server did not come up");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let (_, idle) = memory(pid);

    let started = Instant::now();
    let id = submit(&c, addr, &names).await?;
    drop(names);
    let (_, submitted) = memory(pid);
    if verbose {
        println!("  resident right after the submit: {}", mib(submitted));
    }
    let events = Arc::new(AtomicU64::new(0));
    let streams: Vec<_> = (0..STREAMS)
        .map(|_| tokio::spawn(follow(client(), addr, id.clone(), events.clone())))
        .collect();
    let mut status_times = Vec::new();
    let mut next_sample = Instant::now();
    let st = loop {
        let t = Instant::now();
        let st = get_json(&c, addr, &format!("/api/v1/company/batch/{id}/status")).await?;
        status_times.push(t.elapsed());
        if verbose && t >= next_sample {
            next_sample = t + Duration::from_secs(10);
            let metrics = get_text(&c, addr, "/metrics").await.unwrap_or_default();
            let l1: f64 = metrics
                .lines()
                .filter(|l| l.starts_with("extract_cache_bytes{"))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
                .sum();
            println!(
                "  {:>5.0} s: {} done, resident {}, in-process cache {}",
                started.elapsed().as_secs_f64(),
                st["counts"]["succeeded"],
                mib(memory(pid).1),
                mib(l1 as u64)
            );
        }
        if !matches!(st["state"].as_str(), Some("queued" | "running")) {
            break st;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let wall = started.elapsed().as_secs_f64();
    let (batch_peak, _) = memory(pid);
    for s in streams {
        let _ = tokio::time::timeout(Duration::from_secs(30), s).await;
    }
    status_times.sort();
    let p99 = status_times[(status_times.len() * 99 / 100).min(status_times.len() - 1)];

    // Every item stored: the NDJSON export has a line per submitted name.
    let t = Instant::now();
    let req = http::Request::get(format!(
        "http://{addr}/api/v1/company/batch/{id}/results?format=ndjson"
    ))
    .body(Full::new(Bytes::new()))?;
    let mut body = c.request(req).await?.into_body();
    let (mut lines, mut answered) = (0usize, 0usize);
    let mut tail = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref() {
            tail.extend_from_slice(data);
            while let Some(end) = tail.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = tail.drain(..=end).collect();
                lines += 1;
                if contains(&line, b"\"outcome\":\"succeeded\"")
                    || contains(&line, b"\"outcome\":\"cached\"")
                {
                    answered += 1;
                }
            }
        }
    }
    let ndjson_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let req = http::Request::get(format!(
        "http://{addr}/api/v1/company/batch/{id}/results?format=xlsx"
    ))
    .body(Full::new(Bytes::new()))?;
    let res = c.request(req).await?;
    let status = res.status();
    let mut xlsx_bytes = 0usize;
    let mut body = res.into_body();
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref() {
            xlsx_bytes += data.len();
        }
    }
    let xlsx_s = t.elapsed().as_secs_f64();
    let (download_peak, _) = memory(pid);

    println!(
        "batch of {n}: {} in {wall:.1} s = {:.0} items/s; counts {}",
        st["state"],
        n as f64 / wall,
        st["counts"]
    );
    println!(
        "status while running: {} reads, p99 {:.1} ms",
        status_times.len(),
        p99.as_secs_f64() * 1e3
    );
    println!(
        "event streams: {STREAMS} attached, {} events received",
        events.load(Ordering::Relaxed)
    );
    println!("stored: {lines} NDJSON lines ({answered} answered) in {ndjson_s:.1} s");
    println!("XLSX download: {status}, {xlsx_bytes} bytes in {xlsx_s:.1} s");
    println!(
        "resident memory: {} idle, peak {} through the batch, peak {} after the downloads (MAX_MEMORY_MB={MAX_MEMORY_MB})",
        mib(idle),
        mib(batch_peak),
        mib(download_peak)
    );
    drop(server);
    web.shutdown().await;
    anyhow::ensure!(lines == n, "{lines} lines for {n} names");
    Ok(())
}
