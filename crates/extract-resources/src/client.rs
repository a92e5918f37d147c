//! The pooled HTTP client and its `Fetch` implementation: redirects by hand,
//! a total timeout, and a body cap enforced while streaming.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use extract_core::{Error as CoreError, Fetch, FetchRequest, Page, Upstream};
use http::header::{
    ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, RETRY_AFTER,
    USER_AGENT,
};
use http::{HeaderName, HeaderValue, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::connector::{ConnCounters, Connector};
use crate::decode::Decoder;
use crate::{Config, Error};

/// Counters of the client's work, for connection-reuse figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClientStats {
    /// HTTP requests sent (each redirect hop counts).
    pub requests: u64,
    /// TCP connections opened.
    pub connections_opened: u64,
    /// Distinct hosts connected to (their first connection cannot be a reuse).
    pub hosts: u64,
}

impl std::ops::Add for ClientStats {
    type Output = ClientStats;

    /// Two clients' counters together.
    fn add(self, o: ClientStats) -> ClientStats {
        ClientStats {
            requests: self.requests + o.requests,
            connections_opened: self.connections_opened + o.connections_opened,
            hosts: self.hosts + o.hosts,
        }
    }
}

impl ClientStats {
    /// Share of requests sent over an already open connection.
    pub fn reuse_ratio(&self) -> Option<f64> {
        (self.requests > 0)
            .then(|| 1.0 - self.connections_opened.min(self.requests) as f64 / self.requests as f64)
    }

    /// The same, counting only requests to hosts contacted before: whether
    /// the pool keeps and reuses what it opened.
    pub fn repeat_reuse_ratio(&self) -> Option<f64> {
        let repeats = self.requests.saturating_sub(self.hosts);
        (repeats > 0).then(|| {
            1.0 - self
                .connections_opened
                .saturating_sub(self.hosts)
                .min(repeats) as f64
                / repeats as f64
        })
    }
}

/// The HTTP client: pooled HTTP/1.1 and HTTP/2 (over TLS where the server
/// offers it), timeouts, body cap, redirects, SSRF guard.
#[derive(Clone)]
pub struct HttpClient {
    client: Client<Connector, Full<Bytes>>,
    config: Arc<Config>,
    user_agent: HeaderValue,
    requests: Arc<AtomicU64>,
    counters: Arc<ConnCounters>,
}

impl HttpClient {
    /// Builds a client. Fails on a `connect_to` that is not an address.
    pub fn new(config: Config) -> crate::Result<Self> {
        let counters = Arc::new(ConnCounters::default());
        let connector = Connector::new(&config, counters.clone())?;
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(config.pool_idle_timeout_s))
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .build(connector);
        let user_agent = HeaderValue::from_str(&config.user_agent)
            .unwrap_or_else(|_| HeaderValue::from_static("company-extract"));
        Ok(HttpClient {
            client,
            config: Arc::new(config),
            user_agent,
            requests: Arc::new(AtomicU64::new(0)),
            counters,
        })
    }

    /// Sends one POST (a webhook, say) through the same guard, pool and
    /// timeout as every fetch, and returns the status. Redirects are not
    /// followed: a 3xx is returned as it is.
    pub async fn post(
        &self,
        url: &str,
        body: Bytes,
        headers: &[(String, String)],
    ) -> Result<u16, CoreError> {
        let parsed = parse_url(url)?;
        let mut builder =
            Request::post(parsed.as_str()).header(USER_AGENT, self.user_agent.clone());
        for (name, value) in headers {
            let (Ok(n), Ok(v)) = (
                HeaderName::try_from(name.as_str()),
                HeaderValue::try_from(value.as_str()),
            ) else {
                return Err(refused(&parsed, &format!("invalid header {name:?}")));
            };
            builder = builder.header(n, v);
        }
        let req = builder
            .body(Full::new(body))
            .map_err(|e| refused(&parsed, &e.to_string()))?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let send = async {
            let response = self
                .client
                .request(req)
                .await
                .map_err(|e| transport_error(&parsed, &e))?;
            let status = response.status().as_u16();
            // Drain a little of the answer so the connection can be reused.
            let _ = http_body_util::Limited::new(response.into_body(), 64 * 1024)
                .collect()
                .await;
            Ok(status)
        };
        let total = Duration::from_millis(self.config.timeout_ms);
        match tokio::time::timeout(total, send).await {
            Ok(result) => result,
            Err(_) => Err(CoreError::Timeout {
                upstream: Upstream::Site,
                url: redact(&parsed),
            }),
        }
    }

    /// Whether `url` may be called later (a webhook given now): an http(s)
    /// URL whose host resolves, none of whose addresses is in a refused
    /// range — the rule the connector applies when it dials, checked early
    /// so that a caller hears of it at once. The dial checks again.
    pub async fn check_destination(&self, url: &str) -> Result<(), CoreError> {
        let parsed = parse_url(url)?;
        if self.config.allow_private {
            return Ok(());
        }
        let host = parsed
            .host_str()
            .unwrap_or_default()
            .trim_matches(['[', ']']);
        let addrs: Vec<std::net::SocketAddr> = if !self.config.connect_to.is_empty() {
            // Every connection goes there: that is the address to judge.
            self.config.connect_to.parse().into_iter().collect()
        } else {
            let port = parsed.port_or_known_default().unwrap_or(443);
            let lookup = tokio::time::timeout(
                Duration::from_millis(self.config.connect_timeout_ms),
                tokio::net::lookup_host((host, port)),
            )
            .await;
            match lookup {
                Ok(Ok(addrs)) => addrs.collect(),
                Ok(Err(e)) => {
                    return Err(refused(&parsed, &format!("{host} does not resolve: {e}")))
                }
                Err(_) => return Err(refused(&parsed, &format!("{host} did not resolve in time"))),
            }
        };
        let allowed = &self.config.allowed_cidrs;
        for ip in addrs.iter().map(std::net::SocketAddr::ip) {
            if let Some(kind) = crate::guard::refusal(ip, false, allowed) {
                return Err(refused(
                    &parsed,
                    &format!("{host} is {ip}, a {kind} address"),
                ));
            }
        }
        Ok(())
    }

    /// What the client has done so far.
    pub fn stats(&self) -> ClientStats {
        ClientStats {
            requests: self.requests.load(Ordering::Relaxed),
            connections_opened: self.counters.opened.load(Ordering::Relaxed),
            hosts: self.counters.distinct_hosts.load(Ordering::Relaxed),
        }
    }

    async fn fetch_inner(&self, request: &FetchRequest) -> Result<Page, CoreError> {
        let mut url = parse_url(&request.url)?;
        let mut hops = 0;
        // The caller's headers (keys, tokens) go to the first origin only.
        let mut send_headers = true;
        loop {
            let mut builder = Request::get(url.as_str())
                .header(USER_AGENT, self.user_agent.clone())
                .header(
                    ACCEPT,
                    "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8",
                )
                .header(ACCEPT_ENCODING, "gzip, deflate, br");
            for (name, value) in request.headers.iter().filter(|_| send_headers) {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::try_from(name.as_str()),
                    HeaderValue::try_from(value.as_str()),
                ) {
                    builder = builder.header(n, v);
                }
            }
            let req = builder
                .body(Full::new(Bytes::new()))
                .map_err(|e| refused(&url, &e.to_string()))?;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let response = self
                .client
                .request(req)
                .await
                .map_err(|e| transport_error(&url, &e))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                if let Some(location) = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                {
                    hops += 1;
                    if hops > self.config.max_redirects {
                        return Err(refused(
                            &url,
                            &format!("more than {} redirects", self.config.max_redirects),
                        ));
                    }
                    let next = url
                        .join(location)
                        .map_err(|_| refused(&url, "redirect to an invalid URL"))?;
                    let next = check_scheme(next)?;
                    if !keeps_credentials(&url, &next) {
                        if request.credentials {
                            return Err(refused(
                                &url,
                                &format!(
                                    "redirect to {} refused: the request's credentials stay with their origin",
                                    redact(&next)
                                ),
                            ));
                        }
                        send_headers = false;
                    }
                    url = next;
                    continue;
                }
            }
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v: &HeaderValue| v.to_str().ok())
                    .map(str::to_owned)
            };
            let content_type = header(CONTENT_TYPE);
            let retry_after = header(RETRY_AFTER);
            let limit = self.config.max_body_bytes;
            let encoding = header(CONTENT_ENCODING);
            let declared = header(CONTENT_LENGTH).and_then(|l| l.parse::<u64>().ok());
            if !request.allow_truncation && declared.is_some_and(|l| l > limit) {
                return Err(CoreError::BodyTooLarge {
                    url: redact(&url),
                    limit,
                });
            }
            let (body, truncated) = read_capped(
                response.into_body(),
                encoding.as_deref(),
                limit,
                &url,
                request.allow_truncation,
            )
            .await?;
            return Ok(Page {
                url: url.to_string(),
                status: status.as_u16(),
                content_type,
                retry_after,
                body,
                truncated,
            });
        }
    }
}

#[async_trait]
impl Fetch for HttpClient {
    async fn fetch(&self, request: &FetchRequest) -> Result<Page, CoreError> {
        let total = Duration::from_millis(self.config.timeout_ms);
        match tokio::time::timeout(total, self.fetch_inner(request)).await {
            Ok(result) => result,
            Err(_) => Err(CoreError::Timeout {
                upstream: Upstream::Site,
                url: request.url.split('?').next().unwrap_or_default().to_owned(),
            }),
        }
    }
}

/// Reads and decodes the body frame by frame; past `limit` decoded bytes it
/// stops reading and either fails or, when `truncate`, returns what it has,
/// marked truncated. Memory never exceeds the limit plus one frame, whatever
/// the compression ratio.
async fn read_capped(
    mut body: hyper::body::Incoming,
    encoding: Option<&str>,
    limit: u64,
    url: &url::Url,
    truncate: bool,
) -> Result<(Bytes, bool), CoreError> {
    let limit_bytes = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut decoder =
        Decoder::new(encoding, limit_bytes).ok_or_else(|| CoreError::InvalidResponse {
            upstream: Upstream::Site,
            message: format!("{}: unsupported content encoding {encoding:?}", redact(url)),
        })?;
    let corrupt = |e: std::io::Error| CoreError::InvalidResponse {
        upstream: Upstream::Site,
        message: format!("{}: cannot decode the body: {e}", redact(url)),
    };
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| CoreError::Connect {
            upstream: Upstream::Site,
            url: redact(url),
            message: format!("body: {e}"),
        })?;
        if let Ok(data) = frame.into_data() {
            decoder.write(&data).map_err(corrupt)?;
            if decoder.overflowed() {
                if !truncate {
                    return Err(CoreError::BodyTooLarge {
                        url: redact(url),
                        limit,
                    });
                }
                // Dropping the body closes the connection instead of reading the rest.
                return Ok((Bytes::from(decoder.partial()), true));
            }
        }
    }
    Ok((Bytes::from(decoder.finish().map_err(corrupt)?), false))
}

fn parse_url(s: &str) -> Result<url::Url, CoreError> {
    let url = url::Url::parse(s).map_err(|e| CoreError::Refused {
        url: s.split('?').next().unwrap_or_default().to_owned(),
        reason: format!("not a valid URL: {e}"),
    })?;
    check_scheme(url)
}

fn check_scheme(url: url::Url) -> Result<url::Url, CoreError> {
    if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() {
        Ok(url)
    } else {
        Err(refused(
            &url,
            "only http and https URLs with a host are fetched",
        ))
    }
}

/// Whether a redirect from `from` to `to` may carry `from`'s credentials:
/// the same origin (scheme, host, port), or the same host upgraded from
/// http to https on its default port; never https to http.
fn keeps_credentials(from: &url::Url, to: &url::Url) -> bool {
    if from.origin() == to.origin() {
        return true;
    }
    from.scheme() == "http"
        && to.scheme() == "https"
        && from.host_str() == to.host_str()
        && from.port().is_none()
        && to.port().is_none()
}

fn refused(url: &url::Url, reason: &str) -> CoreError {
    CoreError::Refused {
        url: redact(url),
        reason: reason.to_owned(),
    }
}

/// The URL without its query string, which may carry an API key.
fn redact(url: &url::Url) -> String {
    extract_core::redact_url(url.as_str())
}

/// The same for a URL as a string (a proxy URL's userinfo stays out of errors).
pub(crate) fn redact_str(url: &str) -> String {
    extract_core::redact_url(url)
}

/// Maps a client error to the domain's kinds, finding the guard's refusal
/// and timeouts in the source chain.
fn transport_error(url: &url::Url, err: &hyper_util::client::legacy::Error) -> CoreError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(own) = e.downcast_ref::<Error>() {
            return match own {
                Error::Refused { .. } => refused(url, &own.to_string()),
                Error::ConnectTimeout { .. } => CoreError::Timeout {
                    upstream: Upstream::Site,
                    url: redact(url),
                },
                _ => CoreError::Connect {
                    upstream: Upstream::Site,
                    url: redact(url),
                    message: own.to_string(),
                },
            };
        }
        source = e.source();
    }
    CoreError::Connect {
        upstream: Upstream::Site,
        url: redact(url),
        message: crate::error::chain(err),
    }
}

#[cfg(test)]
mod tests;
