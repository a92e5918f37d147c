//! The SSRF guard: which IP addresses the crawler may connect to.
//!
//! It runs inside the connector, on the address actually connected to, so a
//! host name that resolves to a private address is caught as surely as a
//! literal one, and every redirect hop passes through it again.

use std::net::IpAddr;

use ipnet::IpNet;

/// Every range the crawler refuses by default, with what it is. A table,
/// so that adding a range is one line and its test one more.
const RANGES: &[(&str, &str)] = &[
    ("0.0.0.0/8", "this-network (0.0.0.0/8)"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "carrier-grade NAT"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local or cloud metadata"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "broadcast"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::/96", "IPv4-compatible"),
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("64:ff9b::/96", "NAT64"),
    ("64:ff9b:1::/48", "local-use NAT64"),
    ("100::/64", "discard-only"),
    ("2001::/32", "Teredo"),
    ("2001:db8::/32", "documentation"),
    ("2002::/16", "6to4"),
    ("3fff::/20", "documentation"),
    ("fc00::/7", "unique local (private)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
];

static NETS: std::sync::LazyLock<Vec<(IpNet, &'static str)>> = std::sync::LazyLock::new(|| {
    RANGES
        .iter()
        .map(|(net, what)| (net.parse().expect("the range table parses"), *what))
        .collect()
});

/// Why a connection to `ip` is refused under the configuration, if it is:
/// its forbidden range, unless private addresses are allowed or `ip` is in
/// one of the `allowed` networks. The one rule the connector applies when it
/// dials and `HttpClient::check_destination` applies ahead of time.
pub(crate) fn refusal(ip: IpAddr, allow_private: bool, allowed: &[IpNet]) -> Option<&'static str> {
    if allow_private || allowed.iter().any(|net| net.contains(&ip)) {
        return None;
    }
    forbidden_range(ip)
}

/// The forbidden range `ip` is in, if any.
pub fn forbidden_range(ip: IpAddr) -> Option<&'static str> {
    NETS.iter()
        .find(|(net, _)| net.contains(&ip))
        .map(|(_, what)| *what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(addr: &str, forbidden: bool) {
        let ip: IpAddr = addr.parse().unwrap();
        assert_eq!(forbidden_range(ip).is_some(), forbidden, "{addr}");
    }

    #[test]
    fn every_range() {
        for a in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "192.168.255.255",
            "169.254.169.254",
            "169.254.0.1",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "239.255.255.255",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            // NAT64, 6to4 and Teredo embed an IPv4 address; IPv4-compatible too.
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::127.0.0.1",
            "::10.0.0.1",
            "198.18.0.1",
            "198.19.255.255",
            "192.0.0.1",
            "192.0.0.170",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "192.88.99.1",
            "fec0::1",
            "feff::1",
            "2001:db8::1",
            "3fff::1",
            "100::1",
        ] {
            check(a, true);
        }
        for a in [
            "8.8.8.8",
            "1.1.1.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.167.1.1",
            "169.253.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "93.184.216.34",
            "2606:4700::1111",
            "198.17.255.255",
            "198.20.0.1",
            "192.0.1.1",
            "192.0.3.1",
            "203.0.112.1",
            "2001:4860:4860::8888",
            "2003::1",
            "64:ff9c::1",
        ] {
            check(a, false);
        }
    }
}
