//! Which days a report covers: the `/report` argument, and the period an
//! automatic report is due for at a given instant. Pure functions of the time.

use chrono::{DateTime, Datelike, Days, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use startlink_core::analytics::day_start;

use crate::settings::ReportSchedule;

/// Whole days in `TIMEZONE`, `first` to `last` included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportDays {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// The longest period `/report` accepts, in days (the panel and CLI take more).
const MAX_DAYS: u64 = 366;

impl ReportDays {
    /// The instant the first day starts.
    pub fn from(&self, tz: Tz) -> DateTime<Utc> {
        day_start(self.first, tz)
    }

    /// The instant after the last day ends.
    pub fn to(&self, tz: Tz) -> DateTime<Utc> {
        day_start(self.last + Days::new(1), tz)
    }

    /// `report-2026-11-01-2026-11-30.pdf`.
    pub fn file_name(&self) -> String {
        format!("report-{}-{}.pdf", self.first, self.last)
    }

    /// Reads `/report`'s argument: empty or `7d` (the last 7 days up to
    /// `today`), `30d`, or two dates (the second included). `None` when it is
    /// anything else, or the dates are reversed or more than a year apart.
    pub fn parse_command(args: &str, today: NaiveDate) -> Option<Self> {
        let words: Vec<&str> = args.split_whitespace().collect();
        let last_days = |n: u64| {
            Some(Self {
                first: today - Days::new(n - 1),
                last: today,
            })
        };
        match words.as_slice() {
            [] => last_days(7),
            [word] => match word.to_ascii_lowercase().as_str() {
                "7d" => last_days(7),
                "30d" => last_days(30),
                _ => None,
            },
            [first, last] => {
                let first = NaiveDate::parse_from_str(first, "%Y-%m-%d").ok()?;
                let last = NaiveDate::parse_from_str(last, "%Y-%m-%d").ok()?;
                let length = last.signed_duration_since(first).num_days() + 1;
                (1..=MAX_DAYS as i64)
                    .contains(&length)
                    .then_some(Self { first, last })
            }
            _ => None,
        }
    }
}

/// An automatic report that is due: its days, and the key it is claimed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePeriod {
    /// `daily:2026-11-24` or `weekly:2026-11-16` (that week's Monday).
    pub key: String,
    pub days: ReportDays,
}

/// The period whose sending time passed most recently at `now`: the previous
/// day once `hour` has struck today (else the day before it), or the previous
/// ISO week once `hour` has struck this Monday (else the week before). A bot
/// that was down at `hour` thus sends the report it missed when it is back.
///
/// The hour is compared on the wall clock, so on a day a clock change skips
/// `hour` the report goes at the first local time after it.
pub fn due_period(
    schedule: ReportSchedule,
    hour: u32,
    tz: Tz,
    now: DateTime<Utc>,
) -> Option<DuePeriod> {
    let local = now.with_timezone(&tz);
    let today = local.date_naive();
    let struck = local.hour() >= hour;
    match schedule {
        ReportSchedule::Off => None,
        ReportSchedule::Daily => {
            let send_day = if struck { today } else { today.pred_opt()? };
            let day = send_day.pred_opt()?;
            Some(DuePeriod {
                key: format!("daily:{day}"),
                days: ReportDays {
                    first: day,
                    last: day,
                },
            })
        }
        ReportSchedule::Weekly => {
            let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
            let send_monday = if monday == today && !struck {
                monday - Days::new(7)
            } else {
                monday
            };
            let first = send_monday - Days::new(7);
            Some(DuePeriod {
                key: format!("weekly:{first}"),
                days: ReportDays {
                    first,
                    last: send_monday - Days::new(1),
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Asia::Tashkent;
    use chrono_tz::Europe::Berlin;

    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, m, d, h, min, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn key(schedule: ReportSchedule, hour: u32, tz: Tz, now: DateTime<Utc>) -> Option<String> {
        due_period(schedule, hour, tz, now).map(|p| p.key)
    }

    #[test]
    fn report_arguments_are_read_as_days_up_to_today() {
        let today = date("2026-11-25");
        let cases = [
            ("", Some(("2026-11-19", "2026-11-25"))),
            ("7d", Some(("2026-11-19", "2026-11-25"))),
            (" 30D ", Some(("2026-10-27", "2026-11-25"))),
            ("2026-11-01 2026-11-30", Some(("2026-11-01", "2026-11-30"))),
            ("2026-11-05 2026-11-05", Some(("2026-11-05", "2026-11-05"))),
            ("2026-11-30 2026-11-01", None),
            ("2025-01-01 2026-11-30", None),
            ("14d", None),
            ("2026-11-01", None),
            ("2026-11-01 tomorrow", None),
            ("2026-02-30 2026-03-01", None),
            ("7d extra", None),
            ("1 2 3", None),
        ];
        for (input, expected) in cases {
            let got = ReportDays::parse_command(input, today).map(|d| (d.first, d.last));
            let expected = expected.map(|(a, b)| (date(a), date(b)));
            assert_eq!(got, expected, "/report {input:?}");
        }
    }

    #[test]
    fn a_period_runs_from_the_first_local_midnight_to_the_one_after_the_last_day() {
        let days = ReportDays {
            first: date("2026-11-24"),
            last: date("2026-11-24"),
        };
        assert_eq!(
            days.from(Tashkent).to_rfc3339(),
            "2026-11-23T19:00:00+00:00"
        );
        assert_eq!(days.to(Tashkent).to_rfc3339(), "2026-11-24T19:00:00+00:00");
        assert_eq!(days.file_name(), "report-2026-11-24-2026-11-24.pdf");
    }

    #[test]
    fn nothing_is_due_when_the_schedule_is_off() {
        let now = at(Tashkent, 2026, 11, 25, 12, 0);
        assert_eq!(key(ReportSchedule::Off, 9, Tashkent, now), None);
    }

    #[test]
    fn the_daily_report_is_for_yesterday_once_the_hour_has_struck() {
        let daily = ReportSchedule::Daily;
        let cases = [
            ((11, 25, 8, 59), "daily:2026-11-23"),
            ((11, 25, 9, 0), "daily:2026-11-24"),
            ((11, 25, 23, 59), "daily:2026-11-24"),
            ((11, 26, 0, 0), "daily:2026-11-24"),
            ((11, 26, 9, 0), "daily:2026-11-25"),
            ((12, 1, 9, 30), "daily:2026-11-30"),
            ((1, 1, 10, 0), "daily:2025-12-31"),
        ];
        for ((m, d, h, min), expected) in cases {
            let now = at(Tashkent, 2026, m, d, h, min);
            assert_eq!(
                key(daily, 9, Tashkent, now).as_deref(),
                Some(expected),
                "{m}-{d} {h}:{min}"
            );
        }
    }

    #[test]
    fn days_are_local_days_not_utc_days() {
        // 01:30 in Tashkent on the 25th is still the 24th in UTC.
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 20, 30, 0).unwrap();
        assert_eq!(
            key(ReportSchedule::Daily, 0, Tashkent, now).as_deref(),
            Some("daily:2026-11-24")
        );
        // Midnight exactly, with hour 0: the day that just ended is due.
        let midnight = at(Tashkent, 2026, 11, 26, 0, 0);
        assert_eq!(
            key(ReportSchedule::Daily, 0, Tashkent, midnight).as_deref(),
            Some("daily:2026-11-25")
        );
        let before = midnight - chrono::Duration::seconds(1);
        assert_eq!(
            key(ReportSchedule::Daily, 0, Tashkent, before).as_deref(),
            Some("daily:2026-11-24")
        );
    }

    #[test]
    fn clock_changes_neither_skip_nor_repeat_a_report() {
        // Berlin springs forward on 2026-03-29 at 02:00 → 03:00: hour 2 never
        // shows on the clock, and the report goes at 03:00.
        let daily = ReportSchedule::Daily;
        let before = Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap(); // 01:59 CET
        let after = Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap(); // 03:00 CEST
        assert_eq!(
            key(daily, 2, Berlin, before).as_deref(),
            Some("daily:2026-03-27")
        );
        assert_eq!(
            key(daily, 2, Berlin, after).as_deref(),
            Some("daily:2026-03-28")
        );
        // The short day itself has 23 hours.
        let next = at(Berlin, 2026, 3, 30, 10, 0);
        let due = due_period(daily, 9, Berlin, next).unwrap();
        assert_eq!(due.key, "daily:2026-03-29");
        assert_eq!(
            (due.days.to(Berlin) - due.days.from(Berlin)).num_hours(),
            23
        );
        // Falling back on 2026-10-25, 02:00-03:00 happens twice: one key for the day.
        let first = Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap(); // 02:30 CEST
        let second = Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).unwrap(); // 02:30 CET
        assert_eq!(key(daily, 2, Berlin, first), key(daily, 2, Berlin, second));
        let long = due_period(daily, 9, Berlin, at(Berlin, 2026, 10, 26, 9, 0)).unwrap();
        assert_eq!(
            (long.days.to(Berlin) - long.days.from(Berlin)).num_hours(),
            25
        );
    }

    #[test]
    fn the_weekly_report_is_for_last_monday_to_sunday_from_monday_at_the_hour() {
        let weekly = ReportSchedule::Weekly;
        // 2026-11-23 is a Monday.
        let cases = [
            (
                (11, 23, 8, 59),
                "weekly:2026-11-09",
                ("2026-11-09", "2026-11-15"),
            ),
            (
                (11, 23, 9, 0),
                "weekly:2026-11-16",
                ("2026-11-16", "2026-11-22"),
            ),
            (
                (11, 25, 3, 0),
                "weekly:2026-11-16",
                ("2026-11-16", "2026-11-22"),
            ),
            (
                (11, 29, 23, 59),
                "weekly:2026-11-16",
                ("2026-11-16", "2026-11-22"),
            ),
            (
                (11, 30, 9, 0),
                "weekly:2026-11-23",
                ("2026-11-23", "2026-11-29"),
            ),
        ];
        for ((m, d, h, min), expected, (first, last)) in cases {
            let due = due_period(weekly, 9, Tashkent, at(Tashkent, 2026, m, d, h, min)).unwrap();
            assert_eq!(due.key, expected, "{m}-{d} {h}:{min}");
            assert_eq!(
                (due.days.first, due.days.last),
                (date(first), date(last)),
                "{m}-{d} {h}:{min}"
            );
        }
    }
}
