//! The fault matrix, part two: Redis killed or restarted empty mid-batch,
//! the server process killed or stopped mid-batch, and a rolling restart
//! of every instance (`cargo test -p extract-server --test it faults --
//! --nocapture`). The scenarios' checks are the first part's, in
//! `faults.rs`.

use std::time::{Duration, Instant};

use extract_sandbox::Knobs;
use extract_test_support::redis::{shared_url, unique_prefix, TestRedis};
use serde_json::json;

use crate::common::{self, get, request, stack, Process, Stack};
use crate::faults::*;

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
    let sandbox = slow_sandbox().await;
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
    let sandbox = slow_sandbox().await;
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

/// 600 companies, each answer 30 ms late: a batch of 200 is still running
/// when an instance is stopped.
async fn slow_sandbox() -> extract_sandbox::Sandbox {
    common::sandbox_with(
        600,
        Knobs {
            latency_ms: 30,
            ..Knobs::default()
        },
    )
    .await
}
