//! A simulated internet on loopback, for tests, benches and the offline demo.
//!
//! One HTTP server answers for every host, routing by the `Host` header:
//!
//! - a search engine on any host that is not a site, in every format the
//!   service speaks: SearXNG (`/search?format=json`), SerpAPI
//!   (`/search.json`, with a knowledge graph), Brave (`/res/v1/web/search`)
//!   and DuckDuckGo's HTML page (`/html/`); its results mix the official site
//!   with Wikipedia, LinkedIn, news, directories and look-alike domains;
//! - websites for thousands of companies: the 500 real Fortune 500 companies
//!   under their real domains plus generated ones, in four markup styles
//!   (JSON-LD, microdata, OpenGraph only, contacts only in footer text), with
//!   the ground truth of what an extractor should find;
//! - optional extra sites from a folder of saved pages (`<stem>.corpus.test`);
//! - an optional search [`Scenario`]: fixed hits for given queries (such as
//!   the shared corpus's hard names), each hit's host serving a homepage made
//!   from its title and snippet;
//! - misbehaving sites under `*.sandbox.test` (`slow`, `huge` (256 MB),
//!   `garbage`, `redirect-loop`, `redirect-chain/N`, `error`, `empty`,
//!   `norobots` (robots.txt disallows everything), `robots-down` (robots.txt
//!   answers 503), `gzip` (a compressed page), `bomb` (64 MB of markup in a
//!   few hundred KB of gzip)); half the company homepages are gzip-compressed
//!   when the request accepts it;
//! - control endpoints under `/__sandbox/`: `stats`, `reset`, `config`,
//!   `companies`, `truth/{company}`, and a webhook receiver: `POST
//!   hooks/{anything}` is recorded, `GET hooks` lists what arrived.
//!
//! Point a client at it by sending every connection to [`Sandbox::addr`]
//! while keeping the URL's host (the service's `http.connect_to`).
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use extract_sandbox::{Config, Sandbox};
//! let sandbox = Sandbox::start("127.0.0.1:0".parse().unwrap(), Config::default()).await.unwrap();
//! let truth = sandbox.truth("Walmart").unwrap();
//! assert_eq!(truth.domain, "walmart.com");
//! assert_eq!(sandbox.stats().search_requests, 0);
//! sandbox.shutdown().await;
//! # });
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod render;
mod scenario;

mod search;
mod server;
mod truth;
mod world;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use scenario::{Scenario, ScenarioCase};
pub use server::{Hook, Knobs, SandboxStats, SearchFault, SiteFault, MAX_HOOKS};
pub use truth::Truth;
pub use world::{Company, Style, World};

/// The homepage HTML of a company, as the sandbox serves it.
pub fn render_homepage(company: &Company) -> String {
    render::homepage(company)
}

/// How to build the sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    /// Companies in the world (at least the 500 real ones).
    pub companies: usize,
    /// Seed of the generated companies and of search result order.
    pub seed: u64,
    /// Initial knobs.
    pub knobs: Knobs,
    /// A folder of `*.html` pages served as extra sites at `<stem>.corpus.test`.
    pub corpus_dir: Option<PathBuf>,
    /// Fixed search answers for some queries, each hit's host serving a
    /// homepage made from its title and snippet.
    pub scenario: Scenario,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            companies: 2_000,
            seed: 42,
            knobs: Knobs::default(),
            corpus_dir: None,
            scenario: Scenario::default(),
        }
    }
}

/// A running sandbox.
pub struct Sandbox {
    addr: SocketAddr,
    state: Arc<server::State>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Sandbox {
    /// Binds `bind` and starts serving in the background.
    pub async fn start(bind: SocketAddr, config: Config) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let corpus = match &config.corpus_dir {
            Some(dir) => load_corpus(dir)?,
            None => HashMap::new(),
        };
        let world = World::new(config.companies, config.seed);
        let state = Arc::new(server::State::new(
            world,
            config.seed,
            config.knobs,
            corpus,
            config.scenario.clone(),
        ));
        let (stop, mut stopped) = watch::channel(false);
        let serving = state.clone();
        let task = tokio::spawn(async move {
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            loop {
                let (stream, _) = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok(a) => a,
                        Err(_) => continue,
                    },
                    _ = stopped.changed() => break,
                };
                let _ = stream.set_nodelay(true);
                let state = serving.clone();
                let builder = builder.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move {
                            Ok::<_, std::convert::Infallible>(server::handle(state, req).await)
                        }
                    });
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Sandbox {
            addr,
            state,
            stop,
            task,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`: the base URL of its search and control endpoints.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The counters so far.
    pub fn stats(&self) -> SandboxStats {
        self.state.stats()
    }

    /// The webhooks received at `/__sandbox/hooks/…`, oldest first.
    pub fn hooks(&self) -> Vec<Hook> {
        self.state.hooks()
    }

    /// Zeroes the counters and forgets received webhooks.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// The current knobs.
    pub fn knobs(&self) -> Knobs {
        self.state.knobs()
    }

    /// Changes the knobs while running.
    pub fn set_knobs(&self, knobs: Knobs) {
        self.state.set_knobs(knobs);
    }

    /// The simulated companies.
    pub fn world(&self) -> &World {
        &self.state.world
    }

    /// What an extractor should find for a company (by name or domain) on its homepage.
    pub fn truth(&self, company: &str) -> Option<Truth> {
        self.state
            .world
            .lookup(company)
            .map(|c| self.state.world.truth(c))
    }

    /// What an extractor reading the about and contact pages too should find.
    pub fn truth_comprehensive(&self, company: &str) -> Option<Truth> {
        self.state
            .world
            .lookup(company)
            .map(|c| self.state.world.truth_comprehensive(c))
    }

    /// Stops accepting connections.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// The host a saved page is served at: its file stem, lowercased, with
/// anything but letters, digits and dashes turned into dashes.
pub fn corpus_host(file_stem: &str) -> String {
    let s: String = file_stem
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s: String = s.chars().take(60).collect();
    format!("{}.corpus.test", s.trim_matches('-'))
}

fn load_corpus(dir: &std::path::Path) -> std::io::Result<HashMap<String, Bytes>> {
    let mut pages = HashMap::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        pages.insert(corpus_host(stem), Bytes::from(std::fs::read(&path)?));
    }
    Ok(pages)
}
