//! Batches given as records (hints, the caller's columns), and the
//! engine's time told by an injected clock.

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use extract_batch::{BatchRequest, BatchService, BatchState, Config, Error, MemoryStore};
use extract_concurrency::Scheduler;
use extract_core::{CompanyProfile, CompanyQuery, ProfileSource, Result};

use crate::batches::{request, Source};
use crate::wait_final;

/// The service and the in-memory store tell time by the injected clock: a
/// batch is stamped with its time, and a finished one is kept for its
/// retention and gone once the clock passes it, with no waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_batch_is_kept_for_its_retention_by_the_clock() {
    use extract_core::clock::ManualClock;
    const T0: u64 = 1_800_000_000_000;
    let clock = Arc::new(ManualClock::at(T0));
    let source = Arc::new(Source {
        delay: Duration::ZERO,
        calls: AtomicUsize::new(0),
    });
    let s = BatchService::builder(
        Arc::new(MemoryStore::with_clock(clock.clone())),
        Scheduler::new(2, [4, 2, 1]),
        source,
    )
    .config(Config {
        retention_s: 3_600,
        ..Config::default()
    })
    .clock(clock.clone())
    .build();
    let b = s
        .submit(request(&["Acme", "Globex"], "normal"))
        .await
        .unwrap();
    assert_eq!(b.created_at_ms, T0);
    let done = wait_final(&s, &b.id).await;
    assert_eq!(done.state, BatchState::Completed);
    assert_eq!(done.finished_at_ms, Some(T0));
    clock.advance(Duration::from_secs(3_599));
    assert!(s.status(&b.id).await.is_ok(), "kept within its retention");
    clock.advance(Duration::from_secs(2));
    assert!(
        matches!(s.status(&b.id).await, Err(Error::NotFound(_))),
        "gone after it"
    );
}

/// Records in: a name with a country, the same name with another country
/// (two companies), a domain alone; the source sees each query with its
/// hints and domain, and the batch keeps the records' columns in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_run_with_their_hints_and_keep_their_columns() {
    struct Seen(Mutex<Vec<CompanyQuery>>);
    #[async_trait]
    impl ProfileSource for Seen {
        async fn profile(&self, q: &CompanyQuery) -> Result<CompanyProfile> {
            self.0.lock().unwrap().push(q.clone());
            Ok(CompanyProfile {
                query: q.label().to_owned(),
                ..Default::default()
            })
        }
    }
    let seen = Arc::new(Seen(Mutex::new(Vec::new())));
    let s = BatchService::builder(
        Arc::new(MemoryStore::default()),
        Scheduler::new(2, [4, 2, 1]),
        seen.clone(),
    )
    .build();
    // As a client sends it: the extra columns' order is the caller's.
    let request: BatchRequest = serde_json::from_str(
        r#"{ "items": [
        { "company_name": "Hoffmann Bau", "country": "AT", "external_id": "a-1",
          "extra": { "owner": "Kim", "notes": "call, then =mail" } },
        { "company_name": "Hoffmann Bau", "country": "DE", "external_id": "a-2" },
        { "domain": "globex.com", "external_id": "a-3" },
        { "company_name": "Hoffmann Bau", "country": "Österreich", "external_id": "a-4" }
    ]}"#,
    )
    .unwrap();
    let b = s.submit(request).await.unwrap();
    assert_eq!(
        b.lines,
        ["Hoffmann Bau", "Hoffmann Bau", "globex.com", "Hoffmann Bau"]
    );
    assert_eq!(
        b.line_items,
        [0, 1, 2, 0],
        "the same name in another country is another company"
    );
    assert_eq!(
        b.inputs.columns,
        [
            "external_id",
            "company_name",
            "country",
            "owner",
            "notes",
            "domain"
        ]
    );
    assert_eq!(
        b.inputs.row(3)[0],
        ("external_id".to_owned(), "a-4".to_owned())
    );
    let done = wait_final(&s, &b.id).await;
    assert_eq!(done.state, BatchState::Completed);
    let mut seen: Vec<(Option<String>, Option<String>, Option<String>)> = seen
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|q| (q.name.clone(), q.domain.clone(), q.hints.country.clone()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            (None, Some("globex.com".into()), None),
            (Some("Hoffmann Bau".into()), None, Some("AT".into())),
            (Some("Hoffmann Bau".into()), None, Some("DE".into())),
        ]
    );
    // A record with neither a name nor a domain, or a bad hint, is refused by index.
    let bad: BatchRequest = serde_json::from_value(serde_json::json!({ "items": [
        { "company_name": "Acme" }, { "external_id": "x" }, { "company_name": "B", "country": "Atlantis" }
    ]}))
    .unwrap();
    match s.submit(bad).await {
        Err(Error::Invalid { indexes, message }) => {
            assert_eq!(indexes, [1, 2]);
            assert!(message.contains("items[1]"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// A record that gives only a domain, written as a URL, runs as that
/// domain and no name: its line reads as the domain the query reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_with_only_a_domain_runs_without_a_name() {
    struct Seen(Mutex<Vec<CompanyQuery>>);
    #[async_trait]
    impl ProfileSource for Seen {
        async fn profile(&self, q: &CompanyQuery) -> Result<CompanyProfile> {
            self.0.lock().unwrap().push(q.clone());
            Ok(CompanyProfile::default())
        }
    }
    let seen = Arc::new(Seen(Mutex::new(Vec::new())));
    let s = BatchService::builder(
        Arc::new(MemoryStore::default()),
        Scheduler::new(1, [4, 2, 1]),
        seen.clone(),
    )
    .build();
    let request: BatchRequest =
        serde_json::from_str(r#"{"items": [{"domain": "https://www.Globex.com/"}]}"#).unwrap();
    let b = s.submit(request).await.unwrap();
    assert_eq!(b.lines, ["globex.com"]);
    wait_final(&s, &b.id).await;
    let q = seen.0.lock().unwrap()[0].clone();
    assert_eq!((q.name, q.domain.as_deref()), (None, Some("globex.com")));
}
