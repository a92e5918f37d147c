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
use extract_test_support::redis::{shared_url, unique_prefix, TestRedis};
use serde_json::{json, Value};

use crate::common::{self, extract, get, request, stack, wait_final, Process, Stack};

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

fn names(s: &Stack, skip: usize) -> Vec<String> {
    names_of(&s.sandbox, skip, N)
}

pub(crate) async fn submit_at(addr: SocketAddr, names: &[String]) -> String {
    let r = common::submit(addr, &json!({ "company_names": names })).await;
    assert_eq!(r.status, 202, "{}", r.json);
    r.json["batch_id"].as_str().unwrap().to_owned()
}

async fn submit(s: &Stack, names: &[String]) -> String {
    submit_at(s.addr(), names).await
}

async fn status(addr: SocketAddr, id: &str) -> Value {
    get(addr, &format!("/api/v1/company/batch/{id}/status"))
        .await
        .json
}

/// Items of a batch that ended, as its status counts them.
async fn done(addr: SocketAddr, id: &str) -> u64 {
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

async fn check(s: &Stack, id: &str, names: &[String], scenario: &str) -> (u64, u64, u64) {
    check_at(s.addr(), id, names, scenario).await
}

/// A burst of single extracts under the same fault: each answers JSON, none
/// 5xx but 502/503/504, and a 422 only for a fetch refused (a redirect loop).
async fn burst_at(addr: SocketAddr, names: &[String]) {
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

async fn burst(s: &Stack, skip: usize) {
    burst_at(s.addr(), &names(s, skip)).await
}

/// One scenario on `s`: the sandbox set to `knobs`, a burst of single
/// extracts, then a batch of the first `N` companies, checked.
async fn scenario(s: &Stack, knobs: Knobs, label: &str) -> (u64, u64, u64) {
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

/// Redis (append-only, as production runs it) is killed for 20 s in the
/// middle of a batch: single extracts go on without the shared tier, the
/// batch's results wait in memory, and once Redis is back every one is
/// stored and the batch completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_for_20_s_mid_batch() {
    let Some(mut redis) =
        TestRedis::start_durable().or_else(|| TestRedis::start_or_skip("faults_redis_killed"))
    else {
        return;
    };
    let url = redis.url();
    let s = redis_stack(&url, "redis_killed").await;
    let names = names(&s, 0);
    let id = submit(&s, &names).await;
    wait_done(s.addr(), &id, 20).await;
    redis.stop();
    burst(&s, 300).await;
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert!(redis.restart(), "redis started again");
    let (ok, _, _) = check(&s, &id, &names, "redis killed 20 s mid-batch").await;
    assert!(ok * 100 >= 99 * N as u64, "{ok} of {N} succeeded");
    assert_eq!(status(s.addr(), &id).await["state"], "completed");
}

/// Redis restarts empty (no persistence) in the middle of a batch: the
/// batch's record is re-created from what its owner holds and it completes,
/// every result stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_empty_mid_batch() {
    let Some(mut redis) = TestRedis::start_or_skip("faults_redis_empty") else {
        return;
    };
    let url = redis.url();
    let s = redis_stack(&url, "redis_empty").await;
    let names = names(&s, 0);
    let id = submit(&s, &names).await;
    wait_done(s.addr(), &id, 40).await;
    assert!(redis.restart(), "redis started again, empty");
    burst(&s, 300).await;
    let (ok, _, _) = check(&s, &id, &names, "redis restarted empty mid-batch").await;
    assert!(ok * 100 >= 99 * N as u64, "{ok} of {N} succeeded");
    let stats = get(s.addr(), "/api/v1/company/batch/stats").await;
    assert!(
        stats.json["records_recreated"].as_u64() >= Some(1),
        "the loss was noticed: {}",
        stats.json
    );
}

/// A server on the Redis at `url` (cache and job store), slow enough for a
/// fault to land mid-batch.
async fn redis_stack(url: &str, test: &str) -> Stack {
    let prefix = unique_prefix(test);
    let s = stack(600, |c| {
        c.batch.max_size = 10_000;
        c.crawl.per_host_rate = 0.0;
        c.cache.redis_url = extract_core::Secret::new(url);
        c.cache.prefix = prefix.clone();
        c.batch.redis_prefix = prefix.clone();
        c.search.rate_per_sec = 20.0;
        c.search.burst = 5;
    })
    .await;
    s.sandbox.set_knobs(Knobs {
        latency_ms: 20,
        ..s.sandbox.knobs()
    });
    s
}

/// How the server process is stopped mid-batch.
#[derive(Clone, Copy, PartialEq)]
enum Stop {
    Kill,
    Terminate,
}

/// The server process is stopped in the middle of a batch of 200 and
/// another one started on the same Redis: the batch completes, every
/// company once. After SIGTERM the first process exits within its grace
/// period, having stored what it ran and released the lease, so the second
/// resumes at once, not after the lease (60 s here).
async fn stopped_mid_batch(how: Stop, test: &str) {
    let Some(redis) = shared_url(test) else {
        return;
    };
    let prefix = unique_prefix(test);
    let sandbox = common::sandbox_with(
        600,
        Knobs {
            latency_ms: 30,
            ..Knobs::default()
        },
    )
    .await;
    let lease = if how == Stop::Kill { "2" } else { "60" };
    let env = [
        ("EXTRACT_BATCH__REDIS_PREFIX", prefix.as_str()),
        ("EXTRACT_BATCH__LEASE_S", lease),
        ("EXTRACT_BATCH__MAX_SIZE", "1000"),
        // Fast enough for a test, slow enough to be stopped mid-batch.
        ("EXTRACT_SEARCH__RATE_PER_SEC", "20"),
        ("EXTRACT_SEARCH__BURST", "5"),
    ];
    let names = names_of(&sandbox, 0, N);
    let mut first = Process::start_with(&sandbox.url(), &redis, &prefix, &env).await;
    let id = submit_at(first.addr, &names).await;
    wait_done(first.addr, &id, 40).await;
    match how {
        Stop::Kill => {
            first.child.kill().unwrap();
            wait_exit(&mut first).await;
        }
        Stop::Terminate => terminate_cleanly(&mut first).await,
    }
    let at_stop = sandbox.stats().search_requests;

    let second = Process::start_with(&sandbox.url(), &redis, &prefix, &env).await;
    let resumed = Instant::now();
    burst_at(second.addr, &names_of(&sandbox, 300, 20)).await;
    let label = match how {
        Stop::Kill => "kill -9 of the server mid-batch",
        Stop::Terminate => "SIGTERM of the server mid-batch",
    };
    let (ok, _, _) = check_at(second.addr, &id, &names, label).await;
    assert!(ok * 100 >= 99 * N as u64, "{ok} of {N} succeeded");
    if how == Stop::Terminate {
        assert!(
            resumed.elapsed() < Duration::from_secs(45),
            "resumed without waiting out the 60 s lease"
        );
    }
    let log = second.log();
    assert!(!log.contains("panicked"), "no panic in the log:\n{log}");
    // The second process did not redo the first one's work: with the shared
    // cache, at most the few companies running at the stop searched again.
    let searches_after = sandbox.stats().search_requests - at_stop;
    assert!(
        searches_after <= (N - 40) as u64 + 20,
        "{searches_after} searches after the restart for at most {} companies left",
        N - 40
    );
}

/// Waits for `p` to exit, within a grace period; no panic in its log.
pub(crate) async fn wait_exit(p: &mut Process) -> std::process::ExitStatus {
    let stopped = Instant::now();
    let exit = loop {
        if let Some(code) = p.child.try_wait().unwrap() {
            break code;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(20),
            "the process outlived its grace period"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let log = p.log();
    assert!(!log.contains("panicked"), "no panic in the log:\n{log}");
    exit
}

/// Stops `p` with SIGTERM and waits for its clean exit within its grace.
async fn terminate_cleanly(p: &mut Process) {
    p.terminate();
    let exit = wait_exit(p).await;
    assert!(exit.success(), "a clean exit after SIGTERM: {exit}");
}

/// Two instances on one Redis; a batch of 200 runs while each is restarted
/// in turn (SIGTERM, then a new process): the batch completes, every
/// company once, none lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_of_every_instance_loses_nothing() {
    let Some(redis) = shared_url("faults_rolling") else {
        return;
    };
    let prefix = unique_prefix("faults_rolling");
    let sandbox = common::sandbox_with(
        600,
        Knobs {
            latency_ms: 30,
            ..Knobs::default()
        },
    )
    .await;
    // A short lease: a running instance looks for released batches every
    // half lease.
    let env = [
        ("EXTRACT_BATCH__REDIS_PREFIX", prefix.as_str()),
        ("EXTRACT_BATCH__LEASE_S", "4"),
        ("EXTRACT_BATCH__MAX_SIZE", "1000"),
        ("EXTRACT_SEARCH__RATE_PER_SEC", "20"),
        ("EXTRACT_SEARCH__BURST", "5"),
    ];
    let names = names_of(&sandbox, 0, N);
    let mut a = Process::start_with(&sandbox.url(), &redis, &prefix, &env).await;
    let mut b = Process::start_with(&sandbox.url(), &redis, &prefix, &env).await;
    let id = submit_at(a.addr, &names).await;
    wait_done(b.addr, &id, 40).await;
    terminate_cleanly(&mut a).await;
    let a2 = Process::start_with(&sandbox.url(), &redis, &prefix, &env).await;
    wait_done(a2.addr, &id, 100).await;
    terminate_cleanly(&mut b).await;
    let b2 = Process::start_with(&sandbox.url(), &redis, &prefix, &env).await;
    burst_at(b2.addr, &names_of(&sandbox, 300, 20)).await;
    let (ok, _, _) = check_at(b2.addr, &id, &names, "a rolling restart of both instances").await;
    assert!(ok * 100 >= 99 * N as u64, "{ok} of {N} succeeded");
    for p in [&a2, &b2] {
        let log = p.log();
        assert!(!log.contains("panicked"), "no panic in the log:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_server_mid_batch() {
    stopped_mid_batch(Stop::Kill, "faults_sigkill").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_of_the_server_mid_batch() {
    stopped_mid_batch(Stop::Terminate, "faults_sigterm").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_at_0_1_and_50_percent() {
    let s = fault_stack().await;
    s.sandbox.set_knobs(Knobs {
        latency_ms: 20,
        ..s.sandbox.knobs()
    });
    for (at, skip) in [(0u64, 0usize), (N as u64 / 100, 200), (N as u64 / 2, 400)] {
        let names = names(&s, skip);
        let id = submit(&s, &names).await;
        wait_done(s.addr(), &id, at).await;
        let r = request(
            s.addr(),
            "DELETE",
            &format!("/api/v1/company/batch/{id}"),
            None,
            "",
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.json);
        burst(&s, 300 + skip / 4).await;
        let (_, _, skipped) = check(&s, &id, &names, &format!("cancel after {at} items")).await;
        assert!(skipped > 0);
        assert_eq!(status(s.addr(), &id).await["state"], "cancelled");
    }
}

/// The largest batch accepted: 10,000 companies, every one stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_10_000_name_batch() {
    const BIG: usize = 10_000;
    let s = stack(BIG, |c| {
        c.batch.max_size = BIG;
        c.server.max_body_bytes = 4 << 20;
        c.crawl.per_host_rate = 0.0;
        c.cache.redis_url = extract_core::Secret::default();
    })
    .await;
    let names = names_of(&s.sandbox, 0, BIG);
    let id = submit(&s, &names).await;
    burst(&s, 0).await;
    let (ok, _, _) = check(&s, &id, &names, "a 10,000-name batch").await;
    assert!(ok * 100 >= 99 * BIG as u64, "{ok} of {BIG} succeeded");
}

/// Warming requests flood in while a batch runs: the queue stays within its
/// bound (the overflow answered 429 with nothing queued), the batch and
/// single extracts are served first, and DELETE empties the queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warming_flood() {
    let s = stack(600, |c| {
        c.batch.max_size = 1_000;
        c.crawl.per_host_rate = 0.0;
        c.cache.warm_max_pending = 3_000;
        c.cache.redis_url = extract_core::Secret::default();
    })
    .await;
    let names = names(&s, 0);
    let id = submit(&s, &names).await;
    let addr = s.addr();
    let replies = futures_util::future::join_all((0..10).map(|r| async move {
        let flood: Vec<String> = (0..1_000)
            .map(|i| format!("Flood {r} Company {i}"))
            .collect();
        request(
            addr,
            "POST",
            "/api/v1/cache/warm",
            Some("application/json"),
            &json!({ "company_names": flood }).to_string(),
        )
        .await
    }))
    .await;
    let accepted = replies.iter().filter(|r| r.status == 202).count();
    let refused = replies
        .iter()
        .filter(|r| r.status == 429 && r.code() == "warm_queue_full")
        .count();
    assert_eq!(
        (accepted, refused),
        (3, 7),
        "three fill the queue, seven are refused"
    );
    burst(&s, 300).await;
    check(&s, &id, &names, "a warming flood").await;
    let stats = get(addr, "/api/v1/cache/stats").await.json;
    assert!(stats["warm"]["pending"].as_u64() <= Some(3_000), "{stats}");
    let r = request(addr, "DELETE", "/api/v1/cache/warm", None, "").await;
    assert_eq!(r.status, 200, "{}", r.json);
    // Emptied: what is left is at most the names being warmed right now.
    let stats = get(addr, "/api/v1/cache/stats").await.json;
    assert!(
        stats["warm"]["pending"].as_u64() <= stats["warm"]["workers"].as_u64().max(Some(2)),
        "{stats}"
    );
    println!(
        "fault matrix: warming flood: {accepted} of 10 requests queued, {refused} refused, {} cancelled",
        r.json["cancelled"]
    );
}
