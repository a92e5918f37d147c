//! API keys over real HTTP: asked for on every route but the probes, taken
//! as a Bearer token or `x-api-key`, refused with a JSON 401, counted per key
//! id and never echoed.

use serde_json::json;

use crate::common::{request, stack};

async fn with_headers(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, serde_json::Value, http::HeaderMap) {
    use http_body_util::{BodyExt, Full};
    let client: hyper_util::client::legacy::Client<_, Full<bytes::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let mut req = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = client
        .request(
            req.body(Full::new(bytes::Bytes::from(body.to_owned())))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status().as_u16();
    let h = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or_default(),
        h,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_guard_every_route_but_the_probes() {
    let s = stack(20, |c| {
        c.server.api_keys = extract_core::Secret::new("k-one,k-two");
    })
    .await;
    let addr = s.addr();
    let name = s.sandbox.world().companies()[0].name.clone();
    let body = json!({ "company_name": name }).to_string();
    let path = "/api/v1/company/extract";

    let (status, json, headers) = with_headers(addr, "POST", path, &[], &body).await;
    assert_eq!(
        (status, json["error"]["code"].as_str()),
        (401, Some("unauthorized")),
        "{json}"
    );
    assert_eq!(headers["www-authenticate"], "Bearer");
    let (status, json, _) =
        with_headers(addr, "POST", path, &[("x-api-key", "k-wrong")], &body).await;
    assert_eq!(
        (status, json["error"]["code"].as_str()),
        (401, Some("invalid_api_key"))
    );
    assert!(
        !json.to_string().contains("k-wrong"),
        "the key is never echoed: {json}"
    );
    // Unknown paths ask for a key too, so they reveal nothing.
    let (status, _, _) = with_headers(addr, "GET", "/api/v1/nope", &[], "").await;
    assert_eq!(status, 401);

    let (status, json, _) = with_headers(
        addr,
        "POST",
        path,
        &[("authorization", "Bearer k-one")],
        &body,
    )
    .await;
    assert_eq!(status, 200, "{json}");
    // The scheme is case-insensitive (RFC 9110 §11.1).
    let (status, json, _) = with_headers(
        addr,
        "POST",
        path,
        &[("authorization", "BEARER k-one")],
        &body,
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let (status, _, _) = with_headers(addr, "POST", path, &[("x-api-key", "k-two")], &body).await;
    assert_eq!(status, 200);
    let (status, _, _) = with_headers(
        addr,
        "GET",
        "/api/v1/system/stats",
        &[("x-api-key", "k-two")],
        "",
    )
    .await;
    assert_eq!(status, 200);

    // The probes, the console page and, by default, /metrics stay open.
    for open in ["/health", "/ready", "/", "/metrics"] {
        assert_eq!(
            request(addr, "GET", open, None, "").await.status,
            200,
            "{open}"
        );
    }
    let metrics = request(addr, "GET", "/metrics", None, "").await;
    let text = String::from_utf8_lossy(&metrics.body).into_owned();
    let id = |k: &str| {
        use sha2::Digest;
        hex::encode(&sha2::Sha256::digest(k.as_bytes())[..4])
    };
    assert!(
        text.contains(&format!(
            "extract_api_key_requests_total{{key=\"{}\"}} 2",
            id("k-one")
        )),
        "{text}"
    );
    assert!(text.contains(&format!(
        "extract_api_key_requests_total{{key=\"{}\"}} 2",
        id("k-two")
    )));
    assert!(!text.contains("k-one") && !text.contains("k-two"));

    let locked = stack(20, |c| {
        c.server.api_keys = extract_core::Secret::new("k-one");
        c.server.metrics_require_key = true;
    })
    .await;
    assert_eq!(
        request(locked.addr(), "GET", "/metrics", None, "")
            .await
            .status,
        401
    );
    assert_eq!(
        request(locked.addr(), "GET", "/health", None, "")
            .await
            .status,
        200
    );
}
