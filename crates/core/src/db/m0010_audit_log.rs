//! `audit_log`: one row per write by an admin, an API token, a Telegram
//! operator or the CLI, and per login, failed login and logout.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorKind,
    ActorId,
    ActorName,
    Action,
    ObjectKind,
    ObjectKey,
    Address,
    Detail,
}

#[derive(DeriveMigrationName)]
pub(super) struct M0010AuditLog;

#[async_trait::async_trait]
impl MigrationTrait for M0010AuditLog {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(string_len(AuditLog::ActorKind, 16))
                    .col(big_integer_null(AuditLog::ActorId))
                    .col(text(AuditLog::ActorName))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len_null(AuditLog::ObjectKind, 32))
                    .col(text_null(AuditLog::ObjectKey))
                    .col(string_len_null(AuditLog::Address, 64))
                    .col(text_null(AuditLog::Detail))
                    .to_owned(),
            )
            .await?;
        // Listings are newest first by id, filtered by time, actor or action;
        // pruning deletes by time.
        for (name, column) in [
            ("ix_audit_log_at", AuditLog::At),
            ("ix_audit_log_actor_name", AuditLog::ActorName),
            ("ix_audit_log_action", AuditLog::Action),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditLog::Table)
                        .col(column)
                        .col(AuditLog::Id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
