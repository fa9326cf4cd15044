//! SQL for `link_events`.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entity::{self, Column, Entity};
use super::{Event, Outcome};
use crate::users::TgUserId;

/// Longest raw payload kept on an event (Telegram's own limit is 64).
const MAX_STORED_PAYLOAD: usize = 128;

/// Appends one event.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    link_id: Option<i64>,
    user: TgUserId,
    outcome: Outcome,
    payload: Option<&str>,
    new_user: bool,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let payload = payload.map(|p| p.chars().take(MAX_STORED_PAYLOAD).collect::<String>());
    let row = entity::ActiveModel {
        link_id: Set(link_id),
        tg_user_id: Set(user.get()),
        outcome: Set(outcome.as_str().to_owned()),
        payload: Set(payload),
        new_user: Set(new_user),
        at: Set(at),
        ..Default::default()
    };
    Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
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
