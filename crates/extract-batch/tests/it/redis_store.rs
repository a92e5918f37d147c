//! The Redis job store on a real Redis: records, items, leases, resume.

use std::sync::Arc;
use std::time::Duration;

use extract_batch::{
    Batch, BatchState, Counts, ExportFormat, Item, ItemState, JobStore, RedisStore,
};
use extract_sandbox::redis::{shared_url, unique_prefix};

fn batch(id: &str) -> (Batch, Vec<Item>) {
    let items: Vec<Item> = (0..3)
        .map(|i| Item {
            index: i,
            name: format!("Company {i}"),
            state: ItemState::Pending,
            error: None,
            elapsed_ms: None,
            profile: None,
        })
        .collect();
    let b = Batch {
        id: id.to_owned(),
        state: BatchState::Running,
        mode: Default::default(),
        priority: Default::default(),
        export_format: ExportFormat::Csv,
        webhook_url: None,
        lines: items.iter().map(|i| i.name.clone()).collect(),
        line_items: vec![0, 1, 2],
        counts: Counts {
            pending: 3,
            ..Counts::default()
        },
        created_at_ms: 1,
        started_at_ms: None,
        finished_at_ms: None,
    };
    (b, items)
}

#[tokio::test]
async fn records_items_leases_and_expiry() {
    let Some(url) = shared_url("redis_job_store") else {
        return;
    };
    let store = Arc::new(
        RedisStore::connect(&url, &unique_prefix("jobs"), Duration::from_secs(2))
            .await
            .unwrap(),
    );
    let (b, items) = batch("b1");
    store.create(&b, &items).await.unwrap();
    assert_eq!(store.batch("b1").await.unwrap().unwrap(), b);
    assert_eq!(store.items("b1").await.unwrap(), items);
    let mut done = items[1].clone();
    done.state = ItemState::Succeeded;
    store.put_item("b1", &done).await.unwrap();
    assert_eq!(
        store.items("b1").await.unwrap()[1].state,
        ItemState::Succeeded
    );
    assert_eq!(store.ids().await.unwrap(), vec!["b1".to_owned()]);

    assert!(store
        .lease("b1", "a", Duration::from_millis(300))
        .await
        .unwrap());
    assert!(
        store
            .lease("b1", "a", Duration::from_millis(300))
            .await
            .unwrap(),
        "the owner renews"
    );
    assert!(
        !store
            .lease("b1", "b", Duration::from_millis(300))
            .await
            .unwrap(),
        "another owner waits"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        store
            .lease("b1", "b", Duration::from_millis(300))
            .await
            .unwrap(),
        "taken over after expiry"
    );

    store.expire("b1", Duration::from_secs(1)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert!(store.batch("b1").await.unwrap().is_none());
    assert!(store.items("b1").await.unwrap().is_empty());
    // put_batch never brings an expired batch back.
    store.put_batch(&b).await.unwrap();
    assert!(store.batch("b1").await.unwrap().is_none());
}
