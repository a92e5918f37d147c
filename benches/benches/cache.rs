//! Cache costs: envelope encode/decode of a real profile, an L1 hit, and an
//! L2 hit on a real Redis (GET + decode).
//!
//! Run: `cargo bench -p extract-benches --bench cache` (the L2 bench needs
//! `REDIS_URL` or a Redis on 127.0.0.1:6379).

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use extract_cache::{connect_redis, decode, encode, Level, RemoteStore, Tiered};
use extract_core::{CompanyProfile, Freshness};

fn profile() -> CompanyProfile {
    let world = extract_sandbox::World::new(600, 42);
    let walmart = world.lookup("Walmart").expect("walmart");
    let html = extract_sandbox::render_homepage(walmart);
    extract_core::profile_from_page(
        "https://www.walmart.com/",
        html.as_bytes(),
        None,
        &Default::default(),
    )
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let p = profile();
    let bytes = encode(&p, 1, "bench");
    let mut group = c.benchmark_group("cache");
    group.bench_function("envelope_encode", |b| {
        b.iter(|| encode(std::hint::black_box(&p), 1, "bench"))
    });
    group.bench_function("envelope_decode", |b| {
        b.iter(|| decode::<CompanyProfile>(std::hint::black_box(&bytes)).unwrap())
    });

    let l1: Tiered<CompanyProfile> = Tiered::new(
        Level::Company,
        "bench",
        Duration::from_secs(3600),
        Duration::ZERO,
        1 << 26,
        None,
        extract_core::clock::system(),
    );
    let value = p.clone();
    rt.block_on(l1.get_or_compute(
        "walmart",
        Freshness::default(),
        move || async move { Ok(value) },
    ))
    .unwrap();
    group.bench_function("l1_hit", |b| {
        b.to_async(&rt).iter(|| async {
            l1.get_or_compute("walmart", Freshness::default(), || async {
                unreachable!("cached")
            })
            .await
            .unwrap()
        })
    });

    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let config = extract_cache::Config {
        redis_url: extract_core::Secret::new(url),
        ..extract_cache::Config::default()
    };
    let store: Arc<extract_redis::Redis> = rt.block_on(connect_redis(&config)).unwrap();
    if store.state().connected {
        let key = format!("bench:{}:walmart", std::process::id());
        rt.block_on(store.set(&key, bytes.clone(), Duration::from_secs(300)))
            .unwrap();
        group.bench_function("l2_hit_redis_get_and_decode", |b| {
            b.to_async(&rt).iter(|| async {
                let got = store.get(&key).await.unwrap().unwrap();
                decode::<CompanyProfile>(&got).unwrap()
            })
        });
    } else {
        eprintln!("no Redis reachable: l2_hit skipped");
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
