//! What reading the top candidates' homepages costs a cold extraction:
//! `cargo run --release -p extract-benches --example verify_latency`.
//!
//! The hard names (`../shared/corpus/hard_names`) served by the sandbox with
//! `L` ms (±50% jitter) on every search and site answer; each name extracted cold (a new
//! pipeline per round, so no robots.txt is remembered) with
//! `verify_candidates = 1` (search, then the winner's robots.txt, then its
//! homepage) and `= 3` (search, then three candidates' robots.txt and
//! homepages at once), in alternating rounds of one run. Printed beside the
//! floor of search + one page round trip.

use std::time::{Duration, Instant};

use extract_benches::{accuracy, hard_names};
use extract_core::{CompanyQuery, ProfileSource};

const ROUNDS: usize = 3;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cases = hard_names::cases(&accuracy::corpus_dir().join("hard_names/dev_hard_names.json"))?;
    println!("latency  verify=1 median  verify=3 median  floor (2 RTT)  verify=3 / verify=1  verify=3 / floor");
    for latency in [0_u64, 50, 200] {
        let sandbox = hard_names::sandbox(&cases).await?;
        sandbox.set_knobs(extract_sandbox::Knobs {
            latency_ms: latency,
            ..sandbox.knobs()
        });
        let mut times: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
        for _ in 0..ROUNDS {
            for (slot, verify) in [(0, 1), (1, 3)] {
                let pipeline = hard_names::pipeline_with(
                    &sandbox,
                    extract_core::Config {
                        verify_candidates: verify,
                        ..extract_core::Config::default()
                    },
                )?;
                for case in &cases {
                    let query = CompanyQuery::by_name(&case.q)?;
                    let started = Instant::now();
                    let _ = pipeline.profile(&query).await;
                    times[slot].push(started.elapsed());
                }
            }
        }
        sandbox.shutdown().await;
        let median = |v: &mut Vec<Duration>| {
            v.sort();
            v[v.len() / 2]
        };
        let one = median(&mut times[0]);
        let three = median(&mut times[1]);
        let floor = Duration::from_millis(2 * latency);
        println!(
            "{latency:>4} ms  {:>12.1} ms  {:>12.1} ms  {:>10} ms  {:>19.2}  {:>16}",
            one.as_secs_f64() * 1e3,
            three.as_secs_f64() * 1e3,
            floor.as_millis(),
            three.as_secs_f64() / one.as_secs_f64(),
            if latency == 0 {
                "-".to_owned()
            } else {
                format!("{:.2}", three.as_secs_f64() / floor.as_secs_f64())
            },
        );
    }
    Ok(())
}
