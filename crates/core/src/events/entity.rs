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
    /// The Telegram update this open came from; unique, so a redelivered update
    /// is recorded once.
    pub update_id: Option<i64>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
