//! Every kind of bad request gets the right 4xx with a JSON error naming the problem.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{extract, request, stack};

const EXTRACT: &str = "/api/v1/company/extract";

/// (what, method, content type, body, expected status, expected code)
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    String,
    u16,
    &'static str,
);

#[tokio::test]
async fn malformed_requests_get_json_4xx() {
    let stack = stack(600, |c| c.server.max_body_bytes = 4096).await;
    let addr = stack.addr();
    let cases: Vec<Case> = vec![
        (
            "not JSON",
            "POST",
            Some("application/json"),
            "{not json".into(),
            400,
            "malformed_json",
        ),
        (
            "empty body",
            "POST",
            Some("application/json"),
            String::new(),
            400,
            "malformed_json",
        ),
        (
            "wrong content type",
            "POST",
            Some("text/plain"),
            r#"{"company_name":"Walmart"}"#.into(),
            415,
            "unsupported_media_type",
        ),
        (
            "no content type",
            "POST",
            None,
            r#"{"company_name":"Walmart"}"#.into(),
            415,
            "unsupported_media_type",
        ),
        (
            "missing name",
            "POST",
            Some("application/json"),
            "{}".into(),
            422,
            "invalid_request",
        ),
        (
            "empty name",
            "POST",
            Some("application/json"),
            r#"{"company_name":"   "}"#.into(),
            422,
            "invalid_request",
        ),
        (
            "name of 10,000 characters",
            "POST",
            Some("application/json"),
            format!(r#"{{"company_name":"{}"}}"#, "a".repeat(2000)),
            422,
            "invalid_request",
        ),
        (
            "wrong type",
            "POST",
            Some("application/json"),
            r#"{"company_name":42}"#.into(),
            422,
            "invalid_request",
        ),
        (
            "unknown mode",
            "POST",
            Some("application/json"),
            r#"{"company_name":"x","extraction_mode":"deep"}"#.into(),
            422,
            "invalid_request",
        ),
        (
            "unknown field",
            "POST",
            Some("application/json"),
            r#"{"company":"Walmart"}"#.into(),
            422,
            "invalid_request",
        ),
        (
            "bad domain",
            "POST",
            Some("application/json"),
            r#"{"domain":"not a domain"}"#.into(),
            422,
            "invalid_request",
        ),
        (
            "body over the limit",
            "POST",
            Some("application/json"),
            format!(r#"{{"company_name":"{}"}}"#, "a".repeat(10_000)),
            413,
            "payload_too_large",
        ),
        (
            "unknown route",
            "GET",
            None,
            String::new(),
            404,
            "not_found",
        ),
        (
            "wrong method",
            "GET",
            None,
            String::new(),
            405,
            "method_not_allowed",
        ),
    ];
    for (what, method, ct, body, status, code) in cases {
        let path = if what == "unknown route" {
            "/api/v1/nope"
        } else {
            EXTRACT
        };
        let reply = request(addr, method, path, ct, &body).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.json);
        assert_eq!(reply.code(), code, "{what}: {}", reply.json);
        let message = reply.json["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{what}: no message");
        assert_eq!(reply.headers["content-type"], "application/json", "{what}");
        assert!(reply.headers.contains_key("x-request-id"), "{what}");
    }
    // The 10,000-character name within a larger body limit: 422 naming the field.
    let long = extract(
        addr,
        &serde_json::json!({ "company_name": "a".repeat(10_000) }),
    )
    .await;
    assert_eq!(long.status, 413);
    let reply = request(addr, "GET", EXTRACT, None, "").await;
    assert_eq!(reply.headers["allow"], "POST");
    let reply = extract(addr, &serde_json::json!({ "company_name": "" })).await;
    assert_eq!(reply.json["error"]["details"]["field"], "company_name");
    assert!(
        stack.sandbox.stats().search_requests == 0,
        "no bad request reached upstream"
    );
}

#[tokio::test]
async fn long_names_are_named_in_the_error() {
    let stack = stack(600, |c| c.server.max_body_bytes = 1 << 20).await;
    let reply = extract(
        stack.addr(),
        &serde_json::json!({ "company_name": "a".repeat(10_000) }),
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.json);
    assert_eq!(reply.json["error"]["details"]["field"], "company_name");
    assert!(reply.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("10000 characters"));
}

/// A declared length over the limit is refused before the body is read; a
/// chunked body is cut off while reading. Both answer 413, neither drops the
/// connection before answering.
#[tokio::test]
async fn oversized_bodies_without_reading_them_whole() {
    let stack = stack(600, |c| c.server.max_body_bytes = 4096).await;
    let head = format!(
        "POST {EXTRACT} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 50000000\r\n\r\n"
    );
    let answer = raw(stack.addr(), head.into_bytes(), Vec::new()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");

    let head = format!("POST {EXTRACT} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n");
    let mut body = Vec::new();
    for _ in 0..64 {
        body.extend_from_slice(b"400\r\n");
        body.extend_from_slice(&[b' '; 0x400]);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(stack.addr(), head.into_bytes(), body).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

/// Writes `head` then `body` on a raw connection while reading the answer.
async fn raw(addr: std::net::SocketAddr, head: Vec<u8>, body: Vec<u8>) -> String {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&head).await;
        let _ = wr.write_all(&body).await;
        // Keep the write half open until the answer has been read.
        tokio::time::sleep(Duration::from_secs(2)).await;
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), rd.read(&mut buf)).await {
            Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                answer.extend_from_slice(&buf[..n]);
                if String::from_utf8_lossy(&answer).contains("\"request_id\"") {
                    break;
                }
            }
        }
    }
    writer.abort();
    String::from_utf8_lossy(&answer).into_owned()
}

/// A webhook to an internal or unresolvable address is refused when the
/// batch is submitted (422 naming `webhook_url`), not found out at delivery.
#[tokio::test]
async fn internal_webhooks_are_refused_at_submit() {
    let stack = stack(50, |c| {
        c.http.connect_to = String::new();
        c.http.allowed_cidrs.clear();
    })
    .await;
    for hook in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
        "http://[::ffff:10.0.0.1]/hook",
        "http://198.18.0.1/hook",
        "http://hooks.invalid/hook",
    ] {
        let body =
            serde_json::json!({ "company_names": ["Acme"], "webhook_url": hook }).to_string();
        let r = request(
            stack.addr(),
            "POST",
            "/api/v1/company/batch/submit",
            Some("application/json"),
            &body,
        )
        .await;
        assert_eq!(r.status, 422, "{hook}: {}", r.json);
        assert_eq!(r.json["error"]["details"]["field"], "webhook_url", "{hook}");
    }
}
