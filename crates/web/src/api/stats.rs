//! `GET /api/v1/stats/…`: summary, timeseries, breakdown, funnel, referrals.
//! Every number comes from `startlink_core::analytics`.

use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use startlink_core::analytics::{
    self, AnalyticsError, Bucket, Dimension, Filter, FunnelGroup, SelectionText,
};
use startlink_core::time;
use utoipa::{IntoParams, ToSchema};

use super::instant;
use crate::auth::{Authorized, StatsRead};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Counts at this instant.
#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    pub links_total: i64,
    pub links_active: i64,
    pub links_used: i64,
    pub links_expired: i64,
    pub links_revoked: i64,
    /// Every open of every link, whatever its outcome.
    pub opens: i64,
    pub opens_7d: i64,
    pub users_total: u64,
    pub new_users_7d: u64,
    pub at: DateTime<Utc>,
}

/// The period of the summary.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Start, inclusive: RFC 3339, or a date `YYYY-MM-DD` / local time in `TIMEZONE`; default: the beginning.
    #[param(format = DateTime, example = "2026-01-01T00:00:00Z")]
    pub from: Option<String>,
    /// End, exclusive, in the same forms; default: now. Not before `from`.
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    pub to: Option<String>,
}

/// Link counts by status, opens, users: links created, opens and new users
/// in the period (default: all time); the 7-day figures are the 7 days
/// before its end.
#[utoipa::path(
    get, path = "/api/v1/stats/summary", tag = "stats",
    security(("bearer" = ["stats:read"])),
    params(PeriodQuery),
    responses((status = 200, body = Summary), (status = 400, description = "A bad date, or `from` after `to`", body = ErrorBody), (status = 401, body = ErrorBody)),
)]
pub async fn summary(
    _: Authorized<StatsRead>,
    State(state): State<AppState>,
    Query(period): Query<PeriodQuery>,
) -> Result<Json<Summary>, ApiError> {
    let everything = Filter::from_text(
        period.from.as_deref(),
        period.to.as_deref(),
        &SelectionText::default(),
        state.timezone,
    )?;
    let now = time::now();
    let week = match everything.to {
        Some(to) => Filter::period(to.min(now) - Duration::days(7), to.min(now)),
        None => Filter::past_week(now),
    };
    let links = analytics::link_counts(&state.db, &everything, now).await?;
    let opens = analytics::opens(&state.db, &everything, now).await?;
    let opens_7d = analytics::opens(&state.db, &week, now).await?;
    let users_total = analytics::new_users(&state.db, &everything, now).await?;
    let new_users_7d = analytics::new_users(&state.db, &week, now).await?;
    Ok(Json(Summary {
        links_total: links.total,
        links_active: links.active,
        links_used: links.used,
        links_expired: links.expired,
        links_revoked: links.revoked,
        opens: opens.of_links(),
        opens_7d: opens_7d.of_links(),
        users_total: u64::try_from(users_total).unwrap_or_default(),
        new_users_7d: u64::try_from(new_users_7d).unwrap_or_default(),
        at: now,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Start (RFC 3339 or local time in `TIMEZONE`); default 7 days before `to`.
    #[param(format = DateTime, example = "2026-01-01T00:00:00Z")]
    pub from: Option<String>,
    /// End, exclusive; default now.
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    pub to: Option<String>,
    /// `hour`, `day` (default; calendar days in `TIMEZONE`) or `week` (ISO weeks from Monday).
    #[param(schema_with = super::schema::bucket)]
    pub bucket: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesPointOut {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub opens: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Series {
    pub bucket: String,
    pub timezone: String,
    pub points: Vec<SeriesPointOut>,
}

/// Opens per hour, day or week, zeros included: every `/start` with a
/// payload, also the ones that match no link (`not_found`, `invalid`).
#[utoipa::path(
    get, path = "/api/v1/stats/timeseries", tag = "stats",
    security(("bearer" = ["stats:read"])),
    params(SeriesQuery),
    responses((status = 200, body = Series), (status = 400, description = "An unknown bucket", body = ErrorBody), (status = 401, body = ErrorBody)),
)]
pub async fn timeseries(
    _: Authorized<StatsRead>,
    State(state): State<AppState>,
    Query(query): Query<SeriesQuery>,
) -> Result<Json<Series>, ApiError> {
    let tz = state.timezone;
    let to = match query.to.as_deref() {
        Some(to) => instant("to", to, tz)?,
        None => time::now(),
    };
    let from = match query.from.as_deref() {
        Some(from) => instant("from", from, tz)?,
        None => to - Duration::days(7),
    };
    let bucket = match query.bucket.as_deref() {
        None => Bucket::Day,
        Some(b) => b.parse::<Bucket>()?,
    };
    let points = analytics::series(&state.db, &Filter::period(from, to), bucket, tz, to).await?;
    Ok(Json(Series {
        bucket: bucket.as_str().to_owned(),
        timezone: tz.name().to_owned(),
        points: points
            .into_iter()
            .map(|p| SeriesPointOut {
                start: p.start,
                end: p.end,
                opens: p.opens,
            })
            .collect(),
    }))
}

/// The filters every analytics route takes (the CLI's `export` and `report`
/// take the same).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// Start, inclusive: RFC 3339, or a date `YYYY-MM-DD` (its first instant in `TIMEZONE`).
    #[param(format = DateTime, example = "2026-01-01T00:00:00Z")]
    pub from: Option<String>,
    /// End, exclusive, in the same forms.
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    pub to: Option<String>,
    /// Campaign name.
    pub campaign: Option<String>,
    /// Telegram id of the links' creator.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 9_007_199_254_740_991_i64)]
    pub creator: Option<String>,
    /// `order`, `campaign` or `referral`.
    #[param(schema_with = super::schema::kind)]
    pub kind: Option<String>,
    /// `active`, `used`, `expired` or `revoked`.
    #[param(schema_with = super::schema::status)]
    pub status: Option<String>,
}

impl From<AnalyticsError> for ApiError {
    fn from(error: AnalyticsError) -> Self {
        if error.is_invalid_input() {
            Self::BadRequest(error.to_string())
        } else {
            Self::Internal(anyhow::Error::new(error).context("analytics"))
        }
    }
}

impl AnalyticsQuery {
    /// The analytics filter these parameters describe; bad values are 400.
    pub fn filter(&self, tz: chrono_tz::Tz) -> Result<Filter, ApiError> {
        let links = SelectionText {
            campaign: self.campaign.clone(),
            creator: self.creator.clone(),
            kind: self.kind.clone(),
            status: self.status.clone(),
            search: None,
        };
        Ok(Filter::from_text(
            self.from.as_deref(),
            self.to.as_deref(),
            &links,
            tz,
        )?)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreakdownQuery {
    /// `campaign`, `utm_source`, `utm_medium`, `utm_campaign`, `creator`, `kind` or `outcome`.
    #[param(schema_with = super::schema::dimension)]
    pub by: String,
}

/// One group of a breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownRowOut {
    /// What people read: campaign name, UTM value, creator id, kind, outcome;
    /// `null` for links without a value.
    pub key: Option<String>,
    /// The campaign's or creator's id.
    pub id: Option<i64>,
    /// Opens in the period.
    pub opens: i64,
    /// Of which took a use (redeemed or accepted).
    pub uses: i64,
    /// Links created in the period (`null` for outcomes).
    pub links: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownOut {
    pub by: String,
    pub rows: Vec<BreakdownRowOut>,
}

/// Opens, uses and links per campaign, UTM value, creator, kind or outcome.
#[utoipa::path(
    get, path = "/api/v1/stats/breakdown", tag = "stats",
    security(("bearer" = ["stats:read"])),
    params(BreakdownQuery, AnalyticsQuery),
    responses((status = 200, body = BreakdownOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
)]
pub async fn breakdown(
    _: Authorized<StatsRead>,
    State(state): State<AppState>,
    Query(by): Query<BreakdownQuery>,
    Query(query): Query<AnalyticsQuery>,
) -> Result<Json<BreakdownOut>, ApiError> {
    let dimension = by.by.parse::<Dimension>()?;
    let filter = query.filter(state.timezone)?;
    let rows = analytics::breakdown(&state.db, &filter, dimension, time::now()).await?;
    Ok(Json(BreakdownOut {
        by: dimension.as_str().to_owned(),
        rows: rows
            .into_iter()
            .map(|r| BreakdownRowOut {
                key: r.key,
                id: r.id,
                opens: r.opens,
                uses: r.uses,
                links: r.links,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitQuery {
    /// Rows per list (default 20, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
}

fn limit(query: &LimitQuery) -> Result<u64, ApiError> {
    match query.limit {
        None => Ok(20),
        Some(n) if (1..=super::MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::BadRequest(format!(
            "limit: {n} is not between 1 and {}",
            super::MAX_PAGE_SIZE
        ))),
    }
}

/// Opens → uses → new users.
#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelOut {
    /// Opens of links in the period, whatever the outcome.
    pub opens: i64,
    /// Opens that took a use: redeemed (orders) or accepted (campaigns, referrals).
    pub uses: i64,
    /// Users first seen in the period who came through these links.
    pub new_users: i64,
}

/// A funnel for one campaign (`key` = its name) or link (`key` = its key).
#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelRowOut {
    pub id: i64,
    pub key: String,
    pub opens: i64,
    pub uses: i64,
    pub new_users: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelsOut {
    pub total: FunnelOut,
    /// Campaigns with the most opens first.
    pub campaigns: Vec<FunnelRowOut>,
    /// Links with the most opens first.
    pub links: Vec<FunnelRowOut>,
}

fn funnel_rows(rows: Vec<analytics::FunnelRow>) -> Vec<FunnelRowOut> {
    rows.into_iter()
        .map(|r| FunnelRowOut {
            id: r.id,
            key: r.key,
            opens: r.funnel.opens,
            uses: r.funnel.uses,
            new_users: r.funnel.new_users,
        })
        .collect()
}

/// The funnel overall, per campaign and per link.
#[utoipa::path(
    get, path = "/api/v1/stats/funnel", tag = "stats",
    security(("bearer" = ["stats:read"])),
    params(AnalyticsQuery, LimitQuery),
    responses((status = 200, body = FunnelsOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
)]
pub async fn funnel(
    _: Authorized<StatsRead>,
    State(state): State<AppState>,
    Query(query): Query<AnalyticsQuery>,
    Query(limit_query): Query<LimitQuery>,
) -> Result<Json<FunnelsOut>, ApiError> {
    let filter = query.filter(state.timezone)?;
    let limit = limit(&limit_query)?;
    let now = time::now();
    let total = analytics::funnel(&state.db, &filter, now).await?;
    let campaigns =
        analytics::funnel_by(&state.db, &filter, FunnelGroup::Campaign, limit, now).await?;
    let links = analytics::funnel_by(&state.db, &filter, FunnelGroup::Link, limit, now).await?;
    Ok(Json(FunnelsOut {
        total: FunnelOut {
            opens: total.opens,
            uses: total.uses,
            new_users: total.new_users,
        },
        campaigns: funnel_rows(campaigns),
        links: funnel_rows(links),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferrerOut {
    /// Telegram id of the referrer.
    pub referrer: i64,
    /// Users he brought (first seen in the period).
    pub joined: i64,
    /// Of whom opened anything in the last 7 days.
    pub active_7d: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralsOut {
    pub rows: Vec<ReferrerOut>,
}

/// The referral leaderboard: who brought the most users.
#[utoipa::path(
    get, path = "/api/v1/stats/referrals", tag = "stats",
    security(("bearer" = ["stats:read"])),
    params(AnalyticsQuery, LimitQuery),
    responses((status = 200, body = ReferralsOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
)]
pub async fn referrals(
    _: Authorized<StatsRead>,
    State(state): State<AppState>,
    Query(query): Query<AnalyticsQuery>,
    Query(limit_query): Query<LimitQuery>,
) -> Result<Json<ReferralsOut>, ApiError> {
    let filter = query.filter(state.timezone)?;
    let limit = limit(&limit_query)?;
    let rows = analytics::referral_leaderboard(&state.db, &filter, limit, time::now()).await?;
    Ok(Json(ReferralsOut {
        rows: rows
            .into_iter()
            .map(|r| ReferrerOut {
                referrer: r.referrer,
                joined: r.joined,
                active_7d: r.active_7d,
            })
            .collect(),
    }))
}
