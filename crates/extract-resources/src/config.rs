//! Settings of the HTTP client (`[http]` in the configuration file).

use serde::{Deserialize, Serialize};

/// HTTP client settings. Defaults match `config/default.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Time allowed to open a TCP connection, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Time allowed for a whole fetch (every redirect hop and the body), in milliseconds.
    pub timeout_ms: u64,
    /// Largest response body read, in bytes; a larger one is an error.
    pub max_body_bytes: u64,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// The `User-Agent` sent with every request.
    pub user_agent: String,
    /// When set (`host:port`), every connection goes to this address, in plain
    /// HTTP, whatever the URL says; the URL's host is still sent as `Host`.
    /// This is how the sandbox stands in for the internet. Empty: off.
    pub connect_to: String,
    /// Allow connections to loopback, private, link-local and other internal
    /// addresses. Off by default: a crawler must not be pointed at the
    /// network it runs in.
    pub allow_private: bool,
    /// Address ranges allowed even though internal (e.g. `127.0.0.0/8` for
    /// a test web on loopback); everything else internal stays refused.
    pub allowed_cidrs: Vec<ipnet::IpNet>,
    /// An HTTP proxy every connection goes through (HTTP CONNECT), as
    /// `http://host:port`; empty: `HTTPS_PROXY` / `HTTP_PROXY` from the
    /// environment, or none.
    pub proxy: String,
    /// Hosts reached without the proxy, comma-separated (a name matches
    /// itself and its subdomains; `*` all); empty: `NO_PROXY`.
    pub no_proxy: String,
    /// Idle pooled connections are closed after this many seconds (the
    /// search provider's and webhooks' client).
    pub pool_idle_timeout_s: u64,
    /// The same for the crawler's client, whose idle connections grow as
    /// crawled sites per second times this ([`Config::for_sites`]).
    pub site_pool_idle_timeout_s: u64,
    /// Idle connections kept per host.
    pub pool_max_idle_per_host: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            connect_timeout_ms: 5_000,
            timeout_ms: 15_000,
            max_body_bytes: 5 * 1024 * 1024,
            max_redirects: 5,
            user_agent: "company-extract/0.0.0".to_owned(),
            connect_to: String::new(),
            proxy: String::new(),
            no_proxy: String::new(),
            allow_private: false,
            allowed_cidrs: Vec::new(),
            pool_idle_timeout_s: 90,
            site_pool_idle_timeout_s: 2,
            pool_max_idle_per_host: 20,
        }
    }
}

impl Config {
    /// The configuration of the crawler's client: this one with
    /// `site_pool_idle_timeout_s` as its pool's idle timeout. A site is read
    /// within a second or two and rarely again soon, so its connections
    /// should not outlive its extraction by much (each is a file descriptor).
    pub fn for_sites(&self) -> Config {
        Config {
            pool_idle_timeout_s: self.site_pool_idle_timeout_s,
            ..self.clone()
        }
    }
}
