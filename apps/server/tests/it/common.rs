//! Starting a sandbox and a server in-process, and talking to them over HTTP.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use extract_sandbox::{Config as SandboxConfig, Sandbox};
use extract_server::{sandbox, serve, App, Config};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// A sandbox and a server pointed at it.
pub(crate) struct Stack {
    pub(crate) sandbox: Sandbox,
    pub(crate) server: serve::Running,
}

impl Stack {
    pub(crate) fn addr(&self) -> SocketAddr {
        self.server.addr()
    }
}

/// A sandbox on a free port with `companies` in its world, starting with `knobs`.
pub(crate) async fn sandbox_with(companies: usize, knobs: extract_sandbox::Knobs) -> Sandbox {
    Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        SandboxConfig {
            companies,
            knobs,
            ..SandboxConfig::default()
        },
    )
    .await
    .unwrap()
}

/// Starts a sandbox (`companies` in its world) and a server using it,
/// after `tweak` has adjusted the server's configuration.
pub(crate) async fn stack(companies: usize, tweak: impl FnOnce(&mut Config)) -> Stack {
    let sandbox = sandbox_with(companies, extract_sandbox::Knobs::default()).await;
    let mut config = Config::defaults();
    sandbox::point_at(&mut config, sandbox.addr());
    // Tests count upstream calls: no background warming; the sandbox sets
    // no search limit unless a test asks for one.
    config.cache.warm_file = String::new();
    config.search.rate_per_sec = 0.0;
    tweak(&mut config);
    let server = start_server(config).await;
    Stack { sandbox, server }
}

pub(crate) async fn start_server(config: Config) -> serve::Running {
    let app = App::build(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve::spawn(app, listener).unwrap()
}

/// An HTTP response, body parsed as JSON when it is JSON.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) json: serde_json::Value,
    /// The raw body.
    pub(crate) body: Bytes,
}

impl Reply {
    /// The `error.code` of an error body.
    pub(crate) fn code(&self) -> &str {
        self.json["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }
}

/// Sends a request and reads the whole answer.
pub(crate) async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> Reply {
    send(
        addr,
        method,
        path,
        content_type,
        Bytes::from(body.to_owned()),
    )
    .await
}

/// A request with a binary body (an uploaded file).
pub(crate) async fn request_bytes(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Reply {
    send(addr, method, path, Some(content_type), Bytes::from(body)).await
}

async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Bytes,
) -> Reply {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut req = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let response = client
        .request(req.body(Full::new(body)).unwrap())
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Reply {
        status,
        headers,
        json,
        body: bytes,
    }
}

/// `POST /api/v1/company/extract` with a JSON body.
pub(crate) async fn extract(addr: SocketAddr, body: &serde_json::Value) -> Reply {
    request(
        addr,
        "POST",
        "/api/v1/company/extract",
        Some("application/json"),
        &body.to_string(),
    )
    .await
}

/// The server binary, on a free port, pointed at `sandbox_url` and `redis`;
/// its stderr (the log) goes to a file, read by [`Process::log`].
pub(crate) struct Process {
    pub(crate) child: Child,
    pub(crate) addr: std::net::SocketAddr,
    log: std::path::PathBuf,
}

impl Process {
    pub(crate) async fn start(sandbox_url: &str, redis: &str, prefix: &str) -> Process {
        Self::start_with(sandbox_url, redis, prefix, &[]).await
    }

    /// The same with more environment variables.
    pub(crate) async fn start_with(
        sandbox_url: &str,
        redis: &str,
        prefix: &str,
        env: &[(&str, &str)],
    ) -> Process {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let log =
            std::env::temp_dir().join(format!("extract-server-{}-{port}.log", std::process::id()));
        let child = Command::new(env!("CARGO_BIN_EXE_extract-server"))
            .args(["--bind", &addr.to_string(), "--sandbox-url", sandbox_url])
            .env("REDIS_URL", redis)
            .env("EXTRACT_CACHE__PREFIX", prefix)
            .env("EXTRACT_CACHE__WARM_FILE", "")
            .env("EXTRACT_SEARCH__PROVIDER", "searxng")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if std::net::TcpStream::connect(addr).is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the server process did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Process { child, addr, log }
    }

    /// What the process logged so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM, as an orchestrator stopping the instance does.
    pub(crate) fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Panics on the server's threads (tokio workers, not a test's own thread)
/// since the test binary started: a fault must never make the service panic.
pub(crate) fn server_panics() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            if thread.name().is_none_or(|n| n.starts_with("tokio-")) {
                COUNT.fetch_add(1, Ordering::Relaxed);
            }
            previous(info);
        }));
    });
    COUNT.load(Ordering::Relaxed)
}

/// `POST` a batch.
pub(crate) async fn submit(addr: std::net::SocketAddr, body: &serde_json::Value) -> Reply {
    request(
        addr,
        "POST",
        "/api/v1/company/batch/submit",
        Some("application/json"),
        &body.to_string(),
    )
    .await
}

/// `POST /api/v1/company/batch/upload{query}` with a CSV body.
pub(crate) async fn upload_csv(addr: std::net::SocketAddr, query: &str, csv: &str) -> Reply {
    let path = format!("/api/v1/company/batch/upload{query}");
    request(addr, "POST", &path, Some("text/csv"), csv).await
}

pub(crate) async fn get(addr: std::net::SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path, None, "").await
}

/// Polls the status until the batch is over; returns the last status.
pub(crate) async fn wait_final(
    addr: std::net::SocketAddr,
    id: &str,
    limit: Duration,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let st = get(addr, &format!("/api/v1/company/batch/{id}/status")).await;
        assert_eq!(st.status, 200, "{}", st.json);
        let state = st.json["state"].as_str().unwrap_or_default().to_owned();
        if !matches!(state.as_str(), "queued" | "running") {
            return st.json;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "batch {id} still {state}: {}",
            st.json
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
