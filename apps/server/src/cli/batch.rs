//! `extract-server batch FILE`: a file of company names run in-process as one
//! batch, with a progress bar and ETA on the terminal, then written as an
//! export. The same batch service, stores and export writers as the HTTP API.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use extract_batch::{BatchRequest, BatchState, ExportFormat, Status};
use extract_core::{ExtractionMode, Priority};

use crate::{from_wire_name, results, App};

use crate::names::{read_text, Upload};

/// How often the progress bar reads the batch status.
const TICK: Duration = Duration::from_millis(200);

/// Arguments of `batch`.
#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// Company names, one a line, or a CSV file with a `company_name` column.
    pub file: PathBuf,
    /// Export format: csv, xlsx, json or ndjson.
    #[arg(long, value_parser = from_wire_name::<ExportFormat>, default_value = "csv")]
    pub format: ExportFormat,
    /// Where to write the export (default: beside FILE, `<stem>.results.<format>`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Scheduling priority: low, normal or high.
    #[arg(long, value_parser = from_wire_name::<Priority>, default_value = "normal")]
    pub priority: Priority,
    /// Extraction mode: basic (the homepage) or comprehensive (also about,
    /// contact, imprint and team pages).
    #[arg(long, value_parser = from_wire_name::<ExtractionMode>, default_value = "basic")]
    pub mode: ExtractionMode,
    /// The lowest website-match confidence (0–1) accepted; a company below
    /// it fails with `no_confident_match` instead of a guessed profile.
    #[arg(long)]
    pub min_confidence: Option<f32>,
    /// Leave out profile fields whose confidence is below this (0–1).
    #[arg(long)]
    pub min_field_confidence: Option<f32>,
    /// Include `<field>_source` / `<field>_method` columns in a CSV export.
    #[arg(long)]
    pub provenance: bool,
    /// No progress bar (it is hidden anyway when stderr is not a terminal).
    #[arg(long)]
    pub quiet: bool,
    /// FILE is a CSV export of an earlier run: run again only its rows whose
    /// outcome is `failed`, and write the export back with those rows
    /// replaced (in place, unless --out says where).
    #[arg(long)]
    pub retry_failed: bool,
}

/// Why `batch` stopped, with its sysexits code.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The input cannot be read (66).
    #[error("cannot read {path}: {source}")]
    Input {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The input has no usable names, or the batch refuses them (65).
    #[error("{0}")]
    Data(String),
    /// The export cannot be written (73).
    #[error("cannot write {path}: {source:#}")]
    Output {
        /// The file.
        path: PathBuf,
        /// Why.
        source: anyhow::Error,
    },
    /// Anything else (1).
    #[error("{0:#}")]
    Other(anyhow::Error),
}

impl Failure {
    /// The process exit code (sysexits).
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Input { .. } => 66,
            Failure::Data(_) => 65,
            Failure::Output { .. } => 73,
            Failure::Other(_) => 1,
        }
    }
}

/// What a finished run reports.
#[derive(Debug)]
pub struct RunReport {
    /// The batch's final status.
    pub status: Status,
    /// Where the export went.
    pub out: PathBuf,
}

/// The default export path: beside the input, `<stem>.results.<ext>`.
pub fn default_out(file: &Path, format: ExportFormat) -> PathBuf {
    let stem = file
        .file_stem()
        .map_or_else(|| "batch".into(), |s| s.to_string_lossy().into_owned());
    file.with_file_name(format!("{stem}.results.{}", format.as_str()))
}

/// Runs the file as one batch on `app` and writes the export. Ctrl-C
/// cancels the batch; what finished is still written.
pub async fn run(args: &BatchArgs, app: &App) -> Result<RunReport, Failure> {
    if args.retry_failed {
        return super::retry::run(args, app).await;
    }
    let text = std::fs::read_to_string(&args.file).map_err(|source| Failure::Input {
        path: args.file.clone(),
        source,
    })?;
    // A table's columns are read by header, as an upload's are, and come
    // back on every row of the export.
    let upload =
        read_text(&text, &app.config().upload).map_err(|e| Failure::Data(e.to_string()))?;
    let mut request = request(args, Vec::new());
    match upload {
        Upload::Names(names) => request.company_names = names,
        Upload::Table { header, rows } => {
            let map = crate::columns::mapping(&header);
            crate::columns::put_table(&mut request, header, rows, &map).map_err(Failure::Data)?;
        }
    }
    if request.company_names.is_empty() && request.items.is_empty() {
        return Err(Failure::Data(format!(
            "{} holds no company names",
            args.file.display()
        )));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.file, args.format));
    let service = app.batches();
    let batch = service.submit(request).await.map_err(|e| match e {
        extract_batch::Error::Invalid { .. } | extract_batch::Error::Disabled => {
            Failure::Data(e.to_string())
        }
        other => Failure::Other(other.into()),
    })?;
    let status = watch(service, &batch.id, args.quiet).await?;
    let batch = service
        .batch(&batch.id)
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    write(app, &batch, args, &out)
        .await
        .map_err(|source| Failure::Output {
            path: out.clone(),
            source,
        })?;
    Ok(RunReport { status, out })
}

/// The batch `args` ask for, of `names`.
pub(super) fn request(args: &BatchArgs, names: Vec<String>) -> BatchRequest {
    BatchRequest {
        company_names: names,
        extraction_mode: args.mode,
        priority: args.priority,
        export_format: args.format,
        webhook_url: None,
        min_confidence: args.min_confidence,
        min_field_confidence: args.min_field_confidence,
        ..BatchRequest::default()
    }
}

/// Draws the progress bar until the batch is over; Ctrl-C cancels it.
pub(super) async fn watch(
    service: &extract_batch::BatchService,
    id: &str,
    quiet: bool,
) -> Result<Status, Failure> {
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}",
        )
        .map_err(|e| Failure::Other(e.into()))?,
    );
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    let mut cancelled = false;
    loop {
        let status = service
            .status(id)
            .await
            .map_err(|e| Failure::Other(e.into()))?;
        bar.set_length(status.items as u64);
        bar.set_position(status.counts.finished() as u64);
        bar.set_message(progress_message(&status));
        if !matches!(status.state, BatchState::Queued | BatchState::Running) {
            // The summary line printed next says it all.
            bar.finish_and_clear();

            return Ok(status);
        }
        tokio::select! {
            () = tokio::time::sleep(TICK) => {}
            _ = &mut ctrl_c, if !cancelled => {
                cancelled = true;
                bar.println("cancelling: finished companies are kept and written");
                service.cancel(id).await.map_err(|e| Failure::Other(e.into()))?;
            }
        }
    }
}

/// `ETA 1m 12s · 8.3/s · 2 failed`, from the service's recent throughput.
fn progress_message(s: &Status) -> String {
    let mut parts = Vec::new();
    if let Some(eta) = s.eta_s.filter(|_| s.finished_at_ms.is_none()) {
        parts.push(format!(
            "ETA {}",
            indicatif::HumanDuration(Duration::from_secs_f64(eta.max(0.0)))
        ));
    }
    if let Some(rate) = s.items_per_s {
        parts.push(format!("{rate:.1}/s"));
    }
    if s.counts.cached > 0 {
        parts.push(format!("{} cached", s.counts.cached));
    }
    if s.counts.failed > 0 {
        parts.push(format!("{} failed", s.counts.failed));
    }
    parts.join(" · ")
}

/// Where an export is written before it is renamed to `out`: beside it,
/// hidden, so that a crash never leaves half an export under the final name.
pub(super) fn partial_path(out: &Path) -> PathBuf {
    out.with_file_name(format!(
        ".{}.partial",
        out.file_name()
            .map_or_else(|| "export".into(), |n| n.to_string_lossy())
    ))
}

/// Writes the export to [`partial_path`], then renames it into place.
async fn write(
    app: &App,
    batch: &extract_batch::Batch,
    args: &BatchArgs,
    out: &Path,
) -> anyhow::Result<()> {
    let service = app.batches();
    let tmp = partial_path(out);
    let file = std::fs::File::create(&tmp).context("creating the file")?;
    let mut w = BufWriter::new(file);
    results::export(service, batch, args.format, args.provenance, &mut w)
        .await
        .context("writing the export")?;
    w.flush().context("flushing")?;
    drop(w);
    std::fs::rename(&tmp, out).context("moving the finished file into place")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_export_sits_beside_the_input() {
        assert_eq!(
            default_out(Path::new("/data/companies.csv"), ExportFormat::Csv),
            PathBuf::from("/data/companies.results.csv")
        );
        assert_eq!(
            default_out(Path::new("names.txt"), ExportFormat::Xlsx),
            PathBuf::from("names.results.xlsx")
        );
    }
}
