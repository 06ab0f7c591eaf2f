//! Per-client limits on public requests (`PUBLIC_RATE_LIMIT`, `PUBLIC_READ_RATE_LIMIT`), a GCRA
//! bucket per client network from `governor`: an IPv4 address, or an IPv6 /64 (a host picks any
//! address in its /64 at will, so keying by address would give it billions of buckets).
//! `governor` was chosen over a hand-written counter: it is well kept, lock-free, and its "not until"
//! answer gives an exact `Retry-After`.

use crate::config::RateLimit;
use crate::domain::client::client_network;
use crate::error::ApiError;
use crate::http::client_addr::client_ip;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use ipnet::IpNet;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

pub struct PublicRateLimiter {
    limiter: DefaultKeyedRateLimiter<IpNet>,
    clock: DefaultClock,
}

impl PublicRateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        let burst = NonZeroU32::new(limit.requests).unwrap_or(NonZeroU32::MIN);
        // The bucket refills one request every `per / requests`, and holds at most `requests`.
        let interval = (limit.per / burst.get()).max(Duration::from_nanos(1));
        let quota = Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        Self {
            limiter: governor::RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// `Ok` when `ip`'s network may make another request now, else how many whole seconds to wait.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        self.limiter
            .check_key(&client_network(ip))
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(self.clock.now());
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
            })
    }

    /// Forgets buckets that are full again, so memory stays bounded by recent clients.
    pub fn forget_idle_clients(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Refuses a client over its limiter's rate with 429 and `Retry-After`. The state is the limiter
/// of the routes it guards: `PUBLIC_RATE_LIMIT` for public writes, `PUBLIC_READ_RATE_LIMIT` for
/// searches and reads (each client network has a bucket in each).
pub async fn limit(
    State(limiter): State<Arc<PublicRateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    match refusal(&limiter, &request) {
        Some(refused) => refused,
        None => next.run(request).await,
    }
}

fn refusal(limiter: &PublicRateLimiter, request: &Request) -> Option<Response> {
    let ip = client_ip(request.extensions())?;
    let retry_after_secs = limiter.check(ip).err()?;
    // The route template, never the path: `/unsubscribe/{token}` carries a secret.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    tracing::info!(network = %client_network(ip), route, "public rate limit reached");
    Some(
        ApiError::RateLimited {
            retry_after_secs: retry_after_secs.max(1),
        }
        .into_response(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_refuses_with_a_wait() {
        let limiter = PublicRateLimiter::new(RateLimit {
            requests: 3,
            per: Duration::from_secs(60),
        });
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(ip).is_ok());
        }
        let wait = limiter.check(ip).unwrap_err();
        assert!(
            (1..=20).contains(&wait),
            "one request refills every 20 s, got {wait}"
        );
        assert!(
            limiter.check("203.0.113.8".parse().unwrap()).is_ok(),
            "other clients have their own bucket"
        );
    }

    #[test]
    fn an_ipv6_64_is_one_client() {
        let limiter = PublicRateLimiter::new(RateLimit {
            requests: 1,
            per: Duration::from_secs(60),
        });
        assert!(limiter.check("2001:db8:1:2::1".parse().unwrap()).is_ok());
        assert!(
            limiter
                .check("2001:db8:1:2:9999::5".parse().unwrap())
                .is_err()
        );
        assert!(limiter.check("2001:db8:1:3::1".parse().unwrap()).is_ok());
    }
}
