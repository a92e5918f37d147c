//! The SSRF guard: which IP addresses the crawler may connect to.
//!
//! It runs inside the connector, on the address actually connected to, so a
//! host name that resolves to a private address is caught as surely as a
//! literal one, and every redirect hop passes through it again.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The forbidden range `ip` is in, if any.
pub fn forbidden_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    Some(match () {
        _ if a == 0 => "this-network (0.0.0.0/8)",
        _ if a == 127 => "loopback",
        _ if a == 10 || (a == 172 && (16..32).contains(&b)) || (a == 192 && b == 168) => "private",
        _ if a == 169 && b == 254 => "link-local or cloud metadata",
        _ if a == 100 && (64..128).contains(&b) => "carrier-grade NAT",
        _ if ip.is_broadcast() => "broadcast",
        _ if ip.is_multicast() => "multicast",
        _ if a >= 240 => "reserved",
        _ => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    Some(match () {
        _ if ip.is_loopback() => "loopback",
        _ if ip.is_unspecified() => "unspecified",
        _ if ip.to_ipv4_mapped().is_some() => "IPv4-mapped",
        _ if (first & 0xfe00) == 0xfc00 => "unique local (private)",
        _ if (first & 0xffc0) == 0xfe80 => "link-local",
        _ if ip.is_multicast() => "multicast",
        _ => return None,
    })
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
            "2001:db8::1",
        ] {
            check(a, false);
        }
    }
}
