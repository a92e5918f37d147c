//! The writers. JSON and XLSX build the whole document; NDJSON and CSV write
//! row by row, so a large export streams instead of sitting in memory.

use std::io::Write;

use crate::row::{neutralise, Row, COLUMNS, SOURCED};
use crate::{Error, Result};

/// A sheet to write: its name, header and rows.
type Sheet<'a> = (&'a str, Vec<String>, &'a Vec<Vec<String>>);

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
/// Errors (the failed and skipped rows); headers bold-free but frozen and
/// filterable, widths set from content. Every cell is a string, neutralised.
pub fn xlsx(rows: &[Row], summary: &Summary, out: impl Write) -> Result<()> {
    use umya_spreadsheet::{Coordinate, Pane, PaneStateValues, PaneValues, SheetView};

    let mut book = umya_spreadsheet::new_file_empty_worksheet();
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
    let sheets: [Sheet<'_>; 3] = [
        ("Companies", header, &companies),
        (
            "Summary",
            vec!["metric".into(), "value".into()],
            &summary_rows,
        ),
        (
            "Errors",
            ["index", "query", "outcome", "error_kind", "error_message"]
                .map(String::from)
                .to_vec(),
            &errors,
        ),
    ];
    for (name, head, body) in sheets {
        let sheet = book
            .new_sheet(name)
            .map_err(|e| Error::Xlsx(e.to_owned()))?;
        let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
        for (c, h) in head.iter().enumerate() {
            sheet
                .get_cell_mut((c as u32 + 1, 1))
                .set_value_string(h.clone());
        }
        for (r, values) in body.iter().enumerate() {
            for (c, value) in values.iter().enumerate() {
                let value = neutralise(value);
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(value.chars().count());
                }
                sheet
                    .get_cell_mut((c as u32 + 1, r as u32 + 2))
                    .set_value_string(value.into_owned());
            }
        }
        for (c, w) in widths.iter().enumerate() {
            let letter = column_letter(c);
            sheet
                .get_column_dimension_mut(&letter)
                .set_width((*w as f64 + 2.0).clamp(8.0, 60.0));
        }
        let last = column_letter(head.len().saturating_sub(1));
        sheet.set_auto_filter(format!("A1:{last}{}", body.len() + 1));
        // Freeze the header row.
        let mut top_left = Coordinate::default();
        top_left.set_coordinate("A2");
        let mut pane = Pane::default();
        pane.set_vertical_split(1.0)
            .set_top_left_cell(top_left)
            .set_active_pane(PaneValues::BottomLeft)
            .set_state(PaneStateValues::Frozen);
        let mut view = SheetView::default();
        view.set_pane(pane);
        sheet
            .get_sheet_views_mut()
            .get_sheet_view_list_mut()
            .clear();
        sheet.get_sheet_views_mut().add_sheet_view_list_mut(view);
    }
    umya_spreadsheet::writer::xlsx::write_writer(&book, out).map_err(|e| Error::Xlsx(e.to_string()))
}

/// `0` -> `A`, `25` -> `Z`, `26` -> `AA`.
fn column_letter(mut index: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(31), "AF");
    }
}
