//! `GET /api/v1/stats/summary` and `/api/v1/stats/timeseries`.

use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use startlink_core::analytics::{self, Bucket, StatsScope};
use startlink_core::{time, users};
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

/// Link counts by status, opens, users.
#[utoipa::path(
    get, path = "/api/v1/stats/summary", tag = "stats",
    security(("bearer" = ["stats:read"])),
    responses((status = 200, body = Summary), (status = 401, body = ErrorBody)),
)]
pub async fn summary(
    _: Authorized<StatsRead>,
    State(state): State<AppState>,
) -> Result<Json<Summary>, ApiError> {
    let now = time::now();
    let (counts, _) = analytics::stats(&state.db, StatsScope::All, now, 0).await?;
    let users_total = users::count_since(&state.db, None).await?;
    let new_users_7d = users::count_since(&state.db, Some(now - Duration::days(7))).await?;
    Ok(Json(Summary {
        links_total: counts.total,
        links_active: counts.active,
        links_used: counts.used,
        links_expired: counts.expired,
        links_revoked: counts.revoked,
        opens: counts.opens,
        opens_7d: counts.opens_7d,
        users_total,
        new_users_7d,
        at: now,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Start (RFC 3339 or local time in `TIMEZONE`); default 7 days before `to`.
    pub from: Option<String>,
    /// End, exclusive; default now.
    pub to: Option<String>,
    /// `hour` or `day` (default; calendar days in `TIMEZONE`).
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

/// Opens per hour or per day, zeros included.
#[utoipa::path(
    get, path = "/api/v1/stats/timeseries", tag = "stats",
    security(("bearer" = ["stats:read"])),
    params(SeriesQuery),
    responses((status = 200, body = Series), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
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
        Some(b) => Bucket::parse(b)
            .ok_or_else(|| ApiError::invalid(format!("bucket: {b:?} is not hour or day")))?,
    };
    let points = analytics::opens_series(&state.db, StatsScope::All, from, to, bucket, tz).await?;
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
