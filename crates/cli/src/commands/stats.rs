//! `startlink stats`

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;
use startlink_core::DatabaseConnection;
use startlink_core::analytics::{self, Dimension, Filter, LinkCounts};
use startlink_core::config::Config;
use startlink_core::links::{self, LinkListing, LinkSelection, LinkView};
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

/// Links by status and their opens, all time and over the past week: the
/// same figures as the dashboard's cards and `/stats`, from the same functions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
struct Counts {
    #[serde(flatten)]
    links: LinkCounts,
    /// Every open of these links, whatever its outcome.
    opens: i64,
    opens_7d: i64,
}

#[derive(Debug, Serialize)]
struct CreatorCounts {
    created_by: Option<i64>,
    #[serde(flatten)]
    counts: Counts,
}

async fn counts(
    db: &DatabaseConnection,
    selection: &LinkSelection,
    now: DateTime<Utc>,
) -> anyhow::Result<Counts> {
    let everything = Filter::of(selection.clone());
    let week = Filter::past_week(now).with_links(selection.clone());
    Ok(Counts {
        links: analytics::link_counts(db, &everything, now).await?,
        opens: analytics::opens(db, &everything, now).await?.of_links(),
        opens_7d: analytics::opens(db, &week, now).await?.of_links(),
    })
}

async fn by_creator(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<CreatorCounts>> {
    let everything = Filter::default();
    let opens = analytics::breakdown(db, &everything, Dimension::Creator, now).await?;
    let recent = analytics::breakdown(db, &Filter::past_week(now), Dimension::Creator, now).await?;
    let opens_of = |rows: &[analytics::BreakdownRow], creator: Option<i64>| {
        rows.iter().find(|r| r.id == creator).map_or(0, |r| r.opens)
    };
    Ok(analytics::link_counts_by_creator(db, &everything, now)
        .await?
        .into_iter()
        .map(|(created_by, links)| CreatorCounts {
            created_by,
            counts: Counts {
                links,
                opens: opens_of(&opens, created_by),
                opens_7d: opens_of(&recent, created_by),
            },
        })
        .collect())
}

pub async fn run(config: &Config, args: StatsArgs) -> anyhow::Result<()> {
    let db = open_db(config).await?;
    let now = time::now();
    if args.by_creator {
        let rows = by_creator(&db, now).await.context("cannot count links")?;
        if args.json {
            return output::print_json(&rows);
        }
        print_by_creator(&rows);
        return Ok(());
    }
    let selection = args.created_by.map_or_else(LinkSelection::default, |id| {
        LinkSelection::created_by(id.get())
    });
    let stats = counts(&db, &selection, now)
        .await
        .context("cannot count links")?;
    // A listing's limit of 0 means its default page: none asked, none read.
    let recent = match args.recent {
        0 => Vec::new(),
        n => {
            links::list(&db, &LinkListing::newest(selection, n), now)
                .await
                .context("cannot list the newest links")?
                .items
        }
    };
    let builder = link_builder(&db, config).await?;
    if args.json {
        #[derive(Serialize)]
        struct Stats<'a> {
            #[serde(flatten)]
            stats: &'a Counts,
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
    let links = &stats.links;
    println!("links:    {} total", links.total);
    println!(
        "          {} active, {} used, {} expired, {} revoked",
        links.active, links.used, links.expired, links.revoked
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

fn print_by_creator(rows: &[CreatorCounts]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let (s, c) = (&r.counts.links, &r.counts);
            vec![
                r.created_by
                    .map_or_else(|| "(cli/panel)".to_owned(), |id| id.to_string()),
                s.total.to_string(),
                s.active.to_string(),
                s.used.to_string(),
                s.expired.to_string(),
                s.revoked.to_string(),
                c.opens.to_string(),
                c.opens_7d.to_string(),
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
