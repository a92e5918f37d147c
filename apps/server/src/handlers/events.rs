//! `GET /api/v1/company/batch/{id}/events`: a batch's progress as
//! Server-Sent Events, for the web console and API users alike.
//!
//! `progress` (the status, whenever its counts change), `item` (each item as
//! it ends: index, name, outcome, error kind) and `finished` (the final
//! status; then the stream ends). A comment line every 15 s keeps idle
//! proxies from closing the stream. It ends when the batch does or the
//! client goes away.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::json;

use super::batch::batch_error;
use crate::error::ApiError;
use crate::{App, Body};

/// How often the batch is looked at.
const TICK: Duration = Duration::from_millis(500);
/// A comment this often when nothing else was sent.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub(crate) async fn events(app: &App, id: &str) -> Result<Response<Body>, ApiError> {
    // Unknown batches answer 404 JSON before any stream starts.
    let first = app.batches().status(id).await.map_err(batch_error)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let service = app.batches().clone();
    let id = id.to_owned();
    tokio::spawn(async move {
        let mut last_counts = None;
        let mut ended: Vec<bool> = Vec::new();
        let mut last_sent = Instant::now();
        let mut status = first;
        // Ends when the batch ends, the client leaves (a send fails), or the
        // batch disappears.
        loop {
            let mut out = String::new();
            if last_counts != Some(status.counts) {
                if last_counts.map(|c: extract_batch::Counts| done(&c))
                    != Some(done(&status.counts))
                {
                    if let Ok((_, items)) = service.results(&id).await {
                        ended.resize(items.len(), false);
                        for item in items.iter().filter(|i| i.state.is_final()) {
                            if !std::mem::replace(&mut ended[item.index], true) {
                                let data = json!({
                                    "index": item.index,
                                    "name": item.name,
                                    "outcome": item.state,
                                    "error_kind": item.error.as_ref().map(|e| e.kind.clone()),
                                });
                                out.push_str(&format!("event: item\ndata: {data}\n\n"));
                            }
                        }
                    }
                }
                last_counts = Some(status.counts);
                let data = serde_json::to_string(&status).unwrap_or_default();
                out.push_str(&format!("event: progress\ndata: {data}\n\n"));
            }
            let over = status.state.is_final();
            if over {
                let data = serde_json::to_string(&status).unwrap_or_default();
                out.push_str(&format!("event: finished\ndata: {data}\n\n"));
            }
            if out.is_empty() && last_sent.elapsed() >= KEEP_ALIVE {
                out.push_str(": keep-alive\n\n");
            }
            if !out.is_empty() {
                if tx.send(Bytes::from(out)).await.is_err() {
                    return;
                }
                last_sent = Instant::now();
            }
            if over {
                return;
            }
            tokio::time::sleep(TICK).await;
            match service.status(&id).await {
                Ok(s) => status = s,
                Err(_) => return,
            }
        }
    });
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        let next = rx.recv().await?;
        Some((Ok::<_, std::io::Error>(Frame::data(next)), rx))
    });
    let mut r = Response::new(StreamBody::new(chunks).boxed_unsync());
    *r.status_mut() = StatusCode::OK;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(r)
}

fn done(c: &extract_batch::Counts) -> usize {
    c.succeeded + c.cached + c.failed + c.skipped
}
