//! `bot_updates`: the bot's inbox. Every Telegram update is stored here before
//! it is confirmed to Telegram (the next `getUpdates` offset, or the webhook's
//! 2xx), and marked done once handled, so a crash loses nothing and a
//! redelivery is recognised by what it is — the same update of the same bot,
//! for the same user, with the same content, within a day — never by its
//! `update_id` alone (ids restart, and each bot has its own).
//!
//! `link_events.update_id` (unique, m0001) is no longer written: an event
//! names its update through `bot_updates.event_id` instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveIden)]
enum BotUpdates {
    Table,
    Id,
    BotId,
    UpdateId,
    TgUserId,
    Digest,
    Body,
    ReceivedAt,
    ClaimedAt,
    EventId,
    DoneAt,
}

#[derive(DeriveMigrationName)]
pub(super) struct M0008BotUpdates;

#[async_trait::async_trait]
impl MigrationTrait for M0008BotUpdates {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BotUpdates::Table)
                    .col(big_pk_auto(BotUpdates::Id))
                    .col(big_integer(BotUpdates::BotId))
                    .col(big_integer(BotUpdates::UpdateId))
                    .col(big_integer_null(BotUpdates::TgUserId))
                    .col(string_len(BotUpdates::Digest, 64))
                    .col(text(BotUpdates::Body))
                    .col(timestamp_with_time_zone(BotUpdates::ReceivedAt))
                    .col(timestamp_with_time_zone(BotUpdates::ClaimedAt))
                    .col(big_integer_null(BotUpdates::EventId))
                    .col(timestamp_with_time_zone_null(BotUpdates::DoneAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_bot_updates_update")
                    .table(BotUpdates::Table)
                    .col(BotUpdates::BotId)
                    .col(BotUpdates::UpdateId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_bot_updates_pending")
                    .table(BotUpdates::Table)
                    .col(BotUpdates::BotId)
                    .col(BotUpdates::DoneAt)
                    .col(BotUpdates::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_bot_updates_received")
                    .table(BotUpdates::Table)
                    .col(BotUpdates::ReceivedAt)
                    .to_owned(),
            )
            .await
    }
}
