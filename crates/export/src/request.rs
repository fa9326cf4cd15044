//! What to export, and how: dataset, format, filters, language.

use std::fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use startlink_core::analytics;
use startlink_core::lang::Lang;
use startlink_core::links::{LinkBuilder, LinkKind, LinkStatus};
use startlink_core::time::Period;
use startlink_core::users::TgUserId;

use crate::ExportError;

/// The most rows an Excel worksheet holds, header included.
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

/// Rows read from the database per query.
const DEFAULT_PAGE_SIZE: u64 = 5_000;

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    Links,
    Events,
    Users,
    Campaigns,
    /// Every dataset, a sheet each, and a summary sheet (XLSX only).
    All,
}

impl Dataset {
    pub const ALL: [Dataset; 5] = [
        Self::Links,
        Self::Events,
        Self::Users,
        Self::Campaigns,
        Self::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Links => "links",
            Self::Events => "events",
            Self::Users => "users",
            Self::Campaigns => "campaigns",
            Self::All => "all",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == input)
    }

    /// The datasets written, in sheet order.
    pub(crate) fn parts(self) -> &'static [Dataset] {
        match self {
            Self::Links => &[Self::Links],
            Self::Events => &[Self::Events],
            Self::Users => &[Self::Users],
            Self::Campaigns => &[Self::Campaigns],
            Self::All => &[Self::Links, Self::Events, Self::Users, Self::Campaigns],
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Xlsx, Self::Csv]
            .into_iter()
            .find(|f| f.as_str() == input)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// Filters as text, as the CLI and query strings carry them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawFilter {
    /// RFC 3339, a local time in the time zone, or a date `YYYY-MM-DD` meaning
    /// its first instant in the time zone (inclusive).
    pub from: Option<String>,
    /// The same forms as `from` (exclusive).
    pub to: Option<String>,
    /// Campaign name, exact.
    pub campaign: Option<String>,
    /// Telegram id of the links' creator.
    pub creator: Option<String>,
    /// order, campaign or referral.
    pub kind: Option<String>,
    /// active, used, expired or revoked.
    pub status: Option<String>,
}

/// Which rows to export; see the crate docs for what each filter means per dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilter {
    pub period: Period,
    pub campaign: Option<String>,
    pub created_by: Option<TgUserId>,
    pub kind: Option<LinkKind>,
    pub status: Option<LinkStatus>,
}

impl ExportFilter {
    /// Parses text filters; a bad value is an [`ExportError::Invalid`] naming the
    /// filter, and `from` after `to` is an error too. Dates are read as
    /// analytics reads them ([`analytics::parse_bound`]), so the CLI, the API
    /// and the panel accept the same forms for exports and figures.
    pub fn parse(raw: &RawFilter, tz: Tz) -> Result<Self, ExportError> {
        let bounds = analytics::Filter::default().with_period_text(
            raw.from.as_deref(),
            raw.to.as_deref(),
            tz,
        )?;
        let period = Period::new(bounds.from, bounds.to)
            .map_err(|e| ExportError::invalid("from", e.to_string()))?;
        let created_by = raw
            .creator
            .as_deref()
            .map(TgUserId::parse)
            .transpose()
            .map_err(|e| ExportError::invalid("creator", e.to_string()))?;
        let kind = raw
            .kind
            .as_deref()
            .map(str::parse::<LinkKind>)
            .transpose()?;
        let status = raw
            .status
            .as_deref()
            .map(str::parse::<LinkStatus>)
            .transpose()?;
        let campaign = raw
            .campaign
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        Ok(Self {
            period,
            campaign,
            created_by,
            kind,
            status,
        })
    }
}

/// Everything one export needs besides the database and the output.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub dataset: Dataset,
    pub format: Format,
    pub filter: ExportFilter,
    /// Language of XLSX headers and the summary sheet.
    pub lang: Lang,
    /// CSV only: start with a UTF-8 byte order mark (for Excel on Windows).
    pub bom: bool,
    /// Times are shown in this zone (XLSX date-times, CSV RFC 3339 offsets).
    pub timezone: Tz,
    /// Builds the `url` column; without it the column is empty.
    pub link_builder: Option<LinkBuilder>,
    /// The instant link statuses are evaluated at.
    pub now: DateTime<Utc>,
    /// XLSX rows per worksheet, header included, before the rest continues on
    /// `name (2)`; at most [`XLSX_MAX_ROWS`], at least 2.
    pub max_rows_per_sheet: u32,
    /// Rows read per database query.
    pub page_size: u64,
}

impl ExportRequest {
    pub fn new(dataset: Dataset, format: Format, timezone: Tz, now: DateTime<Utc>) -> Self {
        Self {
            dataset,
            format,
            filter: ExportFilter::default(),
            lang: Lang::default(),
            bom: false,
            timezone,
            link_builder: None,
            now,
            max_rows_per_sheet: XLSX_MAX_ROWS,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

    /// A file name such as `events.xlsx`.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.dataset, self.format.as_str())
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Every sheet (XLSX) or the one table (CSV), in order, with its data rows
    /// (header not counted). The XLSX `summary` sheet is not listed.
    pub sheets: Vec<SheetSummary>,
}

impl ExportSummary {
    /// Data rows across all sheets.
    pub fn rows(&self) -> u64 {
        self.sheets.iter().map(|s| s.rows).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetSummary {
    pub name: String,
    pub rows: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(from: &str, to: &str) -> RawFilter {
        RawFilter {
            from: Some(from.into()),
            to: Some(to.into()),
            ..Default::default()
        }
    }

    #[test]
    fn dates_are_read_in_the_time_zone_and_from_after_to_is_refused() {
        let tz = chrono_tz::Asia::Tashkent;
        let filter = ExportFilter::parse(&raw("2026-01-01", "2026-01-02T00:00:00Z"), tz).unwrap();
        assert_eq!(
            filter.period.from().unwrap().to_rfc3339(),
            "2025-12-31T19:00:00+00:00"
        );
        assert_eq!(
            filter.period.to().unwrap().to_rfc3339(),
            "2026-01-02T00:00:00+00:00"
        );
        let error = ExportFilter::parse(&raw("2026-02-01", "2026-01-01"), tz)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("from: "), "{error}");
        assert!(error.contains("after"), "{error}");
    }

    #[test]
    fn a_plain_date_is_its_first_instant_in_the_time_zone_even_where_midnight_is_skipped() {
        let berlin = chrono_tz::Europe::Berlin;
        let filter = ExportFilter::parse(&raw("2026-03-29", "2026-03-30"), berlin).unwrap();
        assert_eq!(
            filter.period.from().unwrap().to_rfc3339(),
            "2026-03-28T23:00:00+00:00",
            "midnight before the clocks go forward is still UTC+1"
        );
        assert_eq!(
            filter.period.to().unwrap().to_rfc3339(),
            "2026-03-29T22:00:00+00:00"
        );
        // Chile moved its clocks from 00:00 to 01:00 on 2026-09-06: the day
        // starts at 01:00 local, as analytics reads it.
        let santiago = chrono_tz::America::Santiago;
        let filter = ExportFilter::parse(&raw("2026-09-06", "2026-09-07"), santiago).unwrap();
        assert_eq!(
            filter.period.from().unwrap().to_rfc3339(),
            "2026-09-06T04:00:00+00:00"
        );
    }

    #[test]
    fn each_bad_filter_is_named_in_its_error() {
        let tz = chrono_tz::UTC;
        let cases = [
            (
                "from",
                RawFilter {
                    from: Some("yesterday".into()),
                    ..Default::default()
                },
            ),
            (
                "to",
                RawFilter {
                    to: Some("2026-13-01".into()),
                    ..Default::default()
                },
            ),
            (
                "creator",
                RawFilter {
                    creator: Some("-5".into()),
                    ..Default::default()
                },
            ),
            (
                "kind",
                RawFilter {
                    kind: Some("poster".into()),
                    ..Default::default()
                },
            ),
            (
                "status",
                RawFilter {
                    status: Some("dead".into()),
                    ..Default::default()
                },
            ),
        ];
        for (field, raw) in cases {
            let error = ExportFilter::parse(&raw, tz).unwrap_err().to_string();
            assert!(
                error.starts_with(&format!("{field}: ")),
                "{field}: got {error}"
            );
            assert!(!error.contains('\n'), "{field}: one line, got {error}");
        }
    }

    #[test]
    fn names_round_trip() {
        for dataset in Dataset::ALL {
            assert_eq!(Dataset::parse(dataset.as_str()), Some(dataset));
        }
        assert_eq!(Format::parse("csv"), Some(Format::Csv));
    }
}
