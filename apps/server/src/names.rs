//! Company names from a file a user gives: a CSV or a plain list (the
//! `batch FILE` command, and `POST /api/v1/company/batch/upload`) or an XLSX
//! workbook (the upload).
//!
//! A file is hostile until read: a 1 KB workbook may declare a million-row
//! box or inflate to gigabytes. So a workbook is read as a stream of cells
//! from its zip entry after its inflated size has been counted (never
//! trusted from the header), and every reading stops at the first cap passed
//! ([`Caps`]: inflated bytes, rows, columns, cell length), naming it. The
//! memory a reading holds is its caps' worth, never the declared box's.

use std::io::{Cursor, Read};

pub(crate) use crate::config::UploadConfig as Caps;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileError {
    /// Past one of the [`Caps`]: which (its configuration key), its value,
    /// and what the file had.
    Cap {
        /// The configuration key of the cap, such as `upload.max_rows`.
        cap: &'static str,
        /// Its value.
        limit: u64,
        /// What was found, in words.
        message: String,
    },
    /// Not a file that can be read: not UTF-8, not a workbook, a broken CSV.
    Invalid(String),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::Cap {
                cap,
                limit,
                message,
            } => write!(f, "{message}: past {cap} = {limit}"),
            FileError::Invalid(message) => f.write_str(message),
        }
    }
}

impl FileError {
    /// Whether the file was refused for its size (413) rather than for what
    /// it holds (422).
    pub(crate) fn too_large(&self) -> bool {
        matches!(self, FileError::Cap { cap, .. } if *cap == INFLATED_CAP)
    }

    fn cap(cap: &'static str, limit: impl Into<u64>, message: String) -> FileError {
        FileError::Cap {
            cap,
            limit: limit.into(),
            message,
        }
    }
}

/// The cap on what a workbook inflates to, by its configuration key.
const INFLATED_CAP: &str = "upload.max_inflated_bytes";

/// What an uploaded file holds: a list of names, or a table whose first
/// row is a header ([`crate::columns`] says which columns are what).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Upload {
    /// One name a line (or the first column).
    Names(Vec<String>),
    /// A header and the rows under it.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// What `text` holds: a CSV table when its first line is a header naming
/// a known column (`company_name`, `Firma`, `website`, `country`…), else
/// a list, every non-blank line a name.
pub(crate) fn read_text(text: &str, caps: &Caps) -> Result<Upload, FileError> {
    let first = text.lines().next().unwrap_or_default();
    let header: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(first.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(|f| f.trim().to_owned()).collect())
        .unwrap_or_default();
    if crate::columns::is_header(&header) {
        // The csv crate reads an unclosed quote to the end of the file,
        // turning every row after it into one field: refuse it instead.
        if let Some(line) = unclosed_quote(text) {
            return Err(FileError::Invalid(format!(
                "CSV line {line}: a quoted field is never closed"
            )));
        }
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        check_columns(header.len(), 1, caps)?;
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| FileError::Invalid(format!("CSV line {line}: {e}")))?;
            check_row(i + 1, caps)?;
            check_columns(record.len(), line, caps)?;
            for field in &record {
                check_cell(field, line, caps)?;
            }
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            rows.push(record.iter().map(str::to_owned).collect());
        }
        return Ok(Upload::Table { header, rows });
    }
    let mut names = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let name = line.trim();
        if name.is_empty() {
            continue;
        }
        check_row(names.len() + 1, caps)?;
        check_cell(name, line_no, caps)?;
        names.push(name.to_owned());
    }
    Ok(Upload::Names(names))
}

/// What an uploaded file holds: an XLSX workbook's first sheet (a table
/// when its first row is a header naming a known column, else its first
/// column's names), or text as [`read_text`] reads it.
pub(crate) fn read_upload(bytes: &[u8], caps: &Caps) -> Result<Upload, FileError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            FileError::Invalid(
                "the file is neither UTF-8 text (CSV) nor an XLSX workbook".to_owned(),
            )
        })?;
        return read_text(text, caps);
    }
    check_inflated(bytes, caps)?;
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|e| FileError::Invalid(format!("not a readable XLSX workbook: {e}")))?;
    let sheet = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| FileError::Invalid("the workbook has no sheet".to_owned()))?;
    let mut cells = book
        .worksheet_cells_reader(&sheet)
        .map_err(|e| FileError::Invalid(format!("the first sheet cannot be read: {e}")))?;
    // The declared box is refused before a cell is read.
    let declared = cells.dimensions();
    check_position(declared.end, caps, "declares cells up to")?;

    // Rows as they come (cells arrive row by row); each within the caps.
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    loop {
        let cell = cells
            .next_cell()
            .map_err(|e| FileError::Invalid(format!("the first sheet cannot be read: {e}")))?;
        let Some(cell) = cell else { break };
        let (row, col) = cell.get_position();
        check_position((row, col), caps, "has a cell at")?;
        let value = calamine::Data::from(cell.get_value().clone());
        let text = value.to_string();
        check_cell(&text, row as usize + 1, caps)?;
        if rows.last().is_none_or(|(r, _)| *r != row) {
            rows.push((row, Vec::new()));
        }
        if let Some((_, cells)) = rows.last_mut() {
            let col = col as usize;
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = text;
        }
    }
    let mut rows = rows.into_iter().map(|(_, cells)| cells);
    let Some(first) = rows.next() else {
        return Ok(Upload::Names(Vec::new()));
    };
    if crate::columns::is_header(&first) {
        let header: Vec<String> = first.iter().map(|h| h.trim().to_owned()).collect();
        let rows = rows
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .collect();
        return Ok(Upload::Table { header, rows });
    }
    // No header: the first column holds the names, from the first row on.
    let names = std::iter::once(first)
        .chain(rows)
        .filter_map(|r| r.into_iter().next())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    Ok(Upload::Names(names))
}

/// Counts what every entry of the zip really inflates to (declared sizes
/// can lie), stopping at `max_inflated_bytes`.
fn check_inflated(bytes: &[u8], caps: &Caps) -> Result<(), FileError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| FileError::Invalid(format!("not a readable XLSX workbook: {e}")))?;
    let limit = caps.max_inflated_bytes;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| FileError::Invalid(format!("not a readable XLSX workbook: {e}")))?;
        let left = limit.saturating_sub(total);
        let read = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink())
            .map_err(|e| FileError::Invalid(format!("not a readable XLSX workbook: {e}")))?;
        total += read;
        if total > limit {
            return Err(FileError::cap(
                INFLATED_CAP,
                limit,
                "the workbook inflates to more bytes than allowed".to_owned(),
            ));
        }
    }
    Ok(())
}

/// A cell at `(row, col)` (from 0) is within the row and column caps; the
/// header is row 0, so `max_rows` data rows end at row `max_rows`.
fn check_position((row, col): (u32, u32), caps: &Caps, what: &str) -> Result<(), FileError> {
    if row > caps.max_rows {
        return Err(FileError::cap(
            "upload.max_rows",
            caps.max_rows,
            format!("the sheet {what} row {}", u64::from(row) + 1),
        ));
    }
    if col >= caps.max_columns {
        return Err(FileError::cap(
            "upload.max_columns",
            caps.max_columns,
            format!("the sheet {what} column {}", u64::from(col) + 1),
        ));
    }
    Ok(())
}

fn check_row(rows: usize, caps: &Caps) -> Result<(), FileError> {
    if rows > caps.max_rows as usize {
        return Err(FileError::cap(
            "upload.max_rows",
            caps.max_rows,
            format!("the file has more than {} rows", caps.max_rows),
        ));
    }
    Ok(())
}

fn check_columns(columns: usize, line: usize, caps: &Caps) -> Result<(), FileError> {
    if columns > caps.max_columns as usize {
        return Err(FileError::cap(
            "upload.max_columns",
            caps.max_columns,
            format!("line {line} has {columns} columns"),
        ));
    }
    Ok(())
}

fn check_cell(text: &str, line: usize, caps: &Caps) -> Result<(), FileError> {
    // Bytes bound characters from above: count only when it can matter.
    if text.len() > caps.max_cell_chars && text.chars().count() > caps.max_cell_chars {
        return Err(FileError::cap(
            "upload.max_cell_chars",
            caps.max_cell_chars as u64,
            format!("a cell on line {line} is longer than allowed"),
        ));
    }
    Ok(())
}

/// The line (from 1) where a quoted field opens that never closes, read as
/// RFC 4180 and the csv crate read it: a quote opens a field only at the
/// field's start, `""` inside one is a quote.
fn unclosed_quote(text: &str) -> Option<usize> {
    let mut line = 1;
    let mut opened_at = 0;
    let mut quoted = false;
    let mut at_start = true;
    let mut bytes = text.bytes().peekable();
    while let Some(b) = bytes.next() {
        if b == b'\n' {
            line += 1;
        }
        if quoted {
            if b == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        match b {
            b'"' if at_start => {
                quoted = true;
                opened_at = line;
                at_start = false;
            }
            b',' | b'\n' | b'\r' => at_start = true,
            _ => at_start = false,
        }
    }
    quoted.then_some(opened_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names `text` gives: a table's name (or domain) of each row, else
    /// every non-blank line.
    fn read_names(text: &str, caps: &Caps) -> Result<Vec<String>, FileError> {
        match read_text(text, caps)? {
            Upload::Names(names) => Ok(names),
            Upload::Table { header, rows } => {
                let mut request = extract_batch::BatchRequest::default();
                let map = crate::columns::mapping(&header);
                crate::columns::put_table(&mut request, header, rows, &map)
                    .map_err(FileError::Invalid)?;
                Ok(request
                    .items
                    .into_iter()
                    .filter_map(|r| r.company_name.or(r.domain))
                    .collect())
            }
        }
    }

    fn caps() -> Caps {
        Caps {
            max_inflated_bytes: 1 << 20,
            max_rows: 100,
            max_columns: 8,
            max_cell_chars: 50,
            parsers: 1,
        }
    }

    #[test]
    fn a_header_names_the_column_else_every_line_is_a_name() {
        let names = read_names("id,company_name\n1,Acme\n2,\"Widgets, Inc\"\n", &caps());
        assert_eq!(names.unwrap(), ["Acme", "Widgets, Inc"]);
        let names = read_names("Acme\n\n  Globex  \n", &caps());
        assert_eq!(names.unwrap(), ["Acme", "Globex"]);
        // The header in any case, among others; a name with a comma on a
        // plain line stays whole.
        let names = read_names("id,Company_Name,city\n1,Acme,Berlin\n3,,Rome\n", &caps());
        assert_eq!(names.unwrap(), ["Acme"]);
        assert_eq!(
            read_names("Globex, Inc.\n", &caps()).unwrap(),
            ["Globex, Inc."]
        );
    }

    #[test]
    fn an_unclosed_quote_is_refused_with_its_line() {
        let e = read_names(
            "company_name,country\n\"Walmart,US\nApple,US\nIBM,US\n",
            &caps(),
        )
        .unwrap_err();
        assert_eq!(
            e,
            FileError::Invalid("CSV line 2: a quoted field is never closed".to_owned())
        );
        // Quotes inside a field, doubled quotes and quoted newlines are fine.
        let ok = read_names(
            "company_name,note\nAcme,5\" disk\n\"Big \"\"B\"\"\",\"two\nlines\"\n",
            &caps(),
        );
        assert_eq!(ok.unwrap(), ["Acme", "Big \"B\""]);
    }

    #[test]
    fn csv_past_a_cap_is_refused_naming_it() {
        let check = |text: String, cap: &str| match read_names(&text, &caps()) {
            Err(FileError::Cap { cap: c, .. }) => assert_eq!(c, cap),
            other => panic!("{cap}: {other:?}"),
        };
        let rows: String = (0..101).map(|i| format!("Company {i}\n")).collect();
        check(rows, "upload.max_rows");
        check(
            format!("company_name{}\nAcme\n", ",x".repeat(8)),
            "upload.max_columns",
        );
        check(
            format!("company_name\n{}\n", "a".repeat(51)),
            "upload.max_cell_chars",
        );
        // At the caps exactly: read.
        let rows: String = (0..100).map(|i| format!("Company {i}\n")).collect();
        assert_eq!(read_names(&rows, &caps()).unwrap().len(), 100);
    }
}
