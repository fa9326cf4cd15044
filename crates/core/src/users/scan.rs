//! Reading users in pages by id (keyset pagination), for exports.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Iterable};

use super::TgUser;
use super::entity::{self, Column, Entity};
use crate::campaigns::entity as campaigns;
use crate::links::ResolvedSelection;
use crate::links::entity as links;
use crate::links::scan::{after_condition, period_condition};
use crate::time::Period;

/// A user with the key of the link that brought him and its campaign's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub user: TgUser,
    pub first_link_key: Option<String>,
    pub first_campaign: Option<String>,
}

/// The next `limit` users by Telegram id after `after`, first seen within
/// `first_seen`, whose first link matches `selection` (with any selection set,
/// users who came without a link are left out).
pub async fn scan<C: ConnectionTrait>(
    db: &C,
    selection: &ResolvedSelection,
    first_seen: Period,
    now: DateTime<Utc>,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<UserRow>, DbErr> {
    let query = Query::select()
        .columns(Column::iter().map(|c| (Entity, c)))
        .expr_as(
            Expr::col((links::Entity, links::Column::Key)),
            Alias::new("first_link_key"),
        )
        .expr_as(
            Expr::col((campaigns::Entity, campaigns::Column::Name)),
            Alias::new("first_campaign"),
        )
        .from(Entity)
        .left_join(
            links::Entity,
            Expr::col((links::Entity, links::Column::Id)).equals((Entity, Column::FirstLinkId)),
        )
        .left_join(
            campaigns::Entity,
            Expr::col((campaigns::Entity, campaigns::Column::Id))
                .equals((Entity, Column::FirstCampaignId)),
        )
        .cond_where(selection.condition(now))
        .cond_where(period_condition(first_seen, (Entity, Column::FirstSeenAt)))
        .cond_where(after_condition(after, (Entity, Column::Id)))
        .order_by((Entity, Column::Id), sea_orm::Order::Asc)
        .limit(limit)
        .to_owned();
    let rows = db.query_all(&query).await?;
    let mut users = Vec::with_capacity(rows.len());
    for row in rows {
        let model = entity::Model::from_query_result(&row, "")?;
        users.push(UserRow {
            user: TgUser::from(model),
            first_link_key: row.try_get("", "first_link_key")?,
            first_campaign: row.try_get("", "first_campaign")?,
        });
    }
    Ok(users)
}
