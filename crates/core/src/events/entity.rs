//! The `link_events` table as SeaORM sees it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "link_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub link_id: Option<i64>,
    pub tg_user_id: i64,
    pub outcome: String,
    pub payload: Option<String>,
    pub new_user: bool,
    /// No longer written (m0008): an event names its Telegram update through
    /// `bot_updates.event_id`, since update ids alone are not unique.
    pub update_id: Option<i64>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
