//! Same rows, same values; formulas come back as text.

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
            outcome: "succeeded".into(),
            error_kind: None,
            error_message: None,
            profile: Some(profile),
        },
        Row {
            index: 1,
            query: "=HYPERLINK(\"http://x\")".into(),
            outcome: "failed".into(),
            error_kind: Some("no_website".into()),
            error_message: Some("@SUM(A1:A2)".into()),
            profile: None,
        },
        Row {
            index: 2,
            query: "\tTabbed".into(),
            outcome: "skipped".into(),
            error_kind: Some("cancelled".into()),
            error_message: Some("\rcarriage".into()),
            profile: None,
        },
    ]
}

fn expected(v: &str) -> String {
    extract_export::neutralise(v).into_owned()
}

#[test]
fn csv_reads_back_with_the_csv_crate() {
    let rows = rows();
    let mut out = Vec::new();
    csv(&rows, &mut out, true).unwrap();
    let mut reader = ::csv::Reader::from_reader(out.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
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

#[test]
fn xlsx_reads_back_with_calamine_as_text() {
    let rows = rows();
    let summary = vec![
        ("success_rate".to_owned(), "0.33".to_owned()),
        ("total".to_owned(), "3".to_owned()),
    ];
    let mut out = Vec::new();
    xlsx(&rows, &summary, &mut out).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(out)).unwrap();
    assert_eq!(book.sheet_names(), vec!["Companies", "Summary", "Errors"]);
    let companies = book.worksheet_range("Companies").unwrap();
    assert_eq!(companies.height(), rows.len() + 1);
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.values().iter().enumerate() {
            let cell = companies.get((r + 1, c));
            let got = match cell {
                Some(Data::String(s)) => s.clone(),
                Some(Data::Empty) | None => String::new(),
                other => panic!("cell ({r},{c}) is not text: {other:?}"),
            };
            assert_eq!(got, expected(value), "row {r} column {}", COLUMNS[c]);
        }
    }
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
