//! Concurrency speedup and connection reuse: 200 companies against a sandbox
//! answering every request after ~200 ms, one at a time and at the
//! configured concurrency, in one run.
//!
//! Run: `cargo bench -p extract-benches --bench speedup`

use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let rt = extract_benches::load::runtime()?;
    rt.block_on(async {
        let sandbox = extract_benches::load::sandbox(extract_sandbox::Config {
            companies: 1_000,
            knobs: extract_sandbox::Knobs { latency_ms: 200, ..Default::default() },
            ..Default::default()
        })
        .await?;
        let names: Vec<String> = sandbox.world().names(200);
        let defaults = extract_server::Config::defaults();
        println!(
            "200 companies, sandbox latency 200 ms ±50%, configured max_extractions = {}",
            defaults.concurrency.max_extractions
        );
        let mut times = Vec::new();
        for concurrency in [1, defaults.concurrency.max_extractions] {
            let mut config = extract_server::Config::defaults();
            extract_server::sandbox::point_at(&mut config, sandbox.addr());
            config.cache.enabled = false;
            config.cache.warm_file = String::new();
            config.search.rate_per_sec = 0.0;
            config.concurrency.max_extractions = concurrency;
            // Queued requests wait for their turn rather than time out.
            config.server.request_timeout_ms = 600_000;
            let app = extract_server::App::build(config).await?;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let server = extract_server::serve::spawn(app.clone(), listener)?;
            let started = Instant::now();
            // The client sends everything at once; the service's limit decides.
            let failed = extract_benches::workload::run(server.addr(), &names, names.len()).await;
            let elapsed = started.elapsed();
            let http = app.system_stats().http;
            println!(
                "concurrency {concurrency:>2}: {:>6.1} s, {failed} failed; {} requests on {} connections to {} hosts: reuse {:.1}% overall, {:.1}% for hosts seen before",
                elapsed.as_secs_f64(),
                http.requests,
                http.connections_opened,
                http.hosts,
                http.reuse_ratio.unwrap_or(0.0) * 100.0,
                http.repeat_reuse_ratio.unwrap_or(0.0) * 100.0,
            );
            times.push(elapsed);
            server.shutdown().await;
        }
        println!("speedup: {:.2}x", times[0].as_secs_f64() / times[1].as_secs_f64());
        anyhow::Ok(())
    })
}
