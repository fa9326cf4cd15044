//! Automatic reports: which periods have been claimed for sending. A period is
//! a text key such as `daily:2026-11-24` or `weekly:2026-11-16`; whoever
//! inserts it first sends the report, everyone else skips it.

pub(crate) mod entity;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

use entity::{Column, Entity};

/// Claims `period` at `at`; true when this caller won it (and must send the
/// report), false when someone had claimed it before.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    period: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let row = entity::ActiveModel {
        period: Set(period.to_owned()),
        claimed_at: Set(at),
    };
    let inserted = Entity::insert(row)
        .on_conflict(OnConflict::column(Column::Period).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}
