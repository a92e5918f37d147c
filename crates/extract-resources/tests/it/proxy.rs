//! Outbound proxies set in the configuration, through the loopback CONNECT
//! proxy of `proxy_server.rs`.

use std::sync::atomic::Ordering;

use extract_core::{Error, Fetch, FetchRequest};
use extract_resources::{Config, HttpClient};
use extract_sandbox::{Config as SandboxConfig, Sandbox};

use crate::proxy_server::proxy_to;

async fn sandbox() -> Sandbox {
    Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        SandboxConfig {
            companies: 50,
            ..SandboxConfig::default()
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn fetches_go_through_the_proxy_and_the_guard_still_holds() {
    let sb = sandbox().await;
    let proxy = proxy_to(sb.addr()).await;
    let client = HttpClient::new(Config {
        proxy: format!("http://{}", proxy.addr),
        ..Config::default()
    })
    .unwrap();
    let page = client
        .fetch(&FetchRequest::get("http://echo.sandbox.test/through"))
        .await
        .unwrap();
    assert_eq!(page.status, 200);
    let echo: serde_json::Value = serde_json::from_slice(&page.body).unwrap();
    assert_eq!(echo["path"], "/through");
    assert_eq!(proxy.tunnels.load(Ordering::SeqCst), 1);
    assert_eq!(proxy.targets.lock().unwrap()[0], "echo.sandbox.test:80");

    // Internal targets are refused before the proxy hears of them.
    for internal in [
        "http://127.0.0.1:9/",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://localhost/",
    ] {
        let err = client
            .fetch(&FetchRequest::get(internal))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Refused { .. }), "{internal}: {err:?}");
    }
    assert_eq!(proxy.tunnels.load(Ordering::SeqCst), 1);

    // NO_PROXY's counterpart: hosts reached directly.
    let direct = HttpClient::new(Config {
        proxy: format!("http://{}", proxy.addr),
        no_proxy: "sandbox.test".to_owned(),
        ..Config::default()
    })
    .unwrap();
    assert!(direct
        .fetch(&FetchRequest::get("http://echo.sandbox.test/direct"))
        .await
        .is_err());
    assert_eq!(
        proxy.tunnels.load(Ordering::SeqCst),
        1,
        "not through the proxy"
    );

    // A proxy that is not an http:// one is refused at start.
    let err = HttpClient::new(Config {
        proxy: "socks5://127.0.0.1:1080".to_owned(),
        ..Config::default()
    })
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("only http://"), "{err}");
}
