//! Upstream calls per request under a Zipf workload (10,000 requests over
//! 1,000 sandbox companies), without and with the cache:
//! `cargo run --release -p extract-benches --example zipf`.

use extract_benches::workload::zipf_upstream_calls;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sandbox = extract_sandbox::Sandbox::start(
        "127.0.0.1:0".parse()?,
        extract_sandbox::Config {
            companies: 1_000,
            ..Default::default()
        },
    )
    .await?;
    println!("10,000 requests, Zipf (s = 1) over 1,000 companies, 32 at a time");
    for cache in [false, true] {
        let c = zipf_upstream_calls(&sandbox, 10_000, 1_000, cache).await?;
        println!(
            "cache {:<3}  upstream calls {:>6} ({} searches, {} pages) = {:.3} per request, {} failed, {:.1} s",
            if cache { "on" } else { "off" },
            c.searches + c.pages,
            c.searches,
            c.pages,
            c.per_request(),
            c.failed,
            c.elapsed.as_secs_f64()
        );
    }
    Ok(())
}
