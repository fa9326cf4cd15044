//! The bot's inbox (`bot_updates`): every Telegram update is stored before it
//! is confirmed to Telegram and marked done once handled, so that a crash
//! loses no update and a redelivered one is handled once.
//!
//! A redelivery is recognised by what it is — the same bot (its id from
//! `getMe`), the same `update_id`, the same user and the same content (a
//! SHA-256 of the update), received within [`REDELIVERY_WINDOW`] — never by the
//! `update_id` alone: Telegram picks a random next id after a week without
//! updates, each bot has its own sequence, and the sandbox starts again from 1.
//!
//! An update is handled by whoever *claims* it: the receiver claims a new one;
//! [`pending`] hands out those whose claim is older than a lease (a process
//! that died while handling), or all of them to a poller starting up (Telegram
//! serves one poller per bot).

pub(crate) mod entity;

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use sha2::{Digest as _, Sha256};

use entity::{Column, Entity};

/// How long a redelivery is recognised as one (Telegram retries for far less).
pub const REDELIVERY_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// How long rows are kept: the window, then a day to look at what was stuck.
pub const KEEP: Duration = Duration::from_secs(48 * 3600);

/// An update as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// The receiving bot's Telegram id.
    pub bot_id: i64,
    pub update_id: i64,
    /// Who sent it, when the update has a sender.
    pub tg_user_id: Option<i64>,
    /// The update's JSON.
    pub body: &'a str,
}

/// A stored update being handled: pass it to [`crate::links::open_update`] so
/// the open is recorded once for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UpdateRef(i64);

impl UpdateRef {
    pub fn id(self) -> i64 {
        self.0
    }
}

/// What [`receive`] made of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    /// First seen: stored and claimed by this caller, who must handle it.
    New(UpdateRef),
    /// Seen before and not done, and its claim had lapsed: this caller now
    /// handles it (the first receiver died).
    Resumed(UpdateRef),
    /// Seen before: done, or being handled by someone else. Nothing to do.
    Known,
}

/// A stored update handed out by [`pending`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub update: UpdateRef,
    pub update_id: i64,
    pub body: String,
}

fn digest(body: &str) -> String {
    Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn ago(now: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    chrono::TimeDelta::from_std(span)
        .ok()
        .and_then(|span| now.checked_sub_signed(span))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Stores `incoming` unless it is a redelivery of an update received within
/// [`REDELIVERY_WINDOW`]. `lease` is how long a claim holds: a redelivery of
/// an update whose handler has been silent longer is handed to this caller.
pub async fn receive<C: ConnectionTrait>(
    db: &C,
    incoming: Incoming<'_>,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Receipt, DbErr> {
    let digest = digest(incoming.body);
    let user = match incoming.tg_user_id {
        Some(id) => Column::TgUserId.eq(id),
        None => Column::TgUserId.is_null(),
    };
    let earlier = Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::DoneAt)
        .filter(Column::BotId.eq(incoming.bot_id))
        .filter(Column::UpdateId.eq(incoming.update_id))
        .filter(user)
        .filter(Column::Digest.eq(digest.as_str()))
        .filter(Column::ReceivedAt.gt(ago(now, REDELIVERY_WINDOW)))
        .order_by_desc(Column::Id)
        .into_tuple::<(i64, Option<DateTime<Utc>>)>()
        .one(db)
        .await?;
    if let Some((id, done_at)) = earlier {
        if done_at.is_none() && claim(db, id, now, Some(lease)).await? {
            return Ok(Receipt::Resumed(UpdateRef(id)));
        }
        return Ok(Receipt::Known);
    }
    let row = entity::ActiveModel {
        bot_id: Set(incoming.bot_id),
        update_id: Set(incoming.update_id),
        tg_user_id: Set(incoming.tg_user_id),
        digest: Set(digest),
        body: Set(incoming.body.to_owned()),
        received_at: Set(now),
        claimed_at: Set(now),
        event_id: Set(None),
        done_at: Set(None),
        ..Default::default()
    };
    let id = Entity::insert(row).exec(db).await?.last_insert_id;
    Ok(Receipt::New(UpdateRef(id)))
}

/// Takes `id` to handle, unless it is done or (with a lease) claimed within it.
async fn claim<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
    lease: Option<Duration>,
) -> Result<bool, DbErr> {
    let mut update = Query::update()
        .table(Entity)
        .value(Column::ClaimedAt, now)
        .and_where(Column::Id.eq(id))
        .and_where(Column::DoneAt.is_null())
        .to_owned();
    if let Some(lease) = lease {
        update.and_where(Column::ClaimedAt.lte(ago(now, lease)));
    }
    Ok(db.execute(&update).await?.rows_affected() == 1)
}

/// Claims and returns up to `limit` of `bot_id`'s updates received within the
/// window and not done: those whose claim is older than `lease`, or, with no
/// lease, all of them (a poller starting up: nobody else can be handling
/// them). Oldest first.
pub async fn pending<C: ConnectionTrait>(
    db: &C,
    bot_id: i64,
    now: DateTime<Utc>,
    lease: Option<Duration>,
    limit: u64,
) -> Result<Vec<Stored>, DbErr> {
    let mut query = Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::UpdateId)
        .column(Column::Body)
        .filter(Column::BotId.eq(bot_id))
        .filter(Column::DoneAt.is_null())
        .filter(Column::ReceivedAt.gt(ago(now, REDELIVERY_WINDOW)));
    if let Some(lease) = lease {
        query = query.filter(Column::ClaimedAt.lte(ago(now, lease)));
    }
    let rows = query
        .order_by_asc(Column::Id)
        .limit(limit)
        .into_tuple::<(i64, i64, String)>()
        .all(db)
        .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for (id, update_id, body) in rows {
        if claim(db, id, now, lease).await? {
            claimed.push(Stored {
                update: UpdateRef(id),
                update_id,
                body,
            });
        }
    }
    Ok(claimed)
}

/// Marks an update handled: it is not handed out again, and a redelivery of
/// it is [`Receipt::Known`].
pub async fn done<C: ConnectionTrait>(
    db: &C,
    update: UpdateRef,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::DoneAt, Expr::value(now))
        .filter(Column::Id.eq(update.0))
        .filter(Column::DoneAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Renews the claims on `updates` (still being handled here), so that no
/// other process takes them over.
pub async fn renew<C: ConnectionTrait>(
    db: &C,
    updates: &[UpdateRef],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in updates.chunks(500) {
        Entity::update_many()
            .col_expr(Column::ClaimedAt, Expr::value(now))
            .filter(Column::Id.is_in(chunk.iter().map(|u| u.0)))
            .filter(Column::DoneAt.is_null())
            .exec(db)
            .await?;
    }
    Ok(())
}

/// How many of `bot_id`'s stored updates are not done yet.
pub async fn unfinished<C: ConnectionTrait>(db: &C, bot_id: i64) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::BotId.eq(bot_id))
        .filter(Column::DoneAt.is_null())
        .count(db)
        .await
}

/// What [`prune`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    pub removed: u64,
    /// Of those, updates never handled (given up after the window).
    pub never_done: u64,
}

/// Removes updates received more than [`KEEP`] ago.
pub async fn prune<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Pruned, DbErr> {
    let before = ago(now, KEEP);
    let never_done = Entity::find()
        .filter(Column::ReceivedAt.lt(before))
        .filter(Column::DoneAt.is_null())
        .count(db)
        .await?;
    let removed = Entity::delete_many()
        .filter(Column::ReceivedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected;
    Ok(Pruned {
        removed,
        never_done,
    })
}

/// The event an update already caused, if any.
pub(crate) async fn event_of<C: ConnectionTrait>(
    db: &C,
    update: UpdateRef,
) -> Result<Option<i64>, DbErr> {
    Ok(Entity::find_by_id(update.0)
        .select_only()
        .column(Column::EventId)
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten())
}

/// Names `event_id` as the one event `update` caused; false when it already
/// has one (a concurrent handling of the same update won).
pub(crate) async fn attach_event<C: ConnectionTrait>(
    db: &C,
    update: UpdateRef,
    event_id: i64,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::EventId, Expr::value(event_id))
        .filter(Column::Id.eq(update.0))
        .filter(Column::EventId.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_hex_sha256_of_the_body() {
        assert_eq!(
            digest(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(digest(r#"{"a":1}"#), digest(r#"{"a":2}"#));
    }

    #[test]
    fn ago_saturates_instead_of_overflowing() {
        let now = DateTime::<Utc>::MIN_UTC;
        assert_eq!(ago(now, KEEP), DateTime::<Utc>::MIN_UTC);
    }
}
