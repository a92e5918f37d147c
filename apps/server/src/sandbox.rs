//! `--sandbox` and `--sandbox-url`: point search and every connection at the
//! simulated web, so that the service runs with no internet and no keys.

use std::net::SocketAddr;

use anyhow::Context;
use extract_sandbox::{Config as SandboxSettings, Knobs, Sandbox};

use crate::Config;

/// Starts the in-process sandbox on a free loopback port and points `config` at it.
pub async fn start_in_process(config: &mut Config) -> anyhow::Result<Sandbox> {
    let sandbox = Sandbox::start(
        "127.0.0.1:0".parse().expect("literal address"),
        SandboxSettings {
            companies: config.sandbox.companies,
            seed: config.sandbox.seed,
            knobs: Knobs {
                latency_ms: config.sandbox.latency_ms,
                ..Knobs::default()
            },
            corpus_dir: None,
            ..SandboxSettings::default()
        },
    )
    .await
    .context("starting the in-process sandbox")?;
    point_at(config, sandbox.addr());
    // The in-process sandbox sets no search limit, so the service need not keep one.
    config.search.rate_per_sec = 0.0;
    Ok(sandbox)
}

/// Points `config` at a sandbox already running at `url` (`http://host:port`).
pub fn use_running(config: &mut Config, url: &str) -> anyhow::Result<()> {
    let parsed =
        url::Url::parse(url).with_context(|| format!("--sandbox-url {url:?} is not a URL"))?;
    let addr = parsed
        .socket_addrs(|| Some(80))
        .ok()
        .and_then(|a| a.into_iter().next())
        .with_context(|| format!("--sandbox-url {url:?} does not resolve to an address"))?;
    point_at(config, addr);
    Ok(())
}

/// Every connection goes to the sandbox's address (it answers every search
/// provider's format and every site); loopback — where it lives — is
/// allow-listed explicitly, everything else internal stays refused. The
/// configured provider and endpoint stay.
pub fn point_at(config: &mut Config, addr: SocketAddr) {
    config.http.connect_to = addr.to_string();
    let loopback: [ipnet::IpNet; 2] = [
        "127.0.0.0/8".parse().expect("literal network"),
        "::1/128".parse().expect("literal network"),
    ];
    for net in loopback {
        if !config.http.allowed_cidrs.contains(&net) {
            config.http.allowed_cidrs.push(net);
        }
    }
}
