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
    let off = zipf_upstream_calls(&sandbox, 1_500, 300, false)
        .await
        .unwrap();
    let on = zipf_upstream_calls(&sandbox, 1_500, 300, true)
        .await
        .unwrap();
    println!(
        "off {:.3}/request, on {:.3}/request",
        off.per_request(),
        on.per_request()
    );
    assert_eq!((off.failed, on.failed), (0, 0));
    assert!(
        off.per_request() >= 2.0,
        "every uncached request searches and fetches"
    );
    // With the cache only first sightings reach upstream: at most one search
    // and a handful of pages per distinct company.
    let distinct = extract_benches::workload::zipf_indexes(1_500, 300, 1.0, 7)
        .into_iter()
        .collect::<std::collections::HashSet<_>>()
        .len() as u64;
    assert!(
        on.searches <= distinct,
        "{} searches for {distinct} companies",
        on.searches
    );
    assert!(on.per_request() < off.per_request() / 3.0);
}
