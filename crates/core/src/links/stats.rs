//! Link counts by status and open counts, globally or for one creator.
//! (The analytics module will take over time series and breakdowns.)

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, Query, SelectStatement, SimpleExpr,
};
use sea_orm::{ConnectionTrait, DbErr, IdenStatic, QueryResult};
use serde::Serialize;

use super::entity::{Column, Entity};
use super::store::{LinkFilter, list, status_condition};
use super::{Link, LinkError, LinkStatus};
use crate::events::entity as event_entity;

/// Whose links to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsScope {
    All,
    /// Links created by this Telegram user.
    Creator(i64),
}

/// Counts at one instant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LinkStats {
    pub total: i64,
    pub active: i64,
    pub used: i64,
    pub expired: i64,
    pub revoked: i64,
    /// Every open of these links, whatever its outcome.
    pub opens: i64,
    pub opens_7d: i64,
}

/// [`LinkStats`] for one creator (`None`: links made outside Telegram).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatorStats {
    pub created_by: Option<i64>,
    #[serde(flatten)]
    pub stats: LinkStats,
}

fn status_counts(now: DateTime<Utc>) -> SelectStatement {
    let mut query = Query::select();
    query
        .from(Entity)
        .expr_as(Expr::col(Asterisk).count(), Alias::new("total"));
    for status in LinkStatus::ALL {
        let one_if: SimpleExpr = Expr::case(status_condition(status, now), 1)
            .finally(0)
            .into();
        let sum: SimpleExpr = Func::sum(one_if).into();
        query.expr_as(
            Func::coalesce([sum, Expr::val(0)]),
            Alias::new(status.as_str()),
        );
    }
    query
}

fn read_counts(row: &QueryResult) -> Result<LinkStats, DbErr> {
    Ok(LinkStats {
        total: row.try_get("", "total")?,
        active: row.try_get("", "active")?,
        used: row.try_get("", "used")?,
        expired: row.try_get("", "expired")?,
        revoked: row.try_get("", "revoked")?,
        opens: 0,
        opens_7d: 0,
    })
}

fn open_counts(since: DateTime<Utc>) -> SelectStatement {
    let recent: SimpleExpr = Expr::case(
        Expr::col((event_entity::Entity, event_entity::Column::At)).gte(since),
        1,
    )
    .finally(0)
    .into();
    let recent_sum: SimpleExpr = Func::sum(recent).into();
    Query::select()
        .from(event_entity::Entity)
        .inner_join(
            Entity,
            Expr::col((Entity, Column::Id))
                .equals((event_entity::Entity, event_entity::Column::LinkId)),
        )
        .expr_as(Expr::col(Asterisk).count(), Alias::new("opens"))
        .expr_as(
            Func::coalesce([recent_sum, Expr::val(0)]),
            Alias::new("opens_7d"),
        )
        .to_owned()
}

/// Counts for `scope` at `now`, with the `recent` newest links.
pub async fn stats<C: ConnectionTrait>(
    db: &C,
    scope: StatsScope,
    now: DateTime<Utc>,
    recent: u64,
) -> Result<(LinkStats, Vec<Link>), LinkError> {
    let mut counts = status_counts(now);
    let mut opens = open_counts(now - Duration::days(7));
    if let StatsScope::Creator(creator) = scope {
        counts.and_where(Expr::col(Column::CreatedBy).eq(creator));
        opens.and_where(Expr::col((Entity, Column::CreatedBy)).eq(creator));
    }
    let mut stats = match db.query_one(&counts).await? {
        Some(row) => read_counts(&row)?,
        None => LinkStats::default(),
    };
    if let Some(row) = db.query_one(&opens).await? {
        stats.opens = row.try_get("", "opens")?;
        stats.opens_7d = row.try_get("", "opens_7d")?;
    }
    let last = if recent == 0 {
        Vec::new()
    } else {
        let filter = LinkFilter {
            created_by: match scope {
                StatsScope::All => None,
                StatsScope::Creator(creator) => Some(creator),
            },
            limit: recent,
            ..Default::default()
        };
        list(db, &filter, now).await?.items
    };
    Ok((stats, last))
}

/// Counts per creator, most links first.
pub async fn stats_by_creator<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Vec<CreatorStats>, LinkError> {
    let mut counts = status_counts(now);
    counts
        .column((Entity, Column::CreatedBy))
        .group_by_col((Entity, Column::CreatedBy))
        .order_by_expr(Expr::col(Asterisk).count(), sea_orm::Order::Desc);
    let mut opens = open_counts(now - Duration::days(7));
    opens
        .column((Entity, Column::CreatedBy))
        .group_by_col((Entity, Column::CreatedBy));
    let open_rows = db.query_all(&opens).await?;
    let mut result = Vec::new();
    for row in db.query_all(&counts).await? {
        let created_by: Option<i64> = row.try_get("", Column::CreatedBy.as_str())?;
        let mut stats = read_counts(&row)?;
        for open_row in &open_rows {
            let by: Option<i64> = open_row.try_get("", Column::CreatedBy.as_str())?;
            if by == created_by {
                stats.opens = open_row.try_get("", "opens")?;
                stats.opens_7d = open_row.try_get("", "opens_7d")?;
            }
        }
        result.push(CreatorStats { created_by, stats });
    }
    Ok(result)
}

/// Opens per calendar day in `tz` for the last `days` days up to `now`'s day,
/// oldest first, zeros included. Day boundaries are computed in `tz` (DST-safe)
/// and counted in one query.
pub async fn opens_by_day<C: ConnectionTrait>(
    db: &C,
    scope: StatsScope,
    tz: Tz,
    days: u32,
    now: DateTime<Utc>,
) -> Result<Vec<(NaiveDate, i64)>, LinkError> {
    let today = now.with_timezone(&tz).date_naive();
    let dates: Vec<NaiveDate> = (0..days)
        .rev()
        .filter_map(|back| today.checked_sub_days(chrono::Days::new(u64::from(back))))
        .collect();
    let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
        return Ok(Vec::new());
    };
    let at = || Expr::col((event_entity::Entity, event_entity::Column::At));
    let mut query = Query::select();
    query
        .from(event_entity::Entity)
        .inner_join(
            Entity,
            Expr::col((Entity, Column::Id))
                .equals((event_entity::Entity, event_entity::Column::LinkId)),
        )
        .and_where(at().gte(day_start(*first, tz)))
        .and_where(at().lt(day_start(next_day(*last), tz)));
    for (i, date) in dates.iter().enumerate() {
        let in_day = at()
            .gte(day_start(*date, tz))
            .and(at().lt(day_start(next_day(*date), tz)));
        let one_if: SimpleExpr = Expr::case(in_day, 1).finally(0).into();
        let sum: SimpleExpr = Func::sum(one_if).into();
        query.expr_as(
            Func::coalesce([sum, Expr::val(0)]),
            Alias::new(format!("d{i}")),
        );
    }
    if let StatsScope::Creator(creator) = scope {
        query.and_where(Expr::col((Entity, Column::CreatedBy)).eq(creator));
    }
    let row = db.query_one(&query).await?;
    let mut result = Vec::with_capacity(dates.len());
    for (i, date) in dates.into_iter().enumerate() {
        let count = match &row {
            Some(row) => row
                .try_get::<Option<i64>>("", &format!("d{i}"))?
                .unwrap_or(0),
            None => 0,
        };
        result.push((date, count));
    }
    Ok(result)
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt().unwrap_or(date)
}

/// The first instant of `date` in `tz`; where a clock change skips midnight, the
/// first instant that exists.
pub(super) fn day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut local = date.and_time(NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(at) = tz.from_local_datetime(&local).earliest() {
            return at.with_timezone(&Utc);
        }
        local += Duration::minutes(30);
    }
    local.and_utc()
}
