//! Fetching through `connect_to`: redirects, caps, timeouts, pooling, the guard.

use extract_core::{Error, Fetch, FetchRequest};
use extract_resources::{Config, HttpClient};
use extract_sandbox::{Config as SandboxConfig, Sandbox};

async fn sandbox() -> Sandbox {
    Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        SandboxConfig {
            companies: 600,
            ..SandboxConfig::default()
        },
    )
    .await
    .unwrap()
}

fn client(sandbox: &Sandbox, tweak: impl FnOnce(&mut Config)) -> HttpClient {
    let mut config = Config {
        connect_to: sandbox.addr().to_string(),
        allow_private: true,
        ..Config::default()
    };
    tweak(&mut config);
    HttpClient::new(config).unwrap()
}

#[tokio::test]
async fn follows_redirects_and_reuses_connections() {
    let sb = sandbox().await;
    let c = client(&sb, |_| {});
    let page = c
        .fetch(&FetchRequest::get("https://walmart.com/"))
        .await
        .unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(page.url, "https://www.walmart.com/");
    assert!(String::from_utf8_lossy(&page.body).contains("Walmart"));
    for _ in 0..10 {
        c.fetch(&FetchRequest::get("https://www.walmart.com/about"))
            .await
            .unwrap();
    }
    let stats = c.stats();
    assert_eq!(stats.requests, 12);
    // One connection per host: walmart.com and www.walmart.com.
    assert_eq!(stats.connections_opened, 2);
    let chain = c
        .fetch(&FetchRequest::get("https://redirect-chain.sandbox.test/5"))
        .await
        .unwrap();
    assert_eq!(chain.url, "https://redirect-chain.sandbox.test/0");
}

#[tokio::test]
async fn too_many_redirects_body_cap_and_timeout() {
    let sb = sandbox().await;
    let c = client(&sb, |c| {
        c.max_body_bytes = 1024 * 1024;
        c.timeout_ms = 500;
    });
    let err = fetch_err(&c, "https://redirect-chain.sandbox.test/6").await;
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
    let err = fetch_err(&c, "https://redirect-loop.sandbox.test/").await;
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
    let err = fetch_err(&c, "https://huge.sandbox.test/").await;
    assert!(over_one_mib(&err), "{err:?}");
    let err = fetch_err(&c, "https://slow.sandbox.test/").await;
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    let err = fetch_err(&c, "ftp://example.com/").await;
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
}

#[tokio::test]
async fn guard_refuses_loopback_by_address_and_by_name() {
    let sb = sandbox().await;
    let c = HttpClient::new(Config::default()).unwrap();
    let port = sb.addr().port();
    for url in [
        format!("http://127.0.0.1:{port}/search?q=x&format=json"),
        format!("http://localhost:{port}/"),
    ] {
        let err = c.fetch(&FetchRequest::get(url.clone())).await.unwrap_err();
        assert!(matches!(err, Error::Refused { .. }), "{url}: {err:?}");
    }
    assert_eq!(sb.stats().search_requests, 0);
    // The same target, allowed explicitly.
    let allowed = HttpClient::new(Config {
        allow_private: true,
        ..Config::default()
    })
    .unwrap();
    let page = allowed
        .fetch(&FetchRequest::get(format!(
            "http://127.0.0.1:{port}/search?q=Walmart&format=json"
        )))
        .await
        .unwrap();
    assert_eq!(page.status, 200);
}

#[tokio::test]
async fn compressed_bodies_are_decoded_and_bombs_cut_at_the_cap() {
    let sb = sandbox().await;
    let c = client(&sb, |c| c.max_body_bytes = 1 << 20);
    let page = c
        .fetch(&FetchRequest::get("https://gzip.sandbox.test/"))
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&page.body).contains("Gzip Co"));
    let err = fetch_err(&c, "https://bomb.sandbox.test/").await;
    assert!(over_one_mib(&err), "{err:?}");
    let cut = c
        .fetch(&FetchRequest::page("https://bomb.sandbox.test/"))
        .await
        .unwrap();
    assert!(cut.truncated);
    assert_eq!(
        cut.body.len(),
        1 << 20,
        "decoded bytes, not compressed ones, count"
    );
}

#[tokio::test]
async fn redirect_to_an_address_not_allowed_is_refused() {
    // A server on 127.0.0.1 that redirects to 127.0.0.2, which is loopback too
    // but not on the allow-list.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let reply = format!("HTTP/1.1 302 Found\r\nlocation: http://127.0.0.2:{port}/inside\r\ncontent-length: 0\r\n\r\n");
            let _ = s.write_all(reply.as_bytes()).await;
        }
    });
    let c = HttpClient::new(Config {
        allowed_cidrs: vec!["127.0.0.1/32".parse().unwrap()],
        ..Config::default()
    })
    .unwrap();
    let err = c
        .fetch(&FetchRequest::get(format!("http://127.0.0.1:{port}/")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
    assert!(err.to_string().contains("127.0.0.2"), "{err}");
}

#[tokio::test]
async fn posts_go_through_the_guard_and_arrive_whole() {
    let sb = sandbox().await;
    let url = format!("{}/__sandbox/hooks/done", sb.url());
    let refused = HttpClient::new(Config::default())
        .unwrap()
        .post(&url, "{}".into(), &[])
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Refused { .. }), "{refused:?}");
    assert!(sb.hooks().is_empty());

    let c = client(&sb, |_| {});
    let headers = [("x-extract-signature".to_owned(), "sha256=ab".to_owned())];
    let status = c
        .post(&url, r#"{"done":true}"#.into(), &headers)
        .await
        .unwrap();
    assert_eq!(status, 200);
    let hooks = sb.hooks();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].path, "/__sandbox/hooks/done");
    assert_eq!(hooks[0].body, r#"{"done":true}"#);
    assert!(hooks[0]
        .headers
        .contains(&("x-extract-signature".to_owned(), "sha256=ab".to_owned())));
    let bad = c
        .post(
            &url,
            "{}".into(),
            &[("bad header".to_owned(), "x".to_owned())],
        )
        .await;
    assert!(bad.is_err());
}

/// A caller's headers (a key, a token) never follow a redirect to another
/// origin; a request marked as carrying credentials refuses such a redirect.
#[tokio::test]
async fn credentials_never_follow_a_redirect_to_another_origin() {
    let sb = sandbox().await;
    let c = client(&sb, |_| {});
    let with_headers = |credentials| FetchRequest {
        headers: vec![
            ("authorization".to_owned(), "Bearer s3cret".to_owned()),
            ("x-subscription-token".to_owned(), "k3y".to_owned()),
        ],
        credentials,
        ..FetchRequest::get("https://redirect-away.sandbox.test/")
    };
    // A page fetch follows, without the headers.
    let page = c.fetch(&with_headers(false)).await.unwrap();
    assert_eq!(page.url, "http://echo.sandbox.test/landed");
    let seen: serde_json::Value = serde_json::from_slice(&page.body).unwrap();
    let headers = seen["headers"].as_object().unwrap();
    assert!(!headers.contains_key("authorization"), "{seen}");
    assert!(!headers.contains_key("x-subscription-token"), "{seen}");
    // The same origin keeps them (the echo host asked directly).
    let direct = c
        .fetch(&FetchRequest {
            url: "http://echo.sandbox.test/direct".into(),
            ..with_headers(false)
        })
        .await
        .unwrap();
    let seen: serde_json::Value = serde_json::from_slice(&direct.body).unwrap();
    assert_eq!(seen["headers"]["authorization"], "Bearer s3cret");
    // A search request refuses the redirect outright.
    match c.fetch(&with_headers(true)).await {
        Err(Error::Refused { reason, .. }) => assert!(reason.contains("credentials"), "{reason}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The error fetching `url` (the caller expects one).
async fn fetch_err(c: &HttpClient, url: &str) -> Error {
    c.fetch(&FetchRequest::get(url)).await.unwrap_err()
}

/// Refused for going over a 1 MiB body cap.
fn over_one_mib(err: &Error) -> bool {
    matches!(
        err,
        Error::BodyTooLarge {
            limit: 1_048_576,
            ..
        }
    )
}
