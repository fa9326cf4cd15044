//! Time as the product sees it: UTC microseconds in storage, `TIMEZONE` for people.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The current instant, truncated to microseconds so that SQLite and PostgreSQL
/// store and return exactly the same value.
pub fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

/// Truncates to microseconds (PostgreSQL's precision).
pub fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    let micros = at.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(at)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error(
        "duration {0:?} is not valid: use a number and a unit, like 90m, 24h, 7d or 2w (1d12h works too)"
    )]
    Ttl(String),
    #[error("duration {0:?} is too long")]
    TtlTooLong(String),
    #[error(
        "time {0:?} is not valid: use RFC 3339 like 2026-12-31T23:59:00+05:00, or 2026-12-31 23:59 / 2026-12-31 in the configured time zone"
    )]
    Timestamp(String),
    #[error("time {0:?} does not exist in time zone {1} (a clock change skips it)")]
    Nonexistent(String, Tz),
}

/// Parses a time-to-live such as `90m`, `24h`, `7d`, `2w`, `30s` or `1d12h`.
pub fn parse_ttl(input: &str) -> Result<Duration, TimeError> {
    let bad = || TimeError::Ttl(input.to_owned());
    let text = input.trim();
    if text.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::zero();
    let mut number = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let amount: i64 = number.parse().map_err(|_| bad())?;
        number.clear();
        let unit = match ch {
            's' => Duration::try_seconds(amount),
            'm' => Duration::try_minutes(amount),
            'h' => Duration::try_hours(amount),
            'd' => Duration::try_days(amount),
            'w' => Duration::try_weeks(amount),
            _ => return Err(bad()),
        };
        let unit = unit.ok_or_else(|| TimeError::TtlTooLong(input.to_owned()))?;
        total = total
            .checked_add(&unit)
            .ok_or_else(|| TimeError::TtlTooLong(input.to_owned()))?;
    }
    if !number.is_empty() || total <= Duration::zero() {
        return Err(bad());
    }
    // Beyond a century an expiry means nothing and only risks overflow downstream.
    if total > Duration::days(36_500) {
        return Err(TimeError::TtlTooLong(input.to_owned()));
    }
    Ok(total)
}

/// Parses an instant: RFC 3339, or a local date-time / date in `tz`
/// (a bare date means the start of that day).
pub fn parse_instant(input: &str, tz: Tz) -> Result<DateTime<Utc>, TimeError> {
    let text = input.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(truncate(at.with_timezone(&Utc)));
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .ok_or_else(|| TimeError::Timestamp(input.to_owned()))?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(at) => Ok(truncate(at.with_timezone(&Utc))),
        // An hour that happens twice: the first one, as most calendars read it.
        LocalResult::Ambiguous(first, _) => Ok(truncate(first.with_timezone(&Utc))),
        LocalResult::None => Err(TimeError::Nonexistent(input.to_owned(), tz)),
    }
}

/// A span of time, inclusive at `from` and exclusive at `to`; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the period starts ({from}) after it ends ({to})")]
pub struct PeriodError {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    /// Every instant.
    pub const ALL: Period = Period {
        from: None,
        to: None,
    };

    /// `from` equal to `to` is an empty period; `from` after `to` is an error.
    pub fn new(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Self, PeriodError> {
        match (from, to) {
            (Some(from), Some(to)) if from > to => Err(PeriodError { from, to }),
            _ => Ok(Self { from, to }),
        }
    }

    pub fn from(&self) -> Option<DateTime<Utc>> {
        self.from
    }

    pub fn to(&self) -> Option<DateTime<Utc>> {
        self.to
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at < to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_in_every_unit_are_understood() {
        let cases = [
            ("30s", Duration::seconds(30)),
            ("90m", Duration::minutes(90)),
            ("24h", Duration::hours(24)),
            ("7d", Duration::days(7)),
            ("2w", Duration::weeks(2)),
            ("1d12h", Duration::hours(36)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_ttl(input), Ok(expected), "input {input:?}");
        }
    }

    #[test]
    fn bad_ttls_are_rejected() {
        for input in [
            "",
            "h",
            "24",
            "24x",
            "-1h",
            "0h",
            "1.5h",
            "99999999999999999999d",
            "40000d",
        ] {
            assert!(
                parse_ttl(input).is_err(),
                "input {input:?} should be rejected"
            );
        }
    }

    #[test]
    fn a_local_time_is_read_in_the_configured_zone() {
        let at = parse_instant("2026-12-31 23:59", chrono_tz::Asia::Tashkent).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-31T18:59:00+00:00");
        let at = parse_instant("2026-12-31T23:59:00+05:00", chrono_tz::UTC).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-31T18:59:00+00:00");
        let day = parse_instant("2026-01-02", chrono_tz::Asia::Tashkent).unwrap();
        assert_eq!(day.to_rfc3339(), "2026-01-01T19:00:00+00:00");
    }

    #[test]
    fn a_time_skipped_by_a_clock_change_is_an_error() {
        let result = parse_instant("2026-03-29 02:30", chrono_tz::Europe::Berlin);
        assert!(matches!(result, Err(TimeError::Nonexistent(..))));
    }

    #[test]
    fn now_has_microsecond_precision() {
        assert_eq!(now().timestamp_subsec_nanos() % 1_000, 0);
    }

    #[test]
    fn a_period_is_inclusive_exclusive_and_cannot_end_before_it_starts() {
        let from = parse_instant("2026-01-01", chrono_tz::UTC).unwrap();
        let to = parse_instant("2026-01-02", chrono_tz::UTC).unwrap();
        let day = Period::new(Some(from), Some(to)).unwrap();
        assert!(day.contains(from));
        assert!(!day.contains(to));
        assert!(day.contains(to - Duration::microseconds(1)));
        assert!(Period::new(Some(to), Some(from)).is_err());
        assert!(Period::new(Some(to), Some(to)).is_ok());
        assert!(Period::ALL.contains(from));
    }
}
