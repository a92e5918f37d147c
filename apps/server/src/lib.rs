//! The company extraction service: HTTP API, configuration and wiring.
//!
//! `main.rs` reads the configuration ([`Config::load`]), builds the [`App`]
//! (the pipeline over the HTTP client behind its caches, limits and timing
//! decorators; the batch service and its job store; the performance
//! monitor), and serves it ([`serve::run`]) until SIGTERM or Ctrl-C: the
//! extract, batch, cache, system and performance APIs, `/metrics`,
//! `/health`, `/ready`. [`cli`] holds the `inspect` and `batch`
//! subcommands. Tests do the same in-process with [`serve::spawn`] on
//! `127.0.0.1:0`.

//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use extract_server::{serve, App, Config};
//! let app = App::build(Config::defaults()).await?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let running = serve::spawn(app, listener)?;
//! println!("listening on {}", running.addr());
//! running.shutdown().await;
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod app;
mod auth;
pub mod cli;
mod columns;

pub mod config;
mod error;
mod handlers;
mod inbound;
mod names;
mod openapi;
mod results;
mod router;
pub mod sandbox;
pub mod serve;

use bytes::Bytes;
use http_body_util::BodyExt;

pub use app::App;
pub use config::Config;
pub use error::ApiError;

/// The response body type of every handler.
pub type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, std::io::Error>;

/// A complete body.
pub(crate) fn full(bytes: Bytes) -> Body {
    http_body_util::Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// A value of a wire enum (`"high"`, `"comprehensive"`, `"xlsx"`…) from its
/// name, through its serde names: the API, the CLI and the stored JSON agree
/// by construction.
pub(crate) fn from_wire_name<T: serde::de::DeserializeOwned>(name: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| format!("{name:?} is not one of the accepted values"))
}
