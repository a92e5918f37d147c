//! Overhead of the concurrency primitives on the hot path: a permit, a
//! token, a per-host slot, a breaker check.
//!
//! Run: `cargo bench -p extract-benches --bench concurrency`

use std::sync::Arc;

use async_trait::async_trait;
use criterion::{criterion_group, criterion_main, Criterion};
use extract_concurrency::{Breakers, Config, HostConfig, HostLimiter, Permits, RateLimitedSearch};
use extract_core::{Fetch, FetchRequest, Page, Result, Search, SearchQuery, SearchResults};

struct Nothing;

#[async_trait]
impl Search for Nothing {
    async fn search(&self, _q: &SearchQuery) -> Result<SearchResults> {
        Ok(SearchResults::default())
    }
}

#[async_trait]
impl Fetch for Nothing {
    async fn fetch(&self, r: &FetchRequest) -> Result<Page> {
        Ok(Page {
            url: r.url.clone(),
            status: 200,
            content_type: None,
            retry_after: None,
            body: Default::default(),
            truncated: false,
        })
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut g = c.benchmark_group("concurrency");
    let permits = Permits::new(extract_core::Pool::Extractions, 8, 1);
    g.bench_function("permit_acquire_release", |b| {
        b.to_async(&rt)
            .iter(|| async { drop(permits.acquire().await) })
    });
    let bare: Arc<dyn Search> = Arc::new(Nothing);
    let q = SearchQuery {
        text: "x".into(),
        max_results: 10,
    };
    g.bench_function("search_without_limiter", |b| {
        b.to_async(&rt).iter(|| bare.search(&q))
    });
    // One departure from a fresh limiter each time: the cost of the GCRA
    // and window check, never of waiting (a loop this fast would fill any
    // real rate's window at once).
    g.bench_function("search_with_token", |b| {
        b.to_async(&rt).iter_batched(
            || RateLimitedSearch::new(bare.clone(), 1e5, 1),
            |limited| {
                let q = q.clone();
                async move { limited.search(&q).await }
            },
            criterion::BatchSize::SmallInput,
        )
    });
    let hosts = HostLimiter::new(
        Arc::new(Nothing),
        &HostConfig {
            per_host_rate: 1e9,
            max_tracked_hosts: 1000,
        },
    );
    let req = FetchRequest::get("https://www.walmart.com/");
    g.bench_function("fetch_with_host_slot", |b| {
        b.to_async(&rt).iter(|| hosts.fetch(&req))
    });
    let breakers = Breakers::new(&Config::default());
    g.bench_function("breaker_admit_and_record", |b| {
        b.iter(|| {
            let _ = breakers.admit("host:www.walmart.com");
            breakers.record("host:www.walmart.com", false);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
