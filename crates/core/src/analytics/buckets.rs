//! Bucket edges in a time zone: hours, calendar days (23 or 25 hours across a
//! clock change) and ISO weeks (from Monday's midnight).

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;
use serde::Serialize;

use super::AnalyticsError;
use crate::vocab::vocabulary;

/// Most buckets one series may have (a month of hours, or years of days).
pub const MAX_BUCKETS: usize = 1_000;

/// Bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// A clock hour in the time zone.
    Hour,
    /// A calendar day in the time zone (23 or 25 hours across a clock change).
    Day,
    /// An ISO week: Monday's midnight to the next Monday's, in the time zone.
    Week,
}

vocabulary!(Bucket, "bucket", ["hour", "day", "week"]);

impl Bucket {
    pub const ALL: [Bucket; 3] = [Self::Hour, Self::Day, Self::Week];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Week => "week",
        }
    }
}

/// The first instant of `date` in `tz`; where a clock change skips midnight, the
/// first instant that exists.
pub fn day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_start(date.and_time(NaiveTime::MIN), tz)
}

/// `local` in `tz` (the earlier of two, for a repeated hour), or the first
/// instant after it that exists.
fn local_start(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..8 {
        if let Some(at) = tz.from_local_datetime(&probe).earliest() {
            return at.with_timezone(&Utc);
        }
        probe += Duration::minutes(15);
    }
    local.and_utc()
}

/// The start of the bucket that holds `at`.
pub fn bucket_start(at: DateTime<Utc>, bucket: Bucket, tz: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz).naive_local();
    match bucket {
        Bucket::Hour => {
            let hour = local
                .date()
                .and_hms_opt(local.hour(), 0, 0)
                .unwrap_or(local);
            let start = local_start(hour, tz);
            // A repeated hour: `local_start` picks the first pass; an instant in
            // the second pass belongs to the second.
            if start + Duration::hours(1) <= at {
                start + Duration::hours(1)
            } else {
                start
            }
        }
        Bucket::Day => day_start(local.date(), tz),
        Bucket::Week => {
            let back = u64::from(local.date().weekday().num_days_from_monday());
            let monday = local
                .date()
                .checked_sub_days(chrono::Days::new(back))
                .unwrap_or(local.date());
            day_start(monday, tz)
        }
    }
}

/// The start of the bucket after the one starting at `start`.
fn next_start(start: DateTime<Utc>, bucket: Bucket, tz: Tz) -> Option<DateTime<Utc>> {
    let date = start.with_timezone(&tz).date_naive();
    match bucket {
        Bucket::Hour => Some(start + Duration::hours(1)),
        Bucket::Day => date.succ_opt().map(|d| day_start(d, tz)),
        Bucket::Week => date
            .checked_add_days(chrono::Days::new(7))
            .map(|d| day_start(d, tz)),
    }
}

/// Bucket edges covering `[from, to)`: the first bucket holds `from`, the last
/// holds the instant before `to`; `n` buckets have `n + 1` edges.
pub fn edges(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bucket: Bucket,
    tz: Tz,
) -> Result<Vec<DateTime<Utc>>, AnalyticsError> {
    if from >= to {
        return Err(AnalyticsError::invalid("from", "must be before to"));
    }
    let too_many = || {
        AnalyticsError::invalid(
            "to",
            format!(
                "the range has more than {MAX_BUCKETS} {}s; use a wider bucket or a shorter range",
                bucket.as_str()
            ),
        )
    };
    let mut at = bucket_start(from, bucket, tz);
    let mut edges = vec![at];
    while at < to {
        at = next_start(at, bucket, tz).ok_or_else(too_many)?;
        edges.push(at);
        if edges.len() > MAX_BUCKETS + 1 {
            return Err(too_many());
        }
    }
    Ok(edges)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn an_event_at_23_30_utc_is_on_the_next_day_in_tashkent() {
        let tz = chrono_tz::Asia::Tashkent;
        let start = bucket_start(utc(2026, 3, 1, 23, 30), Bucket::Day, tz);
        assert_eq!(start, utc(2026, 3, 1, 19, 0), "2 March 00:00 in Tashkent");
        assert_eq!(
            start.with_timezone(&tz).date_naive(),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
    }

    #[test]
    fn berlin_days_are_23_and_25_hours_across_the_clock_changes() {
        let tz = chrono_tz::Europe::Berlin;
        let spring = edges(
            utc(2026, 3, 28, 12, 0),
            utc(2026, 3, 30, 12, 0),
            Bucket::Day,
            tz,
        )
        .unwrap();
        let lengths: Vec<i64> = spring
            .windows(2)
            .map(|w| (w[1] - w[0]).num_hours())
            .collect();
        assert_eq!(lengths, vec![24, 23, 24]);
        let autumn = edges(
            utc(2026, 10, 24, 12, 0),
            utc(2026, 10, 26, 12, 0),
            Bucket::Day,
            tz,
        )
        .unwrap();
        let lengths: Vec<i64> = autumn
            .windows(2)
            .map(|w| (w[1] - w[0]).num_hours())
            .collect();
        assert_eq!(lengths, vec![24, 25, 24]);
    }

    #[test]
    fn berlin_hours_across_the_autumn_change_are_each_one_hour() {
        let tz = chrono_tz::Europe::Berlin;
        // 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:xx happens twice.
        let from = utc(2026, 10, 24, 23, 0);
        let to = utc(2026, 10, 25, 3, 0);
        let e = edges(from, to, Bucket::Hour, tz).unwrap();
        assert_eq!(e.len(), 5);
        assert!(e.windows(2).all(|w| w[1] - w[0] == Duration::hours(1)));
        // The second 02:30 (01:30 UTC) is in the second 02:00 bucket.
        assert_eq!(
            bucket_start(utc(2026, 10, 25, 1, 30), Bucket::Hour, tz),
            utc(2026, 10, 25, 1, 0)
        );
        assert_eq!(
            bucket_start(utc(2026, 10, 25, 0, 30), Bucket::Hour, tz),
            utc(2026, 10, 25, 0, 0)
        );
    }

    #[test]
    fn hours_follow_a_half_hour_offset() {
        let tz = chrono_tz::Asia::Kolkata; // UTC+5:30
        assert_eq!(
            bucket_start(utc(2026, 3, 1, 10, 10), Bucket::Hour, tz),
            utc(2026, 3, 1, 9, 30)
        );
    }

    #[test]
    fn weeks_start_on_monday_midnight_in_the_time_zone() {
        let tz = chrono_tz::Asia::Tashkent;
        // Sunday 8 March 2026 20:00 UTC is Monday 9 March 01:00 in Tashkent.
        assert_eq!(
            bucket_start(utc(2026, 3, 8, 20, 0), Bucket::Week, tz),
            utc(2026, 3, 8, 19, 0)
        );
        // Sunday 8 March 18:00 UTC is still Sunday there: the week of 2 March.
        assert_eq!(
            bucket_start(utc(2026, 3, 8, 18, 0), Bucket::Week, tz),
            utc(2026, 3, 1, 19, 0)
        );
        let berlin = chrono_tz::Europe::Berlin;
        let e = edges(
            utc(2026, 3, 25, 0, 0),
            utc(2026, 4, 1, 0, 0),
            Bucket::Week,
            berlin,
        )
        .unwrap();
        assert_eq!(
            e,
            vec![
                utc(2026, 3, 22, 23, 0),
                utc(2026, 3, 29, 22, 0),
                utc(2026, 4, 5, 22, 0)
            ]
        );
    }

    #[test]
    fn buckets_cover_the_range_and_no_more() {
        let tz = chrono_tz::Asia::Tashkent;
        let e = edges(
            utc(2026, 3, 1, 19, 0),
            utc(2026, 3, 3, 19, 0),
            Bucket::Day,
            tz,
        )
        .unwrap();
        assert_eq!(
            e,
            vec![
                utc(2026, 3, 1, 19, 0),
                utc(2026, 3, 2, 19, 0),
                utc(2026, 3, 3, 19, 0)
            ]
        );
        let e = edges(
            utc(2026, 3, 1, 10, 30),
            utc(2026, 3, 1, 13, 0),
            Bucket::Hour,
            chrono_tz::UTC,
        )
        .unwrap();
        assert_eq!(e.len(), 4, "10-11, 11-12, 12-13: {e:?}");
    }

    #[test]
    fn empty_and_oversized_ranges_are_refused() {
        let at = utc(2026, 3, 1, 0, 0);
        assert!(edges(at, at, Bucket::Day, chrono_tz::UTC).is_err());
        let far = at + Duration::days(60);
        assert!(edges(at, far, Bucket::Hour, chrono_tz::UTC).is_err());
        assert!(edges(at, far, Bucket::Day, chrono_tz::UTC).is_ok());
        assert_eq!("week".parse(), Ok(Bucket::Week));
        assert!("month".parse::<Bucket>().is_err());
    }
}
