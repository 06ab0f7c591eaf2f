//! Who the client is, behind the load balancers named in `TRUSTED_PROXIES`.
//!
//! Replicas behind a load balancer see every connection come from the balancer: per-IP rate limits
//! would then put every visitor in one bucket, and consent evidence would record the balancer's
//! address. When the socket peer is a trusted proxy, the client is the right-most address of
//! `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the address it saw, so
//! everything left of the first untrusted hop may have been written by the client and is ignored).
//! Without `TRUSTED_PROXIES` the header is never read: anyone could otherwise pick their own bucket.

use crate::config::TrustedProxies;
use crate::domain::client::canonical;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Extensions, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The client's address as resolved for this request (in the request's extensions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client's IP as [`resolve_client_addr`] (the router's outermost layer) recorded it; `None` only
/// for a request that did not arrive over a socket.
pub fn client_ip(extensions: &Extensions) -> Option<IpAddr> {
    extensions.get::<ClientAddr>().map(|client| client.0)
}

/// Resolves the client address once, for the rate limits, sessions and consent records after it.
/// Its state is `TRUSTED_PROXIES` alone.
pub async fn resolve_client_addr(
    State(trusted): State<Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        let client = client_behind(peer, request.headers(), trusted.nets());
        request.extensions_mut().insert(ClientAddr(client));
    }
    next.run(request).await
}

/// The client address for a connection from `peer` carrying `headers`.
pub fn client_behind(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return peer;
    }
    // Several headers count as one list, in order.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = canonical(peer);
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            // Garbage in the chain: trust nothing left of it.
            break;
        };
        client = canonical(ip);
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::client::client_network;
    use axum::http::HeaderValue;

    fn parse_trusted_proxies(list: &str) -> Vec<IpNet> {
        TrustedProxies::parse(list).unwrap().nets().to_vec()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let trusted = parse_trusted_proxies("10.0.0.0/8");
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            client_behind(ip("198.51.100.1"), &headers, &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_behind(ip("198.51.100.1"), &headers, &[]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = parse_trusted_proxies("10.0.0.0/8, 192.0.2.7");
        // The client wrote the first entry itself; the balancer appended what it saw.
        let headers = forwarded(&["1.2.3.4, 203.0.113.9", "192.0.2.7"]);
        assert_eq!(
            client_behind(ip("10.1.2.3"), &headers, &trusted),
            ip("203.0.113.9")
        );
        let direct = forwarded(&["203.0.113.9"]);
        assert_eq!(
            client_behind(ip("10.1.2.3"), &direct, &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn garbage_or_no_header_leaves_the_nearest_address_known() {
        let trusted = parse_trusted_proxies("10.0.0.1");
        assert_eq!(
            client_behind(ip("10.0.0.1"), &HeaderMap::new(), &trusted),
            ip("10.0.0.1")
        );
        let garbage = forwarded(&["203.0.113.9, not-an-ip"]);
        assert_eq!(
            client_behind(ip("10.0.0.1"), &garbage, &trusted),
            ip("10.0.0.1")
        );
        let mapped = forwarded(&["::ffff:203.0.113.9"]);
        assert_eq!(
            client_behind(ip("::ffff:10.0.0.1"), &mapped, &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        assert_eq!(
            client_network(ip("2001:db8:1:2:aaaa::1")).to_string(),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            client_network(ip("2001:db8:1:2:ffff::9")),
            client_network(ip("2001:db8:1:2::1"))
        );
        assert_ne!(
            client_network(ip("2001:db8:1:3::1")),
            client_network(ip("2001:db8:1:2::1"))
        );
        assert_eq!(
            client_network(ip("203.0.113.9")).to_string(),
            "203.0.113.9/32"
        );
        assert_eq!(
            client_network(ip("::ffff:203.0.113.9")).to_string(),
            "203.0.113.9/32"
        );
    }
}
