//! The links and campaigns with the most opens in a period.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use super::filter::Resolved;
use super::{AnalyticsError, Filter, campaign_counts, sum_if};
use crate::campaigns;
use crate::events::Outcome;
use crate::events::entity as events;
use crate::links::LinkKind;
use crate::links::entity as links;

/// A link and its opens in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopLink {
    #[serde(skip)]
    pub link_id: i64,
    pub key: String,
    pub kind: LinkKind,
    pub title: Option<String>,
    pub campaign: Option<String>,
    pub opens: i64,
    /// Opens that took a use (redeemed or accepted).
    pub uses: i64,
}

/// A campaign and the opens of its links in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopCampaign {
    #[serde(skip)]
    pub campaign_id: i64,
    pub name: String,
    pub opens: i64,
    pub uses: i64,
}

fn uses() -> sea_orm::sea_query::SimpleExpr {
    let outcome = Expr::col((events::Entity, events::Column::Outcome));
    sum_if(outcome.is_in([Outcome::Redeemed.as_str(), Outcome::Accepted.as_str()]))
}

fn read(row: &sea_orm::QueryResult, name: &str) -> Result<i64, AnalyticsError> {
    Ok(row
        .try_get::<Option<i64>>("", name)
        .map_err(AnalyticsError::db("reading a ranking"))?
        .unwrap_or(0))
}

/// The `limit` links matching `filter` with the most opens in the period, most
/// first (ties: older link first).
pub async fn top_links<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<TopLink>, AnalyticsError> {
    let r = filter.resolve(db, now).await?;
    let link = (events::Entity, events::Column::LinkId);
    let opens = Alias::new("opens");
    let query = Query::select()
        .expr_as(Expr::col(link), Alias::new("link_id"))
        .expr_as(Expr::col(Asterisk).count(), opens.clone())
        .expr_as(uses(), Alias::new("uses"))
        .from(events::Entity)
        .cond_where(r.events())
        .and_where(Expr::col(link).is_not_null())
        .group_by_col(link)
        .order_by(opens, Order::Desc)
        .order_by(link, Order::Asc)
        .limit(limit)
        .to_owned();
    let mut counts = Vec::new();
    for row in db
        .query_all(&query)
        .await
        .map_err(AnalyticsError::db("ranking links"))?
    {
        counts.push((
            read(&row, "link_id")?,
            read(&row, "opens")?,
            read(&row, "uses")?,
        ));
    }
    if counts.is_empty() {
        return Ok(Vec::new());
    }
    let models: HashMap<i64, links::Model> = links::Entity::find()
        .filter(links::Column::Id.is_in(counts.iter().map(|(id, _, _)| *id)))
        .all(db)
        .await
        .map_err(AnalyticsError::db("reading ranked links"))?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let names = campaigns::names_by_id(db, models.values().filter_map(|m| m.campaign_id))
        .await
        .map_err(AnalyticsError::db("naming campaigns"))?;
    let mut out = Vec::with_capacity(counts.len());
    for (id, opens, uses) in counts {
        let model = models.get(&id).ok_or_else(|| {
            AnalyticsError::Corrupt(format!("events of link {id}, which is missing"))
        })?;
        let kind = model
            .kind
            .parse::<LinkKind>()
            .map_err(|_| AnalyticsError::Corrupt(format!("link {id} has kind {:?}", model.kind)))?;
        out.push(TopLink {
            link_id: id,
            key: model.key.clone(),
            kind,
            title: model.title.clone(),
            campaign: model.campaign_id.and_then(|c| names.get(&c).cloned()),
            opens,
            uses,
        });
    }
    Ok(out)
}

/// The `limit` campaigns whose links matching `filter` had the most opens in
/// the period, most first (ties: older campaign first).
pub async fn top_campaigns<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<TopCampaign>, AnalyticsError> {
    let r = filter.resolve(db, now).await?;
    let counts: Vec<(i64, i64, i64)> = match campaign_counts(db, &r).await? {
        Some(counts) => counts
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|c| (c.campaign_id, c.opens, c.uses))
            .collect(),
        None => raw_campaign_counts(db, &r, limit).await?,
    };
    let names = campaigns::names_by_id(db, counts.iter().map(|(id, _, _)| *id))
        .await
        .map_err(AnalyticsError::db("naming campaigns"))?;
    Ok(counts
        .into_iter()
        .map(|(id, opens, uses)| TopCampaign {
            campaign_id: id,
            name: names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
            opens,
            uses,
        })
        .collect())
}

/// Opens and uses per campaign counted from the events, top `limit`.
async fn raw_campaign_counts<C: ConnectionTrait>(
    db: &C,
    r: &Resolved,
    limit: u64,
) -> Result<Vec<(i64, i64, i64)>, AnalyticsError> {
    let campaign = (links::Entity, links::Column::CampaignId);
    let opens = Alias::new("opens");
    let query = Query::select()
        .expr_as(Expr::col(campaign), Alias::new("campaign_id"))
        .expr_as(Expr::col(Asterisk).count(), opens.clone())
        .expr_as(uses(), Alias::new("uses"))
        .from(events::Entity)
        .inner_join(
            links::Entity,
            Expr::col((links::Entity, links::Column::Id))
                .equals((events::Entity, events::Column::LinkId)),
        )
        .cond_where(r.events_in_period())
        .cond_where(r.link_fields())
        .and_where(Expr::col(campaign).is_not_null())
        .group_by_col(campaign)
        .order_by(opens, Order::Desc)
        .order_by(campaign, Order::Asc)
        .limit(limit)
        .to_owned();
    let mut counts = Vec::new();
    for row in db
        .query_all(&query)
        .await
        .map_err(AnalyticsError::db("ranking campaigns"))?
    {
        counts.push((
            read(&row, "campaign_id")?,
            read(&row, "opens")?,
            read(&row, "uses")?,
        ));
    }
    Ok(counts)
}
