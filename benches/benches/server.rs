//! Cached `POST /api/v1/company/extract` over loopback HTTP at 32
//! connections, beside a bare hyper handler returning the same bytes, in the
//! same run: p50, p99 and requests per second.
//!
//! Run: `cargo bench -p extract-benches --bench server`

use std::time::Duration;

use extract_benches::load::{bare_server, post_load, service};

fn main() -> anyhow::Result<()> {
    let rt = extract_benches::load::runtime()?;
    rt.block_on(async {
        let sandbox = extract_benches::load::sandbox(extract_sandbox::Config::default()).await?;
        let server = service(sandbox.addr(), |_| {}).await?;
        let body = r#"{"company_name":"Walmart"}"#;

        // Warm the cache and take the exact bytes the service answers with.
        let client: hyper_util::client::legacy::Client<_, http_body_util::Full<bytes::Bytes>> =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http();
        let req = http::Request::post(format!("http://{}/api/v1/company/extract", server.addr()))
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::from(body)))?;
        let res = client.request(req).await?;
        let bytes = http_body_util::BodyExt::collect(res.into_body())
            .await?
            .to_bytes();
        let bare = bare_server(bytes.clone()).await;

        let duration = Duration::from_secs(5);
        let connections = 32;
        println!(
            "{connections} connections, {}s each, response of {} bytes",
            duration.as_secs(),
            bytes.len()
        );
        let bare_result = post_load(bare, "/", body, connections, duration).await;
        println!("bare hyper handler      {bare_result}");
        let cached = post_load(
            server.addr(),
            "/api/v1/company/extract",
            body,
            connections,
            duration,
        )
        .await;
        println!("cached POST /extract    {cached}");
        println!(
            "throughput ratio cached/bare: {:.2}",
            cached.rps / bare_result.rps
        );
        server.shutdown().await;
        anyhow::Ok(())
    })
}
