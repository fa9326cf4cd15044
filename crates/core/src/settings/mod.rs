//! Small key/value settings the product learns at run time (e.g. the bot's own
//! username from `getMe`), kept in the database so every replica sees them.

pub(crate) mod entity;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

use entity::{Column, Entity};

/// The bot's username as Telegram reported it.
pub const BOT_USERNAME: &str = "bot_username";

pub async fn get<C: ConnectionTrait>(db: &C, key: &str) -> Result<Option<String>, DbErr> {
    Ok(Entity::find_by_id(key.to_owned()).one(db).await?.map(|m| m.value))
}

pub async fn set<C: ConnectionTrait>(
    db: &C,
    key: &str,
    value: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = entity::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
        updated_at: Set(at),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::Key)
                .update_columns([Column::Value, Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
