//! A circuit breaker for the read replica: after a failure, reads skip the replica for a while
//! instead of each waiting for a dead server, then one read at a time probes it again.
//!
//! Hand-written rather than a crate's: the states fit in one mutex, and the crates' breakers count
//! failure rates over windows, which a replica that either answers or refuses does not need.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long reads skip the replica after it failed, before one read tries it again.
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy)]
enum State {
    Closed,
    /// Failed; skipped until then.
    Open {
        until: Instant,
    },
    /// One read is trying it; the others keep skipping it. A probe that never reports (its
    /// request was dropped) counts as failed once `RETRY_AFTER` has passed.
    Probing {
        since: Instant,
    },
}

#[derive(Debug)]
pub struct Breaker {
    state: Mutex<State>,
}

/// Whether a read may use the replica, and if so whether it is the probe after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    Use,
    Probe,
    Skip,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker {
            state: Mutex::new(State::Closed),
        }
    }
}

impl Breaker {
    pub fn permit(&self) -> Permit {
        self.permit_at(Instant::now())
    }

    fn permit_at(&self, now: Instant) -> Permit {
        let mut state = self.lock();
        match *state {
            State::Closed => Permit::Use,
            State::Open { until } if now < until => Permit::Skip,
            State::Probing { since } if now < since + RETRY_AFTER => Permit::Skip,
            State::Open { .. } | State::Probing { .. } => {
                *state = State::Probing { since: now };
                Permit::Probe
            }
        }
    }

    /// The replica answered.
    pub fn succeeded(&self) {
        *self.lock() = State::Closed;
    }

    /// The replica failed: skip it for [`RETRY_AFTER`].
    pub fn failed(&self) {
        self.failed_at(Instant::now());
    }

    fn failed_at(&self, now: Instant) {
        *self.lock() = State::Open {
            until: now + RETRY_AFTER,
        };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a plain value, valid whatever a panicking holder was doing.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_skips_the_replica_then_lets_one_probe_through() {
        let breaker = Breaker::default();
        let start = Instant::now();
        assert_eq!(breaker.permit_at(start), Permit::Use);
        breaker.failed_at(start);
        assert_eq!(breaker.permit_at(start + RETRY_AFTER / 2), Permit::Skip);
        let later = start + RETRY_AFTER;
        assert_eq!(breaker.permit_at(later), Permit::Probe);
        assert_eq!(
            breaker.permit_at(later),
            Permit::Skip,
            "one probe at a time"
        );
        breaker.succeeded();
        assert_eq!(breaker.permit_at(later), Permit::Use);
    }

    #[test]
    fn a_failed_probe_opens_again_and_a_lost_probe_is_replaced() {
        let breaker = Breaker::default();
        let start = Instant::now();
        breaker.failed_at(start);
        assert_eq!(breaker.permit_at(start + RETRY_AFTER), Permit::Probe);
        breaker.failed_at(start + RETRY_AFTER);
        assert_eq!(breaker.permit_at(start + RETRY_AFTER * 3 / 2), Permit::Skip);
        let probe = start + RETRY_AFTER * 2;
        assert_eq!(breaker.permit_at(probe), Permit::Probe);
        // That probe never reports back.
        assert_eq!(breaker.permit_at(probe + RETRY_AFTER), Permit::Probe);
    }
}
