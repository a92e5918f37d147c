//! Errors of the connection layer, before they become `extract_core::Error`s.

/// Why a connection was not made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address is not allowed by the SSRF guard.
    #[error("{host} resolves to {addr}, a {kind} address, which is not allowed")]
    Refused {
        /// The host name asked for.
        host: String,
        /// The address it resolved to.
        addr: std::net::IpAddr,
        /// Which forbidden range it is in.
        kind: &'static str,
    },
    /// The host name did not resolve.
    #[error("cannot resolve {host}: {source}")]
    Resolve {
        /// The host name.
        host: String,
        /// What the resolver said.
        #[source]
        source: std::io::Error,
    },
    /// The TCP connection was not open in time.
    #[error("connecting to {host} timed out")]
    ConnectTimeout {
        /// The host name.
        host: String,
    },
    /// The TCP connection failed.
    #[error("connecting to {host} failed: {source}")]
    Connect {
        /// The host name.
        host: String,
        /// What the socket said.
        #[source]
        source: std::io::Error,
    },
    /// The `connect_to` setting is not a socket address.
    #[error("http.connect_to {0:?} is not an address of the form host:port")]
    BadConnectTo(String),
    /// The outbound proxy refused or failed the tunnel, or its setting is
    /// not an `http://host:port` URL.
    #[error("proxy {proxy}: {message}")]
    Proxy {
        /// The proxy's address.
        proxy: String,
        /// What went wrong.
        message: String,
    },
    /// The TLS configuration could not be built.
    #[error("TLS setup failed: {0}")]
    Tls(#[source] rustls::Error),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error and its sources, one after another (`a: b: c`), for a message
/// that keeps the root cause a transport error hides.
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut s = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        s.push_str(": ");
        s.push_str(&e.to_string());
        source = e.source();
    }
    s
}
