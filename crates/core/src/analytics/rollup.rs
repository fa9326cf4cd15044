//! `opens_hourly`: opens counted per UTC hour, campaign, link kind, outcome
//! and shard — a few thousand rows where the events are millions — kept exact
//! in the same transaction that records each event (`events::record`).
//! Figures over whole hours read it; the partial hours at a period's ends are
//! counted from the events themselves, so every answer is exact.
//!
//! The shard (`user id mod SHARDS`) spreads concurrent opens of the same
//! campaign over several rows, so PostgreSQL does not serialise them on one
//! row lock. `rebuild` recomputes the table from the events (migration,
//! bulk loads); `recount` is that recount without writing, for tests.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Set, TransactionSession, TransactionTrait};

use crate::events::Outcome;
use crate::events::entity as events;
use crate::links::LinkKind;
use crate::links::entity as links;

/// Rows per user-id residue; more shards, less contention, more rows.
pub const SHARDS: i64 = 8;
/// Events read per page while rebuilding.
const PAGE: u64 = 20_000;
/// Rows written per statement while rebuilding.
const WRITE_BATCH: usize = 2_000;

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "opens_hourly")]
    pub struct Model {
        /// Start of the UTC hour.
        #[sea_orm(primary_key, auto_increment = false)]
        pub hour: DateTimeUtc,
        /// 0: no campaign (or no link).
        #[sea_orm(primary_key, auto_increment = false)]
        pub campaign_id: i64,
        /// The link's kind; empty for opens of payloads that are no link.
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub outcome: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub shard: i64,
        pub opens: i64,
        pub new_users: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity::{Column, Entity};

/// The start of `at`'s UTC hour.
pub fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = at.timestamp().div_euclid(3600) * 3600;
    DateTime::from_timestamp(seconds, 0).unwrap_or(at)
}

/// The first whole hour at or after `at`.
pub(crate) fn ceil_hour(at: DateTime<Utc>) -> DateTime<Utc> {
    let floor = hour_of(at);
    if floor == at {
        at
    } else {
        floor + Duration::hours(1)
    }
}

/// One row's key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RollupKey {
    pub hour: DateTime<Utc>,
    pub campaign_id: i64,
    pub kind: String,
    pub outcome: String,
    pub shard: i64,
}

/// One row's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RollupCounts {
    pub opens: i64,
    pub new_users: i64,
}

/// What `events::record` knows of an event's link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkFacts {
    pub kind: LinkKind,
    pub campaign_id: Option<i64>,
}

fn key(at: DateTime<Utc>, link: Option<LinkFacts>, outcome: &str, user: i64) -> RollupKey {
    RollupKey {
        hour: hour_of(at),
        campaign_id: link.and_then(|l| l.campaign_id).unwrap_or(0),
        kind: link.map_or("", |l| l.kind.as_str()).to_owned(),
        outcome: outcome.to_owned(),
        shard: user.rem_euclid(SHARDS),
    }
}

/// Counts one recorded event; call in the transaction that recorded it.
pub(crate) async fn count_event<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    link: Option<LinkFacts>,
    outcome: Outcome,
    user: i64,
    new_user: bool,
) -> Result<(), DbErr> {
    let key = key(at, link, outcome.as_str(), user);
    let new_users = i64::from(new_user);
    let row = entity::ActiveModel {
        hour: Set(key.hour),
        campaign_id: Set(key.campaign_id),
        kind: Set(key.kind),
        outcome: Set(key.outcome),
        shard: Set(key.shard),
        opens: Set(1),
        new_users: Set(new_users),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                Column::Hour,
                Column::CampaignId,
                Column::Kind,
                Column::Outcome,
                Column::Shard,
            ])
            .value(Column::Opens, Expr::col((Entity, Column::Opens)).add(1))
            .value(
                Column::NewUsers,
                Expr::col((Entity, Column::NewUsers)).add(new_users),
            )
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// What the table should hold: every event counted from scratch.
pub async fn recount<C: ConnectionTrait>(
    db: &C,
) -> Result<BTreeMap<RollupKey, RollupCounts>, DbErr> {
    let mut out: BTreeMap<RollupKey, RollupCounts> = BTreeMap::new();
    let mut after = 0_i64;
    loop {
        let query = Query::select()
            .columns([
                (events::Entity, events::Column::Id),
                (events::Entity, events::Column::At),
                (events::Entity, events::Column::Outcome),
                (events::Entity, events::Column::TgUserId),
                (events::Entity, events::Column::NewUser),
            ])
            .columns([
                (links::Entity, links::Column::Kind),
                (links::Entity, links::Column::CampaignId),
            ])
            .from(events::Entity)
            .left_join(
                links::Entity,
                Expr::col((links::Entity, links::Column::Id))
                    .equals((events::Entity, events::Column::LinkId)),
            )
            .and_where(Expr::col((events::Entity, events::Column::Id)).gt(after))
            .order_by((events::Entity, events::Column::Id), sea_orm::Order::Asc)
            .limit(PAGE)
            .to_owned();
        let rows = db.query_all(&query).await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("", "id")?;
        for row in &rows {
            let (k, new_user) = read_event(row)?;
            let counts = out.entry(k).or_default();
            counts.opens += 1;
            counts.new_users += i64::from(new_user);
        }
        if (rows.len() as u64) < PAGE {
            break;
        }
    }
    Ok(out)
}

fn read_event(row: &QueryResult) -> Result<(RollupKey, bool), DbErr> {
    let at: DateTime<Utc> = row.try_get("", "at")?;
    let outcome: String = row.try_get("", "outcome")?;
    let user: i64 = row.try_get("", "tg_user_id")?;
    let new_user: bool = row.try_get("", "new_user")?;
    let kind: Option<String> = row.try_get("", "kind")?;
    let campaign_id: Option<i64> = row.try_get("", "campaign_id")?;
    let link = match kind.as_deref().map(str::parse::<LinkKind>) {
        Some(Ok(kind)) => Some(LinkFacts { kind, campaign_id }),
        Some(Err(_)) => {
            return Err(DbErr::Custom(format!(
                "a link has the unknown kind {kind:?}"
            )));
        }
        None => None,
    };
    Ok((key(at, link, &outcome, user), new_user))
}

/// What the table holds.
pub async fn stored<C: ConnectionTrait>(
    db: &C,
) -> Result<BTreeMap<RollupKey, RollupCounts>, DbErr> {
    Ok(Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            (
                RollupKey {
                    hour: m.hour,
                    campaign_id: m.campaign_id,
                    kind: m.kind,
                    outcome: m.outcome,
                    shard: m.shard,
                },
                RollupCounts {
                    opens: m.opens,
                    new_users: m.new_users,
                },
            )
        })
        .collect())
}

/// Recomputes the whole table from the events, in one transaction (readers
/// see the old table or the new one). For bulk loads; `events::record` keeps
/// it current otherwise.
pub async fn rebuild<C: ConnectionTrait + TransactionTrait>(db: &C) -> Result<u64, DbErr> {
    let txn = db.begin().await?;
    let rows = fill(&txn).await?;
    txn.commit().await?;
    Ok(rows)
}

/// [`rebuild`] inside the caller's transaction (the migration's).
pub(crate) async fn fill<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    let counts = recount(db).await?;
    Entity::delete_many().exec(db).await?;
    let rows = counts.len() as u64;
    let mut batch = Vec::with_capacity(WRITE_BATCH);
    for (k, c) in counts {
        batch.push(entity::ActiveModel {
            hour: Set(k.hour),
            campaign_id: Set(k.campaign_id),
            kind: Set(k.kind),
            outcome: Set(k.outcome),
            shard: Set(k.shard),
            opens: Set(c.opens),
            new_users: Set(c.new_users),
        });
        if batch.len() == WRITE_BATCH {
            Entity::insert_many(std::mem::take(&mut batch))
                .exec_without_returning(db)
                .await?;
        }
    }
    if !batch.is_empty() {
        Entity::insert_many(batch)
            .exec_without_returning(db)
            .await?;
    }
    Ok(rows)
}

/// `SUM(opens)` as a 64-bit integer (PostgreSQL sums `bigint` to `numeric`).
fn sum_opens() -> sea_orm::sea_query::FunctionCall {
    Func::cast_as(Func::sum(Expr::col(Column::Opens)), Alias::new("BIGINT"))
}

/// Which opens to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opens {
    /// Every open, also of payloads that are no link.
    All,
    /// Opens of links only.
    OfLinks,
    /// Opens of links of this campaign and/or kind (either may be `None`:
    /// any).
    Of {
        campaign: Option<i64>,
        kind: Option<LinkKind>,
    },
}

impl Opens {
    /// Narrows a query on the table.
    fn narrow(self, query: &mut sea_orm::sea_query::SelectStatement) {
        match self {
            Self::All => {}
            Self::OfLinks => {
                query.and_where(Expr::col(Column::Kind).ne(""));
            }
            Self::Of { campaign, kind } => {
                query.and_where(Expr::col(Column::Kind).ne(""));
                if let Some(id) = campaign {
                    query.and_where(Expr::col(Column::CampaignId).eq(id));
                }
                if let Some(kind) = kind {
                    query.and_where(Expr::col(Column::Kind).eq(kind.as_str()));
                }
            }
        }
    }
}

/// `[from, to)` as the whole hours the table answers and the partial spans
/// at the ends the events answer.
type Span = (DateTime<Utc>, DateTime<Utc>);

fn split(from: DateTime<Utc>, to: DateTime<Utc>) -> (Option<Span>, Vec<Span>) {
    let (full, raw) = split_open(Some(from), Some(to));
    (full.and_then(|(first, last)| Some((first?, last?))), raw)
}

/// Exact opens in `[from, to)`: whole hours from the table, the partial hours
/// at both ends from the events.
pub async fn opens_between<C: ConnectionTrait>(
    db: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    which: Opens,
) -> Result<i64, DbErr> {
    let (full, raw) = split(from, to);
    let mut total = 0;
    if let Some((first, last)) = full {
        let mut query = Query::select();
        query
            .expr_as(sum_opens(), Alias::new("n"))
            .from(Entity)
            .and_where(Expr::col(Column::Hour).gte(first))
            .and_where(Expr::col(Column::Hour).lt(last));
        which.narrow(&mut query);
        if let Some(row) = db.query_one(&query).await? {
            total += row.try_get::<Option<i64>>("", "n")?.unwrap_or(0);
        }
    }
    for (start, end) in raw {
        total += raw_opens(db, start, end, which).await?;
    }
    Ok(total)
}

async fn raw_opens<C: ConnectionTrait>(
    db: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    which: Opens,
) -> Result<i64, DbErr> {
    if from >= to {
        return Ok(0);
    }
    let at = Expr::col((events::Entity, events::Column::At));
    let mut query = Query::select();
    query
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(events::Entity)
        .and_where(at.clone().gte(from))
        .and_where(at.lt(to));
    match which {
        Opens::All => {}
        Opens::OfLinks => {
            query.and_where(Expr::col((events::Entity, events::Column::LinkId)).is_not_null());
        }
        Opens::Of { campaign, kind } => {
            query.inner_join(
                links::Entity,
                Expr::col((links::Entity, links::Column::Id))
                    .equals((events::Entity, events::Column::LinkId)),
            );
            if let Some(id) = campaign {
                query.and_where(Expr::col((links::Entity, links::Column::CampaignId)).eq(id));
            }
            if let Some(kind) = kind {
                query.and_where(Expr::col((links::Entity, links::Column::Kind)).eq(kind.as_str()));
            }
        }
    }
    Ok(match db.query_one(&query).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    })
}

/// Opens per hour in `[from, to)` (`from` and `to` on whole hours) from the
/// table, oldest first, only hours with opens.
pub async fn hourly<C: ConnectionTrait>(
    db: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    which: Opens,
) -> Result<Vec<(DateTime<Utc>, i64)>, DbErr> {
    let mut query = Query::select();
    query
        .column(Column::Hour)
        .expr_as(sum_opens(), Alias::new("n"))
        .from(Entity)
        .and_where(Expr::col(Column::Hour).gte(from))
        .and_where(Expr::col(Column::Hour).lt(to))
        .group_by_col(Column::Hour)
        .order_by(Column::Hour, sea_orm::Order::Asc);
    which.narrow(&mut query);
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get("", "hour")?,
                row.try_get::<Option<i64>>("", "n")?.unwrap_or(0),
            ))
        })
        .collect()
}

/// Opens of campaign links per campaign id in `[from, to)`, exact (whole hours
/// from the table, partial ones from the events), most opens first.
pub async fn opens_by_campaign<C: ConnectionTrait>(
    db: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut totals: BTreeMap<i64, i64> = BTreeMap::new();
    let (full, raw) = split(from, to);
    if let Some((first, last)) = full {
        let query = Query::select()
            .column(Column::CampaignId)
            .expr_as(sum_opens(), Alias::new("n"))
            .from(Entity)
            .and_where(Expr::col(Column::Hour).gte(first))
            .and_where(Expr::col(Column::Hour).lt(last))
            .and_where(Expr::col(Column::CampaignId).ne(0))
            .group_by_col(Column::CampaignId)
            .to_owned();
        for row in db.query_all(&query).await? {
            let id: i64 = row.try_get("", "campaign_id")?;
            *totals.entry(id).or_default() += row.try_get::<Option<i64>>("", "n")?.unwrap_or(0);
        }
    }
    for (start, end) in raw {
        let at = Expr::col((events::Entity, events::Column::At));
        let campaign = (links::Entity, links::Column::CampaignId);
        let query = Query::select()
            .column(campaign)
            .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
            .from(events::Entity)
            .inner_join(
                links::Entity,
                Expr::col((links::Entity, links::Column::Id))
                    .equals((events::Entity, events::Column::LinkId)),
            )
            .and_where(at.clone().gte(start))
            .and_where(at.lt(end))
            .and_where(Expr::col(campaign).is_not_null())
            .group_by_col(campaign)
            .to_owned();
        for row in db.query_all(&query).await? {
            let id: i64 = row.try_get("", "campaign_id")?;
            *totals.entry(id).or_default() += row.try_get::<i64>("", "n")?;
        }
    }
    let mut out: Vec<(i64, i64)> = totals.into_iter().filter(|(_, n)| *n > 0).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(out)
}

/// Opens of one campaign, link kind and outcome, as [`grouped`] returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupCount {
    /// `None`: a link without a campaign, or no link.
    pub campaign_id: Option<i64>,
    /// `None`: opens of payloads that are no link (`not_found`, `invalid`).
    pub kind: Option<LinkKind>,
    pub outcome: Outcome,
    pub opens: i64,
}

impl GroupCount {
    /// Whether the open took a use (redeemed or accepted).
    pub fn taken(&self) -> bool {
        matches!(self.outcome, Outcome::Redeemed | Outcome::Accepted)
    }
}

/// Which part of `[from, to)` the table answers (whole hours; an open end
/// stays open) and which partial spans at the ends the events answer.
/// `None` for the table part: it has nothing to say.
type OpenSpan = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn split_open(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> (Option<OpenSpan>, Vec<Span>) {
    let first_full = from.map(ceil_hour);
    let last_full = to.map(hour_of);
    match (from, to) {
        (Some(f), Some(t)) if f >= t => (None, Vec::new()),
        (Some(f), Some(t)) => {
            let (Some(first), Some(last)) = (first_full, last_full) else {
                return (None, vec![(f, t)]);
            };
            if first >= last {
                return (None, vec![(f, t)]);
            }
            let raw = [(f, first), (last, t)]
                .into_iter()
                .filter(|(a, b)| a < b)
                .collect();
            (Some((Some(first), Some(last))), raw)
        }
        _ => {
            let mut raw = Vec::new();
            if let (Some(f), Some(first)) = (from, first_full)
                && f < first
            {
                raw.push((f, first));
            }
            if let (Some(last), Some(t)) = (last_full, to)
                && last < t
            {
                raw.push((last, t));
            }
            (Some((first_full, last_full)), raw)
        }
    }
}

/// Exact opens in `[from, to)` (either end may be open) per campaign, link
/// kind and outcome — whole hours from the table, the partial hours at the
/// ends from the events — narrowed to one campaign and/or one kind (which
/// leaves out opens of no link). Groups without opens are left out.
pub(crate) async fn grouped<C: ConnectionTrait>(
    db: &C,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    campaign: Option<i64>,
    kind: Option<LinkKind>,
) -> Result<Vec<GroupCount>, DbErr> {
    let mut totals: BTreeMap<(i64, String, String), i64> = BTreeMap::new();
    let (full, raw) = split_open(from, to);
    if let Some((first, last)) = full {
        let mut query = Query::select();
        query
            .columns([Column::CampaignId, Column::Kind, Column::Outcome])
            .expr_as(sum_opens(), Alias::new("n"))
            .from(Entity)
            .group_by_col(Column::CampaignId)
            .group_by_col(Column::Kind)
            .group_by_col(Column::Outcome);
        if let Some(first) = first {
            query.and_where(Expr::col(Column::Hour).gte(first));
        }
        if let Some(last) = last {
            query.and_where(Expr::col(Column::Hour).lt(last));
        }
        if let Some(id) = campaign {
            query.and_where(Expr::col(Column::CampaignId).eq(id));
        }
        if let Some(kind) = kind {
            query.and_where(Expr::col(Column::Kind).eq(kind.as_str()));
        }
        for row in db.query_all(&query).await? {
            let key = (
                row.try_get::<i64>("", "campaign_id")?,
                row.try_get::<String>("", "kind")?,
                row.try_get::<String>("", "outcome")?,
            );
            *totals.entry(key).or_default() += row.try_get::<Option<i64>>("", "n")?.unwrap_or(0);
        }
    }
    for (start, end) in raw {
        let at = Expr::col((events::Entity, events::Column::At));
        let campaign_col = (links::Entity, links::Column::CampaignId);
        let kind_col = (links::Entity, links::Column::Kind);
        let outcome_col = (events::Entity, events::Column::Outcome);
        let mut query = Query::select();
        query
            .expr_as(Expr::col(campaign_col), Alias::new("campaign_id"))
            .expr_as(Expr::col(kind_col), Alias::new("kind"))
            .expr_as(Expr::col(outcome_col), Alias::new("outcome"))
            .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
            .from(events::Entity)
            .left_join(
                links::Entity,
                Expr::col((links::Entity, links::Column::Id))
                    .equals((events::Entity, events::Column::LinkId)),
            )
            .and_where(at.clone().gte(start))
            .and_where(at.lt(end))
            .group_by_col(campaign_col)
            .group_by_col(kind_col)
            .group_by_col(outcome_col);
        if let Some(id) = campaign {
            query.and_where(Expr::col(campaign_col).eq(id));
        }
        if let Some(kind) = kind {
            query.and_where(Expr::col(kind_col).eq(kind.as_str()));
        }
        for row in db.query_all(&query).await? {
            let key = (
                row.try_get::<Option<i64>>("", "campaign_id")?.unwrap_or(0),
                row.try_get::<Option<String>>("", "kind")?
                    .unwrap_or_default(),
                row.try_get::<String>("", "outcome")?,
            );
            *totals.entry(key).or_default() += row.try_get::<i64>("", "n")?;
        }
    }
    let mut out = Vec::with_capacity(totals.len());
    for ((campaign_id, kind, outcome), opens) in totals {
        if opens == 0 {
            continue;
        }
        let kind = if kind.is_empty() {
            None
        } else {
            Some(kind.parse::<LinkKind>().map_err(|_| {
                DbErr::Custom(format!("opens are counted for the unknown kind {kind:?}"))
            })?)
        };
        let outcome = outcome.parse::<Outcome>().map_err(|_| {
            DbErr::Custom(format!(
                "opens are counted for the unknown outcome {outcome:?}"
            ))
        })?;
        out.push(GroupCount {
            campaign_id: (campaign_id != 0).then_some(campaign_id),
            kind,
            outcome,
            opens,
        });
    }
    Ok(out)
}
