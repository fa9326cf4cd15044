//! SQL for `campaigns`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use super::Campaign;
use super::entity::{self, Column, Entity};

/// Returns the campaign called `name`, creating it if needed. Concurrent calls
/// with the same name end with one row.
pub async fn ensure<C: ConnectionTrait>(
    db: &C,
    name: &str,
    at: DateTime<Utc>,
) -> Result<Campaign, DbErr> {
    let row = entity::ActiveModel {
        name: Set(name.to_owned()),
        utm_source: Set(None),
        utm_medium: Set(None),
        utm_campaign: Set(None),
        created_at: Set(at),
        ..Default::default()
    };
    Entity::insert(row)
        .on_conflict(OnConflict::column(Column::Name).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    find_by_name(db, name)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("campaign {name:?} vanished after insert")))
}

/// The campaign named `name`, compared as stored: trimmed and in NFC.
pub async fn find_by_name<C: ConnectionTrait>(
    db: &C,
    name: &str,
) -> Result<Option<Campaign>, DbErr> {
    use unicode_normalization::UnicodeNormalization as _;
    let name: String = name.trim().nfc().collect();
    Ok(Entity::find()
        .filter(Column::Name.eq(name))
        .one(db)
        .await?
        .map(Campaign::from))
}

pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<Campaign>, DbErr> {
    Ok(Entity::find()
        .order_by_asc(Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(Campaign::from)
        .collect())
}

/// Names of the given campaigns, for showing links.
pub async fn names_by_id<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>, DbErr> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(Entity::find()
        .filter(Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect())
}
