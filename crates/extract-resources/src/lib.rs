//! The outbound side of the extraction service: the HTTP client that fetches
//! company websites and carries search-provider requests.
//!
//! [`HttpClient`] is a pooled `hyper-util` client over `hyper-rustls`
//! (HTTP/1.1, and HTTP/2 where TLS negotiates it) with connect and total
//! timeouts, a body cap enforced while streaming, redirects followed by hand
//! (each hop re-checked), and an SSRF guard inside the connector that refuses
//! loopback, private, link-local, metadata and other internal addresses
//! unless allowed. `connect_to` sends every connection to one address in
//! plain HTTP while keeping the URL's host — how the sandbox stands in for
//! the internet. An outbound HTTP proxy (`proxy`, or `HTTPS_PROXY` /
//! `HTTP_PROXY` / `NO_PROXY`) carries each connection as a CONNECT tunnel,
//! the guard checking the target first. Responses are decoded (gzip,
//! deflate, br) with the cap counting decoded bytes. It implements
//! [`extract_core::Fetch`].
//!
//! [`ProcessMonitor`] samples the process's memory and CPU and publishes a
//! [`Pressure`] level; [`MemoryShedder`] says when and how much of the
//! in-process cache memory pressure sheds.
//!
//! # Embedding
//!
//! ```no_run
//! use extract_core::{Fetch, FetchRequest};
//! use extract_resources::{Config, HttpClient};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = HttpClient::new(Config::default())?;
//! let page = client.fetch(&FetchRequest::get("https://www.example.com/")).await?;
//! println!("{} {} bytes", page.status, page.body.len());
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod config;
mod connector;
mod decode;
mod error;
pub mod guard;
mod metrics;
mod monitor;
mod shed;

pub use client::{ClientStats, HttpClient};
pub use config::Config;
pub use error::{Error, Result};
pub use monitor::{
    memory_pressure, pressure, usable_cores, MonitorConfig, Pressure, ProcessMonitor, ProcessSample,
};
pub use shed::{MemoryShedder, SHED_FROM, SHED_UNTIL};
