//! Load over loopback HTTP: a fixed number of keep-alive connections, each
//! sending requests back to back, with latency percentiles and throughput.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;

/// What a load run measured.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// Requests answered.
    pub requests: u64,
    /// Requests that did not get a 2xx.
    pub failures: u64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Requests per second over the run.
    pub rps: f64,
}

impl std::fmt::Display for LoadResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>9.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms  ({} requests, {} failures)",
            self.rps,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.requests,
            self.failures
        )
    }
}

/// A multi-threaded runtime for a bench's `main`.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// A sandbox web on a free loopback port.
pub async fn sandbox(config: extract_sandbox::Config) -> anyhow::Result<extract_sandbox::Sandbox> {
    Ok(extract_sandbox::Sandbox::start("127.0.0.1:0".parse()?, config).await?)
}

/// Sends `POST path` with `body` over `connections` keep-alive connections
/// for `duration` (after a short warm-up) and measures.
pub async fn post_load(
    addr: SocketAddr,
    path: &str,
    body: &str,
    connections: usize,
    duration: Duration,
) -> LoadResult {
    load(addr, http::Method::POST, path, body, connections, duration).await
}

/// The same with `GET` and no body.
pub async fn get_load(
    addr: SocketAddr,
    path: &str,
    connections: usize,
    duration: Duration,
) -> LoadResult {
    load(addr, http::Method::GET, path, "", connections, duration).await
}

async fn load(
    addr: SocketAddr,
    method: http::Method,
    path: &str,
    body: &str,
    connections: usize,
    duration: Duration,
) -> LoadResult {
    let path = path.to_owned();
    let body = Bytes::from(body.to_owned());
    let started = Instant::now();
    let warmup = Duration::from_millis(300);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let path = path.clone();
            let body = body.clone();
            let method = method.clone();
            tokio::spawn(async move {
                let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).ok();
                let (mut sender, conn) = http1::handshake(TokioIo::new(stream))
                    .await
                    .expect("handshake");
                tokio::spawn(conn);
                let mut latencies = Vec::new();
                let mut failures = 0u64;
                while started.elapsed() < warmup + duration {
                    let req = http::Request::builder()
                        .method(method.clone())
                        .uri(path.as_str())
                        .header("host", "bench")
                        .header("content-type", "application/json")
                        .body(Full::new(body.clone()))
                        .expect("request");
                    let t = Instant::now();
                    let ok = match sender.send_request(req).await {
                        Ok(res) => {
                            let ok = res.status().is_success();
                            let _ = res.into_body().collect().await;
                            ok
                        }
                        Err(_) => false,
                    };
                    if started.elapsed() > warmup {
                        latencies.push(t.elapsed());
                        failures += u64::from(!ok);
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut failures = 0;
    for t in tasks {
        let (l, f) = t.await.expect("load task");
        all.extend(l);
        failures += f;
    }
    let q = |p: f64| extract_core::latency::quantile_of(all.iter().copied(), p).unwrap_or_default();
    LoadResult {
        requests: all.len() as u64,
        failures,
        p50: q(0.50),
        p99: q(0.99),
        rps: all.len() as f64 / duration.as_secs_f64(),
    }
}

/// A bare hyper server answering every request with `bytes` (JSON), for the
/// floor the service is compared with.
pub async fn bare_server(bytes: Bytes) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            stream.set_nodelay(true).ok();
            let bytes = bytes.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let bytes = bytes.clone();
                        async move {
                            let _ = req.into_body().collect().await;
                            Ok::<_, std::convert::Infallible>(
                                http::Response::builder()
                                    .header("content-type", "application/json")
                                    .body(Full::new(bytes))
                                    .expect("response"),
                            )
                        }
                    });
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(TokioIo::new(stream), service)
                .await;
            });
        }
    });
    addr
}

/// The service on a free loopback port, pointed at the sandbox at `sandbox`,
/// in-memory cache, no warming; `tweak` adjusts the configuration.
pub async fn service(
    sandbox: SocketAddr,
    tweak: impl FnOnce(&mut extract_server::Config),
) -> anyhow::Result<extract_server::serve::Running> {
    let mut config = extract_server::Config::defaults();
    extract_server::sandbox::point_at(&mut config, sandbox);
    config.cache.warm_file = String::new();
    config.cache.redis_url = extract_core::Secret::default();
    tweak(&mut config);
    let app = extract_server::App::build(config).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    Ok(extract_server::serve::spawn(app, listener)?)
}

/// A pooled HTTP/1 client for the API calls of the examples.
pub type LoadClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

/// A new [`LoadClient`].
pub fn client() -> LoadClient {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http()
}

/// `GET path` on `addr`, the body as text.
pub async fn get_text(c: &LoadClient, addr: SocketAddr, path: &str) -> anyhow::Result<String> {
    let req = http::Request::get(format!("http://{addr}{path}")).body(Full::new(Bytes::new()))?;
    let body = c
        .request(req)
        .await?
        .into_body()
        .collect()
        .await?
        .to_bytes();
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// `GET path` on `addr`, the body as JSON.
pub async fn get_json(
    c: &LoadClient,
    addr: SocketAddr,
    path: &str,
) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::from_str(&get_text(c, addr, path).await?)?)
}

/// Submits `names` to `addr` as one batch; its id.
pub async fn submit(c: &LoadClient, addr: SocketAddr, names: &[String]) -> anyhow::Result<String> {
    let body = serde_json::json!({ "company_names": names }).to_string();
    let req = http::Request::post(format!("http://{addr}/api/v1/company/batch/submit"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))?;
    let res = c.request(req).await?;
    let v: serde_json::Value =
        serde_json::from_slice(&res.into_body().collect().await?.to_bytes())?;
    let id = v["batch_id"].as_str().unwrap_or_default().to_owned();
    anyhow::ensure!(!id.is_empty(), "batch not accepted: {v}");
    Ok(id)
}

/// Submits `names` to `addr` as one batch and polls its status every
/// `every` until it is over, calling `between` after each poll (to sample
/// the server meanwhile). Returns the final status.
pub async fn run_batch(
    c: &LoadClient,
    addr: SocketAddr,
    names: &[String],
    every: Duration,
    mut between: impl AsyncFnMut() -> anyhow::Result<()>,
) -> anyhow::Result<serde_json::Value> {
    let id = submit(c, addr, names).await?;
    loop {
        let st = get_json(c, addr, &format!("/api/v1/company/batch/{id}/status")).await?;
        if !matches!(st["state"].as_str(), Some("queued" | "running")) {
            return Ok(st);
        }
        between().await?;
        tokio::time::sleep(every).await;
    }
}
