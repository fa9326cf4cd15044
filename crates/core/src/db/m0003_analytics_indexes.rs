//! Indexes for analytics over millions of events (measured in BENCHMARKS.md):
//! events by time with the columns counted (an index-only scan per period or
//! bucket), events by user and time (the referral leaderboard's "active in the
//! last 7 days"), users by first-seen time (new users of a period). The two
//! single-column event indexes they extend are dropped: each is a prefix of a
//! new one.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum LinkEvents {
    Table,
    LinkId,
    TgUserId,
    Outcome,
    At,
}

#[derive(DeriveIden)]
enum TgUsers {
    Table,
    FirstSeenAt,
}

#[derive(DeriveMigrationName)]
pub(super) struct M0003AnalyticsIndexes;

#[async_trait::async_trait]
impl MigrationTrait for M0003AnalyticsIndexes {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_link_events_at_counts")
                    .table(LinkEvents::Table)
                    .col(LinkEvents::At)
                    .col(LinkEvents::Outcome)
                    .col(LinkEvents::LinkId)
                    .col(LinkEvents::TgUserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_link_events_user_at")
                    .table(LinkEvents::Table)
                    .col(LinkEvents::TgUserId)
                    .col(LinkEvents::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tg_users_first_seen")
                    .table(TgUsers::Table)
                    .col(TgUsers::FirstSeenAt)
                    .to_owned(),
            )
            .await?;
        for name in ["idx_link_events_at", "idx_link_events_user"] {
            manager
                .drop_index(Index::drop().name(name).table(LinkEvents::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}
