//! Panel and API access: `admins` (argon2id password hashes, roles) and
//! `api_tokens` (SHA-256 of a random secret, scopes).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveIden)]
enum Admins {
    Table,
    Id,
    Username,
    PasswordHash,
    Role,
    CreatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    Name,
    TokenHash,
    Scopes,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveMigrationName)]
pub(super) struct M0002Admins;

#[async_trait::async_trait]
impl MigrationTrait for M0002Admins {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Admins::Table)
                    .col(big_pk_auto(Admins::Id))
                    .col(string_len_uniq(Admins::Username, 64))
                    .col(text(Admins::PasswordHash))
                    .col(string_len(Admins::Role, 16))
                    .col(timestamp_with_time_zone(Admins::CreatedAt))
                    .col(timestamp_with_time_zone_null(Admins::LastLoginAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(big_pk_auto(ApiTokens::Id))
                    .col(text(ApiTokens::Name))
                    .col(string_len_uniq(ApiTokens::TokenHash, 64))
                    .col(text(ApiTokens::Scopes))
                    .col(big_integer_null(ApiTokens::CreatedBy))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_tokens_created_by")
                            .from(ApiTokens::Table, ApiTokens::CreatedBy)
                            .to(Admins::Table, Admins::Id),
                    )
                    .to_owned(),
            )
            .await
    }
}
