//! `startlink stats`

use anyhow::Context as _;
use clap::Args;
use serde::Serialize;
use startlink_core::analytics::{self, CreatorStats, LinkStats, StatsScope};
use startlink_core::config::Config;
use startlink_core::links::LinkView;
use startlink_core::time;
use startlink_core::users::TgUserId;

use super::{link_builder, open_db};
use crate::output;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Only links created by this Telegram user
    #[arg(long, value_name = "TG_ID", conflicts_with = "by_creator")]
    created_by: Option<TgUserId>,
    /// One line per creator
    #[arg(long)]
    by_creator: bool,
    /// How many of the newest links to list
    #[arg(long, default_value_t = 5)]
    recent: u64,
    #[arg(long)]
    json: bool,
}

pub async fn run(config: &Config, args: StatsArgs) -> anyhow::Result<()> {
    let db = open_db(config).await?;
    let now = time::now();
    if args.by_creator {
        let rows = analytics::stats_by_creator(&db, now)
            .await
            .context("cannot count links")?;
        if args.json {
            return output::print_json(&rows);
        }
        print_by_creator(&rows);
        return Ok(());
    }
    let scope = args
        .created_by
        .map_or(StatsScope::All, |id| StatsScope::Creator(id.get()));
    let (stats, recent) = analytics::stats(&db, scope, now, args.recent)
        .await
        .context("cannot count links")?;
    let builder = link_builder(&db, config).await?;
    if args.json {
        #[derive(Serialize)]
        struct Stats<'a> {
            #[serde(flatten)]
            stats: &'a LinkStats,
            recent: Vec<LinkView>,
        }
        let recent = recent
            .iter()
            .map(|l| l.view(builder.as_ref(), now))
            .collect();
        return output::print_json(&Stats {
            stats: &stats,
            recent,
        });
    }
    println!("links:    {} total", stats.total);
    println!(
        "          {} active, {} used, {} expired, {} revoked",
        stats.active, stats.used, stats.expired, stats.revoked
    );
    println!(
        "opens:    {} total, {} in the last 7 days",
        stats.opens, stats.opens_7d
    );
    if !recent.is_empty() {
        println!("\nNewest links:");
        let rows: Vec<Vec<String>> = recent
            .iter()
            .map(|l| {
                vec![
                    l.key.to_string(),
                    l.kind.to_string(),
                    l.status(now).to_string(),
                    output::time(l.created_at, config.timezone),
                    output::optional_text(l.title.as_deref(), 40),
                ]
            })
            .collect();
        print!(
            "{}",
            output::table(&["KEY", "KIND", "STATUS", "CREATED", "TITLE"], &rows)
        );
    }
    Ok(())
}

fn print_by_creator(rows: &[CreatorStats]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let s = &r.stats;
            vec![
                r.created_by
                    .map_or_else(|| "(cli/panel)".to_owned(), |id| id.to_string()),
                s.total.to_string(),
                s.active.to_string(),
                s.used.to_string(),
                s.expired.to_string(),
                s.revoked.to_string(),
                s.opens.to_string(),
                s.opens_7d.to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(
            &[
                "CREATOR", "TOTAL", "ACTIVE", "USED", "EXPIRED", "REVOKED", "OPENS", "OPENS 7D"
            ],
            &rows
        )
    );
}
