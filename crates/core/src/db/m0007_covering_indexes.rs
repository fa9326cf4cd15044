//! An index on links by creation time that holds every column their status
//! and the analytics filters read (kind, campaign, creator, revoked, expiry,
//! use limit and count): "links created in a period, by status" becomes one
//! index range instead of a table lookup per link (0.24 s → 0.02 s for the
//! 167,000 links of 30 days out of 1,000,000 on SQLite). It replaces
//! `idx_links_created_at`, its prefix. Likewise users by first-seen time with
//! the link they came through and their referrer (new users of a campaign,
//! funnels, the referral leaderboard: 0.54 s of table lookups for the 333,000
//! users of 30 days), replacing `idx_tg_users_first_seen`; and users by
//! referrer with their first-seen time (the leaderboard of a period), replacing
//! `idx_tg_users_referred_by`. Three partial indexes count every link by
//! status (revoked, used, expiring) without evaluating each link.

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

#[derive(DeriveIden)]
enum TgUsers {
    Table,
    FirstSeenAt,
    FirstLinkId,
    ReferredBy,
}

#[derive(DeriveMigrationName)]
pub(super) struct M0007CoveringIndexes;

#[async_trait::async_trait]
impl MigrationTrait for M0007CoveringIndexes {
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
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tg_users_first_seen_link")
                    .table(TgUsers::Table)
                    .col(TgUsers::FirstSeenAt)
                    .col(TgUsers::FirstLinkId)
                    .col(TgUsers::ReferredBy)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tg_users_first_seen")
                    .table(TgUsers::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tg_users_referred_first_seen")
                    .table(TgUsers::Table)
                    .col(TgUsers::ReferredBy)
                    .col(TgUsers::FirstSeenAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tg_users_referred_by")
                    .table(TgUsers::Table)
                    .to_owned(),
            )
            .await?;
        // Partial indexes for counting every link by status at once
        // (`analytics::link_counts`, whose queries repeat these conditions):
        // revoked links, used ones, and ones that can expire.
        let db = manager.get_connection();
        for sql in [
            "CREATE INDEX idx_links_revoked ON links (revoked_at) \
             WHERE revoked_at IS NOT NULL",
            "CREATE INDEX idx_links_used ON links (use_count) \
             WHERE revoked_at IS NULL AND max_uses IS NOT NULL AND use_count >= max_uses",
            "CREATE INDEX idx_links_expiring ON links (expires_at) \
             WHERE revoked_at IS NULL AND (max_uses IS NULL OR use_count < max_uses) \
             AND expires_at IS NOT NULL",
        ] {
            db.execute_unprepared(sql).await?;
        }
        // Statistics for the new indexes, so the planners pick them (both
        // engines accept this form).
        db.execute_unprepared("ANALYZE links").await?;
        db.execute_unprepared("ANALYZE tg_users").await?;
        Ok(())
    }
}
