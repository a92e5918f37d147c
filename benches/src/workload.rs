//! The Zipf workload: many requests over many companies, a few of them
//! popular, as real traffic is; counts upstream calls per request.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// `n` company indexes in `0..companies`, Zipf-distributed (exponent `s`),
/// deterministic for `seed`.
pub fn zipf_indexes(n: usize, companies: usize, s: f64, seed: u64) -> Vec<usize> {
    let weights: Vec<f64> = (1..=companies).map(|k| 1.0 / (k as f64).powf(s)).collect();
    let total: f64 = weights.iter().sum();
    let mut cumulative = Vec::with_capacity(companies);
    let mut acc = 0.0;
    for w in &weights {
        acc += w / total;
        cumulative.push(acc);
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..n)
        .map(|_| {
            let u = rng.f64();
            cumulative.partition_point(|c| *c < u).min(companies - 1)
        })
        .collect()
}

/// Sends one extract request per name, `concurrency` at a time; returns how
/// many failed.
pub async fn run(addr: SocketAddr, names: &[String], concurrency: usize) -> usize {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut failed = 0;
    for chunk in names.chunks(concurrency.max(1)) {
        let replies = futures_util::future::join_all(chunk.iter().map(|name| {
            let client = client.clone();
            let body = serde_json::json!({ "company_name": name }).to_string();
            async move {
                let req = http::Request::post(format!("http://{addr}/api/v1/company/extract"))
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(body)))
                    .expect("request");
                match client.request(req).await {
                    Ok(res) => {
                        let ok = res.status().is_success();
                        let _ = res.into_body().collect().await;
                        ok
                    }
                    Err(_) => false,
                }
            }
        }))
        .await;
        failed += replies.iter().filter(|ok| !**ok).count();
    }
    failed
}

/// Upstream calls of one workload run.
#[derive(Debug, Clone)]
pub struct Calls {
    /// Requests sent.
    pub requests: usize,
    /// Requests that failed.
    pub failed: usize,
    /// Search requests the sandbox received.
    pub searches: u64,
    /// Page requests (robots.txt included) the sandbox received.
    pub pages: u64,
    /// Wall time.
    pub elapsed: std::time::Duration,
    /// Retries the service made (a retried call reaches upstream twice).
    pub retries: u64,
}

impl Calls {
    /// Upstream calls per request.
    pub fn per_request(&self) -> f64 {
        (self.searches + self.pages) as f64 / self.requests.max(1) as f64
    }
}

/// Runs `requests` Zipf-distributed extractions over `companies` sandbox
/// companies against a fresh server, with or without the cache (in-process
/// tier only: a repeat within one process is what it measures).
pub async fn zipf_upstream_calls(
    sandbox: &extract_sandbox::Sandbox,
    requests: usize,
    companies: usize,
    cache: bool,
) -> anyhow::Result<Calls> {
    let names: Vec<String> = sandbox.world().names(companies);
    let order: Vec<String> = zipf_indexes(requests, names.len(), 1.0, 7)
        .into_iter()
        .map(|i| names[i].clone())
        .collect();
    let mut config = extract_server::Config::defaults();
    extract_server::sandbox::point_at(&mut config, sandbox.addr());
    config.search.provider = extract_core::Provider::Searxng;
    config.cache.enabled = cache;
    config.cache.redis_url = extract_core::Secret::default();
    config.cache.warm_file = String::new();
    // One loopback sandbox: politeness (per-host spacing, robots Crawl-delay)
    // would only measure waiting, so it is off here; this measures caching.
    config.crawl.per_host_rate = 0.0;
    config.extract.respect_robots = false;
    config.search.rate_per_sec = 0.0;
    let app = extract_server::App::build(config).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let server = extract_server::serve::spawn(app.clone(), listener)?;
    sandbox.reset();
    let started = std::time::Instant::now();
    let failed = run(server.addr(), &order, 32).await;
    let elapsed = started.elapsed();
    let stats = sandbox.stats();
    let retries = app.system_stats().retries.retries;
    server.shutdown().await;
    Ok(Calls {
        requests,
        failed,
        searches: stats.search_requests,
        pages: stats.page_requests,
        elapsed,
        retries,
    })
}
