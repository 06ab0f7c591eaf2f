//! Per-client-IP limit on public POSTs (`PUBLIC_RATE_LIMIT`), a GCRA bucket per IP from `governor`.
//! Chosen over a hand-written counter: it is well kept, lock-free, and its "not until" answer gives an
//! exact `Retry-After`.

use crate::config::RateLimit;
use crate::http::client_addr::client_ip;
use crate::http::error::ApiError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct PublicRateLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
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

    /// `Ok` when `ip` may make another request now, else how many whole seconds to wait.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        self.limiter.check_key(&ip).map_err(|not_until| {
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

/// Public POSTs: `PUBLIC_RATE_LIMIT` per client IP.
pub async fn limit_public(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match refusal(&state.public_limiter, &request) {
        Some(refused) => refused,
        None => next.run(request).await,
    }
}

/// Public searches and reads: `PUBLIC_READ_RATE_LIMIT` per client IP.
pub async fn limit_public_reads(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match refusal(&state.public_read_limiter, &request) {
        Some(refused) => refused,
        None => next.run(request).await,
    }
}

fn refusal(limiter: &PublicRateLimiter, request: &Request) -> Option<Response> {
    let ip = client_ip(request.extensions())?;
    let retry_after_secs = limiter.check(ip).err()?;
    tracing::info!(%ip, path = request.uri().path(), "public rate limit reached");
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
}
