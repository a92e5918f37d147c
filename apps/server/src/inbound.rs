//! What clients may hold of this server, and what it costs them to try for
//! more: request bodies that stall, uploaded files parsed on the blocking
//! pool behind a few permits, and a cap on event streams (global and per
//! batch). Counted for `/metrics`.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::StatusCode;
use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::names::{Caps, FileError};

/// The body-read timeout a handler applies, carried in the request's
/// extensions by the router.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyTimeout(pub(crate) Duration);

/// Limits and counters of what clients hold.
pub(crate) struct Inbound {
    body_timeouts: AtomicU64,
    uploads_refused: Mutex<BTreeMap<&'static str, u64>>,
    parsers: Arc<Semaphore>,
    caps: Caps,
    streams: Arc<Streams>,
}

/// Open event streams: all of them, and per batch.
struct Streams {
    max: usize,
    max_per_batch: usize,
    open: AtomicUsize,
    refused: AtomicU64,
    per_batch: Mutex<HashMap<String, usize>>,
}

/// One open event stream; dropping it gives its place back.
pub(crate) struct StreamSlot {
    streams: Arc<Streams>,
    batch: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.streams.open.fetch_sub(1, Ordering::AcqRel);
        let mut per = self
            .streams
            .per_batch
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per.get_mut(&self.batch) {
            *n -= 1;
            if *n == 0 {
                per.remove(&self.batch);
            }
        }
    }
}

/// Counters for `/metrics`.
pub(crate) struct InboundStats {
    pub(crate) body_timeouts: u64,
    pub(crate) uploads_refused: Vec<(&'static str, u64)>,
    pub(crate) event_streams: usize,
    pub(crate) event_streams_refused: u64,
}

impl Inbound {
    pub(crate) fn new(caps: Caps, max_streams: usize, max_streams_per_batch: usize) -> Inbound {
        Inbound {
            body_timeouts: AtomicU64::new(0),
            uploads_refused: Mutex::default(),
            parsers: Arc::new(Semaphore::new(caps.parsers.max(1))),
            caps,
            streams: Arc::new(Streams {
                max: max_streams,
                max_per_batch: max_streams_per_batch,
                open: AtomicUsize::new(0),
                refused: AtomicU64::new(0),
                per_batch: Mutex::default(),
            }),
        }
    }

    /// A request body stalled past its timeout.
    pub(crate) fn body_timed_out(&self) {
        self.body_timeouts.fetch_add(1, Ordering::Relaxed);
    }

    /// What an uploaded file holds, parsed on the blocking pool once one
    /// of `upload.parsers` permits is free, so that request threads and
    /// running batches are never held up by a file.
    pub(crate) async fn read_upload(
        &self,
        bytes: bytes::Bytes,
    ) -> Result<crate::names::Upload, ApiError> {
        let permit = self.parsers.clone().acquire_owned().await.map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
                "the server is shutting down",
            )
        })?;
        let caps = self.caps.clone();
        let parsed = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            crate::names::read_upload(&bytes, &caps)
        })
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("reading the file failed: {e}"),
            )
        })?;
        parsed.map_err(|e| {
            let status = if e.too_large() {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let (cap, limit) = match &e {
                FileError::Cap { cap, limit, .. } => (*cap, Some(*limit)),
                FileError::Invalid(_) => ("invalid", None),
            };
            *self
                .uploads_refused
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(cap)
                .or_default() += 1;
            let error = ApiError::new(status, "invalid_file", e.to_string());
            match limit {
                Some(limit) => {
                    error.with_details(serde_json::json!({ "cap": cap, "limit": limit }))
                }
                None => error,
            }
        })
    }

    /// A place for one more event stream on `batch`, or 429 naming the cap.
    pub(crate) fn open_stream(&self, batch: &str) -> Result<StreamSlot, ApiError> {
        let s = &self.streams;
        let refuse = |cap: &str, limit: usize| {
            s.refused.fetch_add(1, Ordering::Relaxed);
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_streams",
                format!("{limit} event streams are open already ({cap}); try again later"),
            )
            .with_details(serde_json::json!({ "cap": cap, "limit": limit }));
            e.retry_after_s = Some(5);
            e
        };
        let mut per = s.per_batch.lock().unwrap_or_else(|e| e.into_inner());
        if s.open.load(Ordering::Acquire) >= s.max {
            return Err(refuse("server.max_event_streams", s.max));
        }
        let on_batch = per.entry(batch.to_owned()).or_default();
        if *on_batch >= s.max_per_batch {
            return Err(refuse(
                "server.max_event_streams_per_batch",
                s.max_per_batch,
            ));
        }
        *on_batch += 1;
        s.open.fetch_add(1, Ordering::AcqRel);
        Ok(StreamSlot {
            streams: s.clone(),
            batch: batch.to_owned(),
        })
    }

    pub(crate) fn stats(&self) -> InboundStats {
        InboundStats {
            body_timeouts: self.body_timeouts.load(Ordering::Relaxed),
            uploads_refused: self
                .uploads_refused
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|(k, v)| (*k, *v))
                .collect(),
            event_streams: self.streams.open.load(Ordering::Relaxed),
            event_streams_refused: self.streams.refused.load(Ordering::Relaxed),
        }
    }
}
