//! Integration tests of batch processing.

mod batches;
mod redis_store;
mod retry;
mod shared;
