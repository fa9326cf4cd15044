//! Reading events in pages by id (keyset pagination), for exports.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Iterable};

use super::Event;
use super::entity::{self, Column, Entity};
use crate::links::ResolvedSelection;
use crate::links::entity as links;
use crate::links::scan::{after_condition, period_condition};
use crate::time::Period;

/// An event with the key of the link it opened (none for payloads that matched
/// no link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub event: Event,
    pub link_key: Option<String>,
}

/// The next `limit` events by id after `after` that happened within `period` on
/// links matching `selection` (with any selection set, opens that matched no link
/// are left out).
pub async fn scan<C: ConnectionTrait>(
    db: &C,
    selection: &ResolvedSelection,
    period: Period,
    now: DateTime<Utc>,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<EventRow>, DbErr> {
    let link_key = Alias::new("link_key");
    let query = Query::select()
        .columns(Column::iter().map(|c| (Entity, c)))
        .expr_as(Expr::col((links::Entity, links::Column::Key)), link_key)
        .from(Entity)
        .left_join(
            links::Entity,
            Expr::col((links::Entity, links::Column::Id)).equals((Entity, Column::LinkId)),
        )
        .cond_where(selection.condition(now))
        .cond_where(period_condition(period, (Entity, Column::At)))
        .cond_where(after_condition(after, (Entity, Column::Id)))
        .order_by((Entity, Column::Id), sea_orm::Order::Asc)
        .limit(limit)
        .to_owned();
    let rows = db.query_all(&query).await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let model = entity::Model::from_query_result(&row, "")?;
        events.push(EventRow {
            event: Event::from_model(model),
            link_key: row.try_get("", "link_key")?,
        });
    }
    Ok(events)
}
