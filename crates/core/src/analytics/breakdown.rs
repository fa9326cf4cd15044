//! Opens and links grouped by one dimension: campaign, a UTM field, creator,
//! kind or outcome.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::Serialize;

use super::filter::Resolved;
use super::{AnalyticsError, Filter, rolled_up, sum_if};
use crate::campaigns;
use crate::events::Outcome;
use crate::events::entity as events;
use crate::links::entity as links;
use crate::vocab::vocabulary;

/// What to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Campaign,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    Creator,
    Kind,
    Outcome,
}

// `by` is the field's name on every surface (`?by=`).
vocabulary!(
    Dimension,
    "by",
    [
        "campaign",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "creator",
        "kind",
        "outcome",
    ]
);

impl Dimension {
    pub const ALL: [Dimension; 7] = [
        Self::Campaign,
        Self::UtmSource,
        Self::UtmMedium,
        Self::UtmCampaign,
        Self::Creator,
        Self::Kind,
        Self::Outcome,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Campaign => "campaign",
            Self::UtmSource => "utm_source",
            Self::UtmMedium => "utm_medium",
            Self::UtmCampaign => "utm_campaign",
            Self::Creator => "creator",
            Self::Kind => "kind",
            Self::Outcome => "outcome",
        }
    }

    /// The `links` column grouped by; `None` for the event's outcome.
    fn link_column(self) -> Option<links::Column> {
        match self {
            Self::Campaign => Some(links::Column::CampaignId),
            Self::UtmSource => Some(links::Column::UtmSource),
            Self::UtmMedium => Some(links::Column::UtmMedium),
            Self::UtmCampaign => Some(links::Column::UtmCampaign),
            Self::Creator => Some(links::Column::CreatedBy),
            Self::Kind => Some(links::Column::Kind),
            Self::Outcome => None,
        }
    }

    fn numeric(self) -> bool {
        matches!(self, Self::Campaign | Self::Creator)
    }
}

/// One group. `key` is what people read (campaign name, UTM value, creator id,
/// kind, outcome); `id` is the campaign's or creator's id. Both `None`: links
/// without a value (no campaign, no UTM field, created outside Telegram).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakdownRow {
    pub key: Option<String>,
    pub id: Option<i64>,
    /// Opens in the period.
    pub opens: i64,
    /// Of which took a use (redeemed or accepted).
    pub uses: i64,
    /// Links created in the period; `None` for outcomes, which are not about links.
    pub links: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Id(Option<i64>),
    Text(Option<String>),
}

fn read_group(row: &QueryResult, numeric: bool) -> Result<Group, AnalyticsError> {
    let read = AnalyticsError::db("reading a breakdown");
    if numeric {
        row.try_get::<Option<i64>>("", "g")
            .map(Group::Id)
            .map_err(read)
    } else {
        row.try_get::<Option<String>>("", "g")
            .map(Group::Text)
            .map_err(read)
    }
}

fn taken() -> SimpleExpr {
    let outcome = Expr::col((events::Entity, events::Column::Outcome));
    sum_if(outcome.is_in([Outcome::Redeemed.as_str(), Outcome::Accepted.as_str()]))
}

/// Opens (and uses, and links created) per group, most opens first. Link
/// dimensions count the opens of links only (not `not_found` or `invalid`).
pub async fn breakdown<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    by: Dimension,
    now: DateTime<Utc>,
) -> Result<Vec<BreakdownRow>, AnalyticsError> {
    let r = filter.resolve(db, now).await?;
    let mut groups: BTreeMap<Group, BreakdownRow> = BTreeMap::new();
    let empty = || BreakdownRow {
        key: None,
        id: None,
        opens: 0,
        uses: 0,
        links: None,
    };
    if let Some(counts) = rolled_up_groups(db, &r, by).await? {
        for (group, (opens, uses)) in counts {
            let entry = groups.entry(group).or_insert_with(empty);
            entry.opens = opens;
            entry.uses = uses;
        }
    } else {
        raw_groups(db, &r, by, &mut groups, empty).await?;
    }
    if let Some(column) = by.link_column() {
        links_per_group(db, &r, column, by.numeric(), &mut groups, empty).await?;
    }
    let campaign_names = if by == Dimension::Campaign {
        let ids = groups.keys().filter_map(|g| match g {
            Group::Id(id) => *id,
            Group::Text(_) => None,
        });
        campaigns::names_by_id(db, ids.collect::<Vec<_>>())
            .await
            .map_err(AnalyticsError::db("naming campaigns"))?
    } else {
        Default::default()
    };
    let mut out: Vec<BreakdownRow> = groups
        .into_iter()
        .map(|(group, mut row)| {
            match group {
                Group::Id(id) => {
                    row.id = id;
                    row.key = id.map(|id| match campaign_names.get(&id) {
                        Some(name) if by == Dimension::Campaign => name.clone(),
                        _ => id.to_string(),
                    });
                }
                Group::Text(text) => row.key = text,
            }
            row
        })
        .collect();
    out.sort_by(|a, b| {
        b.opens
            .cmp(&a.opens)
            .then(b.links.cmp(&a.links))
            .then(a.key.is_none().cmp(&b.key.is_none()))
            .then(a.key.cmp(&b.key))
    });
    Ok(out)
}

/// Opens and uses per group counted from the events.
async fn raw_groups<C: ConnectionTrait>(
    db: &C,
    r: &Resolved,
    by: Dimension,
    groups: &mut BTreeMap<Group, BreakdownRow>,
    empty: impl Fn() -> BreakdownRow,
) -> Result<(), AnalyticsError> {
    let opens_query = match by.link_column() {
        Some(column) => Query::select()
            .expr_as(Expr::col((links::Entity, column)), Alias::new("g"))
            .expr_as(Expr::col(Asterisk).count(), Alias::new("opens"))
            .expr_as(taken(), Alias::new("uses"))
            .from(events::Entity)
            .inner_join(
                links::Entity,
                Expr::col((links::Entity, links::Column::Id))
                    .equals((events::Entity, events::Column::LinkId)),
            )
            .cond_where(r.events_in_period())
            .cond_where(r.link_fields())
            .group_by_col((links::Entity, column))
            .to_owned(),
        None => Query::select()
            .expr_as(
                Expr::col((events::Entity, events::Column::Outcome)),
                Alias::new("g"),
            )
            .expr_as(Expr::col(Asterisk).count(), Alias::new("opens"))
            .expr_as(taken(), Alias::new("uses"))
            .from(events::Entity)
            .cond_where(r.events())
            .group_by_col((events::Entity, events::Column::Outcome))
            .to_owned(),
    };
    let rows = db
        .query_all(&opens_query)
        .await
        .map_err(AnalyticsError::db("counting opens per group"))?;
    for row in rows {
        let group = read_group(&row, by.numeric())?;
        let entry = groups.entry(group).or_insert_with(&empty);
        let read = || AnalyticsError::db("reading opens per group");
        entry.opens = row.try_get("", "opens").map_err(read())?;
        entry.uses = row
            .try_get::<Option<i64>>("", "uses")
            .map_err(read())?
            .unwrap_or(0);
    }
    Ok(())
}

/// Opens and uses per group from the hourly opens, when they hold the
/// dimension (campaign, kind, outcome) and the filter allows it.
async fn rolled_up_groups<C: ConnectionTrait>(
    db: &C,
    r: &Resolved,
    by: Dimension,
) -> Result<Option<BTreeMap<Group, (i64, i64)>>, AnalyticsError> {
    if !matches!(
        by,
        Dimension::Campaign | Dimension::Kind | Dimension::Outcome
    ) {
        return Ok(None);
    }
    let Some(counts) = rolled_up(db, r).await? else {
        return Ok(None);
    };
    let mut out: BTreeMap<Group, (i64, i64)> = BTreeMap::new();
    for count in counts {
        let group = match by {
            // Link dimensions count opens of links only.
            Dimension::Campaign if count.kind.is_some() => Group::Id(count.campaign_id),
            Dimension::Kind => match count.kind {
                Some(kind) => Group::Text(Some(kind.as_str().to_owned())),
                None => continue,
            },
            Dimension::Outcome => Group::Text(Some(count.outcome.as_str().to_owned())),
            _ => continue,
        };
        let entry = out.entry(group).or_default();
        entry.0 += count.opens;
        if count.taken() {
            entry.1 += count.opens;
        }
    }
    Ok(Some(out))
}

async fn links_per_group<C: ConnectionTrait>(
    db: &C,
    r: &Resolved,
    column: links::Column,
    numeric: bool,
    groups: &mut BTreeMap<Group, BreakdownRow>,
    empty: impl Fn() -> BreakdownRow,
) -> Result<(), AnalyticsError> {
    let query = Query::select()
        .expr_as(Expr::col((links::Entity, column)), Alias::new("g"))
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(links::Entity)
        .cond_where(r.links_created())
        .group_by_col((links::Entity, column))
        .to_owned();
    let rows = db
        .query_all(&query)
        .await
        .map_err(AnalyticsError::db("counting links per group"))?;
    for group in groups.values_mut() {
        group.links = Some(0);
    }
    for row in rows {
        let group = read_group(&row, numeric)?;
        let n: i64 = row
            .try_get("", "n")
            .map_err(AnalyticsError::db("reading links per group"))?;
        groups.entry(group).or_insert_with(&empty).links = Some(n);
    }
    Ok(())
}
