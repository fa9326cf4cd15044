//! `admin_sessions`: one row per login (panel or API), so that logging out,
//! a password change, disabling or deleting an admin ends sessions at once;
//! and `admins.disabled_at`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveIden)]
enum Admins {
    Table,
    Id,
    DisabledAt,
}

#[derive(DeriveIden)]
enum AdminSessions {
    Table,
    Id,
    AdminId,
    CreatedAt,
    ExpiresAt,
    EndedAt,
    LastSeenAt,
}

#[derive(DeriveMigrationName)]
pub(super) struct M0009AdminSessions;

#[async_trait::async_trait]
impl MigrationTrait for M0009AdminSessions {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Admins::Table)
                    .add_column(timestamp_with_time_zone_null(Admins::DisabledAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AdminSessions::Table)
                    .col(string_len(AdminSessions::Id, 32).primary_key())
                    .col(big_integer(AdminSessions::AdminId))
                    .col(timestamp_with_time_zone(AdminSessions::CreatedAt))
                    .col(timestamp_with_time_zone(AdminSessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AdminSessions::EndedAt))
                    .col(timestamp_with_time_zone_null(AdminSessions::LastSeenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_admin_sessions_admin_id")
                            .from(AdminSessions::Table, AdminSessions::AdminId)
                            .to(Admins::Table, Admins::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_admin_sessions_admin_id")
                    .table(AdminSessions::Table)
                    .col(AdminSessions::AdminId)
                    .to_owned(),
            )
            .await
    }
}
