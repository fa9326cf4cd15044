//! Flood mode: Telegram's 429 "Too Many Requests: retry after N", injected on
//! purpose so a bot's retry logic can be tested. Once a chat got a 429, every
//! send to it answers 429 until its `retry_after` has passed, as on Telegram,
//! so a bot that retries too early is seen (`Counters::flood_early_retries`).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::protocol::ApiError;
use crate::view::Counters;

/// Which sends answer 429. Sends are sendMessage, sendPhoto, sendDocument and
/// the editMessage* methods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FloodConfig {
    /// Every Nth send answers 429 (1 = every send).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_nth: Option<u32>,
    /// This fraction (0.0–1.0) of sends answers 429, drawn from a generator
    /// seeded by `seed`, so a run repeats exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// `parameters.retry_after` in each 429, in seconds. Telegram never says
    /// 0; the sandbox allows it so tests need not wait.
    #[serde(default = "default_retry_after")]
    pub retry_after: u32,
    #[serde(default)]
    pub seed: u64,
}

fn default_retry_after() -> u32 {
    1
}

impl FloodConfig {
    pub fn every_nth(n: u32, retry_after: u32) -> Self {
        Self {
            every_nth: Some(n),
            fraction: None,
            retry_after,
            seed: 0,
        }
    }

    pub fn fraction(fraction: f64, retry_after: u32, seed: u64) -> Self {
        Self {
            every_nth: None,
            fraction: Some(fraction),
            retry_after,
            seed,
        }
    }

    /// Why this configuration is refused, if it is.
    pub fn problem(&self) -> Option<String> {
        match (self.every_nth, self.fraction) {
            (None, None) => Some("flood mode needs every_nth or fraction".to_owned()),
            (Some(0), _) => Some("every_nth must be at least 1".to_owned()),
            (_, Some(f)) if !(0.0..=1.0).contains(&f) => {
                Some(format!("fraction {f} is outside 0.0–1.0"))
            }
            _ if self.retry_after > 3600 => Some("retry_after is at most 3600 seconds".to_owned()),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Flood {
    config: Option<FloodConfig>,
    sends: u64,
    rng: u64,
}

impl Flood {
    pub fn set(&mut self, config: Option<FloodConfig>) {
        // splitmix64 needs a non-zero state for a useful first draw.
        self.rng = config
            .as_ref()
            .map_or(0, |c| c.seed ^ 0x9E37_79B9_7F4A_7C15);
        self.sends = 0;
        self.config = config;
    }

    pub fn config(&self) -> Option<&FloodConfig> {
        self.config.as_ref()
    }

    /// Decides one send to a chat whose flood block ends at `blocked_until`.
    pub fn check(
        &mut self,
        blocked_until: &mut Option<Instant>,
        now: Instant,
        counters: &mut Counters,
    ) -> Result<(), ApiError> {
        let Some(config) = &self.config else {
            return Ok(());
        };
        if let Some(until) = *blocked_until {
            if until > now {
                counters.flood_rejections += 1;
                counters.flood_early_retries += 1;
                let remaining = (until - now).as_secs_f64().ceil();
                return Err(ApiError::too_many_requests(remaining.max(1.0) as u32));
            }
            *blocked_until = None;
        }
        self.sends += 1;
        let every_nth = config
            .every_nth
            .is_some_and(|n| n > 0 && self.sends.is_multiple_of(u64::from(n)));
        let fraction = config.fraction;
        let retry_after = config.retry_after;
        let drawn = fraction.is_some_and(|f| self.next_unit() < f);
        if every_nth || drawn {
            counters.flood_rejections += 1;
            *blocked_until = Some(now + Duration::from_secs(u64::from(retry_after)));
            return Err(ApiError::too_many_requests(retry_after));
        }
        Ok(())
    }

    /// splitmix64, mapped to [0, 1).
    fn next_unit(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(config: FloodConfig, sends: usize) -> usize {
        let mut flood = Flood::default();
        flood.set(Some(config));
        let mut counters = Counters::default();
        let now = Instant::now();
        (0..sends)
            .filter(|_| flood.check(&mut None, now, &mut counters).is_err())
            .count()
    }

    #[test]
    fn every_nth_send_is_refused() {
        assert_eq!(run(FloodConfig::every_nth(3, 0), 9), 3);
        assert_eq!(run(FloodConfig::every_nth(1, 0), 5), 5);
    }

    #[test]
    fn a_fraction_is_refused_and_the_same_seed_repeats_it() {
        let refused = run(FloodConfig::fraction(0.25, 0, 7), 4000);
        assert!(
            (800..1200).contains(&refused),
            "{refused} of 4000 refused at 25%"
        );
        assert_eq!(refused, run(FloodConfig::fraction(0.25, 0, 7), 4000));
    }

    #[test]
    fn a_chat_stays_blocked_until_retry_after_has_passed() {
        let mut flood = Flood::default();
        flood.set(Some(FloodConfig::every_nth(1, 5)));
        let mut counters = Counters::default();
        let mut blocked = None;
        let start = Instant::now();
        assert_eq!(
            flood
                .check(&mut blocked, start, &mut counters)
                .unwrap_err()
                .retry_after,
            Some(5)
        );
        let early = flood
            .check(&mut blocked, start + Duration::from_secs(2), &mut counters)
            .unwrap_err();
        assert_eq!(early.retry_after, Some(3));
        assert_eq!(counters.flood_early_retries, 1);
        flood.set(None);
        assert!(
            flood
                .check(&mut blocked, start + Duration::from_secs(2), &mut counters)
                .is_ok()
        );
    }

    #[test]
    fn nonsense_configurations_are_refused() {
        assert!(FloodConfig::every_nth(0, 1).problem().is_some());
        assert!(FloodConfig::fraction(1.5, 1, 0).problem().is_some());
        assert!(
            FloodConfig {
                every_nth: None,
                fraction: None,
                retry_after: 1,
                seed: 0
            }
            .problem()
            .is_some()
        );
        assert!(FloodConfig::every_nth(2, 1).problem().is_none());
    }
}
