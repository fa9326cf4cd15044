//! One module per subcommand.

pub mod admin;
pub mod demo;
pub mod export;
pub mod link;
pub mod migrate;
pub mod qr;
pub mod report;
pub mod serve;
pub mod stats;
pub mod token;
pub mod web;

use anyhow::Context as _;
use startlink_core::DatabaseConnection;
use startlink_core::config::Config;
use startlink_core::links::LinkBuilder;

/// Connects to the configured database and brings its schema up to date.
pub(crate) async fn open_db(config: &Config) -> anyhow::Result<DatabaseConnection> {
    startlink_core::db::open(&config.database_url)
        .await
        .with_context(|| format!("while opening the database {}", config.database_url))
}

pub(crate) async fn link_builder(
    db: &DatabaseConnection,
    config: &Config,
) -> anyhow::Result<Option<LinkBuilder>> {
    startlink_core::settings::link_builder(db, config.bot_username.as_ref())
        .await
        .context("while reading the bot's username")
}
