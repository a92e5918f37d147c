//! A spreadsheet as people bring it, over HTTP: a CRM export with its own
//! id, owner and free-text columns uploads as CSV and as XLSX, its columns
//! recognised by their headers; the results carry every column back, in
//! order and under the file's headers, before the extracted columns, in
//! CSV, XLSX, NDJSON and JSON; a file with no name nor domain column is a
//! 422 naming the headers it has.

use std::time::Duration;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

use crate::common::{get, request_bytes, stack, upload_csv, wait_final};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crm_export_round_trips_with_every_column_on_its_row() {
    let s = stack(30, |c| c.crawl.per_host_rate = 0.0).await;
    let a = s.addr();
    let names = s.sandbox.world().names(3);
    let header = ["crm_id", "Firma", "Land", "owner", "notes"];
    let rows: Vec<[String; 5]> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            [
                format!("00{i}"),
                n.clone(),
                "US".to_owned(),
                format!("owner {i}"),
                format!("=HYPERLINK(\"x\"), call back\nthen mail {i}"),
            ]
        })
        .collect();

    // The CSV.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    let csv_file = w.into_inner().unwrap();
    // The same as a workbook.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    let xlsx_file = book.save_to_buffer().unwrap();

    for (kind, content_type, file) in [("csv", "text/csv", csv_file), ("xlsx", XLSX, xlsx_file)] {
        let r = request_bytes(
            a,
            "POST",
            "/api/v1/company/batch/upload",
            content_type,
            file,
        )
        .await;
        assert_eq!(r.status, 202, "{kind}: {}", r.json);
        let id = r.json["batch_id"].as_str().unwrap().to_owned();
        let st = wait_final(a, &id, Duration::from_secs(60)).await;
        let done =
            st["counts"]["succeeded"].as_u64().unwrap() + st["counts"]["cached"].as_u64().unwrap();
        assert_eq!(done, 3, "{kind}: {st}");
        let results = format!("/api/v1/company/batch/{id}/results");

        // CSV: the file's columns first, the extracted ones after.
        let out = get(a, &format!("{results}?format=csv")).await;
        let mut reader = csv::Reader::from_reader(out.body.as_ref());
        let got: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(&got[..5], header, "{kind}");
        assert_eq!(got[5], "index");
        for (record, row) in reader.records().map(Result::unwrap).zip(&rows) {
            assert_eq!(&record[0], row[0], "{kind}: the id, leading zeros kept");
            assert_eq!(&record[1], row[1]);
            assert_eq!(&record[3], row[3]);
            assert_eq!(
                &record[4],
                format!("'{}", row[4]),
                "{kind}: a formula stays text"
            );
            assert!(
                !record[5 + 5].is_empty(),
                "{kind}: the extracted name follows"
            );
        }

        // XLSX: the same columns, text cells where the file had text.
        let out = get(a, &format!("{results}?format=xlsx")).await;
        let mut book: Xlsx<_> =
            open_workbook_from_rs(std::io::Cursor::new(out.body.to_vec())).unwrap();
        let companies = book.worksheet_range("Companies").unwrap();
        for (c, h) in header.iter().enumerate() {
            assert_eq!(companies.get((0, c)), Some(&Data::String((*h).to_owned())));
        }
        for (r, row) in rows.iter().enumerate() {
            assert_eq!(
                companies.get((r + 1, 0)),
                Some(&Data::String(row[0].clone())),
                "{kind}"
            );
            assert_eq!(
                companies.get((r + 1, 3)),
                Some(&Data::String(row[3].clone()))
            );
            assert_eq!(
                companies.get((r + 1, 5)),
                Some(&Data::Float(r as f64)),
                "{kind}: index"
            );
        }

        // NDJSON and JSON: an ordered `input` object and the id.
        let out = get(a, &format!("{results}?format=ndjson")).await;
        let text = String::from_utf8_lossy(&out.body).into_owned();
        for (line, row) in text.lines().zip(&rows) {
            let at = |k: &str| line.find(&format!("\"{k}\":")).unwrap();
            assert!(
                at("crm_id") < at("Firma") && at("owner") < at("notes"),
                "{line}"
            );
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["external_id"], row[0].as_str());
            assert_eq!(v["input"]["notes"], row[4].as_str());
        }
        let page = get(a, &results).await;
        assert_eq!(page.json["results"][2]["input"]["crm_id"], "002", "{kind}");
    }

    // A table with neither a name nor a domain column.
    let r = upload_csv(a, "", "crm_id,owner,Land\n1,Kim,DE\n").await;
    assert_eq!((r.status, r.code()), (422, "invalid_file"), "{}", r.json);
    let message = r.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("\"crm_id\", \"owner\", \"Land\""),
        "{message}"
    );
}

/// `preview=true` answers the headers, the mapping recognised and a sample
/// without starting a batch; `<role>_column` changes the mapping (empty:
/// no such column), and naming no header is a 400 listing the headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preview_shows_the_mapping_and_a_chosen_column_overrides_it() {
    let s = stack(10, |c| c.crawl.per_host_rate = 0.0).await;
    let a = s.addr();
    let names = s.sandbox.world().names(2);
    let csv = format!(
        "Kundennummer,Firma,Bemerkung,Land\n1,{},\"{}\",XX\n2,Nobody,\"{}\",XX\n",
        names[0], names[1], names[1]
    );
    let r = upload_csv(a, "?preview=true", &csv).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["kind"], "table");
    assert_eq!(r.json["rows"], 2);
    assert_eq!(r.json["mapping"]["name"], "Firma");
    assert_eq!(r.json["mapping"]["id"], "Kundennummer");
    assert_eq!(r.json["mapping"]["country"], "Land");
    assert_eq!(r.json["headers"][2], "Bemerkung");
    assert_eq!(
        get(a, "/api/v1/company/batches").await.json["batches"],
        serde_json::json!([])
    );

    // The names are in "Bemerkung", and "Land" is not a country here.
    let r = upload_csv(a, "?name_column=Bemerkung&country_column=", &csv).await;
    assert_eq!(r.status, 202, "{}", r.json);
    let id = r.json["batch_id"].as_str().unwrap().to_owned();
    let st = wait_final(a, &id, Duration::from_secs(60)).await;
    assert_eq!(st["items"], 1, "both rows name the same company: {st}");
    let page = get(a, &format!("/api/v1/company/batch/{id}/results")).await;
    assert_eq!(page.json["results"][0]["query"], names[1].as_str());
    assert_eq!(page.json["results"][0]["input"]["Firma"], names[0].as_str());

    let r = upload_csv(a, "?city_column=Stadt", &csv).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "invalid_parameter"),
        "{}",
        r.json
    );
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Bemerkung"));
}
