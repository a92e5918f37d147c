//! `extract-server batch EXPORT.csv --retry-failed`: the rows of an earlier
//! CSV export whose outcome is `failed` run again as one batch, and the
//! export is written back with those rows replaced (each keeps its
//! `index`, the line of the first input); every other row stays as it was
//! and costs no upstream call.

use std::collections::HashMap;

use anyhow::Context;
use extract_batch::ExportFormat;
use extract_core::ItemState;

use super::batch::{watch, BatchArgs, Failure, RunReport};
use crate::{results, App};

/// Runs the failed rows of the export `args.file` again and rewrites it
/// (or writes `args.out`).
pub async fn run(args: &BatchArgs, app: &App) -> Result<RunReport, Failure> {
    if args.format != ExportFormat::Csv {
        return Err(Failure::Data(
            "--retry-failed reads and writes a CSV export: leave out --format or give csv".into(),
        ));
    }
    let text = std::fs::read(&args.file).map_err(|source| Failure::Input {
        path: args.file.clone(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(text.as_slice());
    let header = reader
        .headers()
        .map_err(|e| Failure::Data(format!("{}: {e}", args.file.display())))?
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(index), Some(query), Some(outcome)) = (col("index"), col("query"), col("outcome"))
    else {
        return Err(Failure::Data(format!(
            "{} is not a CSV export of this service: it has no index, query and outcome columns (found: {})",
            args.file.display(),
            header.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::Data(format!("{}: {e}", args.file.display())))?;
    let failed: Vec<String> = rows
        .iter()
        .filter(|r| r.get(outcome) == Some(ItemState::Failed.as_str()))
        .filter_map(|r| r.get(query).map(str::to_owned))
        .collect();
    if failed.is_empty() {
        return Err(Failure::Data(format!(
            "{} has no failed rows: nothing to retry",
            args.file.display()
        )));
    }
    let service = app.batches();
    let batch = service
        .submit(super::batch::request(args, failed))
        .await
        .map_err(|e| Failure::Data(e.to_string()))?;
    let status = watch(service, &batch.id, args.quiet).await?;
    let batch = service
        .batch(&batch.id)
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    // The new rows, with the same columns (provenance when the export had it).
    let provenance = header.iter().any(|h| h.ends_with("_source"));
    let mut fresh = Vec::new();
    results::export(service, &batch, ExportFormat::Csv, provenance, &mut fresh)
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    let mut fresh_reader = csv::Reader::from_reader(fresh.as_slice());
    let mut by_query: HashMap<String, csv::StringRecord> = HashMap::new();
    for r in fresh_reader.records() {
        let r = r.map_err(|e| Failure::Other(e.into()))?;
        if let Some(q) = r.get(query) {
            by_query.entry(q.to_owned()).or_insert(r);
        }
    }
    let out = args.out.clone().unwrap_or_else(|| args.file.clone());
    write(&out, &header, &rows, |row| {
        if row.get(outcome) != Some(ItemState::Failed.as_str()) {
            return None;
        }
        let new = by_query.get(row.get(query)?)?;
        // The first input's line number stays.
        Some(
            new.iter()
                .enumerate()
                .map(|(i, v)| {
                    if i == index {
                        row.get(index).unwrap_or(v)
                    } else {
                        v
                    }
                })
                .collect(),
        )
    })
    .map_err(|source| Failure::Output {
        path: out.clone(),
        source,
    })?;
    Ok(RunReport { status, out })
}

/// Writes `rows` (each replaced where `replace` says) to the export's
/// partial path, then renames it into place.
fn write(
    out: &std::path::Path,
    header: &csv::StringRecord,
    rows: &[csv::StringRecord],
    replace: impl Fn(&csv::StringRecord) -> Option<csv::StringRecord>,
) -> anyhow::Result<()> {
    let tmp = super::batch::partial_path(out);
    let mut w = csv::Writer::from_path(&tmp).context("creating the file")?;
    w.write_record(header).context("writing the header")?;
    for row in rows {
        match replace(row) {
            Some(new) => w.write_record(&new),
            None => w.write_record(row),
        }
        .context("writing a row")?;
    }
    w.flush().context("flushing")?;
    drop(w);
    std::fs::rename(&tmp, out).context("moving the finished file into place")?;
    Ok(())
}
