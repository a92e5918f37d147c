//! The writers. JSON and XLSX build the whole document; NDJSON and CSV write
//! row by row, so a large export streams instead of sitting in memory.

use std::io::Write;

use crate::row::{neutralise, Row, COLUMNS, SOURCED};
use crate::{Error, Result};

/// A sheet to write: its name, header, rows, and which columns hold numbers.
type Sheet<'a> = (&'a str, Vec<String>, &'a Vec<Vec<String>>, Vec<bool>);

/// Key-value lines describing a batch (the XLSX Summary sheet).
pub type Summary = Vec<(String, String)>;

/// All rows as one JSON array.
pub fn json(rows: &[Row], out: impl Write) -> Result<()> {
    serde_json::to_writer(out, rows).map_err(Error::Json)
}

/// One JSON object a line; call per row to stream.
pub fn ndjson_row(row: &Row, mut out: impl Write) -> Result<()> {
    serde_json::to_writer(&mut out, row).map_err(Error::Json)?;
    out.write_all(b"\n").map_err(Error::Io)
}

/// A CSV writer that streams: the header first, then each row as it comes.
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
    provenance: bool,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the header; with `provenance`, `<field>_source` and
    /// `<field>_method` columns follow the values.
    pub fn new(out: W, provenance: bool) -> Result<Self> {
        let mut inner = csv::Writer::from_writer(out);
        let mut header: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
        if provenance {
            for f in SOURCED {
                header.push(format!("{f}_source"));
                header.push(format!("{f}_method"));
            }
        }
        inner.write_record(&header).map_err(Error::Csv)?;
        Ok(CsvWriter { inner, provenance })
    }

    /// Writes one row (every cell neutralised against formula injection).
    pub fn row(&mut self, row: &Row) -> Result<()> {
        let mut record: Vec<String> = row
            .values()
            .iter()
            .map(|v| neutralise(v).into_owned())
            .collect();
        if self.provenance {
            for (url, method) in row.provenance() {
                record.push(neutralise(&url).into_owned());
                record.push(method);
            }
        }
        self.inner.write_record(&record).map_err(Error::Csv)
    }

    /// Pushes buffered rows to the underlying writer (between chunks of a
    /// streamed export).
    pub fn flush(&mut self) -> Result<()> {
        self.inner.flush().map_err(Error::Io)
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| Error::Io(e.into_error()))
    }
}

/// The CSV of all rows at once.
pub fn csv(rows: &[Row], out: impl Write, provenance: bool) -> Result<()> {
    let mut w = CsvWriter::new(out, provenance)?;
    for r in rows {
        w.row(r)?;
    }
    w.finish().map(|_| ())
}

/// An XLSX workbook: sheets Companies (every row), Summary (`summary`) and
/// Errors (the failed and skipped rows); the header row bold, frozen and
/// filterable, widths set from content, the workbook's default style in
/// place (spreadsheet programs open it without a repair or a warning).
/// Numbers are numeric cells (the index, the match confidence, the founding
/// year, the head count; summary values that are numbers); every other cell
/// is a string, neutralised, so that none is ever a formula.
pub fn xlsx(rows: &[Row], summary: &Summary, out: impl Write + Send) -> Result<()> {
    use rust_xlsxwriter::{Format, Workbook};

    /// Columns of the Companies sheet written as numbers.
    const NUMERIC: [&str; 5] = [
        "index",
        "match_confidence",
        "founded_year",
        "employees_min",
        "employees_max",
    ];
    let xlsx_error = |e: rust_xlsxwriter::XlsxError| Error::Xlsx(e.to_string());
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let two_places = Format::new().set_num_format("0.00");
    let header: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    let companies: Vec<Vec<String>> = rows.iter().map(Row::values).collect();
    let errors: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r.outcome == "failed" || r.outcome == "skipped")
        .map(|r| {
            vec![
                r.index.to_string(),
                r.query.clone(),
                r.outcome.clone(),
                r.error_kind.clone().unwrap_or_default(),
                r.error_message.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let summary_rows: Vec<Vec<String>> = summary
        .iter()
        .map(|(k, v)| vec![k.clone(), v.clone()])
        .collect();
    let company_numbers: Vec<bool> = COLUMNS.iter().map(|c| NUMERIC.contains(c)).collect();
    let sheets: [Sheet<'_>; 3] = [
        ("Companies", header, &companies, company_numbers),
        (
            "Summary",
            vec!["metric".into(), "value".into()],
            &summary_rows,
            vec![false, true],
        ),
        (
            "Errors",
            ["index", "query", "outcome", "error_kind", "error_message"]
                .map(String::from)
                .to_vec(),
            &errors,
            vec![true, false, false, false, false],
        ),
    ];
    for (name, head, body, numeric) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name).map_err(xlsx_error)?;
        let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
        for (c, h) in head.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, h.as_str(), &bold)
                .map_err(xlsx_error)?;
        }
        for (r, values) in body.iter().enumerate() {
            let row = r as u32 + 1;
            for (c, value) in values.iter().enumerate() {
                if value.is_empty() {
                    continue;
                }
                let col = c as u16;
                let number = numeric
                    .get(c)
                    .copied()
                    .unwrap_or(false)
                    .then(|| value.parse::<f64>().ok())
                    .flatten()
                    .filter(|n| n.is_finite());
                match number {
                    Some(n) if head[c] == "match_confidence" => {
                        sheet.write_number_with_format(row, col, n, &two_places)
                    }
                    Some(n) => sheet.write_number(row, col, n),
                    None => {
                        let value = neutralise(value);
                        if let Some(w) = widths.get_mut(c) {
                            *w = (*w).max(value.chars().count());
                        }
                        sheet.write_string(row, col, value.into_owned())
                    }
                }
                .map_err(xlsx_error)?;
                if number.is_some() {
                    if let Some(w) = widths.get_mut(c) {
                        *w = (*w).max(value.chars().count());
                    }
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            sheet
                .set_column_width(c as u16, (*w as f64 + 2.0).clamp(8.0, 60.0))
                .map_err(xlsx_error)?;
        }
        sheet
            .autofilter(0, 0, body.len() as u32, head.len().saturating_sub(1) as u16)
            .map_err(xlsx_error)?;
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    }
    book.save_to_writer(out).map_err(xlsx_error)
}
