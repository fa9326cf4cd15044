//! An index on links by creation time that holds every column their status
//! and the analytics filters read (kind, campaign, creator, revoked, expiry,
//! use limit and count): "links created in a period, by status" becomes one
//! index range instead of a table lookup per link (0.24 s → 0.02 s for the
//! 167,000 links of 30 days out of 1,000,000 on SQLite). It replaces
//! `idx_links_created_at`, its prefix.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Links {
    Table,
    CreatedAt,
    Kind,
    CampaignId,
    CreatedBy,
    RevokedAt,
    ExpiresAt,
    MaxUses,
    UseCount,
}

#[derive(DeriveMigrationName)]
pub(super) struct M0007LinksStatusIndex;

#[async_trait::async_trait]
impl MigrationTrait for M0007LinksStatusIndex {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_links_created_status")
                    .table(Links::Table)
                    .col(Links::CreatedAt)
                    .col(Links::Kind)
                    .col(Links::CampaignId)
                    .col(Links::CreatedBy)
                    .col(Links::RevokedAt)
                    .col(Links::ExpiresAt)
                    .col(Links::MaxUses)
                    .col(Links::UseCount)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_links_created_at")
                    .table(Links::Table)
                    .to_owned(),
            )
            .await
    }
}
