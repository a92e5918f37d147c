//! `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` from the environment: its own
//! test binary, since the environment is the process's.

#[path = "../it/proxy_server.rs"]
mod proxy_server;

use std::sync::atomic::Ordering;

use extract_core::{Fetch, FetchRequest};
use extract_resources::{Config, HttpClient};

#[tokio::test]
async fn the_proxy_variables_are_honoured() {
    let sb = extract_sandbox::Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        extract_sandbox::Config {
            companies: 50,
            ..extract_sandbox::Config::default()
        },
    )
    .await
    .unwrap();
    let p = proxy_server::proxy_to(sb.addr()).await;
    // This binary holds one test: nothing else reads the environment.
    std::env::set_var("HTTPS_PROXY", format!("http://{}", p.addr));
    std::env::set_var("HTTP_PROXY", format!("http://{}", p.addr));
    std::env::set_var("NO_PROXY", "direct.example");
    let client = HttpClient::new(Config::default()).unwrap();
    let page = client
        .fetch(&FetchRequest::get("http://echo.sandbox.test/env"))
        .await
        .unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(p.tunnels.load(Ordering::SeqCst), 1);
    assert_eq!(p.targets.lock().unwrap()[0], "echo.sandbox.test:80");
    let _ = client
        .fetch(&FetchRequest::get("http://direct.example/"))
        .await;
    assert_eq!(p.tunnels.load(Ordering::SeqCst), 1, "NO_PROXY goes direct");
    let err = client
        .fetch(&FetchRequest::get("http://192.168.1.1/"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, extract_core::Error::Refused { .. }),
        "{err:?}"
    );
    assert_eq!(p.tunnels.load(Ordering::SeqCst), 1);
}
