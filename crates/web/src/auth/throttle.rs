//! Login throttling: after `MAX_FAILURES` failed logins within `WINDOW` from
//! one IP address or for one user name, further attempts get 429 until the
//! oldest failure leaves the window.
//!
//! The counts live in this process's memory: a restart forgets them, and
//! replicas count separately (each still caps an attacker at 5 a minute).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: usize = 5;
pub const WINDOW: Duration = Duration::from_secs(60);
/// Keys kept before expired ones are swept; bounds memory under a flood of
/// made-up user names.
const SWEEP_ABOVE: usize = 10_000;
/// Above this many live keys, new keys are not remembered; the IP key of a
/// flooding client is old and so still counted.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// The keys one attempt counts against.
pub fn keys(ip: Option<IpAddr>, username: &str) -> [String; 2] {
    let ip = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let name: String = username.trim().to_lowercase().chars().take(64).collect();
    [format!("ip:{ip}"), format!("user:{name}")]
}

impl LoginThrottle {
    /// `Err(seconds to wait)` when any key is over its limit.
    pub fn check(&self, keys: &[String], now: Instant) -> Result<(), u64> {
        let mut failures = self.lock();
        let mut wait = Duration::ZERO;
        for key in keys {
            if let Some(times) = failures.get_mut(key) {
                prune(times, now);
                if times.len() >= MAX_FAILURES
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max(WINDOW.saturating_sub(now.duration_since(*oldest)));
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.as_secs().max(1))
        }
    }

    pub fn record_failure(&self, keys: &[String], now: Instant) {
        let mut failures = self.lock();
        if failures.len() > SWEEP_ABOVE {
            failures.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for key in keys {
            if !failures.contains_key(key) && failures.len() >= MAX_KEYS {
                continue;
            }
            let times = failures.entry(key.clone()).or_default();
            prune(times, now);
            times.push_back(now);
            while times.len() > MAX_FAILURES {
                times.pop_front();
            }
        }
    }

    /// Forgets a key's failures (a user name after a successful login).
    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // A panic while holding the lock leaves plain data; keep using it.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

    #[test]
    fn five_failures_in_a_minute_block_until_the_first_leaves_the_window() {
        let throttle = LoginThrottle::default();
        let keys = keys(Some([127, 0, 0, 1].into()), "Ali");
        let start = Instant::now();
        for i in 0..5 {
            assert_eq!(throttle.check(&keys, start), Ok(()), "attempt {i}");
            throttle.record_failure(&keys, start + Duration::from_secs(i));
        }
        let wait = throttle
            .check(&keys, start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, 50);
        assert_eq!(throttle.check(&keys, start + WINDOW), Ok(()));
    }

    #[test]
    fn the_user_name_is_counted_across_addresses_case_blind() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..5_u8 {
            throttle.record_failure(&keys(Some([10, 0, 0, i].into()), "ALI"), now);
        }
        assert!(
            throttle
                .check(&keys(Some([10, 0, 0, 99].into()), "ali"), now)
                .is_err()
        );
        assert!(
            throttle
                .check(&keys(Some([10, 0, 0, 99].into()), "bek"), now)
                .is_ok()
        );
        throttle.clear("user:ali");
        assert!(
            throttle
                .check(&keys(Some([10, 0, 0, 99].into()), "ali"), now)
                .is_ok()
        );
    }
}
