//! Batch results as export rows, and the one export path ([`export`]):
//! CSV, NDJSON, JSON and XLSX streamed a chunk of rows at a time, shared by
//! the HTTP downloads and the `batch` subcommand.

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use extract_batch::{Batch, BatchService, ExportFormat, Item, ItemState};
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
    let query = batch.lines.get(line).cloned().unwrap_or_default();
    // Lines naming one company share its item: each row's profile echoes
    // its own line's words.
    let profile = item.and_then(|i| i.profile.clone()).map(|mut p| {
        p.query.clone_from(&query);
        if let Some(min) = batch.min_field_confidence {
            p.retain_confident(min);
        }
        p
    });
    Row {
        index: line,
        query,
        outcome: state,
        error_kind: item.and_then(|i| i.error.as_ref()).map(|e| e.kind),
        error_message: item
            .and_then(|i| i.error.as_ref())
            .map(|e| e.message.clone()),
        profile,
        external_id: batch.inputs.id(line).map(str::to_owned),
        input: batch.inputs.row(line),
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

/// The Summary sheet's lines: the stored summary of a finished batch, or
/// one computed from the items so far.
pub(crate) async fn summary_lines(
    service: &BatchService,
    batch: &Batch,
) -> extract_batch::Result<Vec<(String, String)>> {
    let summary = match &batch.summary {
        Some(s) => s.clone(),
        None => service.summary(&batch.id).await?,
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

/// Where an export's bytes go, a chunk at a time: a file, a response body,
/// memory.
pub(crate) trait Chunks: Send {
    /// Takes the next chunk; an error stops the export.
    fn put(
        &mut self,
        bytes: Vec<u8>,
    ) -> impl std::future::Future<Output = std::io::Result<()>> + Send;
}

/// Chunks kept in memory (an XLSX download, answered whole).
impl Chunks for Vec<u8> {
    async fn put(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        self.extend_from_slice(&bytes);
        Ok(())
    }
}

/// Chunks written to a file (the `batch` subcommand).
impl<W: Write + Send> Chunks for std::io::BufWriter<W> {
    async fn put(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        self.write_all(&bytes)
    }
}

/// Chunks sent to a response body; the bound keeps memory at a chunk or two.
struct Channel(tokio::sync::mpsc::Sender<std::io::Result<Bytes>>);

impl Chunks for Channel {
    async fn put(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        self.0
            .send(Ok(Bytes::from(bytes)))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

/// The one export path, for HTTP downloads and the `batch` subcommand
/// alike: every format is read from the store and written `CHUNK` lines at
/// a time, so memory stays at a chunk or two whatever the batch size (the
/// workbook is built in a temporary file first, see [`xlsx_file`]).
pub(crate) async fn export(
    service: &BatchService,
    batch: &Batch,
    format: ExportFormat,
    provenance: bool,
    out: &mut impl Chunks,
) -> std::io::Result<()> {
    match format {
        ExportFormat::Csv | ExportFormat::Ndjson | ExportFormat::Json => {
            let sink = Sink::default();
            let mut csv = match format {
                ExportFormat::Csv => Some(
                    CsvWriter::with_input(sink.clone(), provenance, &batch.inputs.columns)
                        .map_err(io_error)?,
                ),
                _ => None,
            };
            let json = matches!(format, ExportFormat::Json);
            if json {
                out.put(b"[".to_vec()).await?; // one array
            }
            let mut from = 0;
            while from < batch.lines.len() {
                let rows = rows(service, batch, from, from + CHUNK)
                    .await
                    .map_err(io_error)?;
                let mut chunk = Vec::new();
                for r in &rows {
                    match &mut csv {
                        Some(w) => w.row(r).map_err(io_error)?,
                        None if json => {
                            if from > 0 || !chunk.is_empty() {
                                chunk.push(b',');
                            }
                            serde_json::to_writer(&mut chunk, r).map_err(io_error)?;
                        }
                        None => extract_export::ndjson_row(r, &mut chunk).map_err(io_error)?,
                    }
                }
                if let Some(w) = &mut csv {
                    w.flush().map_err(io_error)?;
                    chunk = sink.take();
                }
                out.put(chunk).await?;
                from += CHUNK;
            }
            if let Some(mut w) = csv {
                w.flush().map_err(io_error)?;
                let rest = sink.take();
                if !rest.is_empty() {
                    out.put(rest).await?;
                }
            }
            if json {
                out.put(b"]".to_vec()).await?;
            }
        }
        ExportFormat::Xlsx => {
            let mut file = tokio::fs::File::from_std(xlsx_file(service, batch).await?);
            while let Some(chunk) = read_chunk(&mut file).await? {
                out.put(chunk).await?;
            }
        }
    }
    Ok(())
}

/// The batch's workbook in a temporary file (deleted once closed), read
/// from its start: rows go from the store to a blocking writer a chunk at
/// a time, and the writer keeps its sheets in temporary files, so memory
/// stays at a chunk or two whatever the batch size.
pub(crate) async fn xlsx_file(
    service: &BatchService,
    batch: &Batch,
) -> std::io::Result<std::fs::File> {
    use std::io::{Seek, SeekFrom};
    let summary = summary_lines(service, batch).await.map_err(io_error)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Row>>(2);
    let columns = batch.inputs.columns.clone();
    // Building a workbook is CPU and file work: off the async workers.
    let writer = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        let mut w = extract_export::XlsxWriter::with_input(&columns).map_err(io_error)?;
        while let Some(chunk) = rx.blocking_recv() {
            for r in &chunk {
                w.row(r).map_err(io_error)?;
            }
        }
        let mut file = tempfile::tempfile()?;
        w.finish(&summary, &mut file).map_err(io_error)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    });
    let mut from = 0;
    let mut read = Ok(());
    while from < batch.lines.len() {
        match rows(service, batch, from, from + CHUNK).await {
            Ok(rows) => {
                if tx.send(rows).await.is_err() {
                    break; // the writer failed: its error is below
                }
            }
            Err(e) => {
                read = Err(io_error(e));
                break;
            }
        }
        from += CHUNK;
    }
    drop(tx);
    let file = writer.await.map_err(io_error)??;
    read.map(|()| file)
}

fn io_error(e: impl std::error::Error + Send + Sync + 'static) -> std::io::Error {
    std::io::Error::other(e)
}

/// The next 64 KiB of `file`; `None` at its end.
async fn read_chunk(file: &mut tokio::fs::File) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = vec![0u8; 64 * 1024];
    let n = tokio::io::AsyncReadExt::read(file, &mut buf).await?;
    buf.truncate(n);
    Ok((n > 0).then_some(buf))
}

/// A body reading `file` from where it stands, a chunk at a time (a built
/// workbook: its failures were answered as JSON errors before this).
pub(crate) fn file_body(file: std::fs::File) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        let mut out = Channel(tx);
        let mut file = tokio::fs::File::from_std(file);
        let copied = async {
            while let Some(chunk) = read_chunk(&mut file).await? {
                out.put(chunk).await?;
            }
            Ok(())
        };
        if let Err(e) = copied.await {
            let _ = out.0.send(Err(e)).await;
        }
    });
    body_of(rx)
}

/// The response body of the chunks a task sends (an error ends it cut off).
fn body_of(rx: tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>) -> Body {
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        let next = rx.recv().await?;
        Some((next.map(Frame::data), rx))
    });
    StreamBody::new(chunks.boxed()).boxed_unsync()
}

/// A body streaming [`export`] as it is written. A store failure midway
/// ends the body with an error (the client sees a cut-off download, never
/// a silently short one).
pub(crate) fn stream(
    service: BatchService,
    batch: Batch,
    format: ExportFormat,
    provenance: bool,
) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        let mut out = Channel(tx);
        if let Err(e) = export(&service, &batch, format, provenance, &mut out).await {
            let _ = out.0.send(Err(e)).await;
        }
    });
    body_of(rx)
}
