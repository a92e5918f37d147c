//! The fault matrix: a batch of 200 (and a burst of single extracts) under
//! each fault the sandbox, a private Redis or a signal can inject. Every
//! scenario asserts that every item ends final with its error kind, that
//! the stored results are as many as the items (each company once, in
//! order), that nothing panicked, and that `/health` answers afterwards;
//! each prints its figure
//! (`cargo test -p extract-server --test it faults -- --nocapture`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use extract_sandbox::{Knobs, Sandbox, SearchFault, SiteFault};
use serde_json::{json, Value};

use crate::common::{self, extract, get, request, stack, wait_final, Stack};

pub(crate) const N: usize = 200;

pub(crate) async fn fault_stack() -> Stack {
    stack(600, |c| {
        c.batch.max_size = 10_000;
        c.crawl.per_host_rate = 0.0;
        c.concurrency.breaker_cooldown_s = 1;
        c.cache.redis_url = extract_core::Secret::default();
    })
    .await
}

/// `N` names of the world's companies, from the `skip`th.
pub(crate) fn names_of(sandbox: &Sandbox, skip: usize, n: usize) -> Vec<String> {
    sandbox
        .world()
        .companies()
        .iter()
        .skip(skip)
        .take(n)
        .map(|c| c.name.clone())
        .collect()
}

pub(crate) fn names(s: &Stack, skip: usize) -> Vec<String> {
    names_of(&s.sandbox, skip, N)
}

pub(crate) async fn submit_at(addr: SocketAddr, names: &[String]) -> String {
    let r = common::submit(addr, &json!({ "company_names": names })).await;
    assert_eq!(r.status, 202, "{}", r.json);
    r.json["batch_id"].as_str().unwrap().to_owned()
}

pub(crate) async fn submit(s: &Stack, names: &[String]) -> String {
    submit_at(s.addr(), names).await
}

pub(crate) async fn status(addr: SocketAddr, id: &str) -> Value {
    get(addr, &format!("/api/v1/company/batch/{id}/status"))
        .await
        .json
}

/// Items of a batch that ended, as its status counts them.
pub(crate) async fn done(addr: SocketAddr, id: &str) -> u64 {
    let c = &status(addr, id).await["counts"];
    ["succeeded", "cached", "failed", "skipped"]
        .iter()
        .map(|k| c[k].as_u64().unwrap_or(0))
        .sum()
}

/// Waits until at least `at` items of the batch ended.
pub(crate) async fn wait_done(addr: SocketAddr, id: &str, at: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while done(addr, id).await < at {
        assert!(Instant::now() < deadline, "{at} items never ended");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The invariants of every scenario, for a batch of `names` on the server at
/// `addr`; returns (succeeded, failed, skipped).
pub(crate) async fn check_at(
    addr: SocketAddr,
    id: &str,
    names: &[String],
    scenario: &str,
) -> (u64, u64, u64) {
    let started = Instant::now();
    let st = wait_final(addr, id, Duration::from_secs(300)).await;
    let mut rows = Vec::new();
    for page in 1.. {
        let r = get(
            addr,
            &format!("/api/v1/company/batch/{id}/results?page={page}&per_page=1000"),
        )
        .await;
        assert_eq!(r.status, 200, "{scenario}: {}", r.json);
        let got = r.json["results"].as_array().unwrap().clone();
        if got.is_empty() {
            break;
        }
        rows.extend(got);
    }
    assert_eq!(
        rows.len(),
        names.len(),
        "{scenario}: results stored = items"
    );
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(
            (r["index"].as_u64(), r["query"].as_str()),
            (Some(i as u64), Some(names[i].as_str())),
            "{scenario}: each company once, in order"
        );
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
    let health = request(addr, "GET", "/health", None, "").await;
    assert_eq!(health.status, 200, "{scenario}: healthy afterwards");
    assert_eq!(common::server_panics(), 0, "{scenario}: no panic");
    let c = &st["counts"];
    let counts = (
        c["succeeded"].as_u64().unwrap() + c["cached"].as_u64().unwrap(),
        c["failed"].as_u64().unwrap(),
        c["skipped"].as_u64().unwrap(),
    );
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for r in rows.iter().filter(|r| r["outcome"] == "failed") {
        *kinds
            .entry(r["error_kind"].as_str().unwrap_or_default().to_owned())
            .or_default() += 1;
    }
    println!(
        "fault matrix: {scenario:<40} {} ok, {} failed {kinds:?}, {} skipped of {}; state {}; final {:.1} s after the check began",
        counts.0,
        counts.1,
        counts.2,
        names.len(),
        st["state"],
        started.elapsed().as_secs_f64()
    );
    counts
}

pub(crate) async fn check(
    s: &Stack,
    id: &str,
    names: &[String],
    scenario: &str,
) -> (u64, u64, u64) {
    check_at(s.addr(), id, names, scenario).await
}

/// A burst of single extracts under the same fault: each answers JSON, none
/// 5xx but 502/503/504, and a 422 only for a fetch refused (a redirect loop).
pub(crate) async fn burst_at(addr: SocketAddr, names: &[String]) {
    let replies = futures_util::future::join_all(names[..20].iter().map(|n| {
        let body = json!({ "company_name": n });
        async move { extract(addr, &body).await }
    }))
    .await;
    for r in replies {
        assert!(
            r.status == 200
                || matches!(r.status, 404 | 502 | 503 | 504)
                || (r.status, r.code()) == (422, "fetch_refused"),
            "{}: {}",
            r.status,
            r.json
        );
        assert!(r.json.is_object());
    }
    assert_eq!(common::server_panics(), 0, "no panic");
}

pub(crate) async fn burst(s: &Stack, skip: usize) {
    burst_at(s.addr(), &names(s, skip)).await
}

/// One scenario on `s`: the sandbox set to `knobs`, a burst of single
/// extracts, then a batch of the first `N` companies, checked.
pub(crate) async fn scenario(s: &Stack, knobs: Knobs, label: &str) -> (u64, u64, u64) {
    s.sandbox.set_knobs(knobs);
    burst(s, 300).await;
    let names = names(s, 0);
    let id = submit(s, &names).await;
    check(s, &id, &names, label).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_of_all_upstream_calls_failing() {
    let s = fault_stack().await;
    scenario(
        &s,
        Knobs {
            error_rate: 0.5,
            ..s.sandbox.knobs()
        },
        "upstream error rate 0.5",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_answering_garbage() {
    let s = fault_stack().await;
    let (ok, failed, _) = scenario(
        &s,
        Knobs {
            search_fault: SearchFault::Garbage,
            ..s.sandbox.knobs()
        },
        "search answering garbage",
    )
    .await;
    assert_eq!((ok, failed), (0, N as u64), "no invented profile");
}

/// The provider answers 429 (with Retry-After) above a rate below demand:
/// every company still succeeds, through the limiter's pause and retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_429s_below_demand() {
    let s = fault_stack().await;
    let (ok, _, _) = scenario(
        &s,
        Knobs {
            serp_rate: 40.0,
            ..s.sandbox.knobs()
        },
        "provider 429s above 40/s",
    )
    .await;
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
    let names = names(&s, 0);
    let id = submit(&s, &names).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    s.sandbox.set_knobs(Knobs {
        search_fault: SearchFault::None,
        ..s.sandbox.knobs()
    });
    burst(&s, 300).await;
    let (ok, _, _) = check(&s, &id, &names, "search down 5 s, then healthy").await;
    assert!(ok * 100 >= 99 * N as u64, "{ok} of {N} succeeded");
}

/// Every site answers slower than the fetch timeout: each company ends
/// (failed with its kind, or from what search alone says) within its item
/// timeout, and the batch completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_slower_than_the_fetch_timeout() {
    let s = stack(600, |c| {
        c.batch.max_size = 10_000;
        c.crawl.per_host_rate = 0.0;
        c.http.timeout_ms = 300;
        // Every fetch times out, retried, and the hosts' breakers open; a
        // batch item waits for an open breaker within its own timeout. More
        // at once and a short item timeout keep the test short.
        c.concurrency.max_extractions = 32;
        c.concurrency.max_crawls = 64;
        c.concurrency.breaker_cooldown_s = 1;
        c.batch.item_timeout_ms = 5_000;
        c.cache.redis_url = extract_core::Secret::default();
    })
    .await;
    scenario(
        &s,
        Knobs {
            site_latency_ms: 1_000,
            ..s.sandbox.knobs()
        },
        "sites slower than the fetch timeout",
    )
    .await;
}

/// Every site answers a 256 MB page, a gzip bomb, or a redirect loop: the
/// body cap and the redirect limit end each fetch, every company ends, and
/// the process stays healthy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_bodies_gzip_bombs_and_redirect_loops() {
    let s = fault_stack().await;
    for (fault, skip, label) in [
        (SiteFault::Huge, 0, "every site a 256 MB page"),
        (SiteFault::Bomb, 200, "every site a gzip bomb"),
        (SiteFault::RedirectLoop, 400, "every site a redirect loop"),
    ] {
        s.sandbox.set_knobs(Knobs {
            site_fault: fault,
            ..s.sandbox.knobs()
        });
        let names = names(&s, skip);
        burst_at(s.addr(), &names[N - 20..]).await;
        let id = submit(&s, &names).await;
        check(&s, &id, &names, label).await;
    }
}
