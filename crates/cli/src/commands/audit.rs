//! `startlink audit`: the audit log, newest first.

use anyhow::Context as _;
use clap::Args;
use startlink_core::audit::{self, AuditQuery, MAX_PAGE};
use startlink_core::config::Config;
use startlink_core::time;

use super::open_db;
use crate::output;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries at or after this: a date (2026-01-31) or local time in TIMEZONE, or RFC 3339
    #[arg(long)]
    since: Option<String>,
    /// Only this actor (admin user name, token name, Telegram name, CLI user)
    #[arg(long)]
    actor: Option<String>,
    /// Only this action (link.create) or object kind (link)
    #[arg(long)]
    action: Option<String>,
    /// How many entries, 1-500
    #[arg(long, default_value_t = 100)]
    limit: u64,
    /// Entries older than this id (the id `--json` shows, or the hint printed at the end)
    #[arg(long)]
    before: Option<i64>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub async fn run(config: &Config, args: AuditArgs) -> anyhow::Result<()> {
    let since = args
        .since
        .as_deref()
        .map(|s| time::parse_instant(s, config.timezone).with_context(|| format!("--since {s:?}")))
        .transpose()?;
    if args.limit == 0 || args.limit > MAX_PAGE {
        anyhow::bail!("--limit: 1 to {MAX_PAGE}");
    }
    let db = open_db(config).await?;
    let page = audit::list(
        &db,
        &AuditQuery {
            since,
            actor: args.actor,
            action: args.action,
            before: args.before,
            limit: args.limit,
        },
    )
    .await
    .context("while reading the audit log")?;
    if args.json {
        return output::print_json(&page);
    }
    let rows: Vec<Vec<String>> = page
        .entries
        .iter()
        .map(|e| {
            let object = match (&e.object_kind, &e.object_key) {
                (Some(kind), Some(key)) => format!("{kind} {key}"),
                (Some(kind), None) => kind.clone(),
                _ => String::new(),
            };
            vec![
                output::time(e.at, config.timezone),
                format!(
                    "{} {}",
                    e.actor_kind.as_str(),
                    output::text(&e.actor_name, 40)
                ),
                e.action.clone(),
                output::text(&object, 40),
                e.address.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(&["AT", "ACTOR", "ACTION", "OBJECT", "FROM"], &rows)
    );
    if let Some(before) = page.next_before {
        eprintln!("more: --before {before}");
    }
    Ok(())
}
