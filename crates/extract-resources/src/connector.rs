//! The connector under the pooled client: resolves names, applies the SSRF
//! guard to the address actually dialled, honours `connect_to`, and adds TLS
//! for `https` (except under `connect_to`, which speaks plain HTTP).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::guard::refusal;
use crate::{Error, Result};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub(crate) type Stream = MaybeHttpsStream<TokioIo<TcpStream>>;

/// Dials TCP connections under the guard.
#[derive(Clone)]
pub(crate) struct TcpConnector {
    inner: Arc<Dialer>,
}

struct Dialer {
    connect_to: Option<SocketAddr>,
    allow_private: bool,
    allowed: Vec<ipnet::IpNet>,
    connect_timeout: Duration,
    counters: Arc<ConnCounters>,
}

/// Connections opened, and the distinct hosts they went to (the first
/// connection to a host cannot be a reuse).
#[derive(Default)]
pub(crate) struct ConnCounters {
    pub(crate) opened: AtomicU64,
    pub(crate) distinct_hosts: AtomicU64,
    hosts: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl ConnCounters {
    fn opened_to(&self, host: &str) {
        self.opened.fetch_add(1, Ordering::Relaxed);
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bounded: past 100,000 hosts the count stops growing.
        if hosts.len() < 100_000 && hosts.insert(host.to_owned()) {
            self.distinct_hosts.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Dialer {
    async fn dial(&self, uri: Uri) -> Result<TokioIo<TcpStream>> {
        let host = uri
            .host()
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_owned();
        let addrs: Vec<SocketAddr> = match self.connect_to {
            Some(addr) => vec![addr],
            None => {
                let port = uri
                    .port_u16()
                    .unwrap_or(if uri.scheme_str() == Some("https") {
                        443
                    } else {
                        80
                    });
                tokio::time::timeout(
                    self.connect_timeout,
                    tokio::net::lookup_host((host.as_str(), port)),
                )
                .await
                .map_err(|_| Error::ConnectTimeout { host: host.clone() })?
                .map_err(|source| Error::Resolve {
                    host: host.clone(),
                    source,
                })?
                .collect()
            }
        };
        let mut last = None;
        for addr in addrs {
            if let Some(kind) = refusal(addr.ip(), self.allow_private, &self.allowed) {
                last = Some(Error::Refused {
                    host: host.clone(),
                    addr: addr.ip(),
                    kind,
                });
                continue;
            }
            match tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    self.counters.opened_to(&host);
                    return Ok(TokioIo::new(stream));
                }
                Ok(Err(source)) => {
                    last = Some(Error::Connect {
                        host: host.clone(),
                        source,
                    })
                }
                Err(_) => last = Some(Error::ConnectTimeout { host: host.clone() }),
            }
        }
        Err(last.unwrap_or_else(|| Error::Resolve {
            host: host.clone(),
            source: std::io::Error::other("no addresses"),
        }))
    }
}

impl Service<Uri> for TcpConnector {
    type Response = TokioIo<TcpStream>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let dialer = self.inner.clone();
        Box::pin(async move { dialer.dial(uri).await })
    }
}

/// TLS over the guarded dialer, or plain TCP to the `connect_to` address.
#[derive(Clone)]
pub(crate) enum Connector {
    Tls(HttpsConnector<TcpConnector>),
    Plain(TcpConnector),
}

impl Connector {
    pub(crate) fn new(config: &crate::Config, counters: Arc<ConnCounters>) -> Result<Self> {
        let connect_to = match config.connect_to.trim() {
            "" => None,
            s => Some(
                std::net::ToSocketAddrs::to_socket_addrs(s)
                    .ok()
                    .and_then(|mut a| a.next())
                    .ok_or_else(|| Error::BadConnectTo(s.to_owned()))?,
            ),
        };
        let tcp = TcpConnector {
            inner: Arc::new(Dialer {
                connect_to,
                allow_private: config.allow_private,
                allowed: config.allowed_cidrs.clone(),
                connect_timeout: Duration::from_millis(config.connect_timeout_ms),
                counters,
            }),
        };
        if connect_to.is_some() {
            return Ok(Connector::Plain(tcp));
        }
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(Error::Tls)?
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(tcp);
        Ok(Connector::Tls(https))
    }
}

impl Service<Uri> for Connector {
    type Response = Stream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<Stream, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<std::result::Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        match self {
            Connector::Tls(https) => https.call(uri),
            Connector::Plain(tcp) => {
                let fut = tcp.call(uri);
                Box::pin(async move { Ok(MaybeHttpsStream::Http(fut.await?)) })
            }
        }
    }
}
