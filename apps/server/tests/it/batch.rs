//! Batch jobs over HTTP against the sandbox: exports read back by independent
//! readers, validation, cancellation, webhooks (a server stopped mid-batch
//! is in the fault matrix, `faults.rs`).

use std::collections::HashMap;
use std::time::Duration;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::common::{get, request, stack, submit, wait_final};

/// A cell's text; a numeric cell as the number it holds.
fn cell(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(n)) => n.to_string(),
        Some(Data::Int(n)) => n.to_string(),
        Some(Data::Empty) | None => String::new(),
        other => panic!("not text nor a number: {other:?}"),
    }
}

/// The same value: the same text, or the same number however written
/// (`0.90` in the CSV, 0.9 in a numeric cell).
fn same_value(a: &str, b: &str) -> bool {
    a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_completes_and_every_export_reads_back_the_same_rows() {
    let s = stack(600, |_| {}).await;
    let world: Vec<String> = s.sandbox.world().names(30);
    let mut names = world.clone();
    names.push(world[3].to_uppercase()); // a duplicate after normalisation
    names.push("=HYPERLINK(\"http://x\")".to_owned());
    names.push("Qwxzv Nonexistent Holdings".to_owned());
    let r = submit(
        s.addr(),
        &json!({ "company_names": names, "priority": "high" }),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.json);
    let id = r.json["batch_id"].as_str().unwrap().to_owned();
    assert_eq!(r.json["submitted"], 33);
    assert_eq!(r.json["items"], 32);
    assert_eq!(
        r.json["status_url"],
        format!("/api/v1/company/batch/{id}/status")
    );
    assert_eq!(
        r.headers["location"].to_str().unwrap(),
        r.json["status_url"].as_str().unwrap()
    );

    let status = wait_final(s.addr(), &id, Duration::from_secs(120)).await;
    assert_eq!(status["state"], "completed_with_errors", "{status}");
    assert_eq!(status["percent"], 100.0);
    let counts = &status["counts"];
    assert_eq!(
        counts["succeeded"].as_u64().unwrap() + counts["failed"].as_u64().unwrap(),
        32,
        "{status}"
    );
    assert!(counts["failed"].as_u64().unwrap() >= 1);

    // JSON, paged: every submitted line answered once, in order.
    let mut json_rows = Vec::new();
    for page in 1..=4 {
        let r = get(
            s.addr(),
            &format!("/api/v1/company/batch/{id}/results?format=json&page={page}&per_page=10"),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(
            (r.json["total"].as_u64(), r.json["pages"].as_u64()),
            (Some(33), Some(4))
        );
        json_rows.extend(r.json["results"].as_array().unwrap().clone());
    }
    assert_eq!(json_rows.len(), 33);
    for (i, row) in json_rows.iter().enumerate() {
        assert_eq!(row["index"], i);
        assert_eq!(row["query"], names[i].trim());
    }
    // The duplicate shares its answer; each row's profile echoes its own line.
    let without_query = |row: &Value| {
        let mut p = row["profile"].clone();
        p.as_object_mut().unwrap().remove("query");
        p
    };
    assert_eq!(
        without_query(&json_rows[3]),
        without_query(&json_rows[30]),
        "the duplicate shares its answer"
    );
    assert_eq!(json_rows[3]["profile"]["query"], names[3].trim());
    assert_eq!(json_rows[30]["profile"]["query"], names[30].trim());
    let summary = get(s.addr(), &format!("/api/v1/company/batch/{id}/results")).await;
    assert_eq!(summary.json["summary"]["items"], 32);
    assert!(summary.json["summary"]["sectors"]
        .as_object()
        .is_some_and(|m| !m.is_empty()));

    // NDJSON, streamed: the same rows.
    let nd = get(
        s.addr(),
        &format!("/api/v1/company/batch/{id}/results?format=ndjson"),
    )
    .await;
    assert_eq!(nd.status, 200);
    assert_eq!(nd.headers["content-type"], "application/x-ndjson");
    let nd_rows: Vec<Value> = std::str::from_utf8(&nd.body)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(nd_rows, json_rows);

    // CSV, read back by the csv crate.
    let csv = get(
        s.addr(),
        &format!("/api/v1/company/batch/{id}/results?format=csv"),
    )
    .await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.headers["content-disposition"],
        format!("attachment; filename=\"batch-{id}.csv\"").as_str()
    );
    let mut reader = csv::Reader::from_reader(&csv.body[..]);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, extract_export::COLUMNS);
    let csv_rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(csv_rows.len(), 33);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(csv_rows[31][col("query")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(csv_rows[31][col("outcome")], "failed");
    for (i, row) in json_rows.iter().enumerate() {
        assert_eq!(
            csv_rows[i][col("outcome")],
            row["outcome"].as_str().unwrap()
        );
        let domain = row["profile"]["domain"].as_str().unwrap_or_default();
        assert_eq!(csv_rows[i][col("domain")], domain, "line {i}");
    }

    // XLSX, read back by calamine: the same cells as the CSV, numbers as
    // numeric cells.
    let xlsx = get(
        s.addr(),
        &format!("/api/v1/company/batch/{id}/results?format=xlsx"),
    )
    .await;
    assert_eq!(xlsx.status, 200);
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(xlsx.body.to_vec())).unwrap();
    assert_eq!(book.sheet_names(), vec!["Companies", "Summary", "Errors"]);
    let sheet = book.worksheet_range("Companies").unwrap();
    assert_eq!(sheet.height(), 34);
    for (r, csv_row) in csv_rows.iter().enumerate() {
        for (c, value) in csv_row.iter().enumerate() {
            let got = cell(sheet.get((r + 1, c)));
            assert!(
                same_value(&got, value),
                "row {r} column {}: {got:?} against {value:?}",
                header[c]
            );
        }
    }
    let errors = book.worksheet_range("Errors").unwrap();
    // A header, then one row per failed line.
    assert_eq!(
        errors.height() as u64,
        1 + counts["failed"].as_u64().unwrap()
    );

    let summary_sheet = book.worksheet_range("Summary").unwrap();
    let keys: Vec<String> = (0..summary_sheet.height())
        .map(|r| cell(summary_sheet.get((r, 0))))
        .collect();
    assert!(keys.contains(&"success_rate".to_owned()), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("sector: ")), "{keys:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_batch_requests_get_clear_errors() {
    let s = stack(50, |c| c.batch.max_size = 5).await;
    let a = s.addr();
    let r = submit(a, &json!({ "company_names": [] })).await;
    assert_eq!((r.status, r.code()), (422, "invalid_batch"), "{}", r.json);
    let r = submit(
        a,
        &json!({ "company_names": ["a", "b", "c", "d", "e", "f"] }),
    )
    .await;
    assert_eq!((r.status, r.code()), (422, "invalid_batch"));
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("batch.max_size"));
    let r = submit(
        a,
        &json!({ "company_names": ["Acme", " ", "Globex", "***"] }),
    )
    .await;
    assert_eq!((r.status, r.code()), (422, "invalid_batch"));
    assert_eq!(r.json["error"]["details"]["invalid_indexes"], json!([1, 3]));
    let r = submit(
        a,
        &json!({ "company_names": ["Acme"], "priority": "urgent" }),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.json);
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("urgent"));
    let r = submit(
        a,
        &json!({ "company_names": ["Acme"], "webhook_url": "ftp://x" }),
    )
    .await;
    assert_eq!((r.status, r.code()), (422, "invalid_batch"));
    let r = request(
        a,
        "POST",
        "/api/v1/company/batch/submit",
        Some("application/json"),
        "{\"company_names\": [",
    )
    .await;
    assert_eq!((r.status, r.code()), (400, "malformed_json"));

    let r = get(a, "/api/v1/company/batch/0123456789abcdef/status").await;
    assert_eq!((r.status, r.code()), (404, "batch_not_found"));
    let r = get(a, "/api/v1/company/batch/no-such..id/status").await;
    assert_eq!(r.status, 404);
    let ok = submit(a, &json!({ "company_names": ["Acme"] })).await;
    let id = ok.json["batch_id"].as_str().unwrap();
    let r = get(a, &format!("/api/v1/company/batch/{id}/results?format=pdf")).await;
    assert_eq!((r.status, r.code()), (400, "invalid_parameter"));
    assert_eq!(r.json["error"]["details"]["parameter"], "format");
    let r = get(a, &format!("/api/v1/company/batch/{id}/results?per_page=0")).await;
    assert_eq!(r.json["error"]["details"]["parameter"], "per_page");
    let r = get(a, &format!("/api/v1/company/batch/{id}/results?sort=name")).await;
    assert_eq!(r.json["error"]["details"]["parameter"], "sort");
    let r = request(
        a,
        "PUT",
        &format!("/api/v1/company/batch/{id}/status"),
        None,
        "",
    )
    .await;
    assert_eq!(r.status, 405);

    let off = stack(50, |c| c.batch.enabled = false).await;
    let r = submit(off.addr(), &json!({ "company_names": ["Acme"] })).await;
    assert_eq!((r.status, r.code()), (503, "batch_disabled"));
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("BATCH_PROCESSING_ENABLED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_new_items_and_keeps_finished_results() {
    let s = stack(600, |c| {
        c.concurrency.max_extractions = 2;
    })
    .await;
    s.sandbox.set_knobs(extract_sandbox::Knobs {
        latency_ms: 100,
        ..s.sandbox.knobs()
    });
    let names: Vec<String> = s.sandbox.world().names(60);
    let r = submit(s.addr(), &json!({ "company_names": names })).await;
    let id = r.json["batch_id"].as_str().unwrap().to_owned();
    loop {
        let st = get(s.addr(), &format!("/api/v1/company/batch/{id}/status")).await;
        if st.json["counts"]["succeeded"].as_u64().unwrap_or(0) >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let c = request(
        s.addr(),
        "DELETE",
        &format!("/api/v1/company/batch/{id}"),
        None,
        "",
    )
    .await;
    assert_eq!(c.status, 200, "{}", c.json);
    let searches_at_cancel = s.sandbox.stats().search_requests;
    let st = wait_final(s.addr(), &id, Duration::from_secs(30)).await;
    assert_eq!(st["state"], "cancelled");
    let skipped = st["counts"]["skipped"].as_u64().unwrap();
    let succeeded = st["counts"]["succeeded"].as_u64().unwrap();
    assert!(skipped >= 40, "{st}");
    assert_eq!(
        skipped + succeeded + st["counts"]["failed"].as_u64().unwrap(),
        60
    );
    // Only the items running at the cancel (two workers) went on searching.
    assert!(s.sandbox.stats().search_requests <= searches_at_cancel + 2);
    let r = get(
        s.addr(),
        &format!("/api/v1/company/batch/{id}/results?per_page=100"),
    )
    .await;
    let rows = r.json["results"].as_array().unwrap();
    assert_eq!(rows.len(), 60);
    let kept = rows
        .iter()
        .filter(|r| r["outcome"] == "succeeded" && r["profile"]["domain"].is_string())
        .count();
    assert_eq!(kept as u64, succeeded);
    assert!(rows
        .iter()
        .filter(|r| r["outcome"] == "skipped")
        .all(|r| r["error_kind"] == "cancelled"));
    let stats = get(s.addr(), "/api/v1/company/batch/stats").await;
    assert_eq!(stats.json["batches"]["cancelled"], 1, "{}", stats.json);
    assert_eq!(stats.json["store"], "memory");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_completion_webhook_arrives_signed_through_the_guard() {
    let s = stack(50, |c| {
        c.batch.webhook_secret = extract_core::Secret::new("hook-secret");
    })
    .await;
    let name = s.sandbox.world().companies()[0].name.clone();
    let hook = format!("{}/__sandbox/hooks/batch-done?token=abc", s.sandbox.url());
    let r = submit(
        s.addr(),
        &json!({ "company_names": [name], "webhook_url": hook }),
    )
    .await;
    let id = r.json["batch_id"].as_str().unwrap().to_owned();
    wait_final(s.addr(), &id, Duration::from_secs(30)).await;
    let mut hooks = Vec::new();
    for _ in 0..200 {
        hooks = s.sandbox.hooks();
        if !hooks.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(hooks.len(), 1);
    let h = &hooks[0];
    let headers: HashMap<_, _> = h.headers.iter().cloned().collect();
    assert_eq!(
        headers["x-extract-signature"],
        extract_batch::sign(b"hook-secret", h.body.as_bytes())
    );
    let body: Value = serde_json::from_str(&h.body).unwrap();
    assert_eq!(body["batch"]["batch_id"], id.as_str());
    assert_eq!(body["summary"]["items"], 1);
}
