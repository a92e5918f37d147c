//! An upstream that is down, slow or talking garbage gives a 502/504 JSON
//! error, and the server keeps serving.

use extract_sandbox::{Knobs, SearchFault};

use crate::common::{extract, request, stack, start_server};

async fn expect(
    addr: std::net::SocketAddr,
    body: serde_json::Value,
    status: u16,
    code: &str,
    kind: &str,
) {
    let reply = extract(addr, &body).await;
    assert_eq!(reply.status, status, "{body}: {}", reply.json);
    assert_eq!(reply.code(), code, "{body}: {}", reply.json);
    assert_eq!(
        reply.json["error"]["details"]["kind"], kind,
        "{body}: {}",
        reply.json
    );
}

#[tokio::test]
async fn search_failures() {
    // The error mapping, not the breaker: it must not open here.
    let stack = stack(600, |c| {
        c.http.timeout_ms = 400;
        c.concurrency.breaker_min_calls = 1_000;
    })
    .await;
    let addr = stack.addr();
    let walmart = serde_json::json!({ "company_name": "Walmart" });
    for (fault, status, code, kind) in [
        (
            SearchFault::Garbage,
            502,
            "upstream_error",
            "upstream_invalid_response",
        ),
        (SearchFault::Error, 502, "upstream_error", "upstream_status"),
        (
            SearchFault::Slow,
            504,
            "upstream_timeout",
            "upstream_timeout",
        ),
    ] {
        stack.sandbox.set_knobs(Knobs {
            search_fault: fault,
            ..Knobs::default()
        });
        expect(addr, walmart.clone(), status, code, kind).await;
    }
    stack.sandbox.set_knobs(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    });
    expect(
        addr,
        walmart.clone(),
        502,
        "upstream_error",
        "upstream_status",
    )
    .await;
    stack.sandbox.set_knobs(Knobs::default());
    assert_eq!(
        extract(addr, &walmart).await.status,
        200,
        "recovers when the upstream does"
    );
    // An unknown company: no website among the hits.
    expect(
        addr,
        serde_json::json!({ "company_name": "Qwxyzzy Nonexistent Industries" }),
        404,
        "no_website",
        "no_website",
    )
    .await;
}

#[tokio::test]
async fn site_failures() {
    let stack = stack(600, |c| {
        c.http.timeout_ms = 400;
        c.http.max_body_bytes = 1 << 20;
    })
    .await;
    let addr = stack.addr();
    for (domain, status, code, kind) in [
        (
            "slow.sandbox.test",
            504,
            "upstream_timeout",
            "upstream_timeout",
        ),
        (
            "garbage.sandbox.test",
            502,
            "upstream_error",
            "upstream_invalid_response",
        ),
        (
            "error.sandbox.test",
            502,
            "upstream_error",
            "upstream_status",
        ),
        (
            "robots-down.sandbox.test",
            502,
            "upstream_error",
            "upstream_status",
        ),
        (
            "redirect-loop.sandbox.test",
            422,
            "fetch_refused",
            "fetch_refused",
        ),
    ] {
        expect(
            addr,
            serde_json::json!({ "domain": domain }),
            status,
            code,
            kind,
        )
        .await;
    }
    // A robots.txt answering 500 is reported with that status, not another.
    for (domain, upstream_status) in [
        ("robots-broken.sandbox.test", 500),
        ("robots-down.sandbox.test", 503),
    ] {
        let reply = extract(addr, &serde_json::json!({ "domain": domain })).await;
        assert_eq!(reply.status, 502, "{}", reply.json);
        assert_eq!(
            reply.json["error"]["details"]["upstream_status"], upstream_status,
            "{}",
            reply.json
        );
    }
    // A 256 MB page is read up to the cap, extracted, and reported truncated.
    let huge = extract(addr, &serde_json::json!({ "domain": "huge.sandbox.test" })).await;
    assert_eq!(huge.status, 200, "{}", huge.json);
    assert_eq!(huge.json["pages"][0]["outcome"], "fetched_truncated");
    // A page robots.txt refuses is skipped and recorded, not an error.
    let refused = extract(
        addr,
        &serde_json::json!({ "domain": "norobots.sandbox.test" }),
    )
    .await;
    assert_eq!(refused.status, 200, "{}", refused.json);
    assert_eq!(refused.json["pages"][0]["outcome"], "skipped_robots");
    assert!(refused.json["description"].is_null());
    assert_eq!(request(addr, "GET", "/health", None, "").await.status, 200);
}

#[tokio::test]
async fn search_provider_down_and_request_deadline() {
    // Nothing listens on the discard port: every connection is refused.
    let mut config = extract_server::Config::defaults();
    config.http.connect_to = "127.0.0.1:9".into();
    config.http.allow_private = true;
    config.search.endpoint = "http://search.invalid".into();
    let server = start_server(config).await;
    expect(
        server.addr(),
        serde_json::json!({ "company_name": "Walmart" }),
        502,
        "upstream_error",
        "upstream_unreachable",
    )
    .await;

    let stack = stack(600, |c| c.server.request_timeout_ms = 200).await;
    stack.sandbox.set_knobs(Knobs {
        latency_ms: 400,
        ..Knobs::default()
    });
    let reply = extract(
        stack.addr(),
        &serde_json::json!({ "company_name": "Walmart" }),
    )
    .await;
    assert_eq!(reply.status, 504, "{}", reply.json);
    assert_eq!(reply.code(), "timeout");
}
