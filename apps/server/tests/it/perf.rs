//! Monitoring over real HTTP against the sandbox: `/metrics` checked by
//! promtool, and the performance report's verdicts in four scenarios.

use std::time::{Duration, Instant};

use extract_sandbox::Knobs;
use serde_json::{json, Value};

use crate::common::{extract, request, stack, Stack};

pub(crate) fn names(s: &Stack, skip: usize, n: usize) -> Vec<String> {
    s.sandbox
        .world()
        .companies()
        .iter()
        .skip(skip)
        .take(n)
        .map(|c| c.name.clone())
        .collect()
}

/// Extracts every name at once; answers the statuses.
pub(crate) async fn extract_all(s: &Stack, names: &[String]) -> Vec<u16> {
    let addr = s.addr();
    futures_util::future::join_all(
        names
            .iter()
            .map(|n| async move { extract(addr, &json!({ "company_name": n })).await.status }),
    )
    .await
}

pub(crate) async fn report(s: &Stack) -> Value {
    let r = request(s.addr(), "GET", "/api/v1/performance/report", None, "").await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.json
}

pub(crate) fn recommendation_ids(report: &Value) -> Vec<String> {
    report["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits for the once-a-second sampler to have seen the last work.
pub(crate) async fn let_sample() {
    tokio::time::sleep(Duration::from_millis(1200)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_pass_promtool_and_every_family_is_documented() {
    let s = stack(50, |_| {}).await;
    let companies = names(&s, 0, 3);
    assert!(extract_all(&s, &companies).await.iter().all(|c| *c == 200));
    extract_all(&s, &companies[..1]).await; // a cache hit
    let r = request(
        s.addr(),
        "POST",
        "/api/v1/company/batch/submit",
        Some("application/json"),
        &json!({ "company_names": [companies[0]] }).to_string(),
    )
    .await;
    let id = r.json["batch_id"].as_str().unwrap().to_owned();
    request(
        s.addr(),
        "GET",
        &format!("/api/v1/company/batch/{id}/status"),
        None,
        "",
    )
    .await;
    request(s.addr(), "BREWCOFFEE", "/no/such/route/Walmart", None, "").await;
    let_sample().await;
    let m = request(s.addr(), "GET", "/metrics", None, "").await;
    assert_eq!(m.status, 200);
    assert!(m.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = std::str::from_utf8(&m.body).unwrap().to_owned();

    // Low cardinality: no batch id, company name or URL in any label.
    assert!(!text.contains(&id), "a batch id became a label");
    for c in &companies {
        assert!(!text.contains(c.as_str()), "{c} became a label");
    }
    assert!(text.contains("route=\"/api/v1/company/batch/{id}/status\""));
    assert!(text.contains(
        "extract_http_requests_total{route=\"other\",method=\"other\",status=\"404\"} 1"
    ));
    assert!(!text.contains("BREWCOFFEE") && !text.contains("no/such"));

    assert!(text.contains(
        "extract_stage_duration_seconds_bucket{stage=\"fetch\",outcome=\"ok\",le=\"0.0001\"}"
    ));
    let hits: u64 = text
        .lines()
        .find_map(|l| {
            l.strip_prefix(
                "extract_cache_lookups_total{level=\"company\",tier=\"l1\",result=\"hit\"} ",
            )
        })
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        hits >= 1,
        "the repeat (and the batch's prefetch) hit the cache"
    );

    // Every family exposed is in the catalog, and the catalog is documented.
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/observability.md"
    ))
    .unwrap();
    let catalog: Vec<&str> = extract_perf::catalog::METRICS.iter().map(|m| m.0).collect();
    for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let name = line.split_whitespace().nth(2).unwrap();
        assert!(catalog.contains(&name), "{name} is not in the catalog");
    }
    for name in &catalog {
        assert!(
            docs.contains(&format!("`{name}`")),
            "{name} is not in docs/observability.md"
        );
    }

    // promtool, from Debian's prometheus package.
    let promtool = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match promtool {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "promtool is missing under CI=true ({e}); .ci/run installs the prometheus package"
            );
            eprintln!("promtool not installed: the exposition check is skipped");
            return;
        }
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (a) The search provider's rate far below demand: the report names the
/// search rate limiter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_starved_search_rate_is_named_the_bottleneck() {
    let s = stack(100, |c| {
        c.search.rate_per_sec = 2.0;
        c.search.burst = 1;
        // One page per company: the scenario is about search alone.
        c.extract.verify_candidates = 1;
        // The memory measured is this whole test process's, where dozens of
        // servers run side by side: not what this scenario is about.
        c.resources.max_memory_mb = 4096;
    })
    .await;
    let statuses = extract_all(&s, &names(&s, 0, 20)).await;
    assert!(statuses.iter().all(|c| *c == 200), "{statuses:?}");
    let_sample().await;
    let r = report(&s).await;
    let b = &r["bottleneck"];
    assert_eq!(b["kind"], "rate_limiter", "{r:#}");
    assert_eq!(b["name"], "search_rate_limiter");
    assert!(b["evidence"]["wait_share"].as_f64().unwrap() >= 0.5, "{b}");
    assert!(recommendation_ids(&r).contains(&"raise_search_rate".to_owned()));
    println!("(a) {}", b["summary"]);
}

/// (c) Repeats that a cold (here: switched off) cache cannot answer: the
/// report recommends caching; with the cache on, the same load does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeats_without_cache_hits_recommend_caching() {
    for cache_on in [false, true] {
        let s = stack(50, |c| c.cache.enabled = cache_on).await;
        let companies = names(&s, 0, 8);
        for _ in 0..3 {
            let statuses = extract_all(&s, &companies).await;
            assert!(statuses.iter().all(|c| *c == 200), "{statuses:?}");
        }
        let r = report(&s).await;
        assert_eq!(r["cache"]["requests"], 24);
        assert!((r["cache"]["repeat_ratio"].as_f64().unwrap() - 16.0 / 24.0).abs() < 1e-9);
        let ids = recommendation_ids(&r);
        assert_eq!(
            ids.contains(&"enable_caching".to_owned()),
            !cache_on,
            "cache on: {cache_on}: {ids:?}"
        );
    }
}

/// (d) An upstream failing: the alert fires once, and clears once after
/// recovery; both changes reach the alert webhook.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_upstream_fires_one_alert_that_clears_once() {
    let s = stack(200, |c| {
        c.performance.alerts.window_s = 3;
        c.performance.alerts.min_calls = 3;
        c.performance.alerts.webhook_url = "http://alerts.example/__sandbox/hooks/alerts".into();
        c.performance.alerts.webhook_secret = extract_core::Secret::new("alert-s3cret");
        c.concurrency.retry_attempts = 1;
        c.concurrency.breaker_cooldown_s = 1;
    })
    .await;
    let active = |r: &Value| {
        r["alerts"]["active"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["rule"] == "search_error_rate")
    };
    s.sandbox.set_knobs(Knobs {
        error_rate: 1.0,
        ..s.sandbox.knobs()
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut batch = 0;
    loop {
        extract_all(&s, &names(&s, batch * 5, 5)).await;
        batch += 1;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if active(&report(&s).await) {
            break;
        }
        assert!(Instant::now() < deadline, "the alert never fired");
    }
    s.sandbox.set_knobs(Knobs {
        error_rate: 0.0,
        ..s.sandbox.knobs()
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        extract_all(&s, &names(&s, batch * 5, 5)).await;
        batch += 1;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if !active(&report(&s).await) {
            break;
        }
        assert!(Instant::now() < deadline, "the alert never cleared");
    }
    // A little more healthy traffic: nothing fires again.
    extract_all(&s, &names(&s, batch * 5, 5)).await;
    let_sample().await;
    let r = report(&s).await;
    let events: Vec<&str> = r["alerts"]["recent"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rule"] == "search_error_rate")
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(events, vec!["resolved", "firing"], "newest first: {r:#}");
    let mut hooks = Vec::new();
    for _ in 0..100 {
        hooks = s
            .sandbox
            .hooks()
            .into_iter()
            .filter(|h| h.body.contains("search_error_rate"))
            .collect();
        if hooks.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let states: Vec<String> = hooks
        .iter()
        .map(|h| {
            serde_json::from_str::<Value>(&h.body).unwrap()["state"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(states, vec!["firing", "resolved"]);
    // Sent like a batch's webhook: the event named, the body signed.
    for (h, state) in hooks.iter().zip(["firing", "resolved"]) {
        let header = |name: &str| {
            h.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            header("x-extract-event").as_deref(),
            Some(&*format!("alert.{state}"))
        );
        assert_eq!(
            header("x-extract-signature"),
            Some(extract_batch::sign(b"alert-s3cret", h.body.as_bytes()))
        );
    }
    let m = request(s.addr(), "GET", "/metrics", None, "").await;
    let text = std::str::from_utf8(&m.body).unwrap();
    assert!(
        text.contains(
            "extract_upstream_requests_total{upstream=\"search\",outcome=\"upstream_status\"}"
        ),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_off_turns_the_report_off_but_not_metrics() {
    let s = stack(20, |c| c.performance.enabled = false).await;
    let r = request(s.addr(), "GET", "/api/v1/performance/report", None, "").await;
    assert_eq!(r.status, 503);
    assert_eq!(r.json["error"]["code"], "performance_monitoring_disabled");
    let m = request(s.addr(), "GET", "/metrics", None, "").await;
    assert_eq!(m.status, 200);
    assert!(std::str::from_utf8(&m.body)
        .unwrap()
        .contains("extract_performance_monitoring_enabled 0"));
}
