//! Retry of the failed: a finished batch's failed items run again as a
//! linked batch, and nothing else does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use extract_batch::{BatchRequest, BatchService, Error, MemoryStore};
use extract_concurrency::Scheduler;

use crate::wait_final;
use extract_core::{CompanyProfile, CompanyQuery, Error as CoreError, ProfileSource, Result};

/// Names containing "flaky" fail on their first call only, "broken" ones
/// always; every call is counted by name.
#[derive(Default)]
struct FailsFirst {
    calls: Mutex<HashMap<String, usize>>,
}

#[async_trait]
impl ProfileSource for FailsFirst {
    async fn profile(&self, q: &CompanyQuery) -> Result<CompanyProfile> {
        let n = {
            let mut calls = self.calls.lock().unwrap();
            let n = calls.entry(q.label().to_owned()).or_default();
            *n += 1;
            *n
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        if q.label().contains("broken") || (q.label().contains("flaky") && n == 1) {
            return Err(CoreError::NoWebsite {
                company: q.label().to_owned(),
            });
        }
        Ok(CompanyProfile {
            query: q.label().to_owned(),
            ..Default::default()
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_failed_items_run_again_in_a_linked_batch() {
    let source = Arc::new(FailsFirst::default());
    let s = BatchService::builder(
        Arc::new(MemoryStore::default()),
        Scheduler::new(2, [4, 2, 1]),
        source.clone(),
    )
    .build();
    let request: BatchRequest = serde_json::from_value(serde_json::json!({
        "company_names": ["Acme", "flaky One", "Globex", "broken Two", "flaky One", "Initech"],
        "priority": "high",
        "min_field_confidence": 0.5,
    }))
    .unwrap();
    let first = s.submit(request).await.unwrap();
    // Still running: nothing to retry yet.
    match s.retry(&first.id).await {
        Err(Error::NotFinished { .. }) => {}
        other => panic!("a running batch was retried: {other:?}"),
    }
    let st = wait_final(&s, &first.id).await;
    assert_eq!((st.counts.succeeded, st.counts.failed), (3, 2));

    let retry = s.retry(&first.id).await.unwrap();
    assert_eq!(retry.retry_of.as_deref(), Some(first.id.as_str()));
    // The failed items alone, once each, with the first batch's settings.
    assert_eq!(
        retry.lines,
        vec!["flaky One".to_owned(), "broken Two".to_owned()]
    );
    assert_eq!(retry.min_field_confidence, Some(0.5));
    assert_eq!(retry.priority, first.priority);
    let st = wait_final(&s, &retry.id).await;
    assert_eq!(st.retry_of.as_deref(), Some(first.id.as_str()));
    assert_eq!((st.counts.succeeded, st.counts.failed), (1, 1));
    let items = s.batch(&retry.id).await.unwrap();
    assert_eq!(items.lines.len(), 2);
    // What succeeded the first time cost no second call.
    let calls = source.calls.lock().unwrap().clone();
    assert_eq!(calls["Acme"], 1);
    assert_eq!(calls["Globex"], 1);
    assert_eq!(calls["Initech"], 1);
    assert_eq!(calls["flaky One"], 2);
    assert_eq!(calls["broken Two"], 2);
    // The first batch's results are as they were.
    let first_status = s.status(&first.id).await.unwrap();
    assert_eq!(first_status.counts.failed, 2);

    // A batch with nothing failed, and one that does not exist, are refused.
    let clean = s
        .submit(serde_json::from_value(serde_json::json!({ "company_names": ["Acme"] })).unwrap())
        .await
        .unwrap();
    wait_final(&s, &clean.id).await;
    assert!(matches!(
        s.retry(&clean.id).await,
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        s.retry("nosuchbatch").await,
        Err(Error::NotFound(_))
    ));
}
