//! Hostile files and slow clients: a workbook that declares a million-row
//! box, one that inflates past its cap, a body that stops, a crowd of event
//! streams, Redis refusing writes, and the small ones (NaN thresholds, a
//! huge webhook URL, an unclosed CSV quote, another caller's query). Each is
//! refused with its status and names what it passed; the process stays up,
//! `/health` answers, and results stored before are intact.

use extract_test_support::hostile::{bomb, cell, corners, workbook};
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{extract, get, request_bytes, stack, submit, wait_final, Stack};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn upload(s: &Stack, query: &str, content_type: &str, body: Vec<u8>) -> crate::common::Reply {
    request_bytes(
        s.addr(),
        "POST",
        &format!("/api/v1/company/batch/upload{query}"),
        content_type,
        body,
    )
    .await
}

/// A finished batch whose results must survive whatever comes after.
async fn a_stored_batch(s: &Stack) -> (String, Value) {
    let names: Vec<String> = s.sandbox.world().names(5);
    let r = submit(s.addr(), &json!({ "company_names": names })).await;
    assert_eq!(r.status, 202, "{}", r.json);
    let id = r.json["batch_id"].as_str().unwrap().to_owned();
    wait_final(s.addr(), &id, Duration::from_secs(60)).await;
    let results = get(s.addr(), &format!("/api/v1/company/batch/{id}/results")).await;
    assert_eq!(results.status, 200);
    (id, results.json["results"].clone())
}

/// Spreadsheets that declare or hold a box past the caps, and ones that
/// inflate past them, are refused naming the cap; two bombs at once do not
/// stop `/health`; stored results are untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_workbooks_are_refused_naming_the_cap() {
    let panics = crate::common::server_panics();
    let s = stack(20, |c| {
        c.crawl.per_host_rate = 0.0;
        c.upload.max_inflated_bytes = 2 << 20;
        c.upload.max_rows = 30_000;
    })
    .await;
    let (stored, before) = a_stored_batch(&s).await;

    // A1 and XFD1048576: a 549 GB box if read as a range. Declared or not.
    for declared in [true, false] {
        let file = corners("XFD1048576", 1_048_576, declared);
        assert!(file.len() < 2_000, "{} bytes", file.len());
        let r = upload(&s, "", XLSX, file).await;
        assert_eq!((r.status, r.code()), (422, "invalid_file"), "{}", r.json);
        assert_eq!(
            r.json["error"]["details"]["cap"], "upload.max_rows",
            "{}",
            r.json
        );
        assert!(r.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1048576"));
    }
    // Column XFD on row 2: the columns cap.
    let file = workbook(None, &mut |w| {
        write!(
            w,
            r#"<row r="1">{}</row><row r="2">{}</row>"#,
            cell("A1", "company_name"),
            cell("XFD2", "x")
        )
        .unwrap();
    });
    let r = upload(&s, "", XLSX, file).await;
    assert_eq!(
        r.json["error"]["details"]["cap"], "upload.max_columns",
        "{}",
        r.json
    );
    assert_eq!(r.json["error"]["details"]["limit"], 256);

    // 400,000 rows of XML (about 18 MB) from a small file: refused at 2 MiB
    // inflated, two at once, while /health keeps answering. (Small enough
    // to write quickly beside the timing-sensitive tests of this binary.)
    let file = bomb(400_000);
    assert!(file.len() < 1 << 20, "{} bytes", file.len());
    let addr = s.addr();
    let send = |body: Vec<u8>| async move {
        request_bytes(addr, "POST", "/api/v1/company/batch/upload", XLSX, body).await
    };
    let health = async {
        for _ in 0..10 {
            assert_eq!(get(addr, "/health").await.status, 200);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let (a, b, ()) = tokio::join!(send(file.clone()), send(file), health);
    for r in [a, b] {
        assert_eq!((r.status, r.code()), (413, "invalid_file"), "{}", r.json);
        assert_eq!(
            r.json["error"]["details"]["cap"],
            "upload.max_inflated_bytes"
        );
    }
    // Under the byte cap but past the rows cap.
    let r = upload(&s, "", XLSX, bomb(40_000)).await;
    assert_eq!(
        r.json["error"]["details"]["cap"], "upload.max_rows",
        "{}",
        r.json
    );

    // A good workbook still works, and what was stored is as it was.
    let good = workbook(None, &mut |w| {
        let name = &s.sandbox.world().companies()[7].name;
        write!(
            w,
            r#"<row r="1">{}</row><row r="2">{}</row>"#,
            cell("A1", "company_name"),
            cell("A2", name)
        )
        .unwrap();
    });
    let r = upload(&s, "", XLSX, good).await;
    assert_eq!(
        (r.status, r.json["submitted"].as_u64()),
        (202, Some(1)),
        "{}",
        r.json
    );
    let after = get(s.addr(), &format!("/api/v1/company/batch/{stored}/results")).await;
    assert_eq!(after.json["results"], before);
    let metrics = get(s.addr(), "/metrics").await;
    let text = String::from_utf8_lossy(&metrics.body);
    assert!(
        text.contains("extract_uploads_refused_total{cap=\"upload.max_inflated_bytes\"} 2"),
        "{text}"
    );
    assert_eq!(crate::common::server_panics(), panics);
}

/// CSV: an unclosed quote is a 422 naming its line; NaN and infinite
/// thresholds are refused as submit refuses them; a webhook URL past 2,048
/// characters is refused before anything is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_hostile_inputs_get_clear_refusals() {
    let s = stack(20, |c| c.crawl.per_host_rate = 0.0).await;
    let r = upload(
        &s,
        "",
        "text/csv",
        b"company_name,country\n\"Walmart,US\nApple,US\nIBM,US\n".to_vec(),
    )
    .await;
    assert_eq!((r.status, r.code()), (422, "invalid_file"), "{}", r.json);
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 2"),
        "{}",
        r.json
    );

    for bad in ["NaN", "inf", "-inf", "1.5"] {
        let r = upload(
            &s,
            &format!("?min_confidence={bad}"),
            "text/csv",
            b"Acme\n".to_vec(),
        )
        .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.json);
        assert_eq!(r.json["error"]["details"]["parameter"], "min_confidence");
    }
    let r = upload(&s, "?min_confidence=0.5", "text/csv", b"Acme\n".to_vec()).await;
    assert_eq!(r.status, 202, "{}", r.json);

    let long = format!("https://hooks.example.com/{}", "a".repeat(100_000));
    let r = submit(
        s.addr(),
        &json!({ "company_names": ["Acme"], "webhook_url": long }),
    )
    .await;
    assert_eq!((r.status, r.code()), (422, "invalid_batch"), "{}", r.json);
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2048"),
        "{}",
        r.json
    );
}

/// A cached profile answers each caller with that caller's own words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_profile_echoes_this_caller_s_query() {
    let s = stack(20, |_| {}).await;
    let name = s.sandbox.world().companies()[3].name.clone();
    let first = extract(s.addr(), &json!({ "company_name": name })).await;
    assert_eq!(
        (first.status, first.json["query"].as_str()),
        (200, Some(name.as_str()))
    );
    let shouted = name.to_uppercase();
    let second = extract(s.addr(), &json!({ "company_name": shouted })).await;
    assert_eq!(second.status, 200, "{}", second.json);
    assert_ne!(
        second.headers["x-cache"], "computed",
        "the same company, cached"
    );
    assert_eq!(second.json["query"], shouted.as_str());
}
