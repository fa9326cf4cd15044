//! SQL for `link_events`.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entity::{self, Column, Entity};
use super::{Event, Outcome};
use crate::analytics::rollup::{self, LinkFacts};
use crate::users::TgUserId;

/// Longest raw payload kept on an event (Telegram's own limit is 64).
const MAX_STORED_PAYLOAD: usize = 128;

/// One open to record.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub link_id: Option<i64>,
    /// The link's kind and campaign, for the hourly counts (`analytics::rollup`).
    pub link: Option<LinkFacts>,
    pub user: TgUserId,
    pub outcome: Outcome,
    /// The raw payload, for opens that matched no link.
    pub payload: Option<&'a str>,
    pub new_user: bool,
    pub at: DateTime<Utc>,
}

/// Appends one event and counts it in `opens_hourly` (call it in a
/// transaction, so both or neither are written); returns the event's id.
pub async fn record<C: ConnectionTrait>(db: &C, event: NewEvent<'_>) -> Result<i64, DbErr> {
    let payload = event
        .payload
        .map(|p| p.chars().take(MAX_STORED_PAYLOAD).collect::<String>());
    let row = entity::ActiveModel {
        link_id: Set(event.link_id),
        tg_user_id: Set(event.user.get()),
        outcome: Set(event.outcome.as_str().to_owned()),
        payload: Set(payload),
        new_user: Set(event.new_user),
        // Events name their Telegram update through `bot_updates.event_id`;
        // this column (unique, m0001) is kept for old rows only.
        update_id: Set(None),
        at: Set(event.at),
        ..Default::default()
    };
    let id = Entity::insert(row).exec(db).await?.last_insert_id;
    rollup::count_event(
        db,
        event.at,
        event.link,
        event.outcome,
        event.user.get(),
        event.new_user,
    )
    .await?;
    Ok(id)
}

/// One event by id.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Event>, DbErr> {
    Ok(Entity::find_by_id(id).one(db).await?.map(Event::from_model))
}

/// Which events to list; newest first.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub link_id: Option<i64>,
    pub tg_user_id: Option<TgUserId>,
    pub outcome: Option<Outcome>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: u64,
}

pub async fn list<C: ConnectionTrait>(db: &C, filter: &EventFilter) -> Result<Vec<Event>, DbErr> {
    let mut query = Entity::find();
    if let Some(link_id) = filter.link_id {
        query = query.filter(Column::LinkId.eq(link_id));
    }
    if let Some(user) = filter.tg_user_id {
        query = query.filter(Column::TgUserId.eq(user.get()));
    }
    if let Some(outcome) = filter.outcome {
        query = query.filter(Column::Outcome.eq(outcome.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::At.lt(to));
    }
    Ok(query
        .order_by_desc(Column::At)
        .order_by_desc(Column::Id)
        .limit(filter.limit)
        .all(db)
        .await?
        .into_iter()
        .map(Event::from_model)
        .collect())
}

/// Every recorded open, counted by outcome (outcomes never seen are absent).
pub async fn count_by_outcome<C: ConnectionTrait>(db: &C) -> Result<Vec<(Outcome, i64)>, DbErr> {
    use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait as _, Query};

    let query = Query::select()
        .column(Column::Outcome)
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(Entity)
        .group_by_col(Column::Outcome)
        .to_owned();
    let mut counts = Vec::new();
    for row in db.query_all(&query).await? {
        let outcome: String = row.try_get("", "outcome")?;
        let n: i64 = row.try_get("", "n")?;
        if let Ok(outcome) = outcome.parse::<Outcome>() {
            counts.push((outcome, n));
        }
    }
    counts.sort_by_key(|(outcome, _)| outcome.as_str());
    Ok(counts)
}
