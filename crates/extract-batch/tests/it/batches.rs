//! Isolation, deduplication, cancellation, priorities, webhooks, validation.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use extract_batch::{
    sign, BatchRequest, BatchService, BatchState, Config, Error, ItemState, MemoryStore, Notifier,
    SIGNATURE_HEADER,
};
use extract_concurrency::Scheduler;

use crate::wait_final;
use extract_core::{
    CompanyProfile, CompanyQuery, Error as CoreError, ProfileSource, Result, Upstream,
};

/// Fails names containing "fail"; takes `delay` per company; counts calls.
pub(crate) struct Source {
    pub(crate) delay: Duration,
    pub(crate) calls: AtomicUsize,
}

#[async_trait]
impl ProfileSource for Source {
    async fn profile(&self, q: &CompanyQuery) -> Result<CompanyProfile> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        if q.label().contains("fail") {
            return Err(CoreError::NoWebsite {
                company: q.label().to_owned(),
            });
        }
        if q.label().contains("down") {
            return Err(CoreError::Timeout {
                upstream: Upstream::Site,
                url: "https://down.example/".into(),
            });
        }
        // "vague" names get a website chosen with low confidence.
        let website_choice = q
            .label()
            .contains("vague")
            .then(|| extract_core::WebsiteChoice {
                url: "https://vague.example/".into(),
                confidence: 0.4,
                status: extract_core::MatchStatus::Uncertain,
                runner_up: Some("https://vague-too.example/".into()),
                runner_up_confidence: Some(0.38),
                reasons: Vec::new(),
            });
        Ok(CompanyProfile {
            query: q.label().to_owned(),
            website_choice,
            ..Default::default()
        })
    }
}

fn service(
    workers: usize,
    delay_ms: u64,
    notifier: Option<Arc<dyn Notifier>>,
) -> (BatchService, Arc<Source>) {
    let source = Arc::new(Source {
        delay: Duration::from_millis(delay_ms),
        calls: AtomicUsize::new(0),
    });
    let config = Config {
        webhook_secret: extract_core::Secret::new("s3cret"),
        webhook_attempts: 2,
        ..Config::default()
    };
    let mut builder = BatchService::builder(
        Arc::new(MemoryStore::default()),
        Scheduler::new(workers, [4, 2, 1]),
        source.clone(),
    )
    .config(config);
    if let Some(n) = notifier {
        builder = builder.notifier(n);
    }
    let s = builder.build();
    (s, source)
}

pub(crate) fn request(names: &[&str], priority: &str) -> BatchRequest {
    serde_json::from_value(serde_json::json!({ "company_names": names, "priority": priority }))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_stay_isolated_and_duplicates_answer_every_line() {
    let (s, source) = service(4, 5, None);
    let b = s
        .submit(request(
            &[
                "Acme",
                "will fail Co",
                "ACME Inc.",
                "Globex",
                "down Corp",
                "acme",
            ],
            "normal",
        ))
        .await
        .unwrap();
    assert_eq!(b.line_items, vec![0, 1, 0, 2, 3, 0]);
    let st = wait_final(&s, &b.id).await;
    assert_eq!(st.state, BatchState::CompletedWithErrors);
    assert_eq!((st.submitted, st.items), (6, 4));
    assert_eq!((st.counts.succeeded, st.counts.failed), (2, 2));
    assert_eq!(
        source.calls.load(Ordering::SeqCst),
        4,
        "one extraction per distinct company"
    );
    let (batch, items) = s.results(&b.id).await.unwrap();
    assert_eq!(items[1].state, ItemState::Failed);
    assert_eq!(items[1].error.as_ref().unwrap().kind, "no_website");
    assert_eq!(items[3].error.as_ref().unwrap().kind, "upstream_timeout");
    assert!(items[0].profile.is_some() && items[2].profile.is_some());
    assert_eq!(batch.lines[2], "ACME Inc.");
    let summary = s.summary(&b.id).await.unwrap();
    assert_eq!(summary.success_rate, Some(0.5));
    assert_eq!(summary.errors["no_website"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_new_items_at_once_and_keeps_finished_results() {
    let (s, source) = service(1, 100, None);
    let names: Vec<String> = (0..20).map(|i| format!("Company {i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let b = s.submit(request(&names, "normal")).await.unwrap();
    while s.status(&b.id).await.unwrap().counts.succeeded < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let st = s.cancel(&b.id).await.unwrap();
    let calls_at_cancel = source.calls.load(Ordering::SeqCst);
    let st = if st.state.is_final() {
        st
    } else {
        wait_final(&s, &b.id).await
    };
    assert_eq!(st.state, BatchState::Cancelled);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        source.calls.load(Ordering::SeqCst) <= calls_at_cancel,
        "no item started after the cancel"
    );
    assert!(st.counts.succeeded >= 2);
    assert_eq!(st.counts.finished(), 20);
    assert!(st.counts.skipped >= 15, "{:?}", st.counts);
    let (_, items) = s.results(&b.id).await.unwrap();
    assert!(items
        .iter()
        .filter(|i| i.state == ItemState::Succeeded)
        .all(|i| i.profile.is_some()));
    assert!(items
        .iter()
        .filter(|i| i.state == ItemState::Skipped)
        .all(|i| i.error.as_ref().unwrap().kind == "cancelled"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn high_priority_batches_finish_first_and_low_ones_progress() {
    let (s, _) = service(2, 20, None);
    let mut ids = Vec::new();
    for (i, p) in ["low", "normal", "high", "low", "high"].iter().enumerate() {
        // Weights are 4:2:1, so two 20-item high batches (40 items) finish
        // while the 30-item normal batch is about two-thirds through.
        let size = if *p == "high" { 20 } else { 30 };
        let names: Vec<String> = (0..size).map(|n| format!("{p} {i} company {n}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        ids.push((*p, s.submit(request(&names, p)).await.unwrap().id));
    }
    let mut finished_order = Vec::new();
    let mut low_progress_while_high_ran = false;
    while finished_order.len() < ids.len() {
        for (p, id) in &ids {
            let st = s.status(id).await.unwrap();
            if st.state.is_final() && !finished_order.iter().any(|(_, i): &(&str, String)| i == id)
            {
                finished_order.push((p, id.clone()));
            }
            let highs_done = finished_order.iter().filter(|(q, _)| *q == "high").count();
            if *p == "low" && highs_done < 2 && st.counts.succeeded > 0 {
                low_progress_while_high_ran = true;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let order: Vec<&str> = finished_order.iter().map(|(p, _)| *p).collect();
    assert_eq!(&order[..2], ["high", "high"], "{order:?}");
    assert_eq!(&order[3..], ["low", "low"], "{order:?}");
    assert!(low_progress_while_high_ran, "low never starved");
}

/// One recorded webhook call: url, body, headers.
type Post = (String, Vec<u8>, Vec<(String, String)>);

#[derive(Default)]
struct Recorder {
    posts: Mutex<Vec<Post>>,
    failures_left: AtomicUsize,
}

#[async_trait]
impl Notifier for Recorder {
    async fn post(
        &self,
        url: &str,
        body: Vec<u8>,
        headers: Vec<(String, String)>,
    ) -> std::result::Result<u16, CoreError> {
        self.posts
            .lock()
            .unwrap()
            .push((url.to_owned(), body, headers));
        if self.failures_left.load(Ordering::SeqCst) > 0 {
            self.failures_left.fetch_sub(1, Ordering::SeqCst);
            return Ok(503);
        }
        Ok(200)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_completion_webhook_is_signed_and_retried() {
    let recorder = Arc::new(Recorder {
        failures_left: AtomicUsize::new(1),
        ..Recorder::default()
    });
    let (s, _) = service(2, 1, Some(recorder.clone()));
    let mut req = request(&["Acme", "Globex"], "normal");
    req.webhook_url = Some("https://hooks.example/done".into());
    let b = s.submit(req).await.unwrap();
    wait_final(&s, &b.id).await;
    for _ in 0..300 {
        if recorder.posts.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let posts = recorder.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 2, "one failure, one retry");
    let (url, body, headers) = &posts[1];
    assert_eq!(url, "https://hooks.example/done");
    let signature = headers
        .iter()
        .find(|(k, _)| k == SIGNATURE_HEADER)
        .map(|(_, v)| v.clone())
        .unwrap();
    assert_eq!(signature, sign(b"s3cret", body));
    let json: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(json["batch"]["state"], "completed");
    assert_eq!(json["summary"]["items"], 2);
}

#[tokio::test]
async fn invalid_batches_name_the_offending_lines() {
    let (s, _) = service(1, 0, None);
    let e = s.submit(request(&[], "normal")).await.unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }), "{e}");
    let long = "x".repeat(300);
    match s
        .submit(request(&["ok", "", "  ", &long, "!!!"], "normal"))
        .await
        .unwrap_err()
    {
        Error::Invalid { indexes, .. } => assert_eq!(indexes, vec![1, 2, 3, 4]),
        other => panic!("{other}"),
    }
    let many: Vec<String> = (0..101).map(|i| format!("c{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert!(matches!(
        s.submit(request(&many, "normal")).await,
        Err(Error::Invalid { .. })
    ));
    let mut bad_hook = request(&["ok"], "normal");
    bad_hook.webhook_url = Some("ftp://x".into());
    assert!(matches!(
        s.submit(bad_hook).await,
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(s.status("nope").await, Err(Error::NotFound(_))));
    let off = BatchService::builder(
        Arc::new(MemoryStore::default()),
        Scheduler::new(1, [4, 2, 1]),
        Arc::new(Source {
            delay: Duration::ZERO,
            calls: AtomicUsize::new(0),
        }),
    )
    .config(Config {
        enabled: false,
        ..Config::default()
    })
    .build();
    assert!(matches!(
        off.submit(request(&["ok"], "normal")).await,
        Err(Error::Disabled)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_min_confidence_refuses_guesses_and_keeps_the_rest() {
    let (s, _) = service(2, 1, None);
    let mut req = request(&["Acme", "vague Holdings"], "normal");
    req.min_confidence = Some(0.6);
    let b = s.submit(req).await.unwrap();
    let st = wait_final(&s, &b.id).await;
    assert_eq!(st.state, BatchState::CompletedWithErrors);
    let (_, items) = s.results(&b.id).await.unwrap();
    assert_eq!(items[0].state, ItemState::Succeeded);
    assert_eq!(items[1].state, ItemState::Failed);
    assert!(
        items[1].profile.is_none(),
        "no guessed profile below the bar"
    );
    let err = items[1].error.as_ref().unwrap();
    assert_eq!(err.kind, "no_confident_match");
    assert!(err.message.contains("vague.example"), "{}", err.message);

    // Without a bar the same company is answered.
    let b = s
        .submit(request(&["vague Holdings"], "normal"))
        .await
        .unwrap();
    assert_eq!(wait_final(&s, &b.id).await.state, BatchState::Completed);

    // A bar outside 0–1 is refused at submit.
    let mut req = request(&["Acme"], "normal");
    req.min_confidence = Some(1.5);
    match s.submit(req).await {
        Err(Error::Invalid { message, .. }) => {
            assert!(message.contains("min_confidence"), "{message}")
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Refused by an open breaker (its Retry-After 50 ms) as often as asked, then answered.
struct Flaky {
    refusals: AtomicUsize,
}

#[async_trait]
impl ProfileSource for Flaky {
    async fn profile(&self, q: &CompanyQuery) -> Result<CompanyProfile> {
        if self
            .refusals
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(CoreError::Unavailable {
                upstream: Upstream::Search,
                reason: "circuit breaker open for search:sandbox".into(),
                retry_after: Some(Duration::from_millis(50)),
            });
        }
        Ok(CompanyProfile {
            query: q.label().to_owned(),
            ..Default::default()
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_refused_by_an_open_breaker_waits_for_it() {
    // Two refusals: whichever items get them, none is refused past its
    // trial and the retry after it.
    let source = Arc::new(Flaky {
        refusals: AtomicUsize::new(2),
    });
    let s = BatchService::builder(
        Arc::new(MemoryStore::default()),
        Scheduler::new(2, [4, 2, 1]),
        source.clone(),
    )
    .build();
    let b = s
        .submit(request(&["Acme", "Globex"], "normal"))
        .await
        .unwrap();
    let st = wait_final(&s, &b.id).await;
    assert_eq!(st.state, BatchState::Completed, "{st:?}");
    assert_eq!(st.counts.succeeded, 2);
    assert_eq!(
        source.refusals.load(Ordering::SeqCst),
        0,
        "every refusal was waited out"
    );
}

/// Cancelling at any moment of a batch's life — right after submit, while
/// it is still being enqueued — ends it `cancelled`, every item final and
/// every cancelled one `skipped`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_right_after_submit_is_never_stuck() {
    for (n, pause_us) in [(1000usize, 0u64), (3000, 0), (1000, 300)] {
        let source = Arc::new(Source {
            delay: Duration::from_millis(1),
            calls: AtomicUsize::new(0),
        });
        let s = BatchService::builder(
            Arc::new(MemoryStore::default()),
            Scheduler::new(2, [4, 2, 1]),
            source,
        )
        .config(Config {
            max_size: 10_000,
            ..Config::default()
        })
        .build();
        let names: Vec<String> = (0..n).map(|i| format!("Company {i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let b = s.submit(request(&names, "normal")).await.unwrap();
        tokio::time::sleep(Duration::from_micros(pause_us)).await;
        s.cancel(&b.id).await.unwrap();
        let mut st = s.status(&b.id).await.unwrap();
        for _ in 0..1000 {
            if st.state.is_final() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            st = s.status(&b.id).await.unwrap();
        }
        assert_eq!(st.state, BatchState::Cancelled, "{n} names: {st:?}");
        assert_eq!(st.counts.finished(), n, "{n} names: {:?}", st.counts);
        assert!(st.counts.skipped > 0);
        let (_, items) = s.results(&b.id).await.unwrap();
        assert!(items.iter().all(|i| i.state.is_final()));
        assert!(items
            .iter()
            .filter(|i| i.state == ItemState::Skipped)
            .all(|i| i.error.as_ref().is_some_and(|e| e.kind == "cancelled")));
    }
}
