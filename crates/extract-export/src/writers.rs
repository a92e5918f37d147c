//! The writers. NDJSON, CSV and XLSX write row by row, so a large export
//! streams instead of sitting in memory (XLSX through temporary files);
//! [`json`] builds one array of the rows it is given.

use std::io::Write;

use crate::row::{neutralise, Row, COLUMNS, SOURCED};
use crate::{Error, Result};

/// Key-value lines describing a batch (the XLSX Summary sheet).
pub type SummaryLines = Vec<(String, String)>;

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
    /// How many of the caller's own columns come first.
    inputs: usize,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the header; with `provenance`, `<field>_source` and
    /// `<field>_method` columns follow the values.
    pub fn new(out: W, provenance: bool) -> Result<Self> {
        CsvWriter::with_input(out, provenance, &[])
    }

    /// The same, with the caller's own `columns` (a row's `input`, by
    /// position) first, under the caller's headers.
    pub fn with_input(out: W, provenance: bool, columns: &[String]) -> Result<Self> {
        let mut inner = csv::Writer::from_writer(out);
        let mut header: Vec<String> = columns.iter().map(|c| neutralise(c).into_owned()).collect();
        header.extend(COLUMNS.iter().map(|c| (*c).to_owned()));
        if provenance {
            for f in SOURCED {
                header.push(format!("{f}_source"));
                header.push(format!("{f}_method"));
            }
        }
        inner.write_record(&header).map_err(Error::Csv)?;
        Ok(CsvWriter {
            inner,
            provenance,
            inputs: columns.len(),
        })
    }

    /// Writes one row (every cell neutralised against formula injection).
    pub fn row(&mut self, row: &Row) -> Result<()> {
        let mut record: Vec<String> = input_cells(row, self.inputs)
            .map(|v| neutralise(v).into_owned())
            .collect();
        record.extend(row.values().iter().map(|v| neutralise(v).into_owned()));
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

/// A row's first `n` input cells, by position (empty past its own).
fn input_cells(row: &Row, n: usize) -> impl Iterator<Item = &str> {
    (0..n).map(|i| row.input.get(i).map_or("", |(_, v)| v.as_str()))
}

/// The CSV of all rows at once.
pub fn csv(rows: &[Row], out: impl Write, provenance: bool) -> Result<()> {
    let mut w = CsvWriter::new(out, provenance)?;
    for r in rows {
        w.row(r)?;
    }
    w.finish().map(|_| ())
}

/// Columns of the Companies sheet written as numbers.
const NUMERIC: [&str; 5] = [
    "index",
    "match_confidence",
    "founded_year",
    "employees_min",
    "employees_max",
];

/// The Errors sheet's columns.
const ERROR_COLUMNS: [&str; 5] = ["index", "query", "outcome", "error_kind", "error_message"];

/// A column's width in characters: rows are written as they come, so the
/// width comes from what the column holds, not from the longest value.
fn width(column: &str) -> f64 {
    match column {
        "description" | "error_message" | "keywords" => 50.0,
        "query" | "name" | "legal_name" | "website" | "logo" | "emails" | "phones"
        | "hq_street" => 30.0,
        c if c.ends_with("_source") => 30.0,
        "linkedin" | "twitter" | "facebook" | "github" | "youtube" | "instagram" | "crunchbase"
        | "wikipedia" | "xing" => 28.0,
        c => (c.chars().count() as f64 + 2.0).max(10.0),
    }
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Xlsx(e.to_string())
}

/// An XLSX workbook written row by row in constant memory: sheets
/// Companies (every row), Summary (given at the end) and Errors (the
/// failed and skipped rows). The two row sheets go to temporary files as
/// they are written, so memory stays at a row whatever the batch size
/// (`rust_xlsxwriter`'s constant-memory worksheets; strings are inline).
/// The header rows are bold, frozen and filterable, the workbook's default
/// style is in place (spreadsheet programs open it without a repair or a
/// warning). Numbers are numeric cells (the index, the match confidence,
/// the founding year, the head count; summary values that are numbers);
/// every other cell is a string, neutralised, so that none is ever a formula.
pub struct XlsxWriter {
    book: rust_xlsxwriter::Workbook,
    two_places: rust_xlsxwriter::Format,
    /// The next row of Companies and of Errors.
    next: [u32; 2],
    /// How many of the caller's own columns come first on both row sheets.
    inputs: usize,
}

const COMPANIES: usize = 0;
const SUMMARY: usize = 1;
const ERRORS: usize = 2;

impl XlsxWriter {
    /// The workbook with its three sheets and their headers.
    pub fn new() -> Result<Self> {
        XlsxWriter::with_input(&[])
    }

    /// The same, with the caller's own `columns` (a row's `input`, by
    /// position) first on Companies and Errors, under the caller's headers
    /// (always as text).
    pub fn with_input(columns: &[String]) -> Result<Self> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let own: Vec<String> = columns.iter().map(|c| neutralise(c).into_owned()).collect();
        let with_own = |head: &[&str]| -> Vec<String> {
            own.iter()
                .cloned()
                .chain(head.iter().map(|h| (*h).to_owned()))
                .collect()
        };
        for (name, head) in [
            ("Companies", with_own(COLUMNS)),
            ("Summary", vec!["metric".to_owned(), "value".to_owned()]),
            ("Errors", with_own(&ERROR_COLUMNS)),
        ] {
            let sheet = if name == "Summary" {
                book.add_worksheet()
            } else {
                book.add_worksheet_with_constant_memory()
                    .map_err(xlsx_error)?
            };
            sheet.set_name(name).map_err(xlsx_error)?;
            for (c, h) in head.iter().enumerate() {
                let w = if name == "Summary" { 24.0 } else { width(h) };
                sheet.set_column_width(c as u16, w).map_err(xlsx_error)?;
                sheet
                    .write_string_with_format(0, c as u16, h, &bold)
                    .map_err(xlsx_error)?;
            }
            sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        }
        Ok(XlsxWriter {
            book,
            two_places: Format::new().set_num_format("0.00"),
            next: [1, 1],
            inputs: columns.len(),
        })
    }

    /// Writes one row to Companies, and to Errors when it failed or was skipped.
    pub fn row(&mut self, row: &Row) -> Result<()> {
        let values = row.values();
        let at = self.next[0];
        let own = self.inputs;
        let sheet = self
            .book
            .worksheet_from_index(COMPANIES)
            .map_err(xlsx_error)?;
        write_own(sheet, at, row, own)?;
        for (c, (value, head)) in values.iter().zip(COLUMNS).enumerate() {
            if value.is_empty() {
                continue;
            }
            let col = (own + c) as u16;
            let number = NUMERIC
                .contains(head)
                .then(|| value.parse::<f64>().ok())
                .flatten()
                .filter(|n| n.is_finite());
            match number {
                Some(n) if *head == "match_confidence" => {
                    sheet.write_number_with_format(at, col, n, &self.two_places)
                }
                Some(n) => sheet.write_number(at, col, n),
                None => sheet.write_string(at, col, neutralise(value)),
            }
            .map_err(xlsx_error)?;
        }
        self.next[0] += 1;
        if row.outcome.is_error() {
            let at = self.next[1];
            let sheet = self.book.worksheet_from_index(ERRORS).map_err(xlsx_error)?;
            write_own(sheet, at, row, own)?;
            sheet
                .write_number(at, own as u16, row.index as f64)
                .map_err(xlsx_error)?;
            let texts: [&str; 4] = [
                &row.query,
                row.outcome.as_str(),
                row.error_kind.map_or("", extract_core::ErrorKind::as_str),
                row.error_message.as_deref().unwrap_or_default(),
            ];
            for (c, value) in texts.into_iter().enumerate() {
                if !value.is_empty() {
                    sheet
                        .write_string(at, (own + c + 1) as u16, neutralise(value))
                        .map_err(xlsx_error)?;
                }
            }
            self.next[1] += 1;
        }
        Ok(())
    }

    /// Writes the Summary sheet and the filters, then the file to `out`.
    pub fn finish(mut self, summary: &SummaryLines, out: impl Write + Send) -> Result<()> {
        for (sheet, columns, next) in [
            (COMPANIES, self.inputs + COLUMNS.len(), self.next[0]),
            (ERRORS, self.inputs + ERROR_COLUMNS.len(), self.next[1]),
        ] {
            self.book
                .worksheet_from_index(sheet)
                .map_err(xlsx_error)?
                .autofilter(0, 0, next - 1, columns as u16 - 1)
                .map_err(xlsx_error)?;
        }
        let sheet = self
            .book
            .worksheet_from_index(SUMMARY)
            .map_err(xlsx_error)?;
        for (r, (key, value)) in summary.iter().enumerate() {
            let row = r as u32 + 1;
            sheet
                .write_string(row, 0, neutralise(key))
                .map_err(xlsx_error)?;
            match value.parse::<f64>().ok().filter(|n| n.is_finite()) {
                Some(n) => sheet.write_number(row, 1, n),
                None if value.is_empty() => continue,
                None => sheet.write_string(row, 1, neutralise(value)),
            }
            .map_err(xlsx_error)?;
        }
        sheet
            .autofilter(0, 0, summary.len() as u32, 1)
            .map_err(xlsx_error)?;
        self.book.save_to_writer(out).map_err(xlsx_error)
    }
}

/// Writes a row's first `n` input cells, as text, at the start of row `at`.
fn write_own(sheet: &mut rust_xlsxwriter::Worksheet, at: u32, row: &Row, n: usize) -> Result<()> {
    for (c, value) in input_cells(row, n).enumerate() {
        if !value.is_empty() {
            sheet
                .write_string(at, c as u16, neutralise(value))
                .map_err(xlsx_error)?;
        }
    }
    Ok(())
}

/// The XLSX of all rows at once (see [`XlsxWriter`]).
pub fn xlsx(rows: &[Row], summary: &SummaryLines, out: impl Write + Send) -> Result<()> {
    let mut w = XlsxWriter::new()?;
    for r in rows {
        w.row(r)?;
    }
    w.finish(summary, out)
}
