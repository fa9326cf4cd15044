//! Login throttling. An attempt is counted as a failure *before* its password
//! is checked ([`LoginThrottle::reserve`]), so concurrent attempts cannot all
//! slip past the limit; a success gives its count back
//! ([`LoginThrottle::succeeded`]), and so does an attempt that was never
//! checked ([`LoginThrottle::release`]).
//!
//! Two limits, each `failures within WINDOW`:
//! - `MAX_FAILURES` for one user name from one address;
//! - `MAX_FAILURES_PER_ADDRESS` from one address, whatever the names.
//!
//! An address is an IPv4 address or an IPv6 /64 (one subscriber's prefix).
//!
//! There is deliberately no limit per user name alone: with one, anybody
//! could lock the admin out by failing five times with his name. Guessing
//! from many addresses is left to the password rules (12+ characters, not a
//! well-known one) and to argon2's cost; each address still gets 5 tries a
//! minute per name, 10 in all.
//!
//! The counts live in this process's memory: a restart forgets them, and
//! replicas count separately.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins for one user name from one address within `WINDOW`.
pub const MAX_FAILURES: usize = 5;
/// Failed logins from one address within `WINDOW`, over all user names.
pub const MAX_FAILURES_PER_ADDRESS: usize = 10;
pub const WINDOW: Duration = Duration::from_secs(60);
/// Keys kept before expired ones are swept; bounds memory under a flood of
/// made-up user names.
const SWEEP_ABOVE: usize = 10_000;
/// Above this many live keys, new keys are not remembered; the address key
/// of a flooding client is old and so still counted.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// What one attempt counts against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginKeys {
    address: String,
    user_at_address: String,
}

impl LoginKeys {
    pub fn new(ip: Option<IpAddr>, username: &str) -> Self {
        let address = match ip.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
            None => "unknown".to_owned(),
        };
        let name: String = username.trim().to_lowercase().chars().take(64).collect();
        Self {
            user_at_address: format!("user:{name}@{address}"),
            address: format!("ip:{address}"),
        }
    }

    fn limits(&self) -> [(&str, usize); 2] {
        [
            (&self.user_at_address, MAX_FAILURES),
            (&self.address, MAX_FAILURES_PER_ADDRESS),
        ]
    }
}

/// An attempt counted in advance, to give back when it succeeds or is not
/// checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    keys: LoginKeys,
    at: Instant,
}

impl LoginThrottle {
    /// Counts an attempt as a failure, unless a limit is reached:
    /// `Err(seconds to wait)` then, and nothing is counted.
    pub fn reserve(&self, keys: &LoginKeys, now: Instant) -> Result<Reservation, u64> {
        let mut failures = self.lock();
        let mut wait = Duration::ZERO;
        for (key, limit) in keys.limits() {
            if let Some(times) = failures.get_mut(key) {
                prune(times, now);
                if times.len() >= limit
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max(WINDOW.saturating_sub(now.duration_since(*oldest)));
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait.as_secs().max(1));
        }
        if failures.len() > SWEEP_ABOVE {
            failures.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for (key, _) in keys.limits() {
            if !failures.contains_key(key) && failures.len() >= MAX_KEYS {
                continue;
            }
            failures.entry(key.to_owned()).or_default().push_back(now);
        }
        Ok(Reservation {
            keys: keys.clone(),
            at: now,
        })
    }

    /// Gives back an attempt whose password was never checked.
    pub fn release(&self, reservation: &Reservation) {
        let mut failures = self.lock();
        for (key, _) in reservation.keys.limits() {
            remove_one(&mut failures, key, reservation.at);
        }
    }

    /// The right password: forgets the name's failures at that address and
    /// gives back the attempt's count against the address.
    pub fn succeeded(&self, reservation: &Reservation) {
        let mut failures = self.lock();
        failures.remove(&reservation.keys.user_at_address);
        remove_one(&mut failures, &reservation.keys.address, reservation.at);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // A panic while holding the lock leaves plain data; keep using it.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn remove_one(failures: &mut HashMap<String, VecDeque<Instant>>, key: &str, at: Instant) {
    if let Some(times) = failures.get_mut(key) {
        if let Some(position) = times.iter().position(|t| *t == at) {
            times.remove(position);
        }
        if times.is_empty() {
            failures.remove(key);
        }
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ip: [u8; 4], name: &str) -> LoginKeys {
        LoginKeys::new(Some(ip.into()), name)
    }

    #[test]
    fn five_failures_in_a_minute_block_until_the_first_leaves_the_window() {
        let throttle = LoginThrottle::default();
        let keys = at([127, 0, 0, 1], "Ali");
        let start = Instant::now();
        for i in 0..5 {
            assert!(
                throttle
                    .reserve(&keys, start + Duration::from_secs(i))
                    .is_ok(),
                "attempt {i}"
            );
        }
        let wait = throttle
            .reserve(&keys, start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, 50);
        assert!(throttle.reserve(&keys, start + WINDOW).is_ok());
    }

    #[test]
    fn attempts_are_counted_before_they_are_checked() {
        let throttle = LoginThrottle::default();
        let keys = at([127, 0, 0, 1], "ali");
        let now = Instant::now();
        let granted = (0..150)
            .filter(|_| throttle.reserve(&keys, now).is_ok())
            .count();
        assert_eq!(granted, MAX_FAILURES);
    }

    #[test]
    fn failures_for_a_name_elsewhere_do_not_block_it_at_another_address() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_FAILURES {
            throttle.reserve(&at([10, 0, 0, 2], "ADMIN"), now).unwrap();
        }
        assert!(throttle.reserve(&at([10, 0, 0, 2], "admin"), now).is_err());
        assert!(throttle.reserve(&at([10, 0, 0, 3], "admin"), now).is_ok());
    }

    #[test]
    fn one_address_trying_many_names_is_limited_too() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        let granted = (0..50)
            .filter(|i| {
                throttle
                    .reserve(&at([10, 0, 0, 2], &format!("u{i}")), now)
                    .is_ok()
            })
            .count();
        assert_eq!(granted, MAX_FAILURES_PER_ADDRESS);
        assert!(throttle.reserve(&at([10, 0, 0, 3], "u1"), now).is_ok());
    }

    #[test]
    fn a_success_forgets_the_names_failures_and_gives_its_count_back() {
        let throttle = LoginThrottle::default();
        let keys = at([10, 0, 0, 2], "ali");
        let now = Instant::now();
        for _ in 0..MAX_FAILURES - 1 {
            throttle.reserve(&keys, now).unwrap();
        }
        let last = throttle.reserve(&keys, now).unwrap();
        throttle.succeeded(&last);
        for i in 0..MAX_FAILURES {
            assert!(throttle.reserve(&keys, now).is_ok(), "attempt {i}");
        }
        // 4 failures before the success, 5 after: the address holds 9 of 10.
        assert!(throttle.reserve(&at([10, 0, 0, 2], "bek"), now).is_ok());
        assert!(throttle.reserve(&at([10, 0, 0, 2], "bek"), now).is_err());
    }

    #[test]
    fn a_released_attempt_is_not_counted() {
        let throttle = LoginThrottle::default();
        let keys = at([10, 0, 0, 2], "ali");
        let now = Instant::now();
        for _ in 0..20 {
            let reservation = throttle.reserve(&keys, now).unwrap();
            throttle.release(&reservation);
        }
        assert!(throttle.lock().is_empty());
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_bit_prefix() {
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(
            LoginKeys::new(Some(one), "a"),
            LoginKeys::new(Some(other), "a")
        );
        assert_ne!(
            LoginKeys::new(Some(one), "a"),
            LoginKeys::new(Some(elsewhere), "a")
        );
        let mapped: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        assert_eq!(LoginKeys::new(Some(mapped), "a"), at([10, 0, 0, 2], "a"));
    }
}
