//! `report_runs`: the periods whose automatic report has been claimed, so each
//! is sent once whatever the number of bot processes or restarts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveIden)]
enum ReportRuns {
    Table,
    Period,
    ClaimedAt,
}

#[derive(DeriveMigrationName)]
pub(super) struct M0005ReportRuns;

#[async_trait::async_trait]
impl MigrationTrait for M0005ReportRuns {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReportRuns::Table)
                    .col(text(ReportRuns::Period).primary_key())
                    .col(timestamp_with_time_zone(ReportRuns::ClaimedAt))
                    .to_owned(),
            )
            .await
    }
}
