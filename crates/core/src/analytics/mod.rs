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
mod referrals;
pub mod rollup;
mod series;
mod statuses;
mod summary;
mod top;
pub mod user_sets;

use sea_orm::DbErr;

pub use crate::links::{CampaignRef, LinkSelection, SelectionText};
use sea_orm::sea_query::{Expr, Func, IntoCondition, SimpleExpr};

pub use breakdown::{BreakdownRow, Dimension, breakdown};
pub use buckets::{Bucket, MAX_BUCKETS, bucket_start, day_start, edges};
pub use filter::{Filter, parse_bound};
pub use funnel::{Funnel, FunnelGroup, FunnelRow, funnel, funnel_by};
pub use referrals::{ReferrerRow, referral_leaderboard};
pub use series::{SeriesPoint, series};
pub use statuses::{LinkCounts, link_counts, link_counts_by_creator};
pub use summary::{OutcomeCounts, Summary, new_users, opens, summary};
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

impl From<crate::links::SelectionError> for AnalyticsError {
    fn from(error: crate::links::SelectionError) -> Self {
        Self::Invalid {
            field: error.field,
            reason: format!("{:?} is not {}", error.value, error.accepted),
        }
    }
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

/// The period's opens per campaign, link kind and outcome from the hourly
/// opens (exact: partial hours are counted from the events), or `None` when
/// the filter names something the table does not hold (creator, status).
pub(crate) async fn rolled_up<C: sea_orm::ConnectionTrait>(
    db: &C,
    r: &filter::Resolved,
) -> Result<Option<Vec<rollup::GroupCount>>, AnalyticsError> {
    let Some((campaign, kind)) = r.rollup_scope() else {
        return Ok(None);
    };
    rollup::grouped(db, r.filter.from, r.filter.to, campaign, kind)
        .await
        .map(Some)
        .map_err(AnalyticsError::db("reading the hourly opens"))
}

/// A campaign's opens and uses in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CampaignCount {
    pub campaign_id: i64,
    pub opens: i64,
    pub uses: i64,
}

/// Opens and uses per campaign from the hourly opens, most opens first (ties:
/// older campaign first), or `None` when the filter needs the events.
pub(crate) async fn campaign_counts<C: sea_orm::ConnectionTrait>(
    db: &C,
    r: &filter::Resolved,
) -> Result<Option<Vec<CampaignCount>>, AnalyticsError> {
    let Some(groups) = rolled_up(db, r).await? else {
        return Ok(None);
    };
    let mut totals: std::collections::BTreeMap<i64, CampaignCount> = Default::default();
    for group in groups {
        let (Some(campaign_id), Some(_)) = (group.campaign_id, group.kind) else {
            continue;
        };
        let entry = totals.entry(campaign_id).or_insert(CampaignCount {
            campaign_id,
            opens: 0,
            uses: 0,
        });
        entry.opens += group.opens;
        if group.taken() {
            entry.uses += group.opens;
        }
    }
    let mut out: Vec<CampaignCount> = totals.into_values().collect();
    out.sort_by(|a, b| {
        b.opens
            .cmp(&a.opens)
            .then(a.campaign_id.cmp(&b.campaign_id))
    });
    Ok(Some(out))
}

/// `COALESCE(SUM(CASE WHEN cond THEN 1 ELSE 0 END), 0)`: counts rows where `cond` holds.
pub(crate) fn sum_if(cond: impl IntoCondition) -> SimpleExpr {
    let one_if: SimpleExpr = Expr::case(cond.into_condition(), 1).finally(0).into();
    let sum: SimpleExpr = Func::sum(one_if).into();
    Func::coalesce([sum, Expr::val(0)]).into()
}
