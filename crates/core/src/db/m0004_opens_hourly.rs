//! `opens_hourly`: opens per UTC hour, campaign, link kind, outcome and shard
//! (see `analytics::rollup`), filled from the events already recorded.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveIden)]
enum OpensHourly {
    Table,
    Hour,
    CampaignId,
    Kind,
    Outcome,
    Shard,
    Opens,
    NewUsers,
}

#[derive(DeriveMigrationName)]
pub(super) struct M0004OpensHourly;

#[async_trait::async_trait]
impl MigrationTrait for M0004OpensHourly {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OpensHourly::Table)
                    .col(timestamp_with_time_zone(OpensHourly::Hour))
                    .col(big_integer(OpensHourly::CampaignId))
                    .col(string_len(OpensHourly::Kind, 16))
                    .col(string_len(OpensHourly::Outcome, 16))
                    .col(big_integer(OpensHourly::Shard))
                    .col(big_integer(OpensHourly::Opens))
                    .col(big_integer(OpensHourly::NewUsers))
                    .primary_key(
                        Index::create()
                            .col(OpensHourly::Hour)
                            .col(OpensHourly::CampaignId)
                            .col(OpensHourly::Kind)
                            .col(OpensHourly::Outcome)
                            .col(OpensHourly::Shard),
                    )
                    .to_owned(),
            )
            .await?;
        crate::analytics::rollup::fill(manager.get_connection()).await?;
        Ok(())
    }
}
