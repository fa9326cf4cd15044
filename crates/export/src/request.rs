//! What to export, and how: dataset, format, filters, language.

use std::fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use startlink_core::analytics;
use startlink_core::lang::Lang;
use startlink_core::links::LinkBuilder;

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

/// Everything one export needs besides the database and the output.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub dataset: Dataset,
    pub format: Format,
    /// The period and the links whose rows are exported (see the crate docs
    /// for what they select per dataset).
    pub filter: analytics::Filter,
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
            filter: analytics::Filter::default(),
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

    #[test]
    fn names_round_trip() {
        for dataset in Dataset::ALL {
            assert_eq!(Dataset::parse(dataset.as_str()), Some(dataset));
        }
        assert_eq!(Format::parse("csv"), Some(Format::Csv));
    }
}
