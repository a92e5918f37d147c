//! Batch jobs over HTTP, part two: the event stream, uploaded CSV and XLSX
//! files, and `min_field_confidence` (part one, `batch.rs`: exports,
//! validation, cancellation, webhooks).

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{get, request, stack, submit, wait_final};

/// The batch's events as Server-Sent Events: progress as it goes, each item
/// once as it ends, and `finished` last; an unknown batch is a 404 JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_events_stream_progress_items_and_the_end() {
    use http_body_util::BodyExt;
    let s = stack(100, |c| c.crawl.per_host_rate = 0.0).await;
    s.sandbox.set_knobs(extract_sandbox::Knobs {
        latency_ms: 40,
        ..s.sandbox.knobs()
    });
    let missing = get(s.addr(), "/api/v1/company/batch/b0123456789abcdef/events").await;
    assert_eq!(missing.status, 404, "{}", missing.json);
    let names: Vec<String> = s.sandbox.world().names(20);
    let r = submit(s.addr(), &json!({ "company_names": names })).await;
    let id = r.json["batch_id"].as_str().unwrap().to_owned();
    let client: hyper_util::client::legacy::Client<_, http_body_util::Full<bytes::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let req = http::Request::get(format!(
        "http://{}/api/v1/company/batch/{id}/events",
        s.addr()
    ))
    .body(http_body_util::Full::new(bytes::Bytes::new()))
    .unwrap();
    let res = client.request(req).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    // The stream ends by itself after `finished`.
    let body = tokio::time::timeout(Duration::from_secs(60), res.into_body().collect())
        .await
        .expect("the stream ends with the batch")
        .unwrap()
        .to_bytes();
    let text = String::from_utf8_lossy(&body);
    let events: Vec<(&str, Value)> = text
        .split("\n\n")
        .filter_map(|block| {
            let kind = block.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data = block.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((kind, serde_json::from_str(data).unwrap()))
        })
        .collect();
    let items: Vec<&Value> = events
        .iter()
        .filter(|(k, _)| *k == "item")
        .map(|(_, v)| v)
        .collect();
    let mut indexes: Vec<u64> = items.iter().map(|i| i["index"].as_u64().unwrap()).collect();
    indexes.sort_unstable();
    assert_eq!(
        indexes,
        (0..20).collect::<Vec<u64>>(),
        "each item once: {text}"
    );
    assert!(items
        .iter()
        .all(|i| i["outcome"] == "succeeded" || i["outcome"] == "cached"));
    assert!(
        events.iter().filter(|(k, _)| *k == "progress").count() >= 2,
        "{text}"
    );
    let (last, status) = events.last().unwrap();
    assert_eq!(*last, "finished");
    assert_eq!(status["state"], "completed");
    assert_eq!(
        status["counts"]["succeeded"].as_u64().unwrap()
            + status["counts"]["cached"].as_u64().unwrap(),
        20
    );
}

/// `POST …/batch/upload`: a CSV's `company_name` column, an XLSX's first
/// column, the settings from the query; a file that is neither, or an
/// unknown parameter, is a clear 4xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_csv_and_xlsx_files_become_batches() {
    let s = stack(50, |c| c.crawl.per_host_rate = 0.0).await;
    let a = s.addr();
    let names: Vec<String> = s.sandbox.world().names(4);
    let csv = format!("id,company_name\n1,\"{}\"\n2,\"{}\"\n", names[0], names[1]);
    let r = request(
        a,
        "POST",
        "/api/v1/company/batch/upload?priority=high&extraction_mode=basic",
        Some("text/csv"),
        &csv,
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.json);
    assert_eq!(r.json["submitted"], 2);
    let id = r.json["batch_id"].as_str().unwrap().to_owned();
    let st = wait_final(a, &id, Duration::from_secs(60)).await;
    assert_eq!(st["counts"]["succeeded"], 2, "{st}");

    // An XLSX with no header: its first column.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, names[2].as_str()).unwrap();
    sheet.write_string(1, 0, names[3].as_str()).unwrap();
    sheet.write_string(0, 1, "ignored").unwrap();
    let bytes = std::io::Cursor::new(book.save_to_buffer().unwrap());
    let r = crate::common::request_bytes(
        a,
        "POST",
        "/api/v1/company/batch/upload",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes.into_inner(),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.json);
    let id = r.json["batch_id"].as_str().unwrap().to_owned();
    let st = wait_final(a, &id, Duration::from_secs(60)).await;
    assert_eq!(st["items"], 2, "{st}");
    let listed = get(a, "/api/v1/company/batches").await;
    assert_eq!(listed.status, 200);
    assert_eq!(
        listed.json["batches"][0]["batch_id"],
        id.as_str(),
        "newest first"
    );

    let r = crate::common::request_bytes(
        a,
        "POST",
        "/api/v1/company/batch/upload",
        "application/octet-stream",
        vec![0xff, 0xfe, 0x00, 0x81],
    )
    .await;
    assert_eq!((r.status, r.code()), (422, "invalid_file"), "{}", r.json);
    let r = request(
        a,
        "POST",
        "/api/v1/company/batch/upload?colour=red",
        Some("text/csv"),
        "Acme\n",
    )
    .await;
    assert_eq!(r.status / 100, 4, "{}", r.json);
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("colour"));
    // A value that is not one of the parameter's names it, with the names.
    let r = request(
        a,
        "POST",
        "/api/v1/company/batch/upload?extraction_mode=deep",
        Some("text/csv"),
        "Acme\n",
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (400, "invalid_parameter"),
        "{}",
        r.json
    );
    assert_eq!(r.json["error"]["details"]["parameter"], "extraction_mode");
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("comprehensive"),
        "{}",
        r.json
    );
    let r = crate::common::upload_csv(a, "", "").await;
    assert_eq!((r.status, r.code()), (422, "invalid_batch"), "{}", r.json);
}

/// `min_field_confidence` on a single extract and on a batch: every field
/// left in the answer, the results and the exports is at least that
/// confident; the same profile without it has less confident ones; a
/// value outside 0–1 is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_field_confidence_leaves_out_unsure_fields() {
    let s = stack(20, |c| c.crawl.per_host_rate = 0.0).await;
    let a = s.addr();
    let names: Vec<String> = s.sandbox.world().companies()[..4]
        .iter()
        .map(|c| c.name.clone())
        .collect();
    // Every `confidence` in a JSON value.
    fn confidences(v: &Value, out: &mut Vec<f64>) {
        match v {
            Value::Object(m) => {
                if let (Some(c), true) = (
                    m.get("confidence").and_then(Value::as_f64),
                    m.contains_key("value"),
                ) {
                    out.push(c);
                }
                m.values().for_each(|x| confidences(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| confidences(x, out)),
            _ => {}
        }
    }
    let all = crate::common::extract(a, &json!({ "company_name": names[0] })).await;
    assert_eq!(all.status, 200);
    let mut before = Vec::new();
    confidences(&all.json, &mut before);
    assert!(before.iter().any(|c| *c < 0.9), "{before:?}");
    let some = crate::common::extract(
        a,
        &json!({ "company_name": names[0], "min_field_confidence": 0.9 }),
    )
    .await;
    assert_eq!(some.status, 200, "{}", some.json);
    let mut after = Vec::new();
    // The website choice is how the site was picked, not a field.
    let mut fields = some.json.clone();
    fields.as_object_mut().unwrap().remove("website_choice");
    confidences(&fields, &mut after);
    assert!(
        !after.is_empty() && after.iter().all(|c| *c >= 0.9),
        "{after:?}"
    );
    let bad = crate::common::extract(
        a,
        &json!({ "company_name": names[0], "min_field_confidence": 1.5 }),
    )
    .await;
    assert_eq!(
        (bad.status, bad.json["error"]["details"]["field"].as_str()),
        (422, Some("min_field_confidence"))
    );

    let r = submit(
        a,
        &json!({ "company_names": names, "min_field_confidence": 0.9 }),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.json);
    let id = r.json["batch_id"].as_str().unwrap().to_owned();
    wait_final(a, &id, Duration::from_secs(60)).await;
    let results = get(a, &format!("/api/v1/company/batch/{id}/results")).await;
    let mut rows = Vec::new();
    for row in results.json["results"].as_array().unwrap() {
        let mut p = row["profile"].clone();
        p.as_object_mut().unwrap().remove("website_choice");
        confidences(&p, &mut rows);
    }
    assert!(
        !rows.is_empty() && rows.iter().all(|c| *c >= 0.9),
        "{rows:?}"
    );
    let r = submit(
        a,
        &json!({ "company_names": names, "min_field_confidence": -0.1 }),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.json);
}

/// `POST …/batch/{id}/retry`: the failed items of a finished batch run again
/// as a linked batch; a batch with none failed, or none at all, is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_runs_the_failed_items_again_as_a_linked_batch() {
    let s = stack(50, |_| {}).await;
    let world: Vec<String> = s.sandbox.world().names(2);
    let names = vec![
        world[0].clone(),
        "Qwxzv Nonexistent Holdings".to_owned(),
        world[1].clone(),
    ];
    let r = submit(
        s.addr(),
        &json!({ "company_names": names, "priority": "high" }),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.json);
    let first = r.json["batch_id"].as_str().unwrap().to_owned();
    let st = wait_final(s.addr(), &first, Duration::from_secs(60)).await;
    assert_eq!(st["counts"]["failed"], 1, "{st}");
    assert_eq!(st["counts"]["succeeded"], 2, "{st}");

    let path = |id: &str| format!("/api/v1/company/batch/{id}/retry");
    let r = request(s.addr(), "POST", &path(&first), None, "").await;
    assert_eq!(r.status, 202, "{}", r.json);
    assert_eq!(r.json["retry_of"], first.as_str());
    assert_eq!(r.json["submitted"], 1, "{}", r.json);
    let retry = r.json["batch_id"].as_str().unwrap().to_owned();
    assert_ne!(retry, first);
    let st = wait_final(s.addr(), &retry, Duration::from_secs(60)).await;
    assert_eq!(st["retry_of"], first.as_str(), "{st}");
    assert_eq!(st["items"], 1, "{st}");
    let rows = get(s.addr(), &format!("/api/v1/company/batch/{retry}/results")).await;
    assert_eq!(rows.status, 200, "{}", rows.json);
    assert!(
        rows.json.to_string().contains("Qwxzv Nonexistent Holdings"),
        "{}",
        rows.json
    );

    // Nothing failed: nothing to retry (422); no such batch (404).
    let r = submit(s.addr(), &json!({ "company_names": [world[0].clone()] })).await;
    let clean = r.json["batch_id"].as_str().unwrap().to_owned();
    wait_final(s.addr(), &clean, Duration::from_secs(60)).await;
    let r = request(s.addr(), "POST", &path(&clean), None, "").await;
    assert_eq!(r.status, 422, "{}", r.json);
    assert_eq!(r.json["error"]["code"], "invalid_batch");
    let r = request(s.addr(), "POST", &path("b0123456789abcdef"), None, "").await;
    assert_eq!(r.status, 404, "{}", r.json);
    assert_eq!(r.json["error"]["code"], "batch_not_found");
}
