//! Opens over time in hour, day or week buckets in the time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SelectStatement};
use serde::Serialize;

use super::buckets::edges;
use super::{AnalyticsError, Bucket, Filter, rollup};
use crate::events::entity as events;

/// Buckets counted per statement, to keep each statement small.
const BUCKETS_PER_QUERY: usize = 100;

/// One bucket: `[start, end)` and the opens in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesPoint {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub opens: i64,
}

/// Opens matching `filter` per bucket, oldest first, zeros included. The
/// buckets cover `[filter.from, filter.to or now)`, aligned to the bucket width
/// in `tz`, so the first and last may reach outside it; each is counted whole
/// (the period narrows which buckets, not what is in them).
pub async fn series<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    bucket: Bucket,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Vec<SeriesPoint>, AnalyticsError> {
    let from = filter
        .from
        .ok_or_else(|| AnalyticsError::invalid("from", "a time series needs a start"))?;
    let to = filter.to.unwrap_or(now);
    let edges = edges(from, to, bucket, tz)?;
    // Buckets on whole UTC hours (every zone with whole-hour offsets) of all
    // opens: the hourly counts answer exactly, in one small query.
    if edges.iter().all(|e| e.timestamp().rem_euclid(3600) == 0) {
        if !filter.has_link_fields() {
            return from_hourly(db, &edges, rollup::Opens::All).await;
        }
        // A campaign and/or kind: the same table, narrowed.
        let r = filter.resolve(db, now).await?;
        if let Some((campaign, kind)) = r.rollup_scope() {
            return from_hourly(db, &edges, rollup::Opens::Of { campaign, kind }).await;
        }
    }
    // Each bucket is its own range over the index on `at`: one pass over the
    // events of the range, no per-row comparison against every bucket.
    let whole = Filter {
        from: edges.first().copied(),
        to: edges.last().copied(),
        ..filter.clone()
    };
    let r = whole.resolve(db, now).await?;
    let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        edges.windows(2).map(|w| (w[0], w[1])).collect();
    let mut points = Vec::with_capacity(spans.len());
    for chunk in spans.chunks(BUCKETS_PER_QUERY) {
        let mut query = Query::select();
        for (i, (start, end)) in chunk.iter().enumerate() {
            let mut one = r.clone();
            one.filter.from = Some(*start);
            one.filter.to = Some(*end);
            let count: SelectStatement = Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(events::Entity)
                .cond_where(one.events())
                .to_owned();
            query.expr_as(
                Expr::SubQuery(None, Box::new(count.into())),
                Alias::new(format!("b{i}")),
            );
        }
        let row = db
            .query_one(&query)
            .await
            .map_err(AnalyticsError::db("counting opens per bucket"))?;
        for (i, (start, end)) in chunk.iter().enumerate() {
            let opens = match &row {
                Some(row) => row
                    .try_get::<Option<i64>>("", &format!("b{i}"))
                    .map_err(AnalyticsError::db("reading opens per bucket"))?
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

async fn from_hourly<C: ConnectionTrait>(
    db: &C,
    edges: &[DateTime<Utc>],
    which: rollup::Opens,
) -> Result<Vec<SeriesPoint>, AnalyticsError> {
    let (Some(first), Some(last)) = (edges.first(), edges.last()) else {
        return Ok(Vec::new());
    };
    let hours = rollup::hourly(db, *first, *last, which)
        .await
        .map_err(AnalyticsError::db("reading the hourly opens"))?;
    let mut hours = hours.into_iter().peekable();
    let mut points = Vec::with_capacity(edges.len().saturating_sub(1));
    for span in edges.windows(2) {
        let (start, end) = (span[0], span[1]);
        let mut opens = 0;
        while let Some((hour, n)) = hours.next_if(|(hour, _)| *hour < end) {
            if hour >= start {
                opens += n;
            }
        }
        points.push(SeriesPoint { start, end, opens });
    }
    Ok(points)
}
