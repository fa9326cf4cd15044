//! Reading links in pages for exports: the link filters every dataset shares
//! (`LinkSelection`), and keyset pagination by id (`WHERE id > last ORDER BY id
//! LIMIT n`), so a million rows are read without ever holding them all.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, IntoColumnRef, SimpleExpr};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::{Column, Entity};
use super::store::{status_condition, with_campaign_names};
use super::{Link, LinkError, LinkKind, LinkStatus};
use crate::time::Period;

/// Which links rows belong to: a link matches when it passes every filter set.
/// Events, users and campaigns are selected through their links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkSelection {
    pub campaign_id: Option<i64>,
    pub created_by: Option<i64>,
    pub kind: Option<LinkKind>,
    /// Status at the instant the selection is evaluated.
    pub status: Option<LinkStatus>,
}

impl LinkSelection {
    /// Whether every link matches (no filter set).
    pub fn is_everything(&self) -> bool {
        *self == Self::default()
    }

    /// The same selection without the campaign filter.
    pub fn without_campaign(&self) -> Self {
        Self {
            campaign_id: None,
            ..self.clone()
        }
    }

    /// The SQL condition on the `links` table, qualified so it can sit in a join.
    /// Rows of an outer join that have no link never match a non-empty selection.
    pub(crate) fn condition(&self, now: DateTime<Utc>) -> Condition {
        let col = |c: Column| Expr::col((Entity, c));
        let mut all = Condition::all();
        if self.is_everything() {
            return all;
        }
        all = all.add(col(Column::Id).is_not_null());
        if let Some(id) = self.campaign_id {
            all = all.add(col(Column::CampaignId).eq(id));
        }
        if let Some(creator) = self.created_by {
            all = all.add(col(Column::CreatedBy).eq(creator));
        }
        if let Some(kind) = self.kind {
            all = all.add(col(Column::Kind).eq(kind.as_str()));
        }
        if let Some(status) = self.status {
            // Its columns (revoked_at, max_uses, use_count, expires_at) exist only
            // in `links` among the tables joined to it.
            all = all.add(status_condition(status, now));
        }
        all
    }
}

/// `column` within `period`.
pub(crate) fn period_condition(period: Period, column: impl IntoColumnRef + Clone) -> Condition {
    let mut all = Condition::all();
    if let Some(from) = period.from() {
        all = all.add(Expr::col(column.clone()).gte(from));
    }
    if let Some(to) = period.to() {
        all = all.add(Expr::col(column).lt(to));
    }
    all
}

/// `column > after` when there is a previous page.
pub(crate) fn after_condition(after: Option<i64>, column: impl IntoColumnRef) -> Condition {
    let mut all = Condition::all();
    if let Some(after) = after {
        let greater: SimpleExpr = Expr::col(column).gt(after);
        all = all.add(greater);
    }
    all
}

/// The next `limit` links by id after `after` that match `selection` and were
/// created within `created`, with their campaign names.
pub async fn scan<C: sea_orm::ConnectionTrait>(
    db: &C,
    selection: &LinkSelection,
    created: Period,
    now: DateTime<Utc>,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Link>, LinkError> {
    let models = Entity::find()
        .filter(selection.condition(now))
        .filter(period_condition(created, (Entity, Column::CreatedAt)))
        .filter(after_condition(after, (Entity, Column::Id)))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    with_campaign_names(db, models).await
}
