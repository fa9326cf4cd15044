//! Reading campaigns in pages by id (keyset pagination), with what their links
//! did, for exports.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait as _, Query, SelectStatement};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::Campaign;
use super::entity::{Column, Entity};
use crate::events::entity as events;
use crate::links::ResolvedSelection;
use crate::links::entity as links;
use crate::links::scan::{after_condition, period_condition};
use crate::time::Period;
use crate::users::entity as users;

/// The next `limit` campaigns by id after `after` (only `only` when given).
pub async fn scan<C: ConnectionTrait>(
    db: &C,
    only: Option<i64>,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Campaign>, DbErr> {
    let mut query = Entity::find().filter(after_condition(after, (Entity, Column::Id)));
    if let Some(id) = only {
        query = query.filter(Column::Id.eq(id));
    }
    Ok(query
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Campaign::from)
        .collect())
}

/// What a campaign's links did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CampaignActivity {
    /// Its links that match the selection (whenever they were created).
    pub links: i64,
    /// Opens of those links within the period.
    pub opens: i64,
    /// Users first seen within the period whose first link is one of them.
    pub new_users: i64,
}

/// [`CampaignActivity`] of each of `campaign_ids`, counting only links that match
/// `selection` (its campaign filter aside) and opens and new users within `period`.
/// Campaigns with nothing to count are absent.
pub async fn activity<C: ConnectionTrait>(
    db: &C,
    campaign_ids: &[i64],
    selection: &ResolvedSelection,
    period: Period,
    now: DateTime<Utc>,
) -> Result<HashMap<i64, CampaignActivity>, DbErr> {
    let mut result: HashMap<i64, CampaignActivity> = HashMap::new();
    if campaign_ids.is_empty() {
        return Ok(result);
    }
    let selection = selection.without_campaign();
    let campaign = || Expr::col((links::Entity, links::Column::CampaignId));
    let grouped = |query: &mut SelectStatement| {
        query
            .column((links::Entity, links::Column::CampaignId))
            .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
            .and_where(campaign().is_in(campaign_ids.iter().copied()))
            .cond_where(selection.condition(now))
            .group_by_col((links::Entity, links::Column::CampaignId));
    };

    let mut link_counts = Query::select();
    link_counts.from(links::Entity);
    grouped(&mut link_counts);

    let mut opens = Query::select();
    opens
        .from(events::Entity)
        .inner_join(
            links::Entity,
            Expr::col((links::Entity, links::Column::Id))
                .equals((events::Entity, events::Column::LinkId)),
        )
        .cond_where(period_condition(
            period,
            (events::Entity, events::Column::At),
        ));
    grouped(&mut opens);

    let mut new_users = Query::select();
    new_users
        .from(users::Entity)
        .inner_join(
            links::Entity,
            Expr::col((links::Entity, links::Column::Id))
                .equals((users::Entity, users::Column::FirstLinkId)),
        )
        .cond_where(period_condition(
            period,
            (users::Entity, users::Column::FirstSeenAt),
        ));
    grouped(&mut new_users);

    for (query, field) in [(link_counts, 0usize), (opens, 1), (new_users, 2)] {
        for row in db.query_all(&query).await? {
            let id: i64 = row.try_get("", "campaign_id")?;
            let n: i64 = row.try_get("", "n")?;
            let entry = result.entry(id).or_default();
            match field {
                0 => entry.links = n,
                1 => entry.opens = n,
                _ => entry.new_users = n,
            }
        }
    }
    Ok(result)
}
