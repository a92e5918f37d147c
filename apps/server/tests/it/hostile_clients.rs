//! Slow clients and a Redis that refuses writes, part two of the hostile
//! inputs (part one, `hostile.rs`: workbooks, small inputs, another
//! caller's query): a body that stops, a crowd of event streams, Redis
//! refusing writes.

use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{extract, get, request, stack, submit, wait_final};

/// A body that stops is answered 408 within the body-read timeout and its
/// connection closed, over HTTP/1.1 and HTTP/2; counted in `/metrics`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_answered_408_and_closed() {
    let s = stack(5, |c| c.server.body_read_timeout_ms = 300).await;
    let addr = s.addr();

    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"POST /api/v1/company/extract HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"company_")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut answer))
        .await
        .expect("answered and closed well before the idle timeout")
        .unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        text.contains("request_timeout") && text.contains("server.body_read_timeout_ms"),
        "{text}"
    );

    // HTTP/2 (prior knowledge): the stream gets its 408.
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tcp),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let (tx, rx) =
        tokio::sync::mpsc::channel::<Result<hyper::body::Frame<bytes::Bytes>, std::io::Error>>(1);
    tx.send(Ok(hyper::body::Frame::data(bytes::Bytes::from_static(
        b"{\"comp",
    ))))
    .await
    .unwrap();
    let body = http_body_util::StreamBody::new(Box::pin(tokio_stream_from(rx)));
    let req = http::Request::post(format!("http://{addr}/api/v1/company/extract"))
        .header("content-type", "application/json")
        .body(body)
        .unwrap();
    let res = tokio::time::timeout(Duration::from_secs(10), sender.send_request(req))
        .await
        .expect("answered")
        .unwrap();
    assert_eq!(res.status(), 408);
    drop(tx);

    assert_eq!(get(addr, "/health").await.status, 200);
    let metrics = get(addr, "/metrics").await;
    let text = String::from_utf8_lossy(&metrics.body);
    assert!(
        text.contains("extract_http_body_timeouts_total 2"),
        "{text}"
    );
}

/// A receiver as a stream of body frames.
fn tokio_stream_from<T: Send + 'static>(
    rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> {
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|v| (v, rx)) })
}

/// Many streams on one batch each get every item once and the end; past
/// the per-batch cap and the global one a stream is refused 429 with
/// `Retry-After`; a closed stream gives its place back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_streams_are_shared_and_capped() {
    use http_body_util::BodyExt;
    let s = stack(100, |c| {
        c.crawl.per_host_rate = 0.0;
        c.server.max_event_streams = 14;
        c.server.max_event_streams_per_batch = 12;
    })
    .await;
    s.sandbox.set_knobs(extract_sandbox::Knobs {
        latency_ms: 40,
        ..s.sandbox.knobs()
    });
    let names = |from: usize, n: usize| -> Vec<String> {
        s.sandbox.world().companies()[from..from + n]
            .iter()
            .map(|c| c.name.clone())
            .collect()
    };
    let watched = submit(s.addr(), &json!({ "company_names": names(0, 40) })).await;
    let watched = watched.json["batch_id"].as_str().unwrap().to_owned();
    let other = submit(s.addr(), &json!({ "company_names": names(50, 40) })).await;
    let other = other.json["batch_id"].as_str().unwrap().to_owned();
    let client: hyper_util::client::legacy::Client<_, http_body_util::Full<bytes::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build_http();
    let open = |id: &str| {
        let req = http::Request::get(format!(
            "http://{}/api/v1/company/batch/{id}/events",
            s.addr()
        ))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
        client.request(req)
    };
    let mut streams = Vec::new();
    for _ in 0..12 {
        let res = open(&watched).await.unwrap();
        assert_eq!(res.status(), 200);
        streams.push(res);
    }
    let refused = open(&watched).await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value =
        serde_json::from_slice(&refused.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(
        body["error"]["details"]["cap"],
        "server.max_event_streams_per_batch"
    );
    let mut others = Vec::new();
    for _ in 0..2 {
        others.push(open(&other).await.unwrap());
    }
    let refused = open(&other).await.unwrap();
    assert_eq!(refused.status(), 429, "the global cap");

    let bodies = futures_util::future::join_all(streams.into_iter().map(|res| async move {
        tokio::time::timeout(Duration::from_secs(90), res.into_body().collect())
            .await
            .expect("the stream ends with the batch")
            .unwrap()
            .to_bytes()
    }))
    .await;
    for body in bodies {
        let text = String::from_utf8_lossy(&body);
        let mut indexes: Vec<u64> = text
            .split("\n\n")
            .filter(|b| b.starts_with("event: item"))
            .map(|b| {
                let data = b.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
                serde_json::from_str::<Value>(data).unwrap()["index"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        indexes.sort_unstable();
        assert_eq!(
            indexes,
            (0..40).collect::<Vec<u64>>(),
            "each item once: {text}"
        );
        let last = text.trim_end().rsplit("\n\n").next().unwrap();
        assert!(last.starts_with("event: finished"), "{last}");
    }
    drop(others);
    // The places are given back as the streams end.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let r = open(&watched).await.unwrap();
        if r.status() == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "places given back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_final(s.addr(), &other, Duration::from_secs(90)).await;
    assert_eq!(
        request(s.addr(), "GET", "/health", None, "").await.status,
        200
    );
}

/// Redis answering but refusing writes (maxmemory reached, nothing to
/// evict): `/ready` says `degraded` with the reason within seconds, the
/// gauge is 1, the log says so once; when Redis takes writes again, all
/// three say so too. The server keeps answering throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_refusing_writes_is_reported_not_silent() {
    let Some(redis) = extract_test_support::redis::TestRedis::start_or_skip(
        "redis_refusing_writes_is_reported_not_silent",
    ) else {
        return;
    };
    let url = redis.url();
    let sandbox = crate::common::sandbox_with(20, extract_sandbox::Knobs::default()).await;
    let server = crate::common::Process::start(&sandbox.url(), &url, "refusal").await;
    let addr = server.addr;
    let ready = || async move { get(addr, "/ready").await.json };
    assert_eq!(ready().await["status"], "ready");

    let cli = |args: &[&str]| extract_test_support::redis::cli(&url, args);
    cli(&["config", "set", "maxmemory-policy", "noeviction"]);
    cli(&["config", "set", "maxmemory", "1"]);
    let wait_for = |want: &'static str| async move {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let r = get(addr, "/ready").await;
            assert_eq!(r.status, 200, "degraded still serves: {}", r.json);
            if r.json["status"] == want {
                return r.json;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "never {want}: {}",
                r.json
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let degraded = wait_for("degraded").await;
    assert!(
        degraded["reason"].as_str().unwrap().contains("OOM"),
        "{degraded}"
    );
    let metrics = get(addr, "/metrics").await;
    assert!(String::from_utf8_lossy(&metrics.body).contains("extract_redis_writes_refused 1"));
    // Extraction goes on without keeping anything.
    let name = sandbox.world().companies()[2].name.clone();
    assert_eq!(
        extract(addr, &json!({ "company_name": name })).await.status,
        200
    );

    cli(&["config", "set", "maxmemory", "0"]);
    wait_for("ready").await;
    let metrics = get(addr, "/metrics").await;
    assert!(String::from_utf8_lossy(&metrics.body).contains("extract_redis_writes_refused 0"));
    let log = server.log();
    assert_eq!(
        log.matches("redis refuses writes").count(),
        1,
        "once per change: {log}"
    );
    assert_eq!(log.matches("redis takes writes again").count(), 1, "{log}");
    assert_eq!(get(addr, "/health").await.status, 200);
}
