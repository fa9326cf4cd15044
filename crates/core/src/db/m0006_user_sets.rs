//! `user_sets_hourly` and its watermark `user_sets_state`: per UTC hour, the
//! users who opened something (per campaign and kind) and the users first
//! seen (see `analytics::user_sets`), filled from the data already stored.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveIden)]
enum UserSetsHourly {
    Table,
    Hour,
    What,
    CampaignId,
    Kind,
    Users,
}

#[derive(DeriveIden)]
enum UserSetsState {
    Table,
    Id,
    FoldedUntil,
}

#[derive(DeriveMigrationName)]
pub(super) struct M0006UserSets;

#[async_trait::async_trait]
impl MigrationTrait for M0006UserSets {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserSetsHourly::Table)
                    .col(timestamp_with_time_zone(UserSetsHourly::Hour))
                    .col(string_len(UserSetsHourly::What, 16))
                    .col(big_integer(UserSetsHourly::CampaignId))
                    .col(string_len(UserSetsHourly::Kind, 16))
                    .col(blob(UserSetsHourly::Users))
                    .primary_key(
                        Index::create()
                            .col(UserSetsHourly::Hour)
                            .col(UserSetsHourly::What)
                            .col(UserSetsHourly::CampaignId)
                            .col(UserSetsHourly::Kind),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserSetsState::Table)
                    .col(big_integer(UserSetsState::Id).primary_key())
                    .col(timestamp_with_time_zone_null(UserSetsState::FoldedUntil))
                    .to_owned(),
            )
            .await?;
        crate::analytics::user_sets::fill(manager.get_connection()).await?;
        Ok(())
    }
}
