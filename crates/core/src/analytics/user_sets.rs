//! `user_sets_hourly`: for each UTC hour, the exact set of users who opened
//! something — one set per campaign and link kind — and the set of users
//! first seen in that hour, stored as compressed bitmaps (roaring). Figures
//! about distinct users (unique openers, returning users) union a few hundred
//! small sets instead of sorting the period's millions of events.
//!
//! An hour is folded in once it ended [`SETTLE`] ago: an open's transaction
//! lasts milliseconds, so by then every event and user of the hour is
//! committed. `user_sets_state.folded_until` is the watermark: figures read
//! the hours before it from the table, and everything after it, and the
//! partial hours at a period's ends, from the events and users themselves, so
//! every figure is exact. Folding happens when a figure finds the watermark
//! behind (at most once an hour, in one short transaction); bulk loads that
//! write past times (`demo-data`) call [`rebuild`].

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use roaring::RoaringTreemap;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Set, TransactionSession, TransactionTrait};

use super::rollup::{ceil_hour, hour_of};
use crate::events::entity as events;
use crate::links::LinkKind;
use crate::links::entity as links;
use crate::users::entity as users;

/// How long after an hour ends it is folded in.
pub const SETTLE: Duration = Duration::minutes(5);
/// Sets written per statement.
const WRITE_BATCH: usize = 200;
/// `what` of a set of users who opened something.
const OPENED: &str = "opened";
/// `what` of a set of users first seen in the hour (campaign 0, kind "").
const FIRST_SEEN: &str = "first_seen";

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_sets_hourly")]
    pub struct Model {
        /// Start of the UTC hour.
        #[sea_orm(primary_key, auto_increment = false)]
        pub hour: DateTimeUtc,
        /// `opened` or `first_seen`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub what: String,
        /// 0: no campaign (or no link).
        #[sea_orm(primary_key, auto_increment = false)]
        pub campaign_id: i64,
        /// The link's kind; empty for opens of payloads that are no link.
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        /// The users' ids, a serialized `RoaringTreemap`.
        #[sea_orm(column_type = "Blob")]
        pub users: Vec<u8>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod state {
    use sea_orm::entity::prelude::*;

    /// One row (`id` 1): hours before `folded_until` are in the table.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_sets_state")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        /// `None`: nothing folded yet.
        pub folded_until: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity::{Column, Entity};

/// One stored set's key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SetKey {
    pub hour: DateTime<Utc>,
    pub what: String,
    pub campaign_id: i64,
    pub kind: String,
}

fn corrupt(error: std::io::Error) -> DbErr {
    DbErr::Custom(format!("a stored set of users is unreadable: {error}"))
}

fn decode(bytes: &[u8]) -> Result<RoaringTreemap, DbErr> {
    RoaringTreemap::deserialize_from(bytes).map_err(corrupt)
}

fn encode(set: &RoaringTreemap) -> Result<Vec<u8>, DbErr> {
    let mut out = Vec::with_capacity(set.serialized_size());
    set.serialize_into(&mut out).map_err(corrupt)?;
    Ok(out)
}

/// Telegram ids are positive; the cast keeps any id distinct either way.
fn member(user: i64) -> u64 {
    user as u64
}

/// The watermark: hours before it are folded.
pub async fn folded_until<C: ConnectionTrait>(db: &C) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(state::Entity::find_by_id(1)
        .one(db)
        .await?
        .and_then(|row| row.folded_until))
}

/// Folds in every hour that ended [`SETTLE`] before `now` (or before the
/// clock, if `now` is later), unless that is done already.
pub async fn refresh<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let target = hour_of(Ord::min(now, crate::time::now()) - SETTLE);
    if folded_until(db).await?.is_some_and(|f| f >= target) {
        return Ok(());
    }
    let txn = db.begin().await?;
    fold(&txn, target).await?;
    txn.commit().await
}

/// Forgets every set and folds everything again up to the clock (after bulk
/// loads that write past times). One transaction.
pub async fn rebuild<C: ConnectionTrait + TransactionTrait>(db: &C) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    fill(&txn).await?;
    txn.commit().await
}

/// [`rebuild`] inside the caller's transaction (the migration's).
pub(crate) async fn fill<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    lock(db).await?;
    Entity::delete_many().exec(db).await?;
    state::Entity::update_many()
        .col_expr(
            state::Column::FoldedUntil,
            Expr::value(Option::<DateTimeUtc>::None),
        )
        .filter(state::Column::Id.eq(1))
        .exec(db)
        .await?;
    fold(db, hour_of(crate::time::now() - SETTLE)).await
}

/// Makes sure the state row exists and takes the write lock on it, so one
/// folder runs at a time (a row lock on PostgreSQL, the database's write lock
/// on SQLite); a second folder then sees the first one's watermark.
async fn lock<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let insert = Query::insert()
        .into_table(state::Entity)
        .columns([state::Column::Id, state::Column::FoldedUntil])
        .values_panic([1_i64.into(), Option::<DateTimeUtc>::None.into()])
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(state::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    db.execute(&insert).await?;
    let touch = Query::update()
        .table(state::Entity)
        .value(state::Column::Id, Expr::col(state::Column::Id))
        .and_where(Expr::col(state::Column::Id).eq(1))
        .to_owned();
    db.execute(&touch).await?;
    Ok(())
}

/// Folds the hours from the watermark up to `target` (exclusive) and moves
/// the watermark there.
async fn fold<C: ConnectionTrait>(db: &C, target: DateTime<Utc>) -> Result<(), DbErr> {
    lock(db).await?;
    let start = match folded_until(db).await? {
        Some(folded) if folded >= target => return Ok(()),
        Some(folded) => Some(folded),
        // Nothing folded yet: start at the first data. Without any, the
        // watermark stays unset, so data recorded later with earlier times
        // (imports, tests) is still folded.
        None => match next_hour_with_data(db, None).await? {
            Some(first) => Some(first),
            None => return Ok(()),
        },
    };
    let mut hour = start;
    let mut batch: Vec<entity::ActiveModel> = Vec::new();
    while let Some(h) = hour.filter(|h| *h < target) {
        let end = h + Duration::hours(1);
        let sets = hour_sets(db, h, end).await?;
        if sets.is_empty() {
            hour = next_hour_with_data(db, Some(end)).await?;
            continue;
        }
        for ((what, campaign_id, kind), set) in sets {
            batch.push(entity::ActiveModel {
                hour: Set(h),
                what: Set(what.to_owned()),
                campaign_id: Set(campaign_id),
                kind: Set(kind),
                users: Set(encode(&set)?),
            });
        }
        if batch.len() >= WRITE_BATCH {
            Entity::insert_many(std::mem::take(&mut batch))
                .exec_without_returning(db)
                .await?;
        }
        hour = Some(end);
    }
    if !batch.is_empty() {
        Entity::insert_many(batch)
            .exec_without_returning(db)
            .await?;
    }
    state::Entity::update_many()
        .col_expr(state::Column::FoldedUntil, Expr::value(Some(target)))
        .filter(state::Column::Id.eq(1))
        .exec(db)
        .await?;
    Ok(())
}

/// The hour of the earliest event or first-seen time at or after `after`.
async fn next_hour_with_data<C: ConnectionTrait>(
    db: &C,
    after: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    let at = (events::Entity, events::Column::At);
    let seen = (users::Entity, users::Column::FirstSeenAt);
    let mut first_event = Query::select();
    first_event
        .expr_as(Func::min(Expr::col(at)), Alias::new("t"))
        .from(events::Entity);
    let mut first_user = Query::select();
    first_user
        .expr_as(Func::min(Expr::col(seen)), Alias::new("t"))
        .from(users::Entity);
    if let Some(after) = after {
        first_event.and_where(Expr::col(at).gte(after));
        first_user.and_where(Expr::col(seen).gte(after));
    }
    let mut next: Option<DateTime<Utc>> = None;
    for query in [first_event, first_user] {
        if let Some(row) = db.query_one(&query).await?
            && let Some(t) = row.try_get::<Option<DateTime<Utc>>>("", "t")?
        {
            next = Some(next.map_or(t, |n| Ord::min(n, t)));
        }
    }
    Ok(next.map(hour_of))
}

type SetsOfHour = BTreeMap<(&'static str, i64, String), RoaringTreemap>;

/// The sets of one span of time, from the events and users.
async fn hour_sets<C: ConnectionTrait>(
    db: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<SetsOfHour, DbErr> {
    let mut sets = SetsOfHour::new();
    let query = opener_rows(Some(from), Some(to), None, None, true);
    for row in db.query_all(&query).await? {
        let user: i64 = row.try_get("", "tg_user_id")?;
        let campaign: Option<i64> = row.try_get("", "campaign_id")?;
        let kind: Option<String> = row.try_get("", "kind")?;
        sets.entry((OPENED, campaign.unwrap_or(0), kind.unwrap_or_default()))
            .or_default()
            .insert(member(user));
    }
    for row in db.query_all(&first_seen_rows(from, Some(to))).await? {
        let user: i64 = row.try_get("", "id")?;
        sets.entry((FIRST_SEEN, 0, String::new()))
            .or_default()
            .insert(member(user));
    }
    Ok(sets)
}

/// Users (`tg_user_id`) who opened in `[from, to)`, narrowed to a campaign and
/// kind; `with_link` adds each open's `campaign_id` and `kind` (else distinct users).
fn opener_rows(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    campaign: Option<i64>,
    kind: Option<LinkKind>,
    with_link: bool,
) -> SelectStatement {
    let at = Expr::col((events::Entity, events::Column::At));
    let campaign_col = (links::Entity, links::Column::CampaignId);
    let kind_col = (links::Entity, links::Column::Kind);
    let mut query = Query::select();
    query
        .column((events::Entity, events::Column::TgUserId))
        .from(events::Entity);
    if with_link || campaign.is_some() || kind.is_some() {
        query.left_join(
            links::Entity,
            Expr::col((links::Entity, links::Column::Id))
                .equals((events::Entity, events::Column::LinkId)),
        );
    }
    if with_link {
        query
            .expr_as(Expr::col(campaign_col), Alias::new("campaign_id"))
            .expr_as(Expr::col(kind_col), Alias::new("kind"));
    } else {
        query.distinct();
    }
    if let Some(from) = from {
        query.and_where(at.clone().gte(from));
    }
    if let Some(to) = to {
        query.and_where(at.lt(to));
    }
    if let Some(id) = campaign {
        query.and_where(Expr::col(campaign_col).eq(id));
    }
    if let Some(kind) = kind {
        query.and_where(Expr::col(kind_col).eq(kind.as_str()));
    }
    query
}

/// Users first seen in `[from, to)` (`id`).
fn first_seen_rows(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> SelectStatement {
    let seen = Expr::col((users::Entity, users::Column::FirstSeenAt));
    let mut query = Query::select();
    query
        .column((users::Entity, users::Column::Id))
        .from(users::Entity)
        .and_where(seen.clone().gte(from));
    if let Some(to) = to {
        query.and_where(seen.lt(to));
    }
    query
}

/// Which whole hours of `[from, to)` the table answers (`None` when none),
/// given the watermark.
fn folded_part(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    folded: Option<DateTime<Utc>>,
) -> Option<(Option<DateTime<Utc>>, DateTime<Utc>)> {
    let folded = folded?;
    let first = from.map(ceil_hour);
    let last = to.map_or(folded, |t| Ord::min(hour_of(t), folded));
    match first {
        Some(first) if first >= last => None,
        _ => Some((first, last)),
    }
}

/// Unions the stored sets `what` over `[first, last)`, narrowed.
async fn union_stored<C: ConnectionTrait>(
    db: &C,
    what: &str,
    first: Option<DateTime<Utc>>,
    last: DateTime<Utc>,
    campaign: Option<i64>,
    kind: Option<LinkKind>,
    into: &mut RoaringTreemap,
) -> Result<(), DbErr> {
    let mut query = Query::select();
    query
        .column(Column::Users)
        .from(Entity)
        .and_where(Expr::col(Column::What).eq(what))
        .and_where(Expr::col(Column::Hour).lt(last));
    if let Some(first) = first {
        query.and_where(Expr::col(Column::Hour).gte(first));
    }
    if let Some(id) = campaign {
        query.and_where(Expr::col(Column::CampaignId).eq(id));
    }
    if let Some(kind) = kind {
        query.and_where(Expr::col(Column::Kind).eq(kind.as_str()));
    }
    for row in db.query_all(&query).await? {
        let bytes: Vec<u8> = row.try_get("", "users")?;
        *into |= decode(&bytes)?;
    }
    Ok(())
}

async fn add_rows<C: ConnectionTrait>(
    db: &C,
    query: &SelectStatement,
    column: &str,
    into: &mut RoaringTreemap,
) -> Result<(), DbErr> {
    let rows: Vec<QueryResult> = db.query_all(query).await?;
    for row in rows {
        into.insert(member(row.try_get::<i64>("", column)?));
    }
    Ok(())
}

/// Users who opened something in `[from, to)` (a link of `campaign` and
/// `kind` when given, which leaves out opens of no link), exact.
pub(crate) async fn openers<C: ConnectionTrait>(
    db: &C,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    campaign: Option<i64>,
    kind: Option<LinkKind>,
) -> Result<RoaringTreemap, DbErr> {
    let mut set = RoaringTreemap::new();
    let folded = folded_until(db).await?;
    let Some((first, last)) = folded_part(from, to, folded) else {
        add_rows(
            db,
            &opener_rows(from, to, campaign, kind, false),
            "tg_user_id",
            &mut set,
        )
        .await?;
        return Ok(set);
    };
    union_stored(db, OPENED, first, last, campaign, kind, &mut set).await?;
    if let (Some(from), Some(first)) = (from, first)
        && from < first
    {
        let head = opener_rows(Some(from), Some(first), campaign, kind, false);
        add_rows(db, &head, "tg_user_id", &mut set).await?;
    }
    if to.is_none_or(|to| last < to) {
        let tail = opener_rows(Some(last), to, campaign, kind, false);
        add_rows(db, &tail, "tg_user_id", &mut set).await?;
    }
    Ok(set)
}

/// Users first seen at or after `from`, exact.
pub(crate) async fn first_seen_since<C: ConnectionTrait>(
    db: &C,
    from: DateTime<Utc>,
) -> Result<RoaringTreemap, DbErr> {
    let mut set = RoaringTreemap::new();
    let folded = folded_until(db).await?;
    let Some((first, last)) = folded_part(Some(from), None, folded) else {
        add_rows(db, &first_seen_rows(from, None), "id", &mut set).await?;
        return Ok(set);
    };
    union_stored(db, FIRST_SEEN, first, last, None, None, &mut set).await?;
    if let Some(first) = first.filter(|f| from < *f) {
        add_rows(db, &first_seen_rows(from, Some(first)), "id", &mut set).await?;
    }
    add_rows(db, &first_seen_rows(last, None), "id", &mut set).await?;
    Ok(set)
}

/// What the table holds, each set as sorted ids (for tests).
pub async fn stored<C: ConnectionTrait>(db: &C) -> Result<BTreeMap<SetKey, Vec<u64>>, DbErr> {
    let mut out = BTreeMap::new();
    for model in Entity::find().all(db).await? {
        out.insert(
            SetKey {
                hour: model.hour,
                what: model.what,
                campaign_id: model.campaign_id,
                kind: model.kind,
            },
            decode(&model.users)?.iter().collect(),
        );
    }
    Ok(out)
}

/// What the table should hold up to the watermark, recounted from scratch
/// (for tests).
pub async fn recount<C: ConnectionTrait>(db: &C) -> Result<BTreeMap<SetKey, Vec<u64>>, DbErr> {
    let mut out = BTreeMap::new();
    let Some(until) = folded_until(db).await? else {
        return Ok(out);
    };
    let mut hour = next_hour_with_data(db, None).await?;
    while let Some(h) = hour.filter(|h| *h < until) {
        let end = h + Duration::hours(1);
        for ((what, campaign_id, kind), set) in hour_sets(db, h, end).await? {
            let key = SetKey {
                hour: h,
                what: what.to_owned(),
                campaign_id,
                kind,
            };
            out.insert(key, set.iter().collect());
        }
        hour = next_hour_with_data(db, Some(end)).await?;
    }
    Ok(out)
}
