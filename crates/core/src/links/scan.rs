//! Reading links in pages for exports: keyset pagination by id (`WHERE id > last ORDER BY id
//! LIMIT n`), so a million rows are read without ever holding them all.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, IntoColumnRef, SimpleExpr};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::{Column, Entity};
use super::store::with_campaign_names;
use super::{Link, LinkError, ResolvedSelection};
use crate::time::Period;

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
    selection: &ResolvedSelection,
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
