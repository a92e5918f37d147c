//! The connector under the pooled client: resolves names, applies the SSRF
//! guard to the address actually dialled, honours `connect_to`, tunnels
//! through an outbound proxy (HTTP CONNECT) when one is set, and adds TLS
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
    proxies: Proxies,
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

/// The outbound proxies: one for `https`, one for `http` (`http.proxy` for
/// both, or `HTTPS_PROXY` / `HTTP_PROXY`), and the hosts reached directly.
#[derive(Debug, Clone, Default)]
pub(crate) struct Proxies {
    https: Option<String>,
    http: Option<String>,
    direct: Vec<String>,
}

impl Proxies {
    fn from_config(config: &crate::Config) -> Result<Proxies> {
        let env = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
        };
        let (https, http) = match config.proxy.trim() {
            "" => (
                env(&["HTTPS_PROXY", "https_proxy"]),
                env(&["HTTP_PROXY", "http_proxy"]),
            ),
            p => (Some(p.to_owned()), Some(p.to_owned())),
        };
        let direct = match config.no_proxy.trim() {
            "" => env(&["NO_PROXY", "no_proxy"]).unwrap_or_default(),
            n => n.to_owned(),
        };
        Ok(Proxies {
            https: https.map(|p| proxy_address(&p)).transpose()?,
            http: http.map(|p| proxy_address(&p)).transpose()?,
            direct: direct
                .split(',')
                .map(|d| d.trim().trim_start_matches('.').to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
        })
    }

    /// The proxy for `uri`, if it goes through one.
    fn for_uri(&self, uri: &Uri, host: &str) -> Option<&str> {
        let proxy = if uri.scheme_str() == Some("https") {
            self.https.as_deref()
        } else {
            self.http.as_deref()
        }?;
        let host = host.to_ascii_lowercase();
        let direct = self.direct.iter().any(|d| {
            d == "*"
                || host == *d
                || host
                    .strip_suffix(d.as_str())
                    .is_some_and(|h| h.ends_with('.'))
        });
        (!direct).then_some(proxy)
    }
}

/// `host:port` of a proxy URL (`http://host:port`, or `host:port`).
fn proxy_address(url: &str) -> Result<String> {
    let bad = |message: &str| Error::Proxy {
        proxy: crate::client::redact_str(url),
        message: message.to_owned(),
    };
    let with_scheme = if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    };
    let u = url::Url::parse(&with_scheme).map_err(|_| bad("not a URL"))?;
    if u.scheme() != "http" {
        return Err(bad("only http:// proxies (HTTP CONNECT) are supported"));
    }
    let host = u.host_str().ok_or_else(|| bad("no host"))?;
    Ok(format!("{host}:{}", u.port().unwrap_or(80)))
}

impl Dialer {
    /// Through `proxy`: the SSRF guard checks the target first (a literal
    /// address, or what the name resolves to here; a name that does not
    /// resolve here is left to the proxy), then a CONNECT tunnel is opened.
    async fn tunnel(&self, proxy: &str, host: &str, port: u16) -> Result<TokioIo<TcpStream>> {
        if let Ok(Ok(addrs)) =
            tokio::time::timeout(self.connect_timeout, tokio::net::lookup_host((host, port))).await
        {
            for addr in addrs {
                if let Some(kind) = refusal(addr.ip(), self.allow_private, &self.allowed) {
                    return Err(Error::Refused {
                        host: host.to_owned(),
                        addr: addr.ip(),
                        kind,
                    });
                }
            }
        }
        let failed = |message: String| Error::Proxy {
            proxy: proxy.to_owned(),
            message,
        };
        let mut stream = tokio::time::timeout(self.connect_timeout, TcpStream::connect(proxy))
            .await
            .map_err(|_| failed("connect timed out".to_owned()))?
            .map_err(|e| failed(format!("connect failed: {e}")))?;
        let _ = stream.set_nodelay(true);
        let target = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let ask = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n");
        let answer = tokio::time::timeout(self.connect_timeout, async {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            stream.write_all(ask.as_bytes()).await?;
            // The answer's head, byte by byte so nothing of the tunnel is
            // read past it; at most 8 KiB.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                if stream.read(&mut byte).await? == 0 {
                    break;
                }
                head.push(byte[0]);
            }
            std::io::Result::Ok(head)
        })
        .await
        .map_err(|_| failed("no answer to CONNECT in time".to_owned()))?
        .map_err(|e| failed(format!("CONNECT failed: {e}")))?;
        let status_line = String::from_utf8_lossy(&answer);
        let status_line = status_line.lines().next().unwrap_or_default();
        let ok = status_line
            .split_whitespace()
            .nth(1)
            .is_some_and(|code| code == "200");
        if !ok {
            return Err(failed(format!("CONNECT {target} answered {status_line:?}")));
        }
        self.counters.opened_to(host);
        Ok(TokioIo::new(stream))
    }

    async fn dial(&self, uri: Uri) -> Result<TokioIo<TcpStream>> {
        let host = uri
            .host()
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_owned();
        if self.connect_to.is_none() {
            if let Some(proxy) = self.proxies.for_uri(&uri, &host) {
                let port = uri
                    .port_u16()
                    .unwrap_or(if uri.scheme_str() == Some("https") {
                        443
                    } else {
                        80
                    });
                return self.tunnel(proxy, &host, port).await;
            }
        }
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
                proxies: Proxies::from_config(config)?,
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
