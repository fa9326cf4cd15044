//! The migration list. Migrations are embedded, run at start, and never edited once
//! released: a change to the schema is a new file appended to `Migrator::migrations`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0002_admins::M0002Admins;
use super::m0003_analytics_indexes::M0003AnalyticsIndexes;
use super::m0004_opens_hourly::M0004OpensHourly;
use super::m0005_report_runs::M0005ReportRuns;
use super::m0006_user_sets::M0006UserSets;
use super::m0007_covering_indexes::M0007CoveringIndexes;
use super::m0008_bot_updates::M0008BotUpdates;
use super::m0009_admin_sessions::M0009AdminSessions;
use super::m0010_audit_log::M0010AuditLog;

#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(M0001Core),
            Box::new(M0002Admins),
            Box::new(M0003AnalyticsIndexes),
            Box::new(M0004OpensHourly),
            Box::new(M0005ReportRuns),
            Box::new(M0006UserSets),
            Box::new(M0007CoveringIndexes),
            Box::new(M0008BotUpdates),
            Box::new(M0009AdminSessions),
            Box::new(M0010AuditLog),
        ]
    }
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    Name,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Links {
    Table,
    Id,
    Key,
    Kind,
    ProductId,
    OrderLogId,
    Attrs,
    Title,
    WelcomeText,
    CampaignId,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    MaxUses,
    UseCount,
    ExpiresAt,
    RevokedAt,
    ReferrerId,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TgUsers {
    Table,
    Id,
    Username,
    FirstName,
    LanguageCode,
    Lang,
    FirstSeenAt,
    LastSeenAt,
    ReferredBy,
    FirstLinkId,
    FirstCampaignId,
}

#[derive(DeriveIden)]
enum Redemptions {
    Table,
    LinkId,
    TgUserId,
    At,
}

#[derive(DeriveIden)]
enum LinkEvents {
    Table,
    Id,
    LinkId,
    TgUserId,
    Outcome,
    Payload,
    NewUser,
    UpdateId,
    At,
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
    UpdatedAt,
}

/// Links, their events and redemptions, Telegram users, campaigns, settings.
#[derive(DeriveMigrationName)]
struct M0001Core;

#[async_trait::async_trait]
impl MigrationTrait for M0001Core {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .col(big_pk_auto(Campaigns::Id))
                    .col(text_uniq(Campaigns::Name))
                    .col(text_null(Campaigns::UtmSource))
                    .col(text_null(Campaigns::UtmMedium))
                    .col(text_null(Campaigns::UtmCampaign))
                    .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Links::Table)
                    .col(big_pk_auto(Links::Id))
                    .col(string_len_uniq(Links::Key, 64))
                    .col(string_len(Links::Kind, 16))
                    .col(big_integer_null(Links::ProductId))
                    .col(big_integer_null(Links::OrderLogId))
                    .col(json_binary(Links::Attrs))
                    .col(text_null(Links::Title))
                    .col(text_null(Links::WelcomeText))
                    .col(big_integer_null(Links::CampaignId))
                    .col(text_null(Links::UtmSource))
                    .col(text_null(Links::UtmMedium))
                    .col(text_null(Links::UtmCampaign))
                    .col(big_integer_null(Links::MaxUses))
                    .col(big_integer(Links::UseCount).default(0))
                    .col(timestamp_with_time_zone_null(Links::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Links::RevokedAt))
                    .col(big_integer_null(Links::ReferrerId).unique_key())
                    .col(big_integer_null(Links::CreatedBy))
                    .col(timestamp_with_time_zone(Links::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_links_campaign")
                            .from(Links::Table, Links::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_links_created_by", Links::CreatedBy),
            ("idx_links_campaign", Links::CampaignId),
            ("idx_links_created_at", Links::CreatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Links::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(TgUsers::Table)
                    .col(big_integer(TgUsers::Id).primary_key())
                    .col(text_null(TgUsers::Username))
                    .col(text_null(TgUsers::FirstName))
                    .col(string_len_null(TgUsers::LanguageCode, 35))
                    .col(string_len_null(TgUsers::Lang, 8))
                    .col(timestamp_with_time_zone(TgUsers::FirstSeenAt))
                    .col(timestamp_with_time_zone(TgUsers::LastSeenAt))
                    .col(big_integer_null(TgUsers::ReferredBy))
                    .col(big_integer_null(TgUsers::FirstLinkId))
                    .col(big_integer_null(TgUsers::FirstCampaignId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tg_users_first_link")
                            .from(TgUsers::Table, TgUsers::FirstLinkId)
                            .to(Links::Table, Links::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tg_users_first_campaign")
                            .from(TgUsers::Table, TgUsers::FirstCampaignId)
                            .to(Campaigns::Table, Campaigns::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tg_users_referred_by")
                    .table(TgUsers::Table)
                    .col(TgUsers::ReferredBy)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Redemptions::Table)
                    .col(big_integer(Redemptions::LinkId))
                    .col(big_integer(Redemptions::TgUserId))
                    .col(timestamp_with_time_zone(Redemptions::At))
                    .primary_key(
                        Index::create()
                            .col(Redemptions::LinkId)
                            .col(Redemptions::TgUserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_redemptions_link")
                            .from(Redemptions::Table, Redemptions::LinkId)
                            .to(Links::Table, Links::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_redemptions_user")
                            .from(Redemptions::Table, Redemptions::TgUserId)
                            .to(TgUsers::Table, TgUsers::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LinkEvents::Table)
                    .col(big_pk_auto(LinkEvents::Id))
                    .col(big_integer_null(LinkEvents::LinkId))
                    .col(big_integer(LinkEvents::TgUserId))
                    .col(string_len(LinkEvents::Outcome, 16))
                    .col(text_null(LinkEvents::Payload))
                    .col(boolean(LinkEvents::NewUser))
                    .col(big_integer_null(LinkEvents::UpdateId).unique_key())
                    .col(timestamp_with_time_zone(LinkEvents::At))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_link_events_link")
                            .from(LinkEvents::Table, LinkEvents::LinkId)
                            .to(Links::Table, Links::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_link_events_user")
                            .from(LinkEvents::Table, LinkEvents::TgUserId)
                            .to(TgUsers::Table, TgUsers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_link_events_link_at")
                    .table(LinkEvents::Table)
                    .col(LinkEvents::LinkId)
                    .col(LinkEvents::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_link_events_at")
                    .table(LinkEvents::Table)
                    .col(LinkEvents::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_link_events_user")
                    .table(LinkEvents::Table)
                    .col(LinkEvents::TgUserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .col(string_len(Settings::Key, 64).primary_key())
                    .col(text(Settings::Value))
                    .col(timestamp_with_time_zone(Settings::UpdatedAt))
                    .to_owned(),
            )
            .await
    }
}
