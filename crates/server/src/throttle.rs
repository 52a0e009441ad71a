//! Sign-in throttling by client address (issue 9 finding 4): failed sign-ins are counted per
//! address as well as per account, and past a few free failures each further attempt from
//! that address must wait a delay that doubles with every failure. The account lockout stops
//! guessing one account's password; this stops one client from guessing many — and from
//! locking every account (the lockout used as a weapon) faster than one per delay.
//!
//! In memory, per server process: a restart forgets the counts, which costs an attacker
//! nothing it could not get by changing address, and keeps secrets-adjacent state out of the
//! database. Bounded: old entries are swept when the table grows.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures an address may make before delays start.
pub const FREE_FAILURES: u32 = 10;
/// A quiet address is forgotten after this long.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The longest delay.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
    blocked_until: Instant,
}

#[derive(Default)]
pub struct LoginThrottle {
    by_address: Mutex<HashMap<IpAddr, Entry>>,
}

impl LoginThrottle {
    /// `Err(wait)` if this address must wait before its next attempt.
    pub fn check(&self, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let map = self.by_address.lock().expect("throttle lock");
        match map.get(&addr) {
            Some(e) if e.blocked_until > now => Err(e.blocked_until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failure; returns the delay now imposed on the address (zero while free).
    pub fn failed(&self, addr: IpAddr, now: Instant) -> Duration {
        let mut map = self.by_address.lock().expect("throttle lock");
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, e| now.duration_since(e.last) < WINDOW);
        }
        let e = map.entry(addr).or_insert(Entry {
            failures: 0,
            last: now,
            blocked_until: now,
        });
        if now.duration_since(e.last) >= WINDOW {
            e.failures = 0;
        }
        e.failures += 1;
        e.last = now;
        let delay = delay_after(e.failures);
        e.blocked_until = now + delay;
        delay
    }

    /// A successful sign-in clears the address's count.
    pub fn succeeded(&self, addr: IpAddr) {
        self.by_address.lock().expect("throttle lock").remove(&addr);
    }
}

/// The delay after `failures` failures: none for the first [`FREE_FAILURES`], then 1 s,
/// doubling, up to [`MAX_DELAY`].
pub fn delay_after(failures: u32) -> Duration {
    if failures <= FREE_FAILURES {
        return Duration::ZERO;
    }
    let exp = (failures - FREE_FAILURES - 1).min(20);
    Duration::from_secs(1u64 << exp).min(MAX_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn delays_start_after_the_free_failures_and_double() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            assert_eq!(t.failed(ip, now), Duration::ZERO);
            assert!(t.check(ip, now).is_ok());
        }
        assert_eq!(t.failed(ip, now), Duration::from_secs(1));
        assert_eq!(t.check(ip, now), Err(Duration::from_secs(1)));
        assert!(
            t.check(other, now).is_ok(),
            "another address is not affected"
        );
        assert_eq!(t.failed(ip, now), Duration::from_secs(2));
        assert!(
            t.check(ip, now + Duration::from_secs(2)).is_ok(),
            "the delay passes"
        );
        // Quiet for a window: forgotten.
        let later = now + WINDOW + Duration::from_secs(1);
        assert_eq!(t.failed(ip, later), Duration::ZERO);
        t.succeeded(ip);
        assert!(t.check(ip, later).is_ok());
    }

    proptest! {
        #[test]
        fn delays_never_shrink_and_stay_bounded(n in 0u32..10_000) {
            prop_assert!(delay_after(n) <= delay_after(n + 1));
            prop_assert!(delay_after(n) <= MAX_DELAY);
        }
    }
}
