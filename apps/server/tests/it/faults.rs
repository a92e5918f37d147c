//! The fault matrix: a batch of 200 (and a burst of single extracts) under
//! each fault the sandbox can inject. Every scenario asserts that every item
//! ends final with its error kind, that the stored results are as many as
//! the items, and that `/health` answers afterwards; each prints its figure
//! (`cargo test -p extract-server --test it faults -- --nocapture`).

use std::time::Duration;

use extract_sandbox::{Knobs, SearchFault};
use serde_json::{json, Value};

use crate::common::{self, extract, get, request, stack, wait_final, Stack};

const N: usize = 200;

async fn fault_stack() -> Stack {
    stack(600, |c| {
        c.batch.max_size = 10_000;
        c.crawl.per_host_rate = 0.0;
        c.concurrency.breaker_cooldown_s = 1;
        c.cache.redis_url = extract_core::Secret::default();
    })
    .await
}

fn names(s: &Stack, skip: usize) -> Vec<String> {
    s.sandbox
        .world()
        .companies()
        .iter()
        .skip(skip)
        .take(N)
        .map(|c| c.name.clone())
        .collect()
}

async fn submit(s: &Stack, names: &[String]) -> String {
    let r = common::submit(s.addr(), &json!({ "company_names": names })).await;
    assert_eq!(r.status, 202, "{}", r.json);
    r.json["batch_id"].as_str().unwrap().to_owned()
}

async fn status(s: &Stack, id: &str) -> Value {
    get(s.addr(), &format!("/api/v1/company/batch/{id}/status"))
        .await
        .json
}

/// The invariants of every scenario; returns (succeeded, failed, skipped).
async fn check(s: &Stack, id: &str, scenario: &str) -> (u64, u64, u64) {
    let st = wait_final(s.addr(), id, Duration::from_secs(120)).await;
    let rows = request(
        s.addr(),
        "GET",
        &format!("/api/v1/company/batch/{id}/results?per_page=1000"),
        None,
        "",
    )
    .await
    .json;
    let rows = rows["results"].as_array().unwrap().clone();
    assert_eq!(rows.len(), N, "{scenario}: results stored = items");
    for r in &rows {
        let outcome = r["outcome"].as_str().unwrap();
        assert!(
            matches!(outcome, "succeeded" | "cached" | "failed" | "skipped"),
            "{scenario}: every item final: {r}"
        );
        if outcome == "failed" {
            assert!(
                r["error_kind"].is_string(),
                "{scenario}: a failure has its kind: {r}"
            );
        }
    }
    let health = request(s.addr(), "GET", "/health", None, "").await;
    assert_eq!(health.status, 200, "{scenario}: healthy afterwards");
    let c = &st["counts"];
    let counts = (
        c["succeeded"].as_u64().unwrap() + c["cached"].as_u64().unwrap(),
        c["failed"].as_u64().unwrap(),
        c["skipped"].as_u64().unwrap(),
    );
    println!(
        "fault matrix: {scenario:<40} {} ok, {} failed, {} skipped of {N}; state {}",
        counts.0, counts.1, counts.2, st["state"]
    );
    counts
}

/// A burst of single extracts under the same fault: each answers JSON, none 5xx but 502/503/504.
async fn burst(s: &Stack, skip: usize) {
    let names = names(s, skip);
    let addr = s.addr();
    let replies = futures_util::future::join_all(names[..20].iter().map(|n| {
        let body = json!({ "company_name": n });
        async move { extract(addr, &body).await }
    }))
    .await;
    for r in replies {
        assert!(
            r.status == 200 || matches!(r.status, 404 | 502 | 503 | 504),
            "{}: {}",
            r.status,
            r.json
        );
        assert!(r.json.is_object());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_of_all_upstream_calls_failing() {
    let s = fault_stack().await;
    s.sandbox.set_knobs(Knobs {
        error_rate: 0.5,
        ..s.sandbox.knobs()
    });
    burst(&s, 300).await;
    let id = submit(&s, &names(&s, 0)).await;
    check(&s, &id, "upstream error rate 0.5").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_answering_garbage() {
    let s = fault_stack().await;
    s.sandbox.set_knobs(Knobs {
        search_fault: SearchFault::Garbage,
        ..s.sandbox.knobs()
    });
    burst(&s, 300).await;
    let id = submit(&s, &names(&s, 0)).await;
    let (ok, failed, _) = check(&s, &id, "search answering garbage").await;
    assert_eq!((ok, failed), (0, N as u64), "no invented profile");
}

/// The provider answers 429 (with Retry-After) above a rate below demand:
/// every company still succeeds, through the limiter's pause and retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_429s_below_demand() {
    let s = fault_stack().await;
    s.sandbox.set_knobs(Knobs {
        serp_rate: 40.0,
        ..s.sandbox.knobs()
    });
    let id = submit(&s, &names(&s, 0)).await;
    let (ok, _, _) = check(&s, &id, "provider 429s above 40/s").await;
    assert_eq!(ok, N as u64, "100% succeeded under 429s");
}

/// Search failing 100% for 5 s, then healthy: at least 99% succeed, the
/// batch waiting out the open breaker instead of failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_bad_patch() {
    // A cool-down longer than the patch, as in production (15 s by default).
    let s = stack(600, |c| {
        c.batch.max_size = 10_000;
        c.crawl.per_host_rate = 0.0;
        c.concurrency.breaker_cooldown_s = 6;
        c.cache.redis_url = extract_core::Secret::default();
    })
    .await;
    s.sandbox.set_knobs(Knobs {
        search_fault: SearchFault::Error,
        ..s.sandbox.knobs()
    });
    let id = submit(&s, &names(&s, 0)).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    s.sandbox.set_knobs(Knobs {
        search_fault: SearchFault::None,
        ..s.sandbox.knobs()
    });
    let (ok, _, _) = check(&s, &id, "search down 5 s, then healthy").await;
    assert!(ok * 100 >= 99 * N as u64, "{ok} of {N} succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_at_0_and_half_way() {
    let s = fault_stack().await;
    s.sandbox.set_knobs(Knobs {
        latency_ms: 20,
        ..s.sandbox.knobs()
    });
    for (at, skip) in [(0u64, 0usize), (N as u64 / 2, 300)] {
        let id = submit(&s, &names(&s, skip)).await;
        loop {
            let st = status(&s, &id).await;
            let done = st["counts"]["succeeded"].as_u64().unwrap_or(0)
                + st["counts"]["failed"].as_u64().unwrap_or(0);
            if done >= at {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let r = request(
            s.addr(),
            "DELETE",
            &format!("/api/v1/company/batch/{id}"),
            None,
            "",
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.json);
        let (_, _, skipped) = check(&s, &id, &format!("cancel after {at} items")).await;
        assert!(skipped > 0);
        assert_eq!(status(&s, &id).await["state"], "cancelled");
    }
}
