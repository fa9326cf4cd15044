//! Numbers, changes and times as the report prints them in each language:
//! `1,234` and `12.5%` in English, `1 234` and `12,5%` in Uzbek and Russian;
//! times in the report's time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use startlink_core::lang::Lang;

/// Formats for one language and time zone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fmt {
    pub lang: Lang,
    pub tz: Tz,
}

impl Fmt {
    fn group_separator(self) -> char {
        match self.lang {
            Lang::En => ',',
            Lang::Uz | Lang::Ru => ' ',
        }
    }

    fn decimal_separator(self) -> char {
        match self.lang {
            Lang::En => '.',
            Lang::Uz | Lang::Ru => ',',
        }
    }

    /// A count with its thousands grouped.
    pub fn int(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('−');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(self.group_separator());
            }
            out.push(c);
        }
        out
    }

    /// A number with one decimal.
    fn decimal(self, value: f64) -> String {
        let text = format!("{:.1}", value.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, "0"));
        let whole: i64 = whole.parse().unwrap_or(0);
        let sign = if value < 0.0 && text != "0.0" {
            "−"
        } else {
            ""
        };
        format!(
            "{sign}{}{}{fraction}",
            self.int(whole),
            self.decimal_separator()
        )
    }

    /// `+12`, `−3` or `0`.
    pub fn signed(self, n: i64) -> String {
        match n {
            0 => "0".to_owned(),
            n if n > 0 => format!("+{}", self.int(n)),
            n => self.int(n),
        }
    }

    /// The change from `previous` to `current` in per cent of `previous`;
    /// `—` when there was nothing before to compare with.
    pub fn change_percent(self, current: i64, previous: i64) -> String {
        if previous == 0 {
            return "—".to_owned();
        }
        let percent = (current - previous) as f64 / previous as f64 * 100.0;
        let shown = self.decimal(percent);
        if percent > 0.0 && shown != self.decimal(0.0) {
            format!("+{shown}%")
        } else {
            format!("{shown}%")
        }
    }

    /// A ratio as a percentage with one decimal; `—` when undefined.
    pub fn rate(self, ratio: Option<f64>) -> String {
        match ratio {
            Some(r) => format!("{}%", self.decimal(r * 100.0)),
            None => "—".to_owned(),
        }
    }

    /// The change of a ratio in percentage points; `—` unless both are defined.
    pub fn rate_change(self, current: Option<f64>, previous: Option<f64>, points: &str) -> String {
        match (current, previous) {
            (Some(c), Some(p)) => {
                let delta = (c - p) * 100.0;
                let shown = self.decimal(delta);
                let plus = if delta > 0.0 && shown != self.decimal(0.0) {
                    "+"
                } else {
                    ""
                };
                format!("{plus}{shown} {points}")
            }
            _ => "—".to_owned(),
        }
    }

    pub fn datetime(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    pub fn date(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).format("%Y-%m-%d").to_string()
    }

    /// Monday is 0.
    pub fn weekday(self, at: DateTime<Utc>) -> usize {
        use chrono::Datelike as _;
        at.with_timezone(&self.tz).weekday().num_days_from_monday() as usize
    }

    /// `[from, to)` as two local times.
    pub fn period(self, from: DateTime<Utc>, to: DateTime<Utc>, until: &str) -> String {
        format!("{} {until} {}", self.datetime(from), self.datetime(to))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn fmt(lang: Lang) -> Fmt {
        Fmt {
            lang,
            tz: chrono_tz::Asia::Tashkent,
        }
    }

    #[test]
    fn counts_are_grouped_by_thousands_in_each_language() {
        assert_eq!(fmt(Lang::En).int(1_234_567), "1,234,567");
        assert_eq!(fmt(Lang::Ru).int(1_234_567), "1 234 567");
        assert_eq!(fmt(Lang::Uz).int(999), "999");
        assert_eq!(fmt(Lang::En).int(-1000), "−1,000");
        assert_eq!(fmt(Lang::En).int(0), "0");
    }

    #[test]
    fn changes_carry_their_sign_and_a_change_from_nothing_has_no_percentage() {
        let en = fmt(Lang::En);
        assert_eq!(en.signed(12), "+12");
        assert_eq!(en.signed(-3), "−3");
        assert_eq!(en.signed(0), "0");
        assert_eq!(en.change_percent(110, 100), "+10.0%");
        assert_eq!(en.change_percent(75, 100), "−25.0%");
        assert_eq!(en.change_percent(5, 0), "—");
        assert_eq!(en.change_percent(100, 100), "0.0%");
        assert_eq!(fmt(Lang::Ru).change_percent(1, 3), "−66,7%");
    }

    #[test]
    fn rates_are_percentages_and_their_change_is_in_points() {
        let uz = fmt(Lang::Uz);
        assert_eq!(uz.rate(Some(0.4567)), "45,7%");
        assert_eq!(uz.rate(None), "—");
        assert_eq!(uz.rate_change(Some(0.5), Some(0.25), "p.p."), "+25,0 p.p.");
        assert_eq!(uz.rate_change(Some(0.5), None, "p.p."), "—");
        assert_eq!(
            fmt(Lang::En).rate_change(Some(0.2), Some(0.3), "pp"),
            "−10.0 pp"
        );
    }

    #[test]
    fn times_are_shown_in_the_time_zone() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 19, 30, 0).unwrap();
        let uz = fmt(Lang::Uz);
        assert_eq!(uz.datetime(at), "2026-03-02 00:30");
        assert_eq!(uz.date(at), "2026-03-02");
        assert_eq!(uz.weekday(at), 0, "2026-03-02 is a Monday");
    }
}
