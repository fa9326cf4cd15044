//! The PDF report for a period: a cover, the key figures against the previous
//! period of the same length, charts (opens per day, outcome split, top
//! campaigns) drawn by `startlink-charts`, the top 20 links and campaigns,
//! opens per day and the referral leaderboard, with page numbers; in Uzbek
//! (Latin, the default), Russian or English.
//!
//! Every figure comes from `startlink_core::analytics`; this crate only lays
//! them out. The PDF is written by krilla with DejaVu Sans embedded (subset),
//! so its text is real, extractable text.

mod content;
mod data;
mod format;
mod i18n;
mod pdf;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use startlink_core::DatabaseConnection;
use startlink_core::analytics::{AnalyticsError, Filter};
use startlink_core::lang::Lang;

pub use i18n::{KpiLabels, Labels, OutcomeLabels, labels};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The period or filter is wrong (names the field), or a figure failed.
    #[error(transparent)]
    Analytics(#[from] AnalyticsError),
    #[error("from, to: a report needs a period with both ends")]
    OpenPeriod,
    #[error("from, to: a report covers at most 998 weeks (about 19 years)")]
    PeriodTooLong,
    #[error("database error while {what}")]
    Db {
        what: &'static str,
        #[source]
        source: sea_orm::DbErr,
    },
    #[error("the embedded font cannot be read: {0}")]
    Font(String),
    #[error("a chart could not be drawn: {0}")]
    Chart(String),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

impl ReportError {
    /// Whether the caller's input is at fault (not the database or the renderer).
    pub fn is_invalid_input(&self) -> bool {
        match self {
            Self::Analytics(e) => e.is_invalid_input(),
            Self::OpenPeriod | Self::PeriodTooLong => true,
            _ => false,
        }
    }
}

/// What to report on, and how.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// The period `[from, to)` (both required) and, optionally, link
    /// attributes that narrow every figure.
    pub filter: Filter,
    pub lang: Lang,
    /// Days, dates and times are in this zone.
    pub tz: Tz,
    /// The bot's username, for the cover.
    pub bot: Option<String>,
    /// The report's `now`: link statuses and "active in the last 7 days" are
    /// as of this instant.
    pub generated_at: DateTime<Utc>,
}

impl ReportRequest {
    /// A report on everything in `[from, to)`.
    pub fn for_period(
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        lang: Lang,
        tz: Tz,
        generated_at: DateTime<Utc>,
    ) -> Self {
        Self {
            filter: Filter::period(from, to),
            lang,
            tz,
            bot: None,
            generated_at,
        }
    }
}

/// A rendered report.
#[derive(Debug, Clone)]
pub struct RenderedReport {
    pub pdf: Vec<u8>,
    pub pages: usize,
}

/// The report as PDF bytes.
pub async fn render(
    db: &DatabaseConnection,
    request: &ReportRequest,
) -> Result<Vec<u8>, ReportError> {
    Ok(render_document(db, request).await?.pdf)
}

/// The report as PDF bytes, with its page count.
pub async fn render_document(
    db: &DatabaseConnection,
    request: &ReportRequest,
) -> Result<RenderedReport, ReportError> {
    let data = data::gather(db, request).await?;
    let labels = labels(request.lang);
    let fmt = format::Fmt {
        lang: request.lang,
        tz: request.tz,
    };
    let fonts = pdf::fonts::Fonts::load()?;
    let mut layout = pdf::layout::Layout::new(&fonts);
    let cover = content::Cover {
        bot: request.bot.as_deref(),
        generated_at: request.generated_at,
    };
    content::build(&mut layout, &data, labels, fmt, &cover)?;
    let pages = layout.finish();
    let page_count = pages.len();
    let info = pdf::emit::DocInfo {
        title: labels.title.to_owned(),
        language: request.lang.as_str().to_owned(),
        created: request.generated_at,
        footer: format!(
            "startlink · {} · {} · {}",
            labels.title,
            content::bot_name(request.bot.as_deref(), labels),
            fmt.period(data.from, data.to, labels.until)
        ),
    };
    let pdf = pdf::emit::write(pages, &fonts, &info)?;
    Ok(RenderedReport {
        pdf,
        pages: page_count,
    })
}
