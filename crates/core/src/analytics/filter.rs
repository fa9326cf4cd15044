//! Which links, events and users a figure counts: a period and a [`LinkSelection`].

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};

use super::AnalyticsError;
use super::buckets::day_start;
use crate::events::entity as events;
use crate::links::entity as links;
use crate::links::{CampaignRef, LinkKind, LinkSelection, ResolvedSelection, SelectionText};
use crate::users::entity as users;

/// What to count: a period and a selection of links. `Default` counts everything.
///
/// The period `[from, to)` applies to each figure's own instant: a link's
/// `created_at`, an event's `at`, a user's `first_seen_at`. The selection
/// describes links: an event counts when its link matches (events of no link,
/// `not_found` and `invalid`, count only while the selection is empty), a user
/// when the link he first came through matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Inclusive start; `None`: from the beginning.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive end; `None`: no end.
    pub to: Option<DateTime<Utc>>,
    /// Which links; statuses are taken at the `now` the figure is computed for.
    pub links: LinkSelection,
}

impl Filter {
    /// Every link, all time, narrowed to `links`.
    pub fn of(links: LinkSelection) -> Self {
        Self {
            links,
            ..Self::default()
        }
    }

    /// Everything from `from` on (no end: a clock running ahead loses nothing).
    pub fn since(from: DateTime<Utc>) -> Self {
        Self {
            from: Some(from),
            ..Self::default()
        }
    }

    /// The 7 × 24 hours up to `now` and on: the `…_7d` figures of the
    /// dashboard, `/stats`, `startlink stats` and the API's summary.
    pub fn past_week(now: DateTime<Utc>) -> Self {
        Self::since(now - chrono::Duration::days(7))
    }

    /// The last `days` whole calendar days in `tz`, `now`'s day included:
    /// from the start of the first to the start of the day after `now`'s.
    pub fn last_days(days: u32, tz: Tz, now: DateTime<Utc>) -> Self {
        let today = now.with_timezone(&tz).date_naive();
        let first = today
            .checked_sub_days(Days::new(u64::from(days.saturating_sub(1))))
            .unwrap_or(today);
        let end = today
            .succ_opt()
            .map_or(now, |tomorrow| day_start(tomorrow, tz));
        let from = if days == 0 { end } else { day_start(first, tz) };
        Self::period(from, end)
    }

    /// A report's period from optional bounds, in whole days of `tz` where a
    /// bound is missing: `to` defaults to the start of the day after `now`'s,
    /// `from` to the start of the day `days - 1` days before the last day
    /// `to` ends. So the period and the one before it (the comparison) start
    /// at midnight, never at an odd minute.
    pub fn whole_days(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        days: u32,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Self {
        let to = to.unwrap_or_else(|| Self::last_days(1, tz, now).to.unwrap_or(now));
        let from = from.unwrap_or_else(|| {
            let last_day = (to - chrono::Duration::nanoseconds(1))
                .with_timezone(&tz)
                .date_naive();
            let first = last_day
                .checked_sub_days(Days::new(u64::from(days.saturating_sub(1))))
                .unwrap_or(last_day);
            day_start(first, tz)
        });
        Self::period(from, to)
    }

    /// The same period and links, narrowed to `links`.
    pub fn with_links(self, links: LinkSelection) -> Self {
        Self { links, ..self }
    }

    /// Everything in `[from, to)`.
    pub fn period(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self {
            from: Some(from),
            to: Some(to),
            ..Self::default()
        }
    }

    /// Reads a filter from the text values a transport received: the period
    /// as [`Filter::with_period_text`] reads it (blank ends are absent), the
    /// links as [`LinkSelection::parse`] reads them.
    pub fn from_text(
        from: Option<&str>,
        to: Option<&str>,
        links: &SelectionText,
        tz: Tz,
    ) -> Result<Self, AnalyticsError> {
        Self::of(LinkSelection::parse(links, "creator")?).with_period_text(
            from.filter(|v| !v.trim().is_empty()),
            to.filter(|v| !v.trim().is_empty()),
            tz,
        )
    }

    /// Sets the period from text (RFC 3339, or a date `YYYY-MM-DD` meaning the
    /// start of that day in `tz`); `from` after `to` is an error.
    pub fn with_period_text(
        mut self,
        from: Option<&str>,
        to: Option<&str>,
        tz: Tz,
    ) -> Result<Self, AnalyticsError> {
        self.from = from.map(|f| parse_bound("from", f, tz)).transpose()?;
        self.to = to.map(|t| parse_bound("to", t, tz)).transpose()?;
        self.check()?;
        Ok(self)
    }

    /// Refuses a period whose start is after its end.
    pub fn check(&self) -> Result<(), AnalyticsError> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(AnalyticsError::invalid(
                "from",
                format!("{from} is after to ({to})"),
            ));
        }
        Ok(())
    }

    /// The same filter over the period of the same length that ends where this
    /// one starts; `None` unless both ends are set.
    pub fn previous_period(&self) -> Option<Self> {
        let (from, to) = (self.from?, self.to?);
        let length = to.signed_duration_since(from);
        Some(Self {
            from: Some(from.checked_sub_signed(length)?),
            to: Some(from),
            ..self.clone()
        })
    }

    pub(crate) fn has_link_fields(&self) -> bool {
        !self.links.is_everything()
    }

    /// Looks the campaign up (an unknown name is an error) and fixes `now`.
    pub(crate) async fn resolve<C: ConnectionTrait>(
        &self,
        db: &C,
        now: DateTime<Utc>,
    ) -> Result<Resolved, AnalyticsError> {
        self.check()?;
        let links = self
            .links
            .resolve(db)
            .await
            .map_err(AnalyticsError::db("looking up the campaign"))?
            .ok_or_else(|| match &self.links.campaign {
                Some(CampaignRef::Name(name)) => AnalyticsError::UnknownCampaign(name.clone()),
                _ => AnalyticsError::Corrupt("a campaign id resolved to nothing".into()),
            })?;
        Ok(Resolved {
            filter: self.clone(),
            links,
            now,
        })
    }
}

/// Parses one end of a period: RFC 3339, a local date-time, or a date
/// `YYYY-MM-DD` meaning its first instant in `tz` (midnight, or the first
/// instant that exists where a clock change skips midnight).
pub fn parse_bound(
    field: &'static str,
    input: &str,
    tz: Tz,
) -> Result<DateTime<Utc>, AnalyticsError> {
    let text = input.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day_start(date, tz));
    }
    crate::time::parse_instant(text, tz).map_err(|e| AnalyticsError::invalid(field, e.to_string()))
}

/// A [`Filter`] with its campaign looked up and its `now` fixed: builds the SQL.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub filter: Filter,
    pub links: ResolvedSelection,
    pub now: DateTime<Utc>,
}

impl Resolved {
    pub fn from(&self) -> Option<DateTime<Utc>> {
        self.filter.from
    }

    /// The campaign and kind to narrow the hourly opens to, when they can
    /// answer this filter: its link fields are columns of the table (no
    /// creator, status or search).
    pub fn rollup_scope(&self) -> Option<(Option<i64>, Option<LinkKind>)> {
        let links = &self.filter.links;
        if links.creator.is_some() || links.status.is_some() || links.search.is_some() {
            return None;
        }
        // Campaign ids start at 1; 0 means "no campaign" in the table.
        if self.links.campaign_id.is_some_and(|id| id <= 0) {
            return None;
        }
        Some((self.links.campaign_id, links.kind))
    }

    /// The selection's condition on `links` (qualified), period excluded.
    pub fn link_fields(&self) -> Condition {
        self.links.condition(self.now)
    }

    /// Links created in the period that match the link fields (on `links`).
    pub fn links_created(&self) -> Condition {
        let created = Expr::col((links::Entity, links::Column::CreatedAt));
        let mut cond = self.link_fields();
        if let Some(from) = self.filter.from {
            cond = cond.add(created.clone().gte(from));
        }
        if let Some(to) = self.filter.to {
            cond = cond.add(created.lt(to));
        }
        cond
    }

    /// `SELECT id FROM links WHERE <link fields>`, or `None` when every link matches.
    fn matching_links(&self) -> Option<SelectStatement> {
        if !self.filter.has_link_fields() {
            return None;
        }
        Some(
            Query::select()
                .column(links::Column::Id)
                .from(links::Entity)
                .cond_where(self.link_fields())
                .to_owned(),
        )
    }

    /// Events in the period whose link matches (on `link_events`).
    pub fn events(&self) -> Condition {
        let mut cond = self.events_in_period();
        if let Some(ids) = self.matching_links() {
            cond = cond.add(Expr::col((events::Entity, events::Column::LinkId)).in_subquery(ids));
        }
        cond
    }

    /// Events in the period, whatever their link.
    pub fn events_in_period(&self) -> Condition {
        let at = Expr::col((events::Entity, events::Column::At));
        let mut cond = Condition::all();
        if let Some(from) = self.filter.from {
            cond = cond.add(at.clone().gte(from));
        }
        if let Some(to) = self.filter.to {
            cond = cond.add(at.lt(to));
        }
        cond
    }

    /// Users first seen in the period through a matching link (on `tg_users`).
    pub fn new_users(&self) -> Condition {
        let first = Expr::col((users::Entity, users::Column::FirstSeenAt));
        let mut cond = Condition::all();
        if let Some(from) = self.filter.from {
            cond = cond.add(first.clone().gte(from));
        }
        if let Some(to) = self.filter.to {
            cond = cond.add(first.lt(to));
        }
        if let Some(ids) = self.matching_links() {
            cond =
                cond.add(Expr::col((users::Entity, users::Column::FirstLinkId)).in_subquery(ids));
        }
        cond
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_plain_date_is_the_start_of_that_day_in_the_time_zone() {
        let at = parse_bound("from", "2026-03-02", chrono_tz::Asia::Tashkent).unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 3, 1, 19, 0, 0).unwrap());
        let at = parse_bound("to", " 2026-03-29 ", chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 3, 28, 23, 0, 0).unwrap());
    }

    #[test]
    fn rfc3339_keeps_its_own_offset() {
        let at = parse_bound("from", "2026-03-02T00:30:00+05:00", chrono_tz::UTC).unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 3, 1, 19, 30, 0).unwrap());
    }

    #[test]
    fn a_date_whose_midnight_a_clock_change_skips_starts_at_the_first_real_instant() {
        // Chile moved its clocks from 00:00 to 01:00 on 2026-09-06.
        let tz = chrono_tz::America::Santiago;
        let at = parse_bound("from", "2026-09-06", tz).unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 9, 6, 4, 0, 0).unwrap());
    }

    #[test]
    fn bad_bounds_name_the_field() {
        for bad in ["", "yesterday", "2026-02-30", "2026-13-01", "01.03.2026"] {
            let error = parse_bound("to", bad, chrono_tz::UTC).unwrap_err();
            assert!(error.to_string().starts_with("to: "), "{bad:?}: {error}");
        }
    }

    #[test]
    fn from_after_to_is_refused_and_equal_ends_are_an_empty_period() {
        let tz = chrono_tz::Asia::Tashkent;
        let error = Filter::default()
            .with_period_text(Some("2026-03-05"), Some("2026-03-04"), tz)
            .unwrap_err();
        assert!(error.to_string().starts_with("from: "), "{error}");
        assert!(
            Filter::default()
                .with_period_text(Some("2026-03-05"), Some("2026-03-05"), tz)
                .is_ok()
        );
    }

    #[test]
    fn each_bad_text_value_is_named_in_its_error() {
        let tz = chrono_tz::UTC;
        let links = |field: &str, value: &str| {
            let mut text = SelectionText::default();
            match field {
                "creator" => text.creator = Some(value.into()),
                "kind" => text.kind = Some(value.into()),
                _ => text.status = Some(value.into()),
            }
            text
        };
        let none = SelectionText::default();
        let cases = [
            (
                "from",
                Filter::from_text(Some("yesterday"), None, &none, tz),
            ),
            ("to", Filter::from_text(None, Some("2026-13-01"), &none, tz)),
            (
                "from",
                Filter::from_text(Some("2026-02-01"), Some("2026-01-01"), &none, tz),
            ),
            (
                "creator",
                Filter::from_text(None, None, &links("creator", "-5"), tz),
            ),
            (
                "kind",
                Filter::from_text(None, None, &links("kind", "poster"), tz),
            ),
            (
                "status",
                Filter::from_text(None, None, &links("status", "dead"), tz),
            ),
        ];
        for (field, result) in cases {
            let error = result.unwrap_err().to_string();
            assert!(
                error.starts_with(&format!("{field}: ")),
                "{field}: got {error}"
            );
            assert!(!error.contains('\n'), "{field}: one line, got {error}");
        }
        let blank = Filter::from_text(Some(" "), Some(""), &none, tz).unwrap();
        assert_eq!(blank, Filter::default());
    }

    #[test]
    fn the_last_days_are_whole_local_days_ending_with_today() {
        let tz = chrono_tz::Asia::Tashkent;
        // 20:30 UTC on 3 March is 01:30 on 4 March in Tashkent.
        let now = Utc.with_ymd_and_hms(2026, 3, 3, 20, 30, 0).unwrap();
        let today = Filter::last_days(1, tz, now);
        assert_eq!(
            today.from,
            Some(Utc.with_ymd_and_hms(2026, 3, 3, 19, 0, 0).unwrap())
        );
        assert_eq!(
            today.to,
            Some(Utc.with_ymd_and_hms(2026, 3, 4, 19, 0, 0).unwrap())
        );
        let week = Filter::last_days(7, tz, now);
        assert_eq!(
            week.from,
            Some(Utc.with_ymd_and_hms(2026, 2, 25, 19, 0, 0).unwrap())
        );
        assert_eq!(week.to, today.to);
        assert!(week.links.is_everything());
        let none = Filter::last_days(0, tz, now);
        assert_eq!(none.from, none.to, "no days: an empty period");
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_at_the_start() {
        let from = Utc.with_ymd_and_hms(2026, 3, 8, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 3, 15, 0, 0, 0).unwrap();
        let filter = Filter::period(from, to).with_links(LinkSelection::created_by(7));
        let previous = filter.previous_period().unwrap();
        assert_eq!(
            previous.from,
            Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(previous.to, Some(from));
        assert_eq!(previous.links.creator, Some(7));
        assert_eq!(Filter::default().previous_period(), None);
    }

    #[test]
    fn a_reports_default_period_is_whole_local_days() {
        use chrono::TimeZone;
        let tz = chrono_tz::Asia::Tashkent;
        // 02:33 in Tashkent on 5 November.
        let now = Utc.with_ymd_and_hms(2026, 11, 4, 21, 33, 0).unwrap();
        let period = Filter::whole_days(None, None, 30, tz, now);
        // 7 October 00:00 to 6 November 00:00, Tashkent (UTC+5).
        assert_eq!(
            period.from,
            Some(Utc.with_ymd_and_hms(2026, 10, 6, 19, 0, 0).unwrap())
        );
        assert_eq!(
            period.to,
            Some(Utc.with_ymd_and_hms(2026, 11, 5, 19, 0, 0).unwrap())
        );
        // A given end keeps its instant; the start is still a midnight.
        let to = Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).unwrap();
        let period = Filter::whole_days(None, Some(to), 7, tz, now);
        assert_eq!(period.to, Some(to));
        assert_eq!(
            period.from,
            Some(Utc.with_ymd_and_hms(2026, 10, 25, 19, 0, 0).unwrap())
        );
    }
}
