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
use extract_benches::load::{
    self, bare_server, client, get_json, get_load, post_load, service, LoadClient,
};
use extract_benches::workload;
use extract_sandbox::{Knobs, Sandbox};
use http_body_util::{BodyExt, Full};

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

    let mut cdfs = Vec::new();
    let cold = cold_path(if quick { 8 } else { 25 }, &mut rows, &mut cdfs).await?;
    let _ = writeln!(notes, "{cold}");
    rate_limits(if quick { 60 } else { 300 }, &mut rows).await?;
    batch_bound(if quick { 300 } else { 1_000 }, &mut rows).await?;
    let curve = batch_curve(if quick { 120 } else { 400 }, &mut rows).await?;
    cached_load(if quick { 2 } else { 5 }, &mut rows).await?;
    let calls = zipf(if quick { 300 } else { 2_000 }, &mut rows).await?;

    let dir = std::path::Path::new(&out)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let cdf_series: Vec<(String, Vec<(f64, f64)>)> = cdfs
        .iter()
        .map(|(name, v)| {
            let mut v = v.clone();
            v.sort();
            let n = v.len().max(1) as f64;
            let points = v
                .iter()
                .enumerate()
                .map(|(i, d)| (d.as_secs_f64() * 1e3, (i + 1) as f64 / n))
                .collect();
            (name.clone(), points)
        })
        .collect();
    std::fs::write(
        dir.join("perf-latency-cdf.svg"),
        svg::lines(
            "Extract latency, cold and cached (CDF)",
            "ms (log scale)",
            "share of requests",
            &cdf_series,
            true,
        ),
    )?;
    std::fs::write(
        dir.join("perf-batch-throughput.svg"),
        svg::lines(
            "Batch throughput against its bound (R = 50/s, 50 ms latency)",
            "MAX_CONCURRENT_EXTRACTIONS",
            "companies per second",
            &curve,
            false,
        ),
    )?;
    std::fs::write(
        dir.join("perf-upstream-calls.svg"),
        svg::bars(
            "Upstream calls per request, Zipf workload",
            "calls per request",
            &calls,
        ),
    )?;
    let _ = writeln!(
        notes,
        "![latency CDF](perf-latency-cdf.svg)\n\n![batch throughput](perf-batch-throughput.svg)\n\n![upstream calls](perf-upstream-calls.svg)\n"
    );

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
async fn timed_get(c: &LoadClient, addr: SocketAddr, host: &str, path: &str) -> Duration {
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
async fn timed_post(c: &LoadClient, addr: SocketAddr, path: &str, body: &str) -> (u16, Duration) {
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
async fn cold_path(
    n: usize,
    rows: &mut Vec<[String; 4]>,
    cdfs: &mut Vec<(String, Vec<Duration>)>,
) -> anyhow::Result<String> {
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
        let cold = extract_times(&c, server.addr(), &companies[..n]).await;
        // The same companies again: answered from the cache.
        let cached = extract_times(&c, server.addr(), &companies[..n]).await;
        if latency > 0 {
            cdfs.push((format!("cold, {latency} ms latency"), cold.clone()));
        }
        if latency == 50 {
            cdfs.push(("cached".to_owned(), cached.clone()));
        }
        let cached = median(cached);
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
        if latency > 0 {
            rows.push([
                format!("the same companies again, cached, at {latency} ms latency"),
                ms(cached),
                format!("{} cold", ms(cold)),
                format!(
                    "{:.1}× faster",
                    cold.as_secs_f64() / cached.as_secs_f64().max(1e-9)
                ),
            ]);
        }
        server.shutdown().await;
        web.shutdown().await;
    }
    Ok(note)
}

/// Extracts each company once, one at a time (`basic`); the times of the
/// answers that were 200.
async fn extract_times(
    c: &LoadClient,
    addr: SocketAddr,
    companies: &[extract_sandbox::Company],
) -> Vec<Duration> {
    let mut times = Vec::new();
    for company in companies {
        let body = serde_json::json!({ "company_name": company.name, "extraction_mode": "basic" });
        let (status, t) = timed_post(c, addr, "/api/v1/company/extract", &body.to_string()).await;
        if status == 200 {
            times.push(t);
        }
    }
    times
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
            let names: Vec<String> = web.world().names(n);
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
    let names: Vec<String> = web.world().names(n);
    // L: one cold extraction alone (the median of five).
    let c = client();
    let l = lone_latency(&c, server.addr(), &web, n).await;
    // The sampler reads memory once a second: let it see the idle process.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let idle_rss = get_json(&c, server.addr(), "/api/v1/system/stats").await?["resources"]
        ["rss_bytes"]
        .as_u64()
        .unwrap_or(0);
    let t = Instant::now();
    let run = run_batch(&c, server.addr(), &names).await?;
    let wall = t.elapsed().as_secs_f64();
    let (peak_rss, peak_in_flight) = (run.peak_rss.max(idle_rss), run.peak_in_flight);
    let system = get_json(&c, server.addr(), "/api/v1/system/stats").await?;
    let bound = (n as f64 / RATE).max(n as f64 * l.as_secs_f64() / CONCURRENCY as f64);
    rows.push([
        format!("batch of {n} at R = {RATE}/s, {CONCURRENCY} extractions, {latency} ms latency"),
        format!("{wall:.1} s ({} × 429)", web.stats().rate_limited),
        format!("{bound:.1} s = max(N/R, N·L/c), L = {}", ms(l)),
        format!("{:.2}", wall / bound),
    ]);
    rows.push([
        "the same batch against one company at a time".to_owned(),
        format!("{wall:.1} s"),
        format!("{:.1} s sequential (N × L)", n as f64 * l.as_secs_f64()),
        format!("{:.1}× faster", n as f64 * l.as_secs_f64() / wall),
    ]);
    rows.push([
        "memory per company in flight during the batch".to_owned(),
        format!(
            "{:.0} KiB",
            peak_rss.saturating_sub(idle_rss) as f64 / 1024.0 / peak_in_flight.max(1) as f64
        ),
        format!(
            "resident {:.0} MiB idle, {:.0} MiB at the peak, {peak_in_flight} in flight",
            idle_rss as f64 / 1048576.0,
            peak_rss as f64 / 1048576.0
        ),
        "-".to_owned(),
    ]);
    rows.push([
        "connection reuse during the batch".to_owned(),
        format!(
            "{:.1} % of requests to a host seen before",
            100.0 * system["http"]["repeat_reuse_ratio"].as_f64().unwrap_or(0.0)
        ),
        format!(
            "{} requests, {} connections opened",
            system["http"]["requests"], system["http"]["connections_opened"]
        ),
        "-".to_owned(),
    ]);
    server.shutdown().await;
    web.shutdown().await;
    Ok(())
}

/// Batch throughput at several extraction limits, against the bound
/// min(R, c / L) that the rate and the latency allow.
async fn batch_curve(
    n: usize,
    rows: &mut Vec<[String; 4]>,
) -> anyhow::Result<Vec<(String, Vec<(f64, f64)>)>> {
    const RATE: f64 = 50.0;
    let mut measured = Vec::new();
    let mut bound = Vec::new();
    for concurrency in [2usize, 4, 8, 16, 32, 64] {
        let web = sandbox(
            n + 10,
            Knobs {
                serp_rate: RATE,
                latency_ms: 50,
                ..Knobs::default()
            },
        )
        .await?;
        let server = service(web.addr(), |c| {
            c.search.rate_per_sec = RATE;
            c.search.burst = 1;
            c.batch.max_size = n;
            c.concurrency.max_extractions = concurrency;
            c.concurrency.max_crawls = 4 * concurrency;
        })
        .await?;
        let c = client();
        let one = serde_json::json!({ "company_name": web.world().companies()[n].name });
        let (_, l) = timed_post(
            &c,
            server.addr(),
            "/api/v1/company/extract",
            &one.to_string(),
        )
        .await;
        let names: Vec<String> = web.world().names(n);
        let t = Instant::now();
        run_batch(&c, server.addr(), &names).await?;
        let rate = n as f64 / t.elapsed().as_secs_f64();
        let limit = RATE.min(concurrency as f64 / l.as_secs_f64());
        measured.push((concurrency as f64, rate));
        bound.push((concurrency as f64, limit));
        rows.push([
            format!("batch of {n} at {concurrency} extractions, R = {RATE}/s, 50 ms"),
            format!("{rate:.1}/s"),
            format!("{limit:.1}/s = min(R, c/L), L = {}", ms(l)),
            format!("{:.2}", rate / limit),
        ]);
        server.shutdown().await;
        web.shutdown().await;
    }
    Ok(vec![
        ("measured".to_owned(), measured),
        ("bound min(R, c/L)".to_owned(), bound),
    ])
}

/// The median time of five cold extractions, one at a time, of companies
/// from the `from`th (outside the batch).
async fn lone_latency(c: &LoadClient, addr: SocketAddr, web: &Sandbox, from: usize) -> Duration {
    let mut times = Vec::new();
    for company in web.world().companies().iter().skip(from).take(5) {
        let one = serde_json::json!({ "company_name": company.name });
        times.push(
            timed_post(c, addr, "/api/v1/company/extract", &one.to_string())
                .await
                .1,
        );
    }
    median(times)
}

/// What the server's stats showed while a batch ran.
struct BatchRun {
    peak_rss: u64,
    peak_in_flight: u64,
}

/// Submits a batch of `names` and waits for its end, sampling the server's
/// memory and extractions in flight as it goes.
async fn run_batch(c: &LoadClient, addr: SocketAddr, names: &[String]) -> anyhow::Result<BatchRun> {
    let mut run = BatchRun {
        peak_rss: 0,
        peak_in_flight: 0,
    };
    load::run_batch(c, addr, names, Duration::from_millis(50), async || {
        let now = get_json(c, addr, "/api/v1/system/stats").await?;
        run.peak_rss = run
            .peak_rss
            .max(now["resources"]["rss_bytes"].as_u64().unwrap_or(0));
        run.peak_in_flight = run
            .peak_in_flight
            .max(now["permits"][0]["in_use"].as_u64().unwrap_or(0));
        Ok(())
    })
    .await?;
    Ok(run)
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
    let health = get_load(server.addr(), "/health", 32, duration).await;
    let recomputed = web.stats().search_requests - before;
    rows.push([
        "cached extract, 32 connections".to_owned(),
        format!(
            "{:.0} req/s, p50 {}, p99 {}",
            cached.rps,
            ms(cached.p50),
            ms(cached.p99)
        ),
        format!("bare hyper route {:.0} req/s", bare_r.rps),
        format!("{:.2}", cached.rps / bare_r.rps),
    ]);
    rows.push([
        "cached extract against the server's own GET /health, 32 connections".to_owned(),
        format!("{:.0} req/s", cached.rps),
        format!("/health {:.0} req/s, p50 {}", health.rps, ms(health.p50)),
        format!("{:.2}", cached.rps / health.rps),
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
async fn zipf(n: usize, rows: &mut Vec<[String; 4]>) -> anyhow::Result<Vec<(String, f64)>> {
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
    Ok(vec![
        ("with the cache".to_owned(), calls[0] as f64 / n as f64),
        ("without".to_owned(), calls[1] as f64 / n as f64),
    ])
}

/// Plain SVG charts, drawn here (no plotting dependency).
mod svg {
    use std::fmt::Write as _;

    const W: f64 = 640.0;
    const H: f64 = 360.0;
    const L: f64 = 70.0;
    const B: f64 = 50.0;
    const COLORS: [&str; 4] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

    fn frame(title: &str, x: &str, y: &str) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">"
        );
        let _ = write!(s, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{title}</text>",
            W / 2.0
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{x}</text>",
            (W + L) / 2.0,
            H - 10.0
        );
        let _ = write!(
            s,
            "<text x=\"15\" y=\"{m}\" transform=\"rotate(-90 15 {m})\" text-anchor=\"middle\">{y}</text>",
            m = H / 2.0
        );
        let _ = write!(
            s,
            "<line x1=\"{L}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"black\"/>\
             <line x1=\"{L}\" y1=\"30\" x2=\"{L}\" y2=\"{b}\" stroke=\"black\"/>",
            b = H - B,
            r = W - 20.0
        );
        s
    }

    /// Line series; `log_x` for a logarithmic x axis.
    pub(crate) fn lines(
        title: &str,
        x: &str,
        y: &str,
        series: &[(String, Vec<(f64, f64)>)],
        log_x: bool,
    ) -> String {
        let fx = |v: f64| if log_x { v.max(1e-3).log10() } else { v };
        let (mut x0, mut x1, mut y1) = (f64::MAX, f64::MIN, 0.0f64);
        for (a, b) in series.iter().flat_map(|(_, p)| p.iter()) {
            x0 = x0.min(fx(*a));
            x1 = x1.max(fx(*a));
            y1 = y1.max(*b);
        }
        if x0 > x1 {
            (x0, x1) = (0.0, 1.0);
        }
        if x1 <= x0 {
            x1 = x0 + 1.0;
        }
        let y1 = if y1 <= 0.0 { 1.0 } else { y1 * 1.05 };
        let px = |v: f64| L + (fx(v) - x0) / (x1 - x0) * (W - 20.0 - L);
        let py = |v: f64| (H - B) - v / y1 * (H - B - 30.0);
        let mut s = frame(title, x, y);
        for i in 0..=4 {
            let xv = x0 + (x1 - x0) * f64::from(i) / 4.0;
            let label = if log_x { 10f64.powf(xv) } else { xv };
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{label:.1}</text>",
                L + (W - 20.0 - L) * f64::from(i) / 4.0,
                H - B + 15.0
            );
            let yv = y1 * f64::from(i) / 4.0;
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{yv:.2}</text>",
                L - 5.0,
                py(yv) + 4.0
            );
        }
        for (k, (name, points)) in series.iter().enumerate() {
            let color = COLORS[k % COLORS.len()];
            let path: Vec<String> = points
                .iter()
                .map(|(a, b)| format!("{:.1},{:.1}", px(*a), py(*b)))
                .collect();
            let _ = write!(
                s,
                "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>",
                path.join(" ")
            );
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" fill=\"{color}\">{name}</text>",
                L + 10.0,
                40.0 + 15.0 * k as f64
            );
        }
        s.push_str("</svg>\n");
        s
    }

    /// One bar per value.
    pub(crate) fn bars(title: &str, y: &str, values: &[(String, f64)]) -> String {
        let top = values.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1e-9) * 1.1;
        let mut s = frame(title, "", y);
        let slot = (W - 20.0 - L) / values.len().max(1) as f64;
        for (k, (name, v)) in values.iter().enumerate() {
            let h = v / top * (H - B - 30.0);
            let x = L + slot * k as f64 + slot * 0.2;
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                H - B - h,
                slot * 0.6,
                COLORS[k % COLORS.len()]
            );
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v:.2}</text>",
                x + slot * 0.3,
                H - B - h - 5.0
            );
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{name}</text>",
                x + slot * 0.3,
                H - B + 15.0
            );
        }
        s.push_str("</svg>\n");
        s
    }
}
