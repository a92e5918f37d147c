//! Integration tests of batch processing.

mod batches;
mod inputs;
mod redis_store;
mod retry;
mod shared;

/// Polls the status until the batch is over (at most five seconds).
pub(crate) async fn wait_final(s: &extract_batch::BatchService, id: &str) -> extract_batch::Status {
    for _ in 0..500 {
        let st = s.status(id).await.unwrap();
        if st.state.is_final() {
            return st;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("batch {id} did not finish");
}
