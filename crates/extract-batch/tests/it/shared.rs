//! Work shared by several instances over one Redis: the items of a batch
//! spread over every instance's workers through Redis Streams, recorded once,
//! taken over when an instance dies, handed back when it shuts down.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use extract_batch::{
    BatchService, BatchState, Begin, Config, ItemState, JobStore, Recorded, RedisQueue, RedisStore,
    WorkQueue,
};
use extract_core::Priority;
use extract_test_support::redis::{shared_url, unique_prefix, TestRedis};

/// Counts extractions per company and per instance (by tag).
#[derive(Default)]
struct Counting {
    calls: Mutex<HashMap<String, usize>>,
    by_instance: Mutex<HashMap<&'static str, usize>>,
}

struct Tagged {
    tag: &'static str,
    counting: Arc<Counting>,
    delay: Duration,
}

#[async_trait::async_trait]
impl extract_core::ProfileSource for Tagged {
    async fn profile(
        &self,
        q: &extract_core::CompanyQuery,
    ) -> extract_core::Result<extract_core::CompanyProfile> {
        tokio::time::sleep(self.delay).await;
        *self
            .counting
            .calls
            .lock()
            .unwrap()
            .entry(q.label().to_owned())
            .or_default() += 1;
        *self
            .counting
            .by_instance
            .lock()
            .unwrap()
            .entry(self.tag)
            .or_default() += 1;
        Ok(extract_core::CompanyProfile {
            query: q.label().to_owned(),
            ..Default::default()
        })
    }
}

struct Instance {
    service: BatchService,
    store: Arc<RedisStore>,
    queue: Arc<RedisQueue>,
}

async fn instance(
    url: &str,
    prefix: &str,
    tag: &'static str,
    counting: &Arc<Counting>,
    config: Config,
) -> Instance {
    let store = Arc::new(
        RedisStore::connect(url, prefix, Duration::from_secs(2))
            .await
            .unwrap(),
    );
    let queue = Arc::new(
        RedisQueue::connect(url, prefix, Duration::from_secs(2))
            .await
            .unwrap(),
    );
    let service = BatchService::builder(
        store.clone(),
        extract_concurrency::Scheduler::new(4, [4, 2, 1]),
        Arc::new(Tagged {
            tag,
            counting: counting.clone(),
            delay: Duration::from_millis(20),
        }),
    )
    .config(config)
    .queue(queue.clone(), [4, 2, 1])
    .build();
    drop(service.keep_resuming());
    drop(service.keep_working());
    Instance {
        service,
        store,
        queue,
    }
}

fn config() -> Config {
    Config {
        lease_s: 2,
        reclaim_idle_ms: 1_000,
        max_size: 10_000,
        ..Config::default()
    }
}

fn names(n: usize) -> serde_json::Value {
    let names: Vec<String> = (0..n).map(|i| format!("Company {i}")).collect();
    serde_json::json!({ "company_names": names })
}

async fn wait_final(s: &BatchService, id: &str, within: Duration) -> extract_batch::Status {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        // Not found while a Redis that restarted empty has not the record back.
        let st = s.status(id).await;
        let over = tokio::time::Instant::now() > deadline;
        match st {
            Ok(st) if st.state.is_final() || over => return st,
            Err(e) if over => panic!("{e}"),
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A batch submitted to one of two instances runs on both; every company
/// is extracted and stored once; the status is the same from each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_batch() {
    let Some(url) = shared_url("shared_work") else {
        return;
    };
    let prefix = unique_prefix("shared_work");
    let counting = Arc::new(Counting::default());
    let a = instance(&url, &prefix, "a", &counting, config()).await;
    let b = instance(&url, &prefix, "b", &counting, config()).await;
    let batch = a
        .service
        .submit(serde_json::from_value(names(200)).unwrap())
        .await
        .unwrap();
    let st = wait_final(&b.service, &batch.id, Duration::from_secs(60)).await;
    assert_eq!(st.state, BatchState::Completed, "{st:?}");
    assert_eq!(st.counts.succeeded, 200, "{st:?}");
    let from_a = a.service.status(&batch.id).await.unwrap();
    assert_eq!(from_a.counts, st.counts);
    let items = a.store.items(&batch.id).await.unwrap();
    assert_eq!(items.len(), 200);
    assert!(items.iter().all(|i| i.state == ItemState::Succeeded));
    let calls = counting.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 200);
    assert!(calls.values().all(|n| *n == 1), "each company once");
    let by = counting.by_instance.lock().unwrap().clone();
    println!("items per instance: {by:?}");
    assert!(
        by.get("a").copied().unwrap_or(0) >= 40 && by.get("b").copied().unwrap_or(0) >= 40,
        "both instances worked: {by:?}"
    );
    let depth = a.queue.depth().await.unwrap();
    assert_eq!(depth.normal.backlog, 0, "done entries leave the stream");
    let stats = a.service.item_outcomes().succeeded + b.service.item_outcomes().succeeded;
    assert_eq!(stats, 200, "each instance counts what it recorded");
}

/// Cancel asked of the instance that did not accept the batch is seen by
/// every instance: the items not started are skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_is_seen_by_every_instance() {
    let Some(url) = shared_url("shared_cancel") else {
        return;
    };
    let prefix = unique_prefix("shared_cancel");
    let counting = Arc::new(Counting::default());
    let a = instance(&url, &prefix, "a", &counting, config()).await;
    let b = instance(&url, &prefix, "b", &counting, config()).await;
    let batch = a
        .service
        .submit(serde_json::from_value(names(400)).unwrap())
        .await
        .unwrap();
    while b.service.status(&batch.id).await.unwrap().counts.finished() < 20 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    b.service.cancel(&batch.id).await.unwrap();
    let st = wait_final(&a.service, &batch.id, Duration::from_secs(30)).await;
    assert_eq!(st.state, BatchState::Cancelled, "{st:?}");
    assert!(st.counts.skipped > 100, "{st:?}");
    assert_eq!(st.counts.finished(), 400, "{st:?}");
    let items = a.store.items(&batch.id).await.unwrap();
    let skipped = items
        .iter()
        .filter(|i| i.state == ItemState::Skipped)
        .inspect(|i| assert_eq!(i.error.as_ref().unwrap().kind, "cancelled"))
        .count();
    assert_eq!(skipped, st.counts.skipped);
}

/// An instance whose runtime stops dead (as a killed process would) holds
/// items it never acknowledges: another instance takes them over once they
/// are idle long enough, and takes over the batch when its lease lapses.
/// Every company ends in the results once.
#[test]
fn items_of_a_dead_instance_are_taken_over() {
    let Some(url) = shared_url("shared_takeover") else {
        return;
    };
    let prefix = unique_prefix("shared_takeover");
    let counting = Arc::new(Counting::default());
    let first = tokio::runtime::Runtime::new().unwrap();
    let id = first.block_on(async {
        let a = instance(&url, &prefix, "a", &counting, config()).await;
        let batch = a
            .service
            .submit(serde_json::from_value(names(120)).unwrap())
            .await
            .unwrap();
        while a.service.status(&batch.id).await.unwrap().counts.finished() < 10 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        batch.id
    });
    first.shutdown_background();

    let second = tokio::runtime::Runtime::new().unwrap();
    second.block_on(async {
        let b = instance(&url, &prefix, "b", &counting, config()).await;
        let st = wait_final(&b.service, &id, Duration::from_secs(60)).await;
        assert_eq!(st.state, BatchState::Completed, "{st:?}");
        let items = b.store.items(&id).await.unwrap();
        assert_eq!(items.len(), 120);
        assert!(items.iter().all(|i| i.state == ItemState::Succeeded));
        let depth = b.queue.depth().await.unwrap();
        assert_eq!(depth.normal.pending, 0, "{depth:?}");
    });
    let calls = counting.calls.lock().unwrap();
    assert_eq!(calls.len(), 120, "every company extracted");
}

/// On shutdown an instance hands the items it holds back at once: with a
/// reclaim time of a minute, the other instance still finishes the batch
/// in seconds, and nothing is extracted twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutting_down_instance_hands_its_items_back() {
    let Some(url) = shared_url("shared_handback") else {
        return;
    };
    let prefix = unique_prefix("shared_handback");
    let counting = Arc::new(Counting::default());
    let slow = Config {
        reclaim_idle_ms: 60_000,
        lease_s: 30,
        ..config()
    };
    let a = instance(&url, &prefix, "a", &counting, slow.clone()).await;
    let batch = a
        .service
        .submit(serde_json::from_value(names(150)).unwrap())
        .await
        .unwrap();
    while a.service.status(&batch.id).await.unwrap().counts.finished() < 10 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let b = instance(&url, &prefix, "b", &counting, slow).await;
    a.service.shutdown(Duration::from_secs(5)).await;
    let started = std::time::Instant::now();
    let st = wait_final(&b.service, &batch.id, Duration::from_secs(30)).await;
    assert_eq!(st.state, BatchState::Completed, "{st:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
    let calls = counting.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 150);
    assert!(calls.values().all(|n| *n == 1), "each company once");
    // The stopped instance left the consumer group; the other is in it.
    let key = format!("{prefix}:{{work}}:normal");
    let consumers =
        extract_test_support::redis::cli(&url, &["XINFO", "CONSUMERS", &key, "workers"]);
    assert!(!consumers.contains(a.service.consumer_id()), "{consumers}");
    assert!(consumers.contains(b.service.consumer_id()), "{consumers}");
}

/// Recording is idempotent: a second result for an item that is over is
/// not stored and not counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_is_recorded_once() {
    let Some(url) = shared_url("shared_once") else {
        return;
    };
    let prefix = unique_prefix("shared_once");
    let counting = Arc::new(Counting::default());
    let a = instance(
        &url,
        &prefix,
        "a",
        &counting,
        Config {
            share_work: true,
            ..config()
        },
    )
    .await;
    let batch = a
        .service
        .submit(serde_json::from_value(names(3)).unwrap())
        .await
        .unwrap();
    wait_final(&a.service, &batch.id, Duration::from_secs(30)).await;
    let mut item = a.store.items(&batch.id).await.unwrap().remove(0);
    item.state = ItemState::Failed;
    assert_eq!(
        a.store.record(&batch.id, &item).await.unwrap(),
        Recorded::Already
    );
    assert_eq!(a.store.begin(&batch.id, 0).await.unwrap(), Begin::Done);
    assert_eq!(
        a.store.begin("no-such-batch", 0).await.unwrap(),
        Begin::Missing
    );
    let p = a.store.progress(&batch.id).await.unwrap().unwrap();
    assert_eq!((p.counts.succeeded, p.counts.failed), (3, 0));
    // Entries of a gone batch are simply acknowledged.
    a.queue.push(Priority::Low, "gone", &[0, 1]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(a.queue.depth().await.unwrap().low.backlog, 0);
}

/// Redis restarted empty mid-batch: the stream and the record are gone; the
/// instance holding the batch writes it again and queues its items again,
/// and the batch completes with every result stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restarted_empty_mid_batch_completes() {
    let Some(mut redis) = TestRedis::start_or_skip("shared_lost") else {
        return;
    };
    let counting = Arc::new(Counting::default());
    let a = instance(&redis.url(), "lost", "a", &counting, config()).await;
    let b = instance(&redis.url(), "lost", "b", &counting, config()).await;
    let batch = a
        .service
        .submit(serde_json::from_value(names(100)).unwrap())
        .await
        .unwrap();
    while a.service.status(&batch.id).await.unwrap().counts.finished() < 20 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(redis.restart(), "restarted, empty");
    let st = wait_final(&b.service, &batch.id, Duration::from_secs(60)).await;
    assert_eq!(st.state, BatchState::Completed, "{st:?}");
    let items = a.store.items(&batch.id).await.unwrap();
    assert_eq!(items.len(), 100);
    assert!(
        items.iter().all(|i| i.state.is_final()),
        "every result stored"
    );
    assert!(a.service.stats().await.unwrap().records_recreated >= 1);
}

/// One test body, run on each work queue: a batch with a duplicate line,
/// a cancelled second batch and a status read while it runs ends with
/// every company extracted once and recorded once, the same counts and
/// the same results whichever queue held the items.
async fn one_batch_on(queue: Option<Arc<dyn WorkQueue>>, store: Arc<dyn JobStore>) {
    let counting = Arc::new(Counting::default());
    let mut builder = BatchService::builder(
        store.clone(),
        extract_concurrency::Scheduler::new(3, [4, 2, 1]),
        Arc::new(Tagged {
            tag: "one",
            counting: counting.clone(),
            delay: Duration::from_millis(5),
        }),
    )
    .config(config());
    let shared = queue.as_ref().is_some_and(|q| q.shared());
    if let Some(q) = queue {
        builder = builder.queue(q, [4, 2, 1]);
    }
    let service = builder.build();
    if shared {
        drop(service.keep_working()); // else started with the first batch
    }
    assert_eq!(service.shares_work(), shared);
    let mut request = names(200);
    request["company_names"][199] = "Company 0".into();
    let batch = service
        .submit(serde_json::from_value(request).unwrap())
        .await
        .unwrap();
    assert_eq!(batch.counts.total(), 199, "the duplicate line is one item");
    let st = wait_final(&service, &batch.id, Duration::from_secs(60)).await;
    assert_eq!(st.state, BatchState::Completed, "{st:?}");
    assert_eq!(st.counts.succeeded, 199, "{:?}", st.counts);
    let (_, items) = service.results(&batch.id).await.unwrap();
    assert!(items.iter().all(|i| i.state == ItemState::Succeeded));
    let calls = counting.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 199);
    assert!(calls.values().all(|n| *n == 1), "each company once");
    assert_eq!(
        store.progress(&batch.id).await.unwrap().unwrap().counts,
        st.counts,
        "the store's counts are the status's"
    );

    // A second batch cancelled at once ends cancelled, every item final.
    let second = service
        .submit(serde_json::from_value(names(300)).unwrap())
        .await
        .unwrap();
    service.cancel(&second.id).await.unwrap();
    let st = wait_final(&service, &second.id, Duration::from_secs(60)).await;
    assert_eq!(st.state, BatchState::Cancelled, "{st:?}");
    assert_eq!(st.counts.finished(), 300, "{:?}", st.counts);
    assert!(st.counts.skipped > 0, "{:?}", st.counts);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_runs_the_same_on_the_memory_and_the_redis_queue() {
    one_batch_on(None, Arc::new(extract_batch::MemoryStore::default())).await;
    one_batch_on(
        Some(Arc::new(extract_batch::MemoryQueue::default())),
        Arc::new(extract_batch::MemoryStore::default()),
    )
    .await;
    let Some(url) = shared_url("one_engine") else {
        return;
    };
    let prefix = unique_prefix("one_engine");
    let store = Arc::new(
        RedisStore::connect(&url, &prefix, Duration::from_secs(2))
            .await
            .unwrap(),
    );
    let queue = Arc::new(
        RedisQueue::connect(&url, &prefix, Duration::from_secs(2))
            .await
            .unwrap(),
    );
    one_batch_on(Some(queue), store.clone()).await;
    // This process's queue over the Redis store (`batch.share_work = false`).
    one_batch_on(None, store).await;
}
