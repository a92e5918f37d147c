//! The cost of monitoring: cached `POST /api/v1/company/extract` over
//! loopback at 32 connections against two servers in one process, one with
//! performance monitoring on and one with it off
//! (`PERFORMANCE_MONITORING_ENABLED=false`: no rolling windows, repeat
//! tracking or alert rules; the Prometheus metrics stay in both), measured
//! in alternating rounds; then the per-request monitoring calls alone.
//!
//! Run: `cargo bench -p extract-benches --bench monitoring`

use std::time::{Duration, Instant};

use extract_benches::load::{post_load, service};

fn main() -> anyhow::Result<()> {
    let rt = extract_benches::load::runtime()?;
    rt.block_on(async {
        let sandbox = extract_benches::load::sandbox(extract_sandbox::Config::default()).await?;
        let on = service(sandbox.addr(), |c| c.performance.enabled = true).await?;
        let off = service(sandbox.addr(), |c| c.performance.enabled = false).await?;
        let body = r#"{"company_name":"Walmart"}"#;
        let path = "/api/v1/company/extract";
        // Warm both caches.
        for s in [&on, &off] {
            post_load(s.addr(), path, body, 1, Duration::from_millis(300)).await;
        }
        let rounds = 4;
        let duration = Duration::from_secs(3);
        let connections = 32;
        println!(
            "{connections} connections, {rounds} alternating rounds of {}s per server",
            duration.as_secs()
        );
        let (mut rps_on, mut rps_off) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            // Alternate which goes first, so drift on a shared machine
            // weighs on both alike.
            let order = if round % 2 == 0 {
                [true, false]
            } else {
                [false, true]
            };
            for monitoring in order {
                let addr = if monitoring { on.addr() } else { off.addr() };
                let r = post_load(addr, path, body, connections, duration).await;
                println!(
                    "round {round} monitoring {:<3} {r}",
                    if monitoring { "on" } else { "off" }
                );
                if monitoring {
                    rps_on.push(r.rps);
                } else {
                    rps_off.push(r.rps);
                }
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (m_on, m_off) = (mean(&rps_on), mean(&rps_off));
        println!(
            "mean req/s: on {m_on:.0}, off {m_off:.0}; on/off = {:.3} ({:+.1} %)",
            m_on / m_off,
            (m_on / m_off - 1.0) * 100.0
        );

        // The monitoring calls one cached request makes, alone.
        let monitor = extract_perf::Monitor::new(extract_perf::Config::default(), "bench");
        let n = 1_000_000u64;
        let started = Instant::now();
        for i in 0..n {
            monitor.observe(
                extract_perf::Stage::Request,
                Duration::from_micros(300),
                "ok",
            );
            monitor.observe(extract_perf::Stage::Cache, Duration::from_micros(300), "ok");
            monitor.profile_request(i % 1000, true);
            monitor.http(path, "POST", 200, Duration::from_micros(300));
        }
        let per = started.elapsed().as_nanos() as f64 / n as f64;
        println!("monitoring calls of one cached request: {per:.0} ns");
        on.shutdown().await;
        off.shutdown().await;
        anyhow::Ok(())
    })
}
