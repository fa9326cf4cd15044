//! The funnel of links: opens → uses taken (redeemed or accepted) → new users.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use super::filter::Resolved;
use super::{AnalyticsError, Filter, campaign_counts, rolled_up, sum_if};
use crate::campaigns;
use crate::events::Outcome;
use crate::events::entity as events;
use crate::links::entity as links;
use crate::users::entity as users;

/// One funnel. `new_users` are users first seen in the period whose first open
/// was of these links (not necessarily one that took a use).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Funnel {
    /// Opens of the links in the period, whatever their outcome.
    pub opens: i64,
    /// Opens that took a use: redeemed (orders) or accepted (campaigns, referrals).
    pub uses: i64,
    pub new_users: i64,
}

/// Funnels one row per what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelGroup {
    Link,
    Campaign,
}

/// A funnel for one link (`key` is its key) or campaign (`key` is its name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunnelRow {
    pub id: i64,
    pub key: String,
    #[serde(flatten)]
    pub funnel: Funnel,
}

fn event_counts(r: &Resolved) -> SelectStatement {
    let outcome = Expr::col((events::Entity, events::Column::Outcome));
    Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("opens"))
        .expr_as(
            sum_if(outcome.is_in([Outcome::Redeemed.as_str(), Outcome::Accepted.as_str()])),
            Alias::new("uses"),
        )
        .from(events::Entity)
        .cond_where(r.events())
        .and_where(Expr::col((events::Entity, events::Column::LinkId)).is_not_null())
        .to_owned()
}

fn new_user_counts(r: &Resolved) -> SelectStatement {
    Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("new_users"))
        .from(users::Entity)
        .cond_where(r.new_users())
        .and_where(Expr::col((users::Entity, users::Column::FirstLinkId)).is_not_null())
        .to_owned()
}

/// Funnel rows (`g`, `opens`, `uses`) of a grouped [`event_counts`] query.
async fn raw_rows<C: ConnectionTrait>(
    db: &C,
    query: &SelectStatement,
) -> Result<Vec<(i64, Funnel)>, AnalyticsError> {
    let mut rows = Vec::new();
    for row in db
        .query_all(query)
        .await
        .map_err(AnalyticsError::db("counting funnels"))?
    {
        let id = get(&row, "g")?;
        rows.push((
            id,
            Funnel {
                opens: get(&row, "opens")?,
                uses: get(&row, "uses")?,
                new_users: 0,
            },
        ));
    }
    Ok(rows)
}

fn get(row: &sea_orm::QueryResult, name: &str) -> Result<i64, AnalyticsError> {
    Ok(row
        .try_get::<Option<i64>>("", name)
        .map_err(AnalyticsError::db("reading a funnel"))?
        .unwrap_or(0))
}

/// The funnel of every link matching `filter`, together.
pub async fn funnel<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<Funnel, AnalyticsError> {
    let r = filter.resolve(db, now).await?;
    let mut out = Funnel::default();
    if let Some(groups) = rolled_up(db, &r).await? {
        for group in groups.iter().filter(|g| g.kind.is_some()) {
            out.opens += group.opens;
            if group.taken() {
                out.uses += group.opens;
            }
        }
    } else if let Some(row) = db
        .query_one(&event_counts(&r))
        .await
        .map_err(AnalyticsError::db("counting a funnel's opens"))?
    {
        out.opens = get(&row, "opens")?;
        out.uses = get(&row, "uses")?;
    }
    if let Some(row) = db
        .query_one(&new_user_counts(&r))
        .await
        .map_err(AnalyticsError::db("counting a funnel's new users"))?
    {
        out.new_users = get(&row, "new_users")?;
    }
    Ok(out)
}

/// One funnel per link or per campaign, the `limit` with most opens first.
pub async fn funnel_by<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    group: FunnelGroup,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<FunnelRow>, AnalyticsError> {
    let r = filter.resolve(db, now).await?;
    let opens = Alias::new("opens");
    let mut query = event_counts(&r);
    let mut users_query = new_user_counts(&r);
    match group {
        FunnelGroup::Link => {
            let link = (events::Entity, events::Column::LinkId);
            query
                .expr_as(Expr::col(link), Alias::new("g"))
                .group_by_col(link);
            let first = (users::Entity, users::Column::FirstLinkId);
            users_query
                .expr_as(Expr::col(first), Alias::new("g"))
                .group_by_col(first);
        }
        FunnelGroup::Campaign => {
            let campaign = (links::Entity, links::Column::CampaignId);
            query
                .inner_join(
                    links::Entity,
                    Expr::col((links::Entity, links::Column::Id))
                        .equals((events::Entity, events::Column::LinkId)),
                )
                .and_where(Expr::col(campaign).is_not_null())
                .expr_as(Expr::col(campaign), Alias::new("g"))
                .group_by_col(campaign);
            users_query
                .inner_join(
                    links::Entity,
                    Expr::col((links::Entity, links::Column::Id))
                        .equals((users::Entity, users::Column::FirstLinkId)),
                )
                .and_where(Expr::col(campaign).is_not_null())
                .expr_as(Expr::col(campaign), Alias::new("g"))
                .group_by_col(campaign);
        }
    }
    let rows: Vec<(i64, Funnel)>;
    let by_campaign = match group {
        FunnelGroup::Campaign => campaign_counts(db, &r).await?,
        FunnelGroup::Link => None,
    };
    if let Some(counts) = by_campaign {
        rows = counts
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|c| {
                let funnel = Funnel {
                    opens: c.opens,
                    uses: c.uses,
                    new_users: 0,
                };
                (c.campaign_id, funnel)
            })
            .collect();
    } else {
        query
            .order_by(opens, Order::Desc)
            .order_by(Alias::new("g"), Order::Asc)
            .limit(limit);
        rows = raw_rows(db, &query).await?;
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let g = match group {
        FunnelGroup::Link => Expr::col((users::Entity, users::Column::FirstLinkId)),
        FunnelGroup::Campaign => Expr::col((links::Entity, links::Column::CampaignId)),
    };
    users_query.and_where(g.is_in(ids.clone()));
    let mut new_users: HashMap<i64, i64> = HashMap::new();
    for row in db
        .query_all(&users_query)
        .await
        .map_err(AnalyticsError::db("counting funnels' new users"))?
    {
        new_users.insert(get(&row, "g")?, get(&row, "new_users")?);
    }
    let names: HashMap<i64, String> = match group {
        FunnelGroup::Link => links::Entity::find()
            .filter(links::Column::Id.is_in(ids))
            .all(db)
            .await
            .map_err(AnalyticsError::db("reading links' keys"))?
            .into_iter()
            .map(|m| (m.id, m.key))
            .collect(),
        FunnelGroup::Campaign => campaigns::names_by_id(db, ids)
            .await
            .map_err(AnalyticsError::db("naming campaigns"))?,
    };
    Ok(rows
        .into_iter()
        .map(|(id, mut funnel)| {
            funnel.new_users = new_users.get(&id).copied().unwrap_or(0);
            FunnelRow {
                id,
                key: names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
                funnel,
            }
        })
        .collect())
}
