//! The performance suite, one command, every figure measured in one run
//! against the sandbox over loopback HTTP, written to `docs/performance.md`:
//!
//! `cargo run --release -p extract-benches --example suite`
//!
//! (`-- --out FILE` writes elsewhere; `-- --quick` runs smaller samples.)
//!
//! 1. Cold `basic` extraction against the round-trip floor (one search and
//!    one page, measured directly) at 0, 50 and 200 ms of latency, with the
//!    default politeness (`crawl.per_host_rate = 2`).
//! 2. The provider's rate: searches at R = 20, 50, 100 with the limiter at R
//!    against a sandbox answering 429 above R, and without the limiter.
//! 3. A batch of 1,000 at R = 50 and 64 extractions against its bound
//!    max(N / R, N · L / c).
//! 4. Cached load: the cached extract against a bare hyper route answering
//!    the same bytes, and the recomputations it caused (searches sent).
//! 5. Upstream calls on a Zipf workload with and without the cache.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use extract_benches::load::{bare_server, post_load, service};
use extract_benches::workload;
use extract_sandbox::{Knobs, Sandbox};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "docs/performance.md".to_owned());
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut notes = String::new();

    let cold = cold_path(if quick { 8 } else { 25 }, &mut rows).await?;
    let _ = writeln!(notes, "{cold}");
    rate_limits(if quick { 60 } else { 300 }, &mut rows).await?;
    batch_bound(if quick { 300 } else { 1_000 }, &mut rows).await?;
    cached_load(if quick { 2 } else { 5 }, &mut rows).await?;
    zipf(if quick { 300 } else { 2_000 }, &mut rows).await?;

    let mut md = String::new();
    let _ = writeln!(md, "# Performance\n");
    let _ = writeln!(
        md,
        "Every figure below comes from one run of\n\n    cargo run --release -p extract-benches --example suite\n\n\
         against the sandbox over loopback HTTP on the machine named at the end. \
         The machines are shared and noisy: the claims are the ratios, measured in the same run.\n"
    );
    let _ = writeln!(md, "| measure | figure | bound or baseline | ratio |");
    let _ = writeln!(md, "|---|---|---|---|");
    for [a, b, c, d] in &rows {
        let _ = writeln!(md, "| {a} | {b} | {c} | {d} |");
    }
    let _ = writeln!(md, "\n{notes}");
    let _ = writeln!(
        md,
        "Machine: {} cores usable (`std::thread::available_parallelism`), release build.",
        extract_resources::usable_cores()
    );
    std::fs::write(&out, &md)?;
    println!("{md}");
    println!("written to {out}");
    Ok(())
}

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

async fn sandbox(companies: usize, knobs: Knobs) -> anyhow::Result<Sandbox> {
    let s = Sandbox::start(
        "127.0.0.1:0".parse()?,
        extract_sandbox::Config {
            companies,
            ..extract_sandbox::Config::default()
        },
    )
    .await?;
    s.set_knobs(knobs);
    Ok(s)
}

/// GETs `path` from `addr` with `host`; the time it took.
async fn timed_get(c: &HttpClient, addr: SocketAddr, host: &str, path: &str) -> Duration {
    let req = http::Request::get(format!("http://{addr}{path}"))
        .header("host", host)
        .body(Full::new(Bytes::new()))
        .expect("request");
    let t = Instant::now();
    if let Ok(res) = c.request(req).await {
        let _ = res.into_body().collect().await;
    }
    t.elapsed()
}

/// POSTs JSON; the status and the time it took.
async fn timed_post(c: &HttpClient, addr: SocketAddr, path: &str, body: &str) -> (u16, Duration) {
    let req = http::Request::post(format!("http://{addr}{path}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("request");
    let t = Instant::now();
    match c.request(req).await {
        Ok(res) => {
            let status = res.status().as_u16();
            let _ = res.into_body().collect().await;
            (status, t.elapsed())
        }
        Err(_) => (0, t.elapsed()),
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// 1. Cold `basic` extractions, one at a time, each a company never seen,
///    against the floor of one search and one page round trip.
async fn cold_path(n: usize, rows: &mut Vec<[String; 4]>) -> anyhow::Result<String> {
    let mut note = String::from(
        "Cold `basic` extraction: each company extracted once, one at a time, by a server with \
         the default politeness (`crawl.per_host_rate = 2`) and verification (three candidates); \
         the floor is the median of a search and a homepage request sent directly to the sandbox \
         in the same run. Medians:\n\n| latency | cold extract | floor (search + page) | ratio |\n|---|---|---|---|\n",
    );
    for latency in [0_u64, 50, 200] {
        let web = sandbox(
            n * 2 + 10,
            Knobs {
                latency_ms: latency,
                ..Knobs::default()
            },
        )
        .await?;
        let server = service(web.addr(), |c| {
            c.search.rate_per_sec = 0.0;
        })
        .await?;
        let c = client();
        let companies = web.world().companies().to_vec();
        // The floor: the same two round trips, sent directly.
        let mut floor = Vec::new();
        for company in companies.iter().skip(n).take(n) {
            let q = format!("/html/?q={}", company.name.replace(' ', "+"));
            let search = timed_get(&c, web.addr(), "html.duckduckgo.com", &q).await;
            let page = timed_get(&c, web.addr(), &company.host, "/").await;
            floor.push(search + page);
        }
        let mut cold = Vec::new();
        for company in companies.iter().take(n) {
            let body = serde_json::json!({ "company_name": company.name, "mode": "basic" });
            let (status, t) = timed_post(
                &c,
                server.addr(),
                "/api/v1/company/extract",
                &body.to_string(),
            )
            .await;
            if status == 200 {
                cold.push(t);
            }
        }
        let (cold, floor) = (median(cold), median(floor));
        let ratio = cold.as_secs_f64() / floor.as_secs_f64().max(1e-9);
        let ratio = if latency == 0 {
            "-".to_owned()
        } else {
            format!("{ratio:.2}")
        };
        let _ = writeln!(
            note,
            "| {latency} ms | {} | {} | {ratio} |",
            ms(cold),
            ms(floor)
        );
        rows.push([
            format!("cold basic extract at {latency} ms latency (median of {n})"),
            ms(cold),
            format!("{} (search + page RTT)", ms(floor)),
            ratio,
        ]);
        server.shutdown().await;
        web.shutdown().await;
    }
    Ok(note)
}

/// 2. Searches at R with the limiter at R against a provider limiting to R,
///    and the same without the limiter.
async fn rate_limits(n: usize, rows: &mut Vec<[String; 4]>) -> anyhow::Result<()> {
    for rate in [20.0, 50.0, 100.0] {
        for limited in [true, false] {
            let web = sandbox(
                n + 10,
                Knobs {
                    serp_rate: rate,
                    latency_ms: 20,
                    ..Knobs::default()
                },
            )
            .await?;
            let server = service(web.addr(), |c| {
                c.search.rate_per_sec = if limited { rate } else { 0.0 };
                c.search.burst = 1;
                c.crawl.per_host_rate = 0.0;
                c.concurrency.max_extractions = 64;
                c.concurrency.max_crawls = 128;
            })
            .await?;
            let names: Vec<String> = web
                .world()
                .companies()
                .iter()
                .take(n)
                .map(|c| c.name.clone())
                .collect();
            let t = Instant::now();
            workload::run(server.addr(), &names, 64).await;
            let elapsed = t.elapsed().as_secs_f64();
            let stats = web.stats();
            rows.push([
                format!(
                    "{n} searches at R = {rate}/s, {}",
                    if limited {
                        "limiter at R"
                    } else {
                        "no limiter"
                    }
                ),
                format!("{} × 429", stats.rate_limited),
                format!("{} search requests", stats.search_requests),
                format!("{:.1}/s achieved", n as f64 / elapsed),
            ]);
            server.shutdown().await;
            web.shutdown().await;
        }
    }
    Ok(())
}

/// 3. A batch of `n` at R = 50 and 64 extractions against its bound.
async fn batch_bound(n: usize, rows: &mut Vec<[String; 4]>) -> anyhow::Result<()> {
    const RATE: f64 = 50.0;
    const CONCURRENCY: usize = 64;
    let latency = 50;
    let web = sandbox(
        n + 10,
        Knobs {
            serp_rate: RATE,
            latency_ms: latency,
            ..Knobs::default()
        },
    )
    .await?;
    let server = service(web.addr(), |c| {
        c.search.rate_per_sec = RATE;
        c.search.burst = 1;
        c.batch.max_size = n;
        c.server.max_body_bytes = 4 << 20;
        c.concurrency.max_extractions = CONCURRENCY;
        c.concurrency.max_crawls = 4 * CONCURRENCY;
    })
    .await?;
    let names: Vec<String> = web
        .world()
        .companies()
        .iter()
        .take(n)
        .map(|c| c.name.clone())
        .collect();
    // L: one cold extraction alone.
    let c = client();
    let one = serde_json::json!({ "company_name": web.world().companies()[n].name });
    let (_, l) = timed_post(
        &c,
        server.addr(),
        "/api/v1/company/extract",
        &one.to_string(),
    )
    .await;
    let body = serde_json::json!({ "company_names": names });
    let t = Instant::now();
    let req = http::Request::post(format!(
        "http://{}/api/v1/company/batch/submit",
        server.addr()
    ))
    .header("content-type", "application/json")
    .body(Full::new(Bytes::from(body.to_string())))?;
    let res = c.request(req).await?;
    let v: serde_json::Value =
        serde_json::from_slice(&res.into_body().collect().await?.to_bytes())?;
    let id = v["batch_id"].as_str().unwrap_or_default().to_owned();
    loop {
        let req = http::Request::get(format!(
            "http://{}/api/v1/company/batch/{id}/status",
            server.addr()
        ))
        .body(Full::new(Bytes::new()))?;
        let res = c.request(req).await?;
        let st: serde_json::Value =
            serde_json::from_slice(&res.into_body().collect().await?.to_bytes())?;
        if !matches!(st["state"].as_str(), Some("queued" | "running")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let wall = t.elapsed().as_secs_f64();
    let bound = (n as f64 / RATE).max(n as f64 * l.as_secs_f64() / CONCURRENCY as f64);
    rows.push([
        format!("batch of {n} at R = {RATE}/s, {CONCURRENCY} extractions, {latency} ms latency"),
        format!("{wall:.1} s ({} × 429)", web.stats().rate_limited),
        format!("{bound:.1} s = max(N/R, N·L/c), L = {}", ms(l)),
        format!("{:.2}", wall / bound),
    ]);
    server.shutdown().await;
    web.shutdown().await;
    Ok(())
}

/// 4. The cached extract beside a bare route answering the same bytes, and
///    the searches the load caused (recomputations).
async fn cached_load(seconds: u64, rows: &mut Vec<[String; 4]>) -> anyhow::Result<()> {
    let web = sandbox(100, Knobs::default()).await?;
    let server = service(web.addr(), |_| {}).await?;
    let name = &web.world().companies()[0].name;
    let body = serde_json::json!({ "company_name": name }).to_string();
    let c = client();
    let req = http::Request::post(format!("http://{}/api/v1/company/extract", server.addr()))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.clone())))?;
    let bytes = c
        .request(req)
        .await?
        .into_body()
        .collect()
        .await?
        .to_bytes();
    let before = web.stats().search_requests;
    let bare = bare_server(bytes).await;
    let duration = Duration::from_secs(seconds);
    let bare_r = post_load(bare, "/", &body, 32, duration).await;
    let cached = post_load(
        server.addr(),
        "/api/v1/company/extract",
        &body,
        32,
        duration,
    )
    .await;
    let recomputed = web.stats().search_requests - before;
    rows.push([
        "cached extract, 32 connections".to_owned(),
        format!(
            "{:.0} req/s, p50 {}, p99 {}",
            cached.rps,
            ms(cached.p50),
            ms(cached.p99)
        ),
        format!("bare route {:.0} req/s", bare_r.rps),
        format!("{:.2}", cached.rps / bare_r.rps),
    ]);
    rows.push([
        "recomputations during the cached load".to_owned(),
        format!("{recomputed} searches"),
        format!("{} requests served", cached.requests),
        "-".to_owned(),
    ]);
    server.shutdown().await;
    web.shutdown().await;
    Ok(())
}

/// 5. Upstream calls on a Zipf workload (s = 1.1 over 1,000 companies) with
///    and without the cache.
async fn zipf(n: usize, rows: &mut Vec<[String; 4]>) -> anyhow::Result<()> {
    let mut calls = [0u64; 2];
    for (slot, cached) in [(0, true), (1, false)] {
        let web = sandbox(1_000, Knobs::default()).await?;
        let server = service(web.addr(), |c| {
            c.cache.enabled = cached;
            c.search.rate_per_sec = 0.0;
            c.crawl.per_host_rate = 0.0;
            c.concurrency.max_extractions = 16;
        })
        .await?;
        let names: Vec<String> = workload::zipf_indexes(n, 1_000, 1.1, 7)
            .into_iter()
            .map(|i| web.world().companies()[i].name.clone())
            .collect();
        workload::run(server.addr(), &names, 16).await;
        let s = web.stats();
        calls[slot] = s.search_requests + s.page_requests;
        server.shutdown().await;
        web.shutdown().await;
    }
    rows.push([
        format!("upstream calls, {n} requests, Zipf s = 1.1 over 1,000 companies"),
        format!("{} with the cache", calls[0]),
        format!("{} without", calls[1]),
        format!(
            "{:.1} % saved",
            100.0 * (1.0 - calls[0] as f64 / calls[1].max(1) as f64)
        ),
    ]);
    Ok(())
}
