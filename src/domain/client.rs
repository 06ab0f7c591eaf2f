//! Who sent a request, as recorded with consents, sessions and submissions. Each door fills it from
//! its own transport (the HTTP doors through `http::extract`).

use ipnet::IpNet;
use std::net::IpAddr;

#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

/// The network a client is counted as, for rate limits and per-client caps: an IPv4 address alone
/// (/32), an IPv6 client by its /64 (one subscriber's LAN: a host picks any address in it at will).
pub fn client_network(ip: IpAddr) -> IpNet {
    match canonical(ip) {
        IpAddr::V4(v4) => IpNet::V4(ipnet::Ipv4Net::new(v4, 32).unwrap_or_else(|_| unreachable!())),
        IpAddr::V6(v6) => IpNet::V6(
            ipnet::Ipv6Net::new(v6, 64)
                .unwrap_or_else(|_| unreachable!())
                .trunc(),
        ),
    }
}

/// IPv4 addresses arriving on an IPv6 socket as `::ffff:a.b.c.d` are the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}
