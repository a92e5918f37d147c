//! Batch results as export rows, and the exports themselves: JSON pages,
//! streamed NDJSON and CSV, XLSX. Shared by the HTTP handlers and the
//! `batch` subcommand.

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use extract_batch::{Batch, BatchService, Item, ItemState};
use extract_export::{CsvWriter, Row};
use futures_util::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;

use crate::Body;

/// Lines read from the store per chunk of a streamed export.
pub(crate) const CHUNK: usize = 256;

/// The export row of submitted line `line`, answered by `item`.
pub(crate) fn row(batch: &Batch, line: usize, item: Option<&Item>) -> Row {
    let state = item.map_or(ItemState::Pending, |i| i.state);
    Row {
        index: line,
        query: batch.lines.get(line).cloned().unwrap_or_default(),
        outcome: state.as_str().to_owned(),
        error_kind: item.and_then(|i| i.error.as_ref()).map(|e| e.kind.clone()),
        error_message: item
            .and_then(|i| i.error.as_ref())
            .map(|e| e.message.clone()),
        profile: item.and_then(|i| i.profile.clone()),
    }
}

/// The rows of lines `from..to`, read from the store in one round trip.
pub(crate) async fn rows(
    service: &BatchService,
    batch: &Batch,
    from: usize,
    to: usize,
) -> extract_batch::Result<Vec<Row>> {
    let to = to.min(batch.lines.len());
    let from = from.min(to);
    let indexes = &batch.line_items[from..to];
    let items = service.items_at(&batch.id, indexes).await?;
    Ok((from..to)
        .zip(items)
        .map(|(line, item)| row(batch, line, item.as_ref()))
        .collect())
}

/// Every row, chunk by chunk.
pub(crate) async fn all_rows(
    service: &BatchService,
    batch: &Batch,
) -> extract_batch::Result<Vec<Row>> {
    let mut out = Vec::with_capacity(batch.lines.len());
    let mut from = 0;
    while from < batch.lines.len() {
        out.extend(rows(service, batch, from, from + CHUNK).await?);
        from += CHUNK;
    }
    Ok(out)
}

/// The Summary sheet's lines: the stored summary of a finished batch, or
/// one computed from the items so far.
pub(crate) async fn summary_lines(
    service: &BatchService,
    batch: &Batch,
) -> extract_batch::Result<Vec<(String, String)>> {
    let summary = match &batch.summary {
        Some(s) => s.clone(),
        None => extract_batch::summarize(&service.results(&batch.id).await?.1),
    };
    let mut lines = vec![
        ("batch_id".to_owned(), batch.id.clone()),
        ("state".to_owned(), batch.state.as_str().to_owned()),
        ("submitted".to_owned(), batch.lines.len().to_string()),
    ];
    lines.extend(summary.lines());
    Ok(lines)
}

/// A `Write` whose bytes are taken out between chunks.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Sink {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A streamed export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Streamed {
    /// CSV, header first.
    Csv {
        /// With `<field>_source` / `<field>_method` columns.
        provenance: bool,
    },
    /// One JSON row a line.
    Ndjson,
}

/// A body that reads the batch's rows `CHUNK` lines at a time and writes
/// each chunk as it goes: memory stays at one chunk whatever the batch size.
/// A store failure midway ends the body with an error (the client sees a
/// cut-off download, never a silently short one).
pub(crate) fn stream(service: BatchService, batch: Batch, format: Streamed) -> Body {
    let sink = Sink::default();
    let writer = match format {
        Streamed::Csv { provenance } => CsvWriter::new(sink.clone(), provenance).ok(),
        Streamed::Ndjson => None,
    };
    let batch = Arc::new(batch);
    let chunks = futures_util::stream::unfold(
        (0usize, writer, service, batch, sink),
        |(from, mut writer, service, batch, sink)| async move {
            if from >= batch.lines.len() {
                return None;
            }
            let to = from + CHUNK;
            let result = async {
                let rows = rows(&service, &batch, from, to)
                    .await
                    .map_err(std::io::Error::other)?;
                let mut out = Vec::new();
                for r in &rows {
                    match &mut writer {
                        Some(w) => w.row(r).map_err(std::io::Error::other)?,
                        None => extract_export::ndjson_row(r, &mut out)
                            .map_err(std::io::Error::other)?,
                    }
                }
                if let Some(w) = &mut writer {
                    w.flush().map_err(std::io::Error::other)?;
                    out = sink.take();
                }
                Ok::<_, std::io::Error>(Frame::data(Bytes::from(out)))
            }
            .await;
            // After an error, end the stream.
            let next = if result.is_err() {
                batch.lines.len()
            } else {
                to
            };
            Some((result, (next, writer, service, batch, sink)))
        },
    );
    StreamBody::new(chunks.boxed()).boxed_unsync()
}
