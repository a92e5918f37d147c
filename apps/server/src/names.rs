//! Company names from a file a user gives: a CSV or a plain list (the
//! `batch FILE` command, and `POST /api/v1/company/batch/upload`) or an XLSX
//! workbook (the upload).

/// The names in `text`: the `company_name` column when the first line is a
/// CSV header naming it, else every non-blank line.
pub fn read_names(text: &str) -> Result<Vec<String>, String> {
    let first = text.lines().next().unwrap_or_default();
    let header: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(first.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(|f| f.trim().to_ascii_lowercase()).collect())
        .unwrap_or_default();
    if let Some(column) = header.iter().position(|h| h == "company_name") {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut names = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| format!("CSV row {}: {e}", i + 2))?;
            let name = record.get(column).unwrap_or_default().trim();
            if !name.is_empty() {
                names.push(name.to_owned());
            }
        }
        return Ok(names);
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// The names in an uploaded file: an XLSX workbook (its first sheet: the
/// `company_name` column when its first row names one, else the first
/// column), or text as [`read_names`] reads it.
pub(crate) fn names_in_file(bytes: &[u8]) -> Result<Vec<String>, String> {
    if !bytes.starts_with(b"PK\x03\x04") {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| "the file is neither UTF-8 text (CSV) nor an XLSX workbook".to_owned())?;
        return read_names(text);
    }
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable XLSX workbook: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("the workbook has no sheet")?
        .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
    let mut rows = range.rows();
    let first: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| c.to_string().trim().to_owned()).collect())
        .unwrap_or_default();
    let named = first
        .iter()
        .position(|h| h.eq_ignore_ascii_case("company_name"));
    let column = named.unwrap_or(0);
    let mut names = Vec::new();
    if named.is_none() {
        names.extend(first.get(column).filter(|n| !n.is_empty()).cloned());
    }
    for row in rows {
        if let Some(cell) = row.get(column) {
            let name = cell.to_string().trim().to_owned();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    Ok(names)
}
