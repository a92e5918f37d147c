//! A real Redis for tests: the shared one named by `REDIS_URL`, or a private
//! `redis-server` on a free port that a test may stop and start again
//! without touching anybody else's.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private `redis-server`, stopped when dropped.
pub struct TestRedis {
    port: u16,
    child: Option<Child>,
    /// With append-only persistence: its directory (removed when dropped).
    dir: Option<std::path::PathBuf>,
}

impl TestRedis {
    /// Starts one on a free loopback port; `None` when `redis-server` is not installed.
    pub fn start() -> Option<TestRedis> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let mut r = TestRedis {
            port,
            child: None,
            dir: None,
        };
        r.spawn().then_some(r)
    }

    /// [`TestRedis::start`] with append-only persistence (fsync on every
    /// write), so that a [`restart`](Self::restart) keeps the data: a Redis
    /// killed and started again, as production runs it.
    pub fn start_durable() -> Option<TestRedis> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let dir = std::env::temp_dir().join(format!("test-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let mut r = TestRedis {
            port,
            child: None,
            dir: Some(dir),
        };
        r.spawn().then_some(r)
    }

    /// [`TestRedis::start`], or `None` after saying loudly that `test` is
    /// skipped (a failure under `CI=true`).
    pub fn start_or_skip(test: &str) -> Option<TestRedis> {
        let r = TestRedis::start();
        if r.is_none() {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "{test}: redis-server is not installed; CI=true makes this a failure"
            );
            eprintln!("SKIPPED {test}: redis-server is not installed");
        }
        r
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (data is lost unless it was started durable).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again on the same port.
    pub fn restart(&mut self) -> bool {
        self.stop();
        self.spawn()
    }

    fn spawn(&mut self) -> bool {
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--daemonize", "no", "--loglevel", "warning"]);
        match &self.dir {
            Some(dir) => command
                .args(["--appendonly", "yes", "--appendfsync", "always", "--dir"])
                .arg(dir),
            None => command.args(["--appendonly", "no"]),
        };
        let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn();
        let Ok(child) = child else { return false };
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.stop();
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The Redis URL tests share: `REDIS_URL` if set, else `127.0.0.1:6379` if a
/// server answers there. Without one a test says loudly that it is skipped,
/// and under `CI=true` it fails instead.
pub fn shared_url(test: &str) -> Option<String> {
    if let Ok(url) = std::env::var("REDIS_URL") {
        if !url.is_empty() {
            return Some(url);
        }
    }
    if TcpStream::connect_timeout(
        &"127.0.0.1:6379".parse().expect("address"),
        Duration::from_millis(200),
    )
    .is_ok()
    {
        return Some("redis://127.0.0.1:6379".to_owned());
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!ci, "{test}: no Redis (set REDIS_URL or run one on 127.0.0.1:6379); CI=true makes this a failure");
    eprintln!("SKIPPED {test}: no Redis reachable (set REDIS_URL)");
    None
}

/// A key prefix no other test run uses.
pub fn unique_prefix(test: &str) -> String {
    format!("test:{test}:{}:{}", std::process::id(), fastrand::u64(..))
}

/// `redis-cli` against the server at `url` (its port), the answer as text;
/// empty when `redis-cli` is missing.
pub fn cli(url: &str, args: &[&str]) -> String {
    let port = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap_or("6379");
    Command::new("redis-cli")
        .args(["-p", port])
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}
