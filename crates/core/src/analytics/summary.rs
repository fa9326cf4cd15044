//! Key figures for a period: links, opens by outcome, openers, new and
//! returning users, redemption rate.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde::Serialize;

use super::filter::Resolved;
use super::statuses::resolved_link_counts;
use super::{AnalyticsError, Filter, rolled_up, user_sets};
use crate::events::Outcome;
use crate::events::entity as events;
use crate::users::entity as users;

/// Opens counted by outcome; every outcome is present, zeros included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutcomeCounts {
    pub redeemed: i64,
    pub already_yours: i64,
    pub accepted: i64,
    pub already_used: i64,
    pub expired: i64,
    pub revoked: i64,
    pub not_found: i64,
    pub invalid: i64,
}

impl OutcomeCounts {
    pub fn get(&self, outcome: Outcome) -> i64 {
        match outcome {
            Outcome::Redeemed => self.redeemed,
            Outcome::AlreadyYours => self.already_yours,
            Outcome::Accepted => self.accepted,
            Outcome::AlreadyUsed => self.already_used,
            Outcome::Expired => self.expired,
            Outcome::Revoked => self.revoked,
            Outcome::NotFound => self.not_found,
            Outcome::Invalid => self.invalid,
        }
    }

    pub(crate) fn get_mut(&mut self, outcome: Outcome) -> &mut i64 {
        match outcome {
            Outcome::Redeemed => &mut self.redeemed,
            Outcome::AlreadyYours => &mut self.already_yours,
            Outcome::Accepted => &mut self.accepted,
            Outcome::AlreadyUsed => &mut self.already_used,
            Outcome::Expired => &mut self.expired,
            Outcome::Revoked => &mut self.revoked,
            Outcome::NotFound => &mut self.not_found,
            Outcome::Invalid => &mut self.invalid,
        }
    }

    /// Every open.
    pub fn total(&self) -> i64 {
        Outcome::ALL.into_iter().map(|o| self.get(o)).sum()
    }

    /// Opens that took a use (redeemed or accepted).
    pub fn taken(&self) -> i64 {
        self.redeemed + self.accepted
    }

    /// Opens that named an existing link (every outcome but not found and invalid).
    pub fn of_links(&self) -> i64 {
        self.total() - self.not_found - self.invalid
    }
}

/// Key figures for one period and filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// The instant link statuses are taken at.
    pub at: DateTime<Utc>,
    /// Links created in the period; the four statuses below split them.
    pub links_created: i64,
    pub links_active: i64,
    pub links_used: i64,
    pub links_expired: i64,
    pub links_revoked: i64,
    pub opens: i64,
    pub opens_by_outcome: OutcomeCounts,
    /// Distinct users who opened anything in the period.
    pub unique_openers: i64,
    /// Users first seen in the period.
    pub new_users: i64,
    /// Users who opened something in the period and were first seen before it.
    pub returning_users: i64,
    /// Opens that took a use (redeemed or accepted) per open of an existing
    /// link; `None` without such opens.
    pub redemption_rate: Option<f64>,
}

/// The key figures for `filter`, with link statuses at `now`.
pub async fn summary<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<Summary, AnalyticsError> {
    let r = filter.resolve(db, now).await?;
    let mut out = Summary {
        from: filter.from,
        to: filter.to,
        at: now,
        links_created: 0,
        links_active: 0,
        links_used: 0,
        links_expired: 0,
        links_revoked: 0,
        opens: 0,
        opens_by_outcome: OutcomeCounts::default(),
        unique_openers: 0,
        new_users: 0,
        returning_users: 0,
        redemption_rate: None,
    };
    let links = resolved_link_counts(db, &r).await?;
    out.links_created = links.total;
    out.links_active = links.active;
    out.links_used = links.used;
    out.links_expired = links.expired;
    out.links_revoked = links.revoked;
    out.opens_by_outcome = outcome_counts(db, &r).await?;
    out.opens = out.opens_by_outcome.total();
    out.new_users = resolved_new_users(db, &r).await?;
    match r.rollup_scope() {
        Some((campaign, kind)) => {
            // Distinct users from the hourly sets (exact, see `user_sets`).
            user_sets::refresh(db, now)
                .await
                .map_err(AnalyticsError::db("folding the hourly sets of users"))?;
            let read = AnalyticsError::db("reading the hourly sets of users");
            let openers = user_sets::openers(db, r.filter.from, r.filter.to, campaign, kind)
                .await
                .map_err(read)?;
            out.unique_openers = openers.len() as i64;
            if let Some(from) = r.from()
                && !openers.is_empty()
            {
                let read = AnalyticsError::db("reading the hourly sets of users");
                let first_seen = user_sets::first_seen_since(db, from).await.map_err(read)?;
                out.returning_users = (openers - first_seen).len() as i64;
            }
        }
        None => {
            out.unique_openers = unique_openers(db, &r).await?;
            out.returning_users = returning_users(db, &r).await?;
        }
    }
    let of_links = out.opens_by_outcome.of_links();
    out.redemption_rate =
        (of_links > 0).then(|| out.opens_by_outcome.taken() as f64 / of_links as f64);
    Ok(out)
}

/// The opens `filter` counts, by outcome: [`Summary::opens_by_outcome`] alone.
pub async fn opens<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<OutcomeCounts, AnalyticsError> {
    outcome_counts(db, &filter.resolve(db, now).await?).await
}

/// The users first seen in `filter`'s period through a selected link:
/// [`Summary::new_users`] alone (every user for `Filter::default()`).
pub async fn new_users<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<i64, AnalyticsError> {
    resolved_new_users(db, &filter.resolve(db, now).await?).await
}

pub(crate) async fn outcome_counts<C: ConnectionTrait>(
    db: &C,
    r: &Resolved,
) -> Result<OutcomeCounts, AnalyticsError> {
    let mut counts = OutcomeCounts::default();
    if let Some(groups) = rolled_up(db, r).await? {
        for group in groups {
            *counts.get_mut(group.outcome) += group.opens;
        }
        return Ok(counts);
    }
    let query = Query::select()
        .column((events::Entity, events::Column::Outcome))
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(events::Entity)
        .cond_where(r.events())
        .group_by_col((events::Entity, events::Column::Outcome))
        .to_owned();
    let rows = db
        .query_all(&query)
        .await
        .map_err(AnalyticsError::db("counting opens by outcome"))?;
    for row in rows {
        let read = AnalyticsError::db("reading opens by outcome");
        let outcome: String = row.try_get("", "outcome").map_err(read)?;
        let n: i64 = row
            .try_get("", "n")
            .map_err(AnalyticsError::db("reading opens by outcome"))?;
        let outcome = outcome
            .parse::<Outcome>()
            .map_err(|_| AnalyticsError::Corrupt(format!("an event has outcome {outcome:?}")))?;
        *counts.get_mut(outcome) += n;
    }
    Ok(counts)
}

async fn count_one<C: ConnectionTrait>(
    db: &C,
    query: &sea_orm::sea_query::SelectStatement,
    what: &'static str,
) -> Result<i64, AnalyticsError> {
    let row = db
        .query_one(query)
        .await
        .map_err(AnalyticsError::db(what))?;
    match row {
        Some(row) => Ok(row
            .try_get::<Option<i64>>("", "n")
            .map_err(AnalyticsError::db(what))?
            .unwrap_or(0)),
        None => Ok(0),
    }
}

async fn unique_openers<C: ConnectionTrait>(db: &C, r: &Resolved) -> Result<i64, AnalyticsError> {
    let query = Query::select()
        .expr_as(
            Func::count_distinct(Expr::col((events::Entity, events::Column::TgUserId))),
            Alias::new("n"),
        )
        .from(events::Entity)
        .cond_where(r.events())
        .to_owned();
    count_one(db, &query, "counting unique openers").await
}

async fn resolved_new_users<C: ConnectionTrait>(
    db: &C,
    r: &Resolved,
) -> Result<i64, AnalyticsError> {
    let query = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(users::Entity)
        .cond_where(r.new_users())
        .to_owned();
    count_one(db, &query, "counting new users").await
}

async fn returning_users<C: ConnectionTrait>(db: &C, r: &Resolved) -> Result<i64, AnalyticsError> {
    let Some(from) = r.from() else {
        return Ok(0);
    };
    // Users first seen before `from` among the period's openers: one lookup
    // per distinct opener, whatever the number of users.
    let openers = Query::select()
        .column((events::Entity, events::Column::TgUserId))
        .from(events::Entity)
        .cond_where(r.events())
        .to_owned();
    let query = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(users::Entity)
        .and_where(Expr::col((users::Entity, users::Column::FirstSeenAt)).lt(from))
        .and_where(Expr::col((users::Entity, users::Column::Id)).in_subquery(openers))
        .to_owned();
    count_one(db, &query, "counting returning users").await
}
