//! How long the sandbox takes to build a world, and to start serving one:
//! `cargo run --release -p extract-benches --example world_size`.
//!
//! Worlds past the drawn names' space (about 25,000 companies) number their
//! names; this measures 100,000 and 1,000,000 companies.

use std::time::Instant;

use extract_sandbox::{Config, Sandbox, World};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    for n in [100_000usize, 1_000_000] {
        let t = Instant::now();
        let world = World::new(n, 42);
        let built = t.elapsed();
        let distinct: std::collections::HashSet<&str> =
            world.companies().iter().map(|c| c.name.as_str()).collect();
        println!(
            "world of {n}: built in {:.2} s, {} distinct names",
            built.as_secs_f64(),
            distinct.len()
        );
    }
    let t = Instant::now();
    let sandbox = Sandbox::start(
        "127.0.0.1:0".parse()?,
        Config {
            companies: 100_000,
            ..Config::default()
        },
    )
    .await?;
    println!(
        "sandbox of 100000 serving after {:.2} s",
        t.elapsed().as_secs_f64()
    );
    sandbox.shutdown().await;
    Ok(())
}
