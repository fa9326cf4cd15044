//! One module per subcommand.

pub mod admin;
pub mod audit;
pub mod demo;
pub mod export;
pub mod link;
pub mod migrate;
pub mod qr;
pub mod report;
pub mod stats;
pub mod token;

use anyhow::Context as _;
use startlink_core::DatabaseConnection;
use startlink_core::audit::{Actor, Entry};
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

/// Who runs the command line, for the audit log: the operating-system user
/// (`SUDO_USER` first, so `sudo startlink …` names the person).
pub(crate) fn cli_actor() -> Actor {
    let name = ["SUDO_USER", "USER", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "cli".to_owned());
    Actor::cli(&name)
}

/// Records what a command just did. A failure is a warning: the write has
/// happened and the command's own result is what the operator needs.
pub(crate) async fn note(db: &DatabaseConnection, entry: Entry) {
    let action = entry.action;
    if let Err(error) =
        startlink_core::audit::record(db, &cli_actor(), entry, startlink_core::time::now()).await
    {
        tracing::warn!(%action, "cannot write the audit log: {error:#}");
    }
}
