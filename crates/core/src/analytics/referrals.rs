//! The referral leaderboard: who brought the most users, and how many of them
//! are still active.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Asterisk, Condition, Expr, ExprTrait, Order, Query};
use serde::Serialize;

use super::{AnalyticsError, Filter, sum_if};
use crate::events::entity as events;
use crate::users::entity as users;

/// How far back "active" looks.
pub const ACTIVE_WINDOW: Duration = Duration::days(7);

/// One referrer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferrerRow {
    /// Telegram id of the referrer.
    pub referrer: i64,
    /// Users attributed to him (first seen in the period).
    pub joined: i64,
    /// Of whom opened anything in the 7 days up to `now`.
    pub active_7d: i64,
}

/// The `limit` referrers who brought the most users first seen in the period,
/// most first (ties: more active, then lower id). Of the filter's link fields,
/// `creator` applies (as the referrer: a referral link's creator is its
/// owner); campaign, kind and status do not describe referrals and are ignored.
pub async fn referral_leaderboard<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<ReferrerRow>, AnalyticsError> {
    filter.check()?;
    let referred_by = Expr::col((users::Entity, users::Column::ReferredBy));
    let first_seen = Expr::col((users::Entity, users::Column::FirstSeenAt));
    let at = Expr::col((events::Entity, events::Column::At));
    let recent = Query::select()
        .expr(Expr::val(1))
        .from(events::Entity)
        .and_where(
            Expr::col((events::Entity, events::Column::TgUserId))
                .equals((users::Entity, users::Column::Id)),
        )
        .and_where(at.clone().gte(now - ACTIVE_WINDOW))
        .and_where(at.lte(now))
        .to_owned();
    let mut cond = Condition::all().add(referred_by.clone().is_not_null());
    if let Some(from) = filter.from {
        cond = cond.add(first_seen.clone().gte(from));
    }
    if let Some(to) = filter.to {
        cond = cond.add(first_seen.lt(to));
    }
    if let Some(creator) = filter.links.creator {
        cond = cond.add(referred_by.clone().eq(creator));
    }
    let joined = Alias::new("joined");
    let active = Alias::new("active");
    let query = Query::select()
        .expr_as(referred_by.clone(), Alias::new("referrer"))
        .expr_as(Expr::col(Asterisk).count(), joined.clone())
        .expr_as(sum_if(Expr::exists(recent)), active.clone())
        .from(users::Entity)
        .cond_where(cond)
        .group_by_col((users::Entity, users::Column::ReferredBy))
        .order_by(joined, Order::Desc)
        .order_by(active, Order::Desc)
        .order_by((users::Entity, users::Column::ReferredBy), Order::Asc)
        .limit(limit)
        .to_owned();
    let rows = db
        .query_all(&query)
        .await
        .map_err(AnalyticsError::db("ranking referrers"))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let read = || AnalyticsError::db("reading the referral leaderboard");
        out.push(ReferrerRow {
            referrer: row.try_get("", "referrer").map_err(read())?,
            joined: row.try_get("", "joined").map_err(read())?,
            active_7d: row
                .try_get::<Option<i64>>("", "active")
                .map_err(read())?
                .unwrap_or(0),
        });
    }
    Ok(out)
}
