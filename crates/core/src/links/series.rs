//! Opens over time in hour or day buckets, for charts and the API.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SimpleExpr};
use serde::Serialize;

use super::LinkError;
use super::entity::{Column, Entity};
use super::stats::{StatsScope, day_start};
use crate::events::entity as event_entity;

/// Most buckets one series may have (a month of hours, or years of days).
pub const MAX_BUCKETS: usize = 1_000;
/// Buckets counted per statement, to keep each statement small.
const BUCKETS_PER_QUERY: usize = 200;

/// Bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Hour,
    /// A calendar day in the time zone (23 or 25 hours across a clock change).
    Day,
}

impl Bucket {
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "hour" => Some(Self::Hour),
            "day" => Some(Self::Day),
            _ => None,
        }
    }
}

/// One bucket: `[start, end)` and the opens in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesPoint {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub opens: i64,
}

fn boundaries(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bucket: Bucket,
    tz: Tz,
) -> Result<Vec<DateTime<Utc>>, LinkError> {
    if from >= to {
        return Err(LinkError::invalid("from", "must be before to"));
    }
    let too_many = || {
        LinkError::invalid(
            "to",
            format!(
                "the range has more than {MAX_BUCKETS} buckets; use a wider bucket or a shorter range"
            ),
        )
    };
    let mut edges = Vec::new();
    match bucket {
        Bucket::Hour => {
            let start = from.timestamp().div_euclid(3600) * 3600;
            let mut at = DateTime::from_timestamp(start, 0).unwrap_or(from);
            while at < to {
                edges.push(at);
                at += Duration::hours(1);
                if edges.len() > MAX_BUCKETS {
                    return Err(too_many());
                }
            }
            edges.push(at);
        }
        Bucket::Day => {
            let mut date: NaiveDate = from.with_timezone(&tz).date_naive();
            loop {
                let at = day_start(date, tz);
                edges.push(at);
                if at >= to {
                    break;
                }
                if edges.len() > MAX_BUCKETS + 1 {
                    return Err(too_many());
                }
                date = date.succ_opt().ok_or_else(too_many)?;
            }
        }
    }
    Ok(edges)
}

/// Opens of links in `scope` per bucket covering `[from, to)`, oldest first,
/// zeros included. Buckets are aligned to whole hours (UTC) or to midnight in
/// `tz`, so the first and last may reach outside the range.
pub async fn opens_series<C: ConnectionTrait>(
    db: &C,
    scope: StatsScope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bucket: Bucket,
    tz: Tz,
) -> Result<Vec<SeriesPoint>, LinkError> {
    let edges = boundaries(from, to, bucket, tz)?;
    let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        edges.windows(2).map(|w| (w[0], w[1])).collect();
    let at = || Expr::col((event_entity::Entity, event_entity::Column::At));
    let mut points = Vec::with_capacity(spans.len());
    for chunk in spans.chunks(BUCKETS_PER_QUERY) {
        let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
            continue;
        };
        let mut query = Query::select();
        query
            .from(event_entity::Entity)
            .inner_join(
                Entity,
                Expr::col((Entity, Column::Id))
                    .equals((event_entity::Entity, event_entity::Column::LinkId)),
            )
            .and_where(at().gte(first.0))
            .and_where(at().lt(last.1));
        for (i, (start, end)) in chunk.iter().enumerate() {
            let inside = at().gte(*start).and(at().lt(*end));
            let one_if: SimpleExpr = Expr::case(inside, 1).finally(0).into();
            let sum: SimpleExpr = Func::sum(one_if).into();
            query.expr_as(
                Func::coalesce([sum, Expr::val(0)]),
                Alias::new(format!("b{i}")),
            );
        }
        if let StatsScope::Creator(creator) = scope {
            query.and_where(Expr::col((Entity, Column::CreatedBy)).eq(creator));
        }
        let row = db.query_one(&query).await?;
        for (i, (start, end)) in chunk.iter().enumerate() {
            let opens = match &row {
                Some(row) => row
                    .try_get::<Option<i64>>("", &format!("b{i}"))?
                    .unwrap_or(0),
                None => 0,
            };
            points.push(SeriesPoint {
                start: *start,
                end: *end,
                opens,
            });
        }
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn hour_buckets_are_whole_hours_covering_the_range() {
        let from = Utc.with_ymd_and_hms(2026, 3, 1, 10, 30, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 3, 1, 13, 0, 0).unwrap();
        let edges = boundaries(from, to, Bucket::Hour, chrono_tz::UTC).unwrap();
        assert_eq!(edges.len(), 4, "10-11, 11-12, 12-13: {edges:?}");
        assert_eq!(
            edges[0],
            Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap()
        );
        assert_eq!(edges[3], to);
    }

    #[test]
    fn day_buckets_start_at_local_midnight() {
        let tz = chrono_tz::Asia::Tashkent; // UTC+5
        let from = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 3, 3, 12, 0, 0).unwrap();
        let edges = boundaries(from, to, Bucket::Day, tz).unwrap();
        assert_eq!(
            edges[0],
            Utc.with_ymd_and_hms(2026, 2, 28, 19, 0, 0).unwrap()
        );
        assert_eq!(edges.len(), 4);
    }

    #[test]
    fn empty_and_oversized_ranges_are_refused() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        assert!(boundaries(at, at, Bucket::Day, chrono_tz::UTC).is_err());
        let far = at + Duration::days(60);
        assert!(boundaries(at, far, Bucket::Hour, chrono_tz::UTC).is_err());
        assert!(boundaries(at, far, Bucket::Day, chrono_tz::UTC).is_ok());
    }
}
