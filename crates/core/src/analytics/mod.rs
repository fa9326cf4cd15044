//! Analytics: the one place that computes numbers over links, events and users.
//! The dashboard, the bot's `/stats`, the API, exports and reports call it.
//!
//! Every figure takes a [`Filter`] (a period and link attributes) and an explicit
//! `now`; every query is built with sea-query, so values are parameters and
//! SQLite and PostgreSQL run the same statements. Buckets of time series are
//! computed in Rust in the configured time zone and counted as index ranges, so
//! no engine-specific date function is involved.

mod breakdown;
mod buckets;
mod filter;
mod funnel;
mod link_counts;
mod referrals;
pub mod rollup;
mod series;
mod summary;
mod top;

use sea_orm::DbErr;
use sea_orm::sea_query::{Expr, Func, IntoCondition, SimpleExpr};

pub use breakdown::{BreakdownRow, Dimension, breakdown};
pub use buckets::{Bucket, MAX_BUCKETS, bucket_start, day_start, edges};
pub use filter::{CampaignRef, Filter, parse_bound};
pub use funnel::{Funnel, FunnelGroup, FunnelRow, funnel, funnel_by};
pub use link_counts::{
    CreatorStats, LinkStats, StatsScope, campaigns_by_opens, dashboard_counts, opens_by_day,
    opens_series, stats, stats_by_creator, top_referrers,
};
pub use referrals::{ReferrerRow, referral_leaderboard};
pub use series::{SeriesPoint, series};
pub use summary::{OutcomeCounts, Summary, summary};
pub use top::{TopCampaign, TopLink, top_campaigns, top_links};

/// Why a figure could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// Bad input, naming the field (`from`, `to`, `bucket`, …).
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("campaign: no campaign is named {0:?}")]
    UnknownCampaign(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error while {what}")]
    Db {
        what: &'static str,
        #[source]
        source: DbErr,
    },
}

impl AnalyticsError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// For `map_err`: a database error while doing `what`.
    pub(crate) fn db(what: &'static str) -> impl FnOnce(DbErr) -> Self {
        move |source| Self::Db { what, source }
    }

    /// Whether the caller's input is at fault (not the database).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Self::Invalid { .. } | Self::UnknownCampaign(_))
    }
}

/// `COALESCE(SUM(CASE WHEN cond THEN 1 ELSE 0 END), 0)`: counts rows where `cond` holds.
pub(crate) fn sum_if(cond: impl IntoCondition) -> SimpleExpr {
    let one_if: SimpleExpr = Expr::case(cond.into_condition(), 1).finally(0).into();
    let sum: SimpleExpr = Func::sum(one_if).into();
    Func::coalesce([sum, Expr::val(0)]).into()
}
