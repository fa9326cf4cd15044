//! The `bot_updates` table as SeaORM sees it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bot_updates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The bot's own Telegram id (from `getMe`): each bot numbers its updates.
    pub bot_id: i64,
    pub update_id: i64,
    pub tg_user_id: Option<i64>,
    /// SHA-256 of the update as received (hex): a redelivery is the same update.
    pub digest: String,
    /// The update's JSON, to handle it again after a crash.
    pub body: String,
    pub received_at: DateTimeUtc,
    /// When a process last took it to handle; another may take it after the lease.
    pub claimed_at: DateTimeUtc,
    /// The open it caused, written in the open's own transaction.
    pub event_id: Option<i64>,
    pub done_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
