//! A 1,000-company batch against the sandbox (150 ms latency, search rate
//! 50/s): every item accounted for, and the ETA shown at 10 % progress
//! against the time the rest really took:
//! `cargo run --release -p extract-benches --example batch_eta`.
//!
//! Exits non-zero when an item is missing or the ETA is off by more than 25 %.

use std::time::{Duration, Instant};

use extract_batch::{BatchRequest, BatchState};
use extract_server::{sandbox, App, Config};

const COMPANIES: usize = 1_000;
const LATENCY_MS: u64 = 150;
const SEARCH_RATE: f64 = 50.0;
const CONCURRENCY: usize = 64;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let web = extract_sandbox::Sandbox::start(
        "127.0.0.1:0".parse()?,
        extract_sandbox::Config {
            companies: COMPANIES,
            knobs: extract_sandbox::Knobs {
                latency_ms: LATENCY_MS,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await?;
    let mut config = Config::defaults();
    sandbox::point_at(&mut config, web.addr());
    config.cache.warm_file = String::new();
    config.search.rate_per_sec = SEARCH_RATE;
    config.search.burst = 1;
    config.batch.max_size = COMPANIES;
    // Sized as a deployment with a 50/s search plan would be: enough
    // extractions in flight that the search rate, not the permits, paces it.
    config.concurrency.max_extractions = CONCURRENCY;
    config.concurrency.scheduler_workers = CONCURRENCY;
    config.concurrency.max_crawls = CONCURRENCY;
    config.concurrency.max_searches = CONCURRENCY;
    let app = App::build(config).await?;
    let names: Vec<String> = web.world().names(COMPANIES);
    println!(
        "{} companies, sandbox latency {LATENCY_MS} ms, search rate {SEARCH_RATE}/s, {CONCURRENCY} extractions at once",
        names.len()

    );
    let service = app.batches();
    let started = Instant::now();
    let batch = service
        .submit(BatchRequest {
            company_names: names,
            ..BatchRequest::default()
        })
        .await?;
    let mut at_10: Option<(Instant, f64)> = None;
    let status = loop {
        let s = service.status(&batch.id).await?;
        if at_10.is_none() && s.percent >= 10.0 {
            if let Some(eta) = s.eta_s {
                println!(
                    "10 %: {} of {} done after {:.1} s, {:.1} items/s, ETA {eta:.1} s",
                    s.counts.finished(),
                    s.items,
                    s.elapsed_s,
                    s.items_per_s.unwrap_or_default()
                );
                at_10 = Some((Instant::now(), eta));
            }
        }
        if !matches!(s.state, BatchState::Queued | BatchState::Running) {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let finished = Instant::now();
    let total = finished - started;
    let (_, items) = service.results(&batch.id).await?;
    println!(
        "{}: {} items ({} succeeded, {} cached, {} failed, {} skipped) in {:.1} s",
        status.state.as_str(),
        items.len(),
        status.counts.succeeded,
        status.counts.cached,
        status.counts.failed,
        status.counts.skipped,
        total.as_secs_f64()
    );
    let mut ok = true;
    let over = status.counts.finished();
    if items.len() != COMPANIES || over != COMPANIES {
        println!(
            "MISSING: {over} of {COMPANIES} items over, {} stored",
            items.len()
        );
        ok = false;
    }
    match at_10 {
        Some((when, eta)) => {
            let actual = (finished - when).as_secs_f64();

            let error = (eta - actual) / actual;
            println!(
                "ETA at 10 %: {eta:.1} s; the rest took {actual:.1} s; error {:+.1} %",
                error * 100.0
            );
            if error.abs() > 0.25 {
                println!("ETA OFF BY MORE THAN 25 %");
                ok = false;
            }
        }
        None => {
            println!("no ETA was shown at 10 %");
            ok = false;
        }
    }
    if ok {
        Ok(())
    } else {
        anyhow::bail!("the batch run missed its targets")
    }
}
