//! Links by status: how many of the selected links are active, used, expired
//! or revoked at `now`, overall or per creator.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, IdenStatic, QueryResult};
use serde::Serialize;

use super::filter::Resolved;
use super::{AnalyticsError, Filter, sum_if};
use crate::links::entity::{Column, Entity};
use crate::links::{LinkStatus, status_condition};

/// Links by their status at one instant; the four statuses split `total`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LinkCounts {
    pub total: i64,
    pub active: i64,
    pub used: i64,
    pub expired: i64,
    pub revoked: i64,
}

/// The links `filter` selects that were created in its period, by status at `now`.
pub async fn link_counts<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<LinkCounts, AnalyticsError> {
    let r = filter.resolve(db, now).await?;
    resolved_link_counts(db, &r).await
}

pub(crate) async fn resolved_link_counts<C: ConnectionTrait>(
    db: &C,
    r: &Resolved,
) -> Result<LinkCounts, AnalyticsError> {
    if r.filter.from.is_none() && r.filter.to.is_none() && !r.filter.has_link_fields() {
        return every_link(db, r.now).await;
    }
    let mut query = by_status(r);
    query.cond_where(r.links_created());
    let row = db
        .query_one(&query)
        .await
        .map_err(AnalyticsError::db("counting links"))?;
    match row {
        Some(row) => read(&row),
        None => Ok(LinkCounts::default()),
    }
}

/// [`link_counts`] per creator (`None`: links made outside Telegram), most
/// links first (ties: lower id first, `None` last).
pub async fn link_counts_by_creator<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<Vec<(Option<i64>, LinkCounts)>, AnalyticsError> {
    let r = filter.resolve(db, now).await?;
    let mut query = by_status(&r);
    query
        .cond_where(r.links_created())
        .column((Entity, Column::CreatedBy))
        .group_by_col((Entity, Column::CreatedBy));
    let rows = db
        .query_all(&query)
        .await
        .map_err(AnalyticsError::db("counting links per creator"))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let creator: Option<i64> = row
            .try_get("", Column::CreatedBy.as_str())
            .map_err(AnalyticsError::db("reading link counts"))?;
        out.push((creator, read(&row)?));
    }
    out.sort_by(|(a, x), (b, y)| {
        y.total
            .cmp(&x.total)
            .then_with(|| a.is_none().cmp(&b.is_none()))
            .then(a.cmp(b))
    });
    Ok(out)
}

fn by_status(r: &Resolved) -> SelectStatement {
    let mut query = Query::select();
    query
        .from(Entity)
        .expr_as(Expr::col(Asterisk).count(), Alias::new("total"));
    for status in LinkStatus::ALL {
        query.expr_as(
            sum_if(status_condition(status, r.now)),
            Alias::new(status.as_str()),
        );
    }
    query
}

fn read(row: &QueryResult) -> Result<LinkCounts, AnalyticsError> {
    let get = |name: &str| -> Result<i64, AnalyticsError> {
        Ok(row
            .try_get::<Option<i64>>("", name)
            .map_err(AnalyticsError::db("reading link counts"))?
            .unwrap_or(0))
    };
    Ok(LinkCounts {
        total: get("total")?,
        active: get("active")?,
        used: get("used")?,
        expired: get("expired")?,
        revoked: get("revoked")?,
    })
}

/// Every link by status at `now`, as four small counts: the total, and three
/// partial indexes of migration `m0007` (revoked links; used ones; expiring
/// ones neither revoked nor used) whose conditions these queries repeat word
/// for word, so both engines count index entries instead of evaluating every
/// link's status (0.2 s for 1,000,000 links on SQLite; 0.02 s this way).
async fn every_link<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<LinkCounts, AnalyticsError> {
    let not_revoked = || Expr::col(Column::RevokedAt).is_null();
    let used = Condition::all()
        .add(not_revoked())
        .add(Expr::col(Column::MaxUses).is_not_null())
        .add(Expr::col(Column::UseCount).gte(Expr::col(Column::MaxUses)));
    let expired = Condition::all()
        .add(not_revoked())
        .add(
            Condition::any()
                .add(Expr::col(Column::MaxUses).is_null())
                .add(Expr::col(Column::UseCount).lt(Expr::col(Column::MaxUses))),
        )
        .add(Expr::col(Column::ExpiresAt).is_not_null())
        .add(Expr::col(Column::ExpiresAt).lte(now));
    let revoked = Condition::all().add(Expr::col(Column::RevokedAt).is_not_null());
    let mut counts = [0_i64; 4];
    let conditions = [Condition::all(), revoked, used, expired];
    for (count, condition) in counts.iter_mut().zip(conditions) {
        let query = Query::select()
            .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
            .from(Entity)
            .cond_where(condition)
            .to_owned();
        let row = db
            .query_one(&query)
            .await
            .map_err(AnalyticsError::db("counting links by status"))?;
        if let Some(row) = row {
            *count = row
                .try_get("", "n")
                .map_err(AnalyticsError::db("reading link counts"))?;
        }
    }
    let [total, revoked, used, expired] = counts;
    Ok(LinkCounts {
        total,
        active: total - revoked - used - expired,
        used,
        expired,
        revoked,
    })
}
