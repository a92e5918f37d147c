//! Same rows, same values; numbers come back as numbers, formulas as text.

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use extract_core::{CompanyProfile, Field, Method, SocialNetwork, SocialProfile};
use extract_export::{csv, json, ndjson_row, xlsx, Row, COLUMNS};

fn rows() -> Vec<Row> {
    let profile = CompanyProfile {
        query: "Walmart".into(),
        domain: Some("walmart.com".into()),
        name: Some(Field::new(
            "Walmart".into(),
            "https://www.walmart.com/",
            Method::JsonLd,
        )),
        description: Some(Field::new(
            "+1 shop, \"quoted\", multi\nline".into(),
            "https://www.walmart.com/",
            Method::Meta,
        )),
        founded_year: Some(Field::new(1962, "https://www.walmart.com/", Method::JsonLd)),
        phones: vec![
            Field::new(
                "+14792734000".into(),
                "https://www.walmart.com/",
                Method::JsonLd,
            ),
            Field::new(
                "-18005555555".into(),
                "https://www.walmart.com/",
                Method::Text,
            ),
        ],
        social: vec![Field::new(
            SocialProfile {
                network: SocialNetwork::Twitter,
                url: "https://twitter.com/walmart".into(),
            },
            "https://www.walmart.com/",
            Method::Link,
        )],
        ..CompanyProfile::default()
    };
    vec![
        Row {
            index: 0,
            query: "Walmart".into(),
            outcome: extract_core::ItemState::Succeeded,
            error_kind: None,
            error_message: None,
            profile: Some(profile),
            external_id: None,
            input: Vec::new(),
        },
        Row {
            index: 1,
            query: "=HYPERLINK(\"http://x\")".into(),
            outcome: extract_core::ItemState::Failed,
            error_kind: Some(extract_core::ErrorKind::NoWebsite),
            error_message: Some("@SUM(A1:A2)".into()),
            profile: None,
            external_id: None,
            input: Vec::new(),
        },
        Row {
            index: 2,
            query: "\tTabbed".into(),
            outcome: extract_core::ItemState::Skipped,
            error_kind: Some(extract_core::ErrorKind::Cancelled),
            error_message: Some("\rcarriage".into()),
            profile: None,
            external_id: None,
            input: Vec::new(),
        },
    ]
}

/// A CSV reader over `out`, and its header.
fn read_csv(out: &[u8]) -> (::csv::Reader<&[u8]>, Vec<String>) {
    let mut reader = ::csv::Reader::from_reader(out);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    (reader, header)
}

fn expected(v: &str) -> String {
    extract_export::neutralise(v).into_owned()
}

#[test]
fn csv_reads_back_with_the_csv_crate() {
    let rows = rows();
    let mut out = Vec::new();
    csv(&rows, &mut out, true).unwrap();
    let (mut reader, header) = read_csv(&out);
    assert_eq!(&header[..COLUMNS.len()], COLUMNS);
    assert!(header.contains(&"description_method".to_owned()));
    let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len());
    for (record, row) in records.iter().zip(&rows) {
        for (i, value) in row.values().iter().enumerate() {
            assert_eq!(&record[i], expected(value), "column {}", COLUMNS[i]);
        }
    }
    let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
    assert_eq!(&records[1][col("query")], "'=HYPERLINK(\"http://x\")");
    // E.164 numbers start with '+': neutralised like any other such cell.
    assert_eq!(&records[0][col("phones")], "'+14792734000; -18005555555");
    assert_eq!(
        &records[0][col("description")],
        "'+1 shop, \"quoted\", multi\nline"
    );
    assert_eq!(&records[0][col("twitter")], "https://twitter.com/walmart");
    assert!(records.iter().all(|r| r
        .iter()
        .all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r']))));
}

/// The workbook read back by calamine: numbers as numeric cells where the
/// columns hold numbers, every other value the same text as the CSV's cell,
/// no formula anywhere.
#[test]
fn xlsx_reads_back_with_calamine_numbers_as_numbers() {
    let rows = rows();
    let summary = vec![
        ("success_rate".to_owned(), "0.33".to_owned()),
        ("total".to_owned(), "3".to_owned()),
        ("state".to_owned(), "completed".to_owned()),
    ];
    let mut out = Vec::new();
    xlsx(&rows, &summary, &mut out).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(out)).unwrap();
    assert_eq!(book.sheet_names(), vec!["Companies", "Summary", "Errors"]);
    let companies = book.worksheet_range("Companies").unwrap();
    assert_eq!(companies.height(), rows.len() + 1);
    let numeric = [
        "index",
        "match_confidence",
        "founded_year",
        "employees_min",
        "employees_max",
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.values().iter().enumerate() {
            let cell = companies.get((r + 1, c));
            match cell {
                Some(Data::Float(n)) => {
                    assert!(
                        numeric.contains(&COLUMNS[c]),
                        "{} is a number: {n}",
                        COLUMNS[c]
                    );
                    assert_eq!(
                        Some(*n),
                        value.parse::<f64>().ok(),
                        "row {r} column {}",
                        COLUMNS[c]
                    );
                }
                Some(Data::Int(n)) => {
                    assert!(
                        numeric.contains(&COLUMNS[c]),
                        "{} is a number: {n}",
                        COLUMNS[c]
                    );
                    assert_eq!(Some(*n as f64), value.parse::<f64>().ok());
                }
                Some(Data::String(s)) => {
                    assert!(
                        !numeric.contains(&COLUMNS[c]) || value.parse::<f64>().is_err(),
                        "{} written as text: {s}",
                        COLUMNS[c]
                    );
                    // OOXML writes a carriage return as `_x000D_`; Excel
                    // and openpyxl read it back, calamine leaves it.
                    let s = s.replace("_x000D_", "\r");
                    assert_eq!(s, expected(value), "row {r} column {}", COLUMNS[c]);
                }
                Some(Data::Empty) | None => assert_eq!(value, "", "row {r} column {}", COLUMNS[c]),
                other => panic!("cell ({r},{c}) is {other:?}"),
            }
        }
    }
    assert_eq!(
        companies.get((1, 0)),
        Some(&Data::Float(0.0)),
        "the index, a number"
    );
    assert_eq!(
        companies.get((
            1,
            COLUMNS.iter().position(|c| *c == "founded_year").unwrap()
        )),
        Some(&Data::Float(1962.0))
    );
    // No formula anywhere.
    let formulas = book.worksheet_formula("Companies").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    let errors = book.worksheet_range("Errors").unwrap();
    assert_eq!(
        errors.height(),
        3,
        "header and the two failed or skipped rows"
    );
    assert_eq!(
        errors.get((1, 1)),
        Some(&Data::String("'=HYPERLINK(\"http://x\")".into()))
    );
    let summary_sheet = book.worksheet_range("Summary").unwrap();
    assert_eq!(
        summary_sheet.get((1, 0)),
        Some(&Data::String("success_rate".into()))
    );
    assert_eq!(summary_sheet.get((1, 1)), Some(&Data::Float(0.33)));
    assert_eq!(
        summary_sheet.get((3, 1)),
        Some(&Data::String("completed".into()))
    );
}

/// openpyxl, the reader of Python's data tools, opens the workbook without
/// a warning (no "contains no default style"), reads numbers as numbers,
/// the header bold and frozen. Needs `python3 -m pip install openpyxl`
/// (`.ci/run` installs it); without it the test says it skipped, and fails
/// under `CI=true`.
#[test]
fn xlsx_opens_clean_in_openpyxl() {
    let has = std::process::Command::new("python3")
        .args(["-c", "import openpyxl"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "openpyxl is missing under CI=true; .ci/run installs it"
        );
        eprintln!("SKIPPED xlsx_opens_clean_in_openpyxl: python3 with openpyxl not installed");
        return;
    }
    let mut out = Vec::new();
    xlsx(
        &rows(),
        &vec![("total".to_owned(), "3".to_owned())],
        &mut out,
    )
    .unwrap();
    let path = std::env::temp_dir().join(format!("export-openpyxl-{}.xlsx", std::process::id()));
    std::fs::write(&path, &out).unwrap();
    let script = r#"
import sys, warnings, openpyxl
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    wb = openpyxl.load_workbook(sys.argv[1])
assert not w, [str(x.message) for x in w]
ws = wb["Companies"]
assert ws.freeze_panes == "A2", ws.freeze_panes
assert ws["A1"].font.b, "bold header"
assert isinstance(ws["A2"].value, (int, float)), repr(ws["A2"].value)
assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in ws.iter_rows() for c in row)
print("ok")
"#;
    let run = std::process::Command::new("python3")
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn json_and_ndjson_round_trip() {
    let rows = rows();
    let mut out = Vec::new();
    json(&rows, &mut out).unwrap();
    let back: Vec<Row> = serde_json::from_slice(&out).unwrap();
    assert_eq!(back, rows);
    let mut out = Vec::new();
    for r in &rows {
        ndjson_row(r, &mut out).unwrap();
    }
    let back: Vec<Row> = out
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(back, rows);
}

/// The caller's own columns (an id, free text with commas and a newline, a
/// cell starting with `=`) come back first, in order, under the caller's
/// headers, on every row of the CSV, the XLSX and the NDJSON; the cells
/// that could be formulas are neutralised like every other cell.
#[test]
fn the_callers_columns_come_back_first_in_order_on_every_row() {
    let columns = ["crm_id", "company_name", "notes", "owner"].map(str::to_owned);
    let mut rows = rows();
    for (i, row) in rows.iter_mut().enumerate() {
        let cells = [
            format!("00{i}"),
            row.query.clone(),
            format!("call back, then mail\nline {i}"),
            "=1+1".to_owned(),
        ];
        row.input = columns.iter().cloned().zip(cells).collect();
        row.external_id = Some(format!("00{i}"));
    }
    // CSV
    let mut out = Vec::new();
    let mut w = extract_export::CsvWriter::with_input(&mut out, false, &columns).unwrap();
    for r in &rows {
        w.row(r).unwrap();
    }
    w.finish().unwrap();
    let (mut reader, header) = read_csv(&out);
    assert_eq!(&header[..4], &columns);
    assert_eq!(&header[4..4 + COLUMNS.len()], COLUMNS);
    for (record, row) in reader.records().map(Result::unwrap).zip(&rows) {
        for (c, (_, value)) in row.input.iter().enumerate() {
            assert_eq!(&record[c], expected(value));
        }
        assert_eq!(&record[4], row.index.to_string());
    }
    // XLSX
    let mut out = Vec::new();
    let mut w = extract_export::XlsxWriter::with_input(&columns).unwrap();
    for r in &rows {
        w.row(r).unwrap();
    }
    w.finish(&Vec::new(), &mut out).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(out)).unwrap();
    let companies = book.worksheet_range("Companies").unwrap();
    for (c, h) in columns.iter().enumerate() {
        assert_eq!(companies.get((0, c)), Some(&Data::String(h.clone())));
    }
    for r in 0..rows.len() {
        assert_eq!(
            companies.get((r + 1, 0)),
            Some(&Data::String(format!("00{r}"))),
            "an id stays text, leading zeros and all"
        );
        assert_eq!(
            companies.get((r + 1, 3)),
            Some(&Data::String(expected("=1+1")))
        );
        assert_eq!(
            companies.get((r + 1, 4)),
            Some(&Data::Float(r as f64)),
            "the extracted columns follow, numbers as numbers"
        );
    }
    let errors = book.worksheet_range("Errors").unwrap();
    assert_eq!(errors.get((1, 0)), Some(&Data::String("001".into())));
    // NDJSON: an `input` object in the caller's order, and the id.
    for row in &rows {
        let mut line = Vec::new();
        ndjson_row(row, &mut line).unwrap();
        let text = String::from_utf8(line).unwrap();
        let at = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
        assert!(
            at("crm_id") < at("notes") && at("notes") < at("owner"),
            "{text}"
        );
        let back: Row = serde_json::from_str(&text).unwrap();
        assert_eq!(back.input, row.input);
        assert_eq!(back.external_id, row.external_id);
    }
}
