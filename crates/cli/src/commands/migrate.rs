//! `startlink migrate`

use anyhow::Context as _;
use startlink_core::config::Config;

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let db = startlink_core::db::connect(&config.database_url)
        .await
        .with_context(|| format!("while connecting to {}", config.database_url))?;
    let applied = startlink_core::db::migrate(&db)
        .await
        .context("while migrating")?;
    println!(
        "{applied} migration(s) applied; the schema of {} is up to date",
        config.database_url
    );
    Ok(())
}
