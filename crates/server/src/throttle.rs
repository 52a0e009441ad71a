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

/// The unit an address is counted as: an IPv4 address, or the /64 network of an IPv6 one
/// (a single host is usually given a whole /64, and could otherwise rotate through it).
pub fn client_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
    }
}

/// Keeps a per-address table bounded: entries idle past `idle` go first; if the table is
/// still full (a flood from that many addresses), it starts afresh rather than grow or scan on
/// every request.
fn bound<V>(map: &mut HashMap<IpAddr, V>, keep: impl FnMut(&IpAddr, &mut V) -> bool) {
    if map.len() >= MAX_ENTRIES {
        map.retain(keep);
        if map.len() >= MAX_ENTRIES / 2 {
            map.clear();
        }
    }
}

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
        match map.get(&client_key(addr)) {
            Some(e) if e.blocked_until > now => Err(e.blocked_until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failure; returns the delay now imposed on the address (zero while free).
    pub fn failed(&self, addr: IpAddr, now: Instant) -> Duration {
        let mut map = self.by_address.lock().expect("throttle lock");
        bound(&mut map, |_, e| now.duration_since(e.last) < WINDOW);
        let e = map.entry(client_key(addr)).or_insert(Entry {
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
        self.by_address
            .lock()
            .expect("throttle lock")
            .remove(&client_key(addr));
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

/// Requests without credentials per client address (issue 9 finding 7): a token bucket of
/// `burst` requests refilled at `per_second`. Anonymous requests are the ones anybody can make
/// in any number — sign-in attempts, refused calls that write an access-log entry, the public
/// pages — so each address gets a fair share and no more. Signed-in callers are limited by
/// their account, not here.
pub struct AnonymousLimit {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl AnonymousLimit {
    pub fn new(per_second: u32, burst: u32) -> AnonymousLimit {
        AnonymousLimit {
            per_second: f64::from(per_second.max(1)),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::default(),
        }
    }

    /// Takes one request from the address's bucket; `Err(wait)` when it is empty.
    pub fn take(&self, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut map = self.buckets.lock().expect("limit lock");
        let full = self.burst / self.per_second;
        bound(&mut map, |_, (_, at)| {
            now.duration_since(*at).as_secs_f64() < full
        });
        let (tokens, at) = map.entry(client_key(addr)).or_insert((self.burst, now));
        let refill = now.saturating_duration_since(*at).as_secs_f64() * self.per_second;
        *tokens = (*tokens + refill).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_second))
        }
    }
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

    #[test]
    fn anonymous_requests_get_a_burst_then_the_refill_rate() {
        let l = AnonymousLimit::new(2, 5);
        let ip: IpAddr = "192.0.2.9".parse().unwrap();
        let other: IpAddr = "192.0.2.10".parse().unwrap();
        let now = Instant::now();
        for _ in 0..5 {
            assert!(l.take(ip, now).is_ok());
        }
        let wait = l.take(ip, now).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(
            l.take(other, now).is_ok(),
            "another address has its own bucket"
        );
        // The addresses of one IPv6 /64 share a bucket; another /64 has its own.
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        for _ in 0..5 {
            assert!(l.take(a, now).is_ok());
        }
        assert!(l.take(b, now).is_err(), "same /64");
        assert!(l.take(c, now).is_ok(), "another /64");
        // Half a second refills one request, not more.
        let later = now + Duration::from_millis(500);
        assert!(l.take(ip, later).is_ok());
        assert!(l.take(ip, later).is_err());
        // A long pause refills to the burst, never beyond.
        let much_later = later + Duration::from_secs(3600);
        for _ in 0..5 {
            assert!(l.take(ip, much_later).is_ok());
        }
        assert!(l.take(ip, much_later).is_err());
    }

    proptest! {
        #[test]
        fn delays_never_shrink_and_stay_bounded(n in 0u32..10_000) {
            prop_assert!(delay_after(n) <= delay_after(n + 1));
            prop_assert!(delay_after(n) <= MAX_DELAY);
        }
    }
}
