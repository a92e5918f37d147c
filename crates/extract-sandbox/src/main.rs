//! The sandbox as its own process, so that its knobs and counters can be used
//! from outside (`extract-server --sandbox-url`, load tests).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use extract_sandbox::{Config, Knobs, Sandbox};

/// A simulated internet on loopback: a search API and thousands of company websites.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9090")]
    bind: SocketAddr,
    /// Companies in the world (the 500 real ones plus generated ones).
    #[arg(long, default_value_t = 2000)]
    companies: usize,
    /// Seed of the generated companies and of search result order.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Base latency of every answer in ms (each waits 50–150 % of it).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Extra latency of every site answer in ms (not search): slow websites.
    #[arg(long, default_value_t = 0)]
    site_latency_ms: u64,
    /// Share of requests answered with a 500 (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Search requests per second before answering 429 with Retry-After (0: no limit).
    #[arg(long, default_value_t = 0.0)]
    serp_rate: f64,
    /// A folder of saved HTML pages to serve as extra sites (`<stem>.corpus.test`).
    #[arg(long)]
    corpus_dir: Option<PathBuf>,
    /// A JSON file of fixed search answers, `[{"q", "hits": [[url, title, snippet], …]}]`
    /// (the shape of the shared corpus's `hard_names/dev_hard_names.json`).
    #[arg(long)]
    scenario: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = Config {
        companies: args.companies,
        seed: args.seed,
        knobs: Knobs {
            latency_ms: args.latency_ms,
            site_latency_ms: args.site_latency_ms,

            error_rate: args.error_rate,
            serp_rate: args.serp_rate,
            ..Knobs::default()
        },
        corpus_dir: args.corpus_dir,
        scenario: match &args.scenario {
            Some(path) => extract_sandbox::Scenario::from_file(path)
                .with_context(|| format!("reading the scenario {}", path.display()))?,
            None => extract_sandbox::Scenario::default(),
        },
    };
    let sandbox = Sandbox::start(args.bind, config).await?;
    tracing::info!(addr = %sandbox.addr(), companies = sandbox.world().companies().len(), "sandbox listening");
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
