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
    Ok(Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .map(|m| m.value))
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

/// The builder for this bot's links: the username the bot learnt from Telegram
/// if it has run, else the configured `BOT_USERNAME`, else none.
pub async fn link_builder<C: ConnectionTrait>(
    db: &C,
    configured: Option<&crate::links::BotUsername>,
) -> Result<Option<crate::links::LinkBuilder>, DbErr> {
    let learnt = get(db, BOT_USERNAME)
        .await?
        .and_then(|name| crate::links::BotUsername::parse(&name).ok());
    Ok(learnt
        .or_else(|| configured.cloned())
        .map(crate::links::LinkBuilder::new))
}
