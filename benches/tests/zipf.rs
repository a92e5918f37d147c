//! The cache's effect on upstream calls, on a small Zipf workload.

use extract_benches::workload::zipf_upstream_calls;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_cuts_upstream_calls_to_first_sightings() {
    let sandbox = extract_sandbox::Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        extract_sandbox::Config::default(),
    )
    .await
    .unwrap();
    let off = zipf_upstream_calls(&sandbox, 1_000, 200, false)
        .await
        .unwrap();
    let on = zipf_upstream_calls(&sandbox, 1_000, 200, true)
        .await
        .unwrap();
    println!(
        "off {:.3}/request, on {:.3}/request, retries {} / {}",
        off.per_request(),
        on.per_request(),
        off.retries,
        on.retries
    );
    assert_eq!((off.failed, on.failed), (0, 0));
    assert!(
        off.per_request() >= 1.9,
        "every uncached request searches and fetches"
    );
    // With the cache only first sightings reach upstream: one search per
    // distinct company (a retried search reaches the sandbox twice).
    let distinct = extract_benches::workload::zipf_indexes(1_000, 200, 1.0, 7)
        .into_iter()
        .collect::<std::collections::HashSet<_>>()
        .len() as u64;
    assert!(
        on.searches <= distinct + on.retries,
        "{} searches for {distinct} companies ({} retries)",
        on.searches,
        on.retries
    );
    assert!(on.per_request() < off.per_request() / 3.0);
}
