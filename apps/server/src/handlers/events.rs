//! `GET /api/v1/company/batch/{id}/events`: a batch's progress as
//! Server-Sent Events, for the web console and API users alike.
//!
//! `progress` (the status, whenever its counts change), `item` (each item as
//! it ends: index, name, outcome, error kind) and `finished` (the final
//! status; then the stream ends). A comment line every 15 s keeps idle
//! proxies from closing the stream. It ends when the batch does or the
//! client goes away.
//!
//! Every stream of one batch on this instance shares one [`Feed`]: a single
//! task that looks at the batch twice a second and reads only the items that
//! may have ended since (a bounded window of the unfinished ones), so that a
//! change costs one read however many streams watch. Streams get the latest
//! progress through a `watch` (a slow reader skips to the newest, it never
//! queues them) and items through a bounded `broadcast` (a reader that falls
//! behind is told how many it missed in a `lagged` event). Opening a stream
//! reads the items already ended once; past `server.max_event_streams` (or
//! its per-batch twin) a stream is refused with 429.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use bytes::Bytes;
use extract_batch::{BatchService, Item, Status};
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::json;
use tokio::sync::{broadcast, watch};

use super::batch::batch_error;
use crate::error::ApiError;
use crate::{App, Body};

/// How often a feed looks at its batch.
const TICK: Duration = Duration::from_millis(500);
/// A comment this often when nothing else was sent.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Unfinished items a feed reads per look: the lowest indexes, which the
/// scheduler runs first. Items ending beyond it are found on later looks,
/// and all of them when the batch ends.
const WINDOW: usize = 2_048;
/// Item events a stream may fall behind before it is told it missed some.
const ITEMS_BUFFER: usize = 4_096;

/// The feeds of the batches watched on this instance.
#[derive(Default)]
pub(crate) struct Feeds {
    feeds: Mutex<HashMap<String, Weak<Feed>>>,
}

/// One batch's changes, shared by its streams.
struct Feed {
    progress: watch::Receiver<Arc<Status>>,
    items: broadcast::Sender<Arc<ItemEvent>>,
}

/// One ended item, formatted once for every stream.
struct ItemEvent {
    index: usize,
    text: String,
}

impl Feeds {
    /// The feed of batch `id`, started now if none runs.
    fn join(&self, service: &BatchService, id: &str, first: Status) -> Arc<Feed> {
        let mut feeds = self.feeds.lock().unwrap_or_else(|e| e.into_inner());
        feeds.retain(|_, f| f.strong_count() > 0);
        if let Some(feed) = feeds.get(id).and_then(Weak::upgrade) {
            return feed;
        }
        let (progress_tx, progress) = watch::channel(Arc::new(first.clone()));
        let (items, _) = broadcast::channel(ITEMS_BUFFER);
        let feed = Arc::new(Feed {
            progress,
            items: items.clone(),
        });
        feeds.insert(id.to_owned(), Arc::downgrade(&feed));
        if first.state.is_final() {
            // Nothing will change: the streams send what is stored and end.
            return feed;
        }
        tokio::spawn(follow(
            service.clone(),
            id.to_owned(),
            first,
            Arc::downgrade(&feed),
            progress_tx,
            items,
        ));
        feed
    }
}

/// The feed's task: looks at the batch every [`TICK`] while any stream
/// holds the feed, publishes the items that ended, then the progress.
async fn follow(
    service: BatchService,
    id: String,
    first: Status,
    feed: Weak<Feed>,
    progress: watch::Sender<Arc<Status>>,
    items: broadcast::Sender<Arc<ItemEvent>>,
) {
    let mut unfinished: Vec<usize> = (0..first.items).collect();
    let mut last = first;
    loop {
        tokio::time::sleep(TICK).await;
        if feed.strong_count() == 0 {
            return;
        }
        let Ok(status) = service.status(&id).await else {
            // The batch is gone (or its store is): the streams end.
            return;
        };
        let over = status.state.is_final();
        if done(&status) != done(&last) || over {
            // Before the end one window a look; at the end every item not
            // yet seen ended, window by window.
            let windows = if over {
                unfinished.len().div_ceil(WINDOW)
            } else {
                1
            };
            let mut ended = Vec::new();
            for window in unfinished.chunks(WINDOW).take(windows) {
                let Ok(read) = service.items_at(&id, window).await else {
                    break;
                };
                for item in read.iter().flatten().filter(|i| i.state.is_final()) {
                    ended.push(item.index);
                    let _ = items.send(Arc::new(ItemEvent {
                        index: item.index,
                        text: item_event(item),
                    }));
                }
            }
            // Windows are read in index order: `ended` is sorted.
            unfinished.retain(|i| ended.binary_search(i).is_err());
        }
        if status.counts != last.counts || over {
            last = status.clone();
            let _ = progress.send(Arc::new(status));
        }
        if over {
            return;
        }
    }
}

#[utoipa::path(operation_id = "batch_events", get, path = "/api/v1/company/batch/{id}/events", tag = "batches",
    params(("id" = String, Path, description = "The batch id", pattern = "^[A-Za-z0-9]{1,64}$")),
    responses(
        (status = 200, description = "Server-Sent Events: `progress` (a status), `item` (`{index, name, outcome, error_kind}`), `finished` (the final status)", content_type = "text/event-stream"),
        (status = 404, description = "No such batch", body = crate::openapi::ErrorBody),
    ))]
pub(crate) async fn events(app: &App, id: &str) -> Result<Response<Body>, ApiError> {
    // Unknown batches answer 404 JSON before any stream starts.
    let first = app.batches().status(id).await.map_err(batch_error)?;
    let total = first.items;
    let slot = app.inbound().open_stream(id)?;
    let feed = app.feeds().join(app.batches(), id, first);
    // Subscribed before the items already ended are read: an item is either
    // in that read or in the feed (or both, and sent once).
    let mut items = feed.items.subscribe();
    let mut progress = feed.progress.clone();
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let service = app.batches().clone();
    let id = id.to_owned();
    tokio::spawn(async move {
        // Held while the stream runs: the feed runs while any stream holds it.
        let (_slot, _feed) = (slot, feed);
        let mut sent = Sent::default();
        let mut out = String::new();
        // The items already ended, a window at a time (a big batch is
        // never read whole), each window sent as it is read.
        let mut from = 0;
        while from < total {
            let to = (from + WINDOW).min(total);
            let indexes: Vec<usize> = (from..to).collect();
            let Ok(read) = service.items_at(&id, &indexes).await else {
                break;
            };
            for item in read.iter().flatten().filter(|i| i.state.is_final()) {
                if sent.first(item.index) {
                    out.push_str(&item_event(item));
                }
            }
            if !out.is_empty()
                && tx
                    .send(Bytes::from(std::mem::take(&mut out)))
                    .await
                    .is_err()
            {
                return;
            }
            from = to;
        }
        let status = progress.borrow_and_update().clone();
        push_progress(&mut out, &status);
        let mut over = status.state.is_final();
        let mut feed_open = true;
        loop {
            if over {
                // The last items were published before the last progress.
                drain(&mut items, &mut sent, &mut out);
                out.push_str(&event("finished", &status_json(&progress.borrow())));
            }
            if out.is_empty() {
                out.push_str(": keep-alive\n\n");
            }
            if tx
                .send(Bytes::from(std::mem::take(&mut out)))
                .await
                .is_err()
                || over
            {
                return;
            }
            tokio::select! {
                received = items.recv(), if feed_open => match received {
                    Ok(item) => {
                        if sent.first(item.index) {
                            out.push_str(&item.text);
                        }
                        drain(&mut items, &mut sent, &mut out);
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        out.push_str(&event("lagged", &json!({ "skipped_items": n }).to_string()));
                    }
                    Err(broadcast::error::RecvError::Closed) => feed_open = false,
                },
                changed = progress.changed() => {
                    if changed.is_err() {
                        // The feed stopped without a final state: the batch is gone.
                        return;
                    }
                    let status = progress.borrow_and_update().clone();
                    drain(&mut items, &mut sent, &mut out);
                    push_progress(&mut out, &status);
                    over = status.state.is_final();
                }
                () = tokio::time::sleep(KEEP_ALIVE) => {}
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

/// The item indexes a stream has sent, a bit each.
#[derive(Default)]
struct Sent(Vec<u64>);

impl Sent {
    /// Marks `index`; whether it was new.
    fn first(&mut self, index: usize) -> bool {
        let (word, bit) = (index / 64, index % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        let new = self.0[word] & (1 << bit) == 0;
        self.0[word] |= 1 << bit;
        new
    }
}

/// Whatever items the feed has published and the stream has not taken yet.
fn drain(items: &mut broadcast::Receiver<Arc<ItemEvent>>, sent: &mut Sent, out: &mut String) {
    loop {
        match items.try_recv() {
            Ok(item) => {
                if sent.first(item.index) {
                    out.push_str(&item.text);
                }
            }
            Err(broadcast::error::TryRecvError::Lagged(n)) => {
                out.push_str(&event("lagged", &json!({ "skipped_items": n }).to_string()));
            }
            Err(_) => return,
        }
    }
}

fn push_progress(out: &mut String, status: &Status) {
    out.push_str(&event("progress", &status_json(status)));
}

fn status_json(status: &Status) -> String {
    serde_json::to_string(status).unwrap_or_default()
}

fn event(name: &str, data: &str) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

fn item_event(item: &Item) -> String {
    let data = json!({
        "index": item.index,
        "name": item.name,
        "outcome": item.state,
        "error_kind": item.error.as_ref().map(|e| e.kind),
    });
    event("item", &data.to_string())
}

fn done(s: &Status) -> usize {
    let c = &s.counts;
    c.succeeded + c.cached + c.failed + c.skipped
}
