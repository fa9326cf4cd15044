//! Analytics at scale: times each `startlink_core::analytics` call on
//! `startlink demo-data`'s data and prints p50/p95/max in milliseconds.
//!
//! `cargo bench -p startlink-core --bench analytics`
//!
//! Environment:
//! - `BENCH_DATABASES`: comma-separated database URLs (`sqlite://FILE?mode=rwc`,
//!   `postgres://…`). A database that already holds links is used as it is
//!   (e.g. one filled by `startlink demo-data --links 1000000 --events
//!   10000000 --days 180`); an empty one is filled with `demo::seed` first.
//!   Default: a throw-away SQLite file, and a throw-away PostgreSQL database
//!   when `TEST_DATABASE_URL` is set.
//! - `BENCH_LINKS` (default 100000), `BENCH_EVENTS` (default 1000000): the
//!   size seeded into an empty database (180 days up to now).
//! - `BENCH_REPS` (default 200): timed runs per call after one warm-up run,
//!   cut short after `BENCH_SECONDS` (default 60) of runs; the table says how
//!   many ran.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use startlink_core::analytics::{
    self, Bucket, CampaignRef, Dimension, Filter, FunnelGroup, LinkSelection,
};
use startlink_core::config::DatabaseUrl;
use startlink_core::demo::{self, DemoSpec};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

struct Budget {
    reps: usize,
    seconds: f64,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let spec = DemoSpec {
        links: env("BENCH_LINKS", 100_000),
        events: env("BENCH_EVENTS", 1_000_000),
        days: 180,
        seed: 42,
    };
    let budget = Budget {
        reps: Ord::max(env("BENCH_REPS", 200), 1) as usize,
        seconds: env("BENCH_SECONDS", 60) as f64,
    };
    let dir = tempfile::tempdir().unwrap();
    let mut throwaway_pg: Option<(DatabaseConnection, String)> = None;
    let urls: Vec<String> = match std::env::var("BENCH_DATABASES") {
        Ok(list) => list.split(',').map(|u| u.trim().to_owned()).collect(),
        Err(_) => {
            let mut urls = vec![format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            )];
            match std::env::var("TEST_DATABASE_URL") {
                Ok(admin_url) => {
                    let name = "startlink_bench_analytics";
                    let admin = Database::connect(&admin_url).await.unwrap();
                    admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .unwrap();
                    admin
                        .execute_unprepared(&format!("CREATE DATABASE {name}"))
                        .await
                        .unwrap();
                    let (parsed, _) = DatabaseUrl::parse(&admin_url).unwrap();
                    urls.push(parsed.with_database(name).expose().to_owned());
                    throwaway_pg = Some((admin, name.to_owned()));
                }
                Err(_) => eprintln!("PostgreSQL skipped: set BENCH_DATABASES or TEST_DATABASE_URL"),
            }
            urls
        }
    };
    for url in &urls {
        run(url, &spec, &budget).await;
    }
    if let Some((admin, name)) = throwaway_pg {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
    }
}

async fn run(url: &str, spec: &DemoSpec, budget: &Budget) {
    let (parsed, _) = DatabaseUrl::parse(url).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    let engine = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "PostgreSQL",
        _ => "SQLite (WAL)",
    };
    if count(&db, "links").await == 0 {
        let started = Instant::now();
        demo::seed(&db, spec, &mut |_, _| {}).await.unwrap();
        println!(
            "## {engine}: seeded {} links, {} events in {:.1} s\n",
            spec.links,
            spec.events,
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("## {engine}: as found\n");
    }
    let (links, events) = (count(&db, "links").await, count(&db, "link_events").await);
    let hourly = count(&db, "opens_hourly").await;
    println!("{links} links, {events} events, {hourly} rows of hourly opens\n");

    let now = startlink_core::time::now();
    let tz = chrono_tz::Asia::Tashkent;
    let days = |n: i64| {
        // Whole days in the time zone, ending with today, as the panel asks.
        let today = now.with_timezone(&tz).date_naive();
        let to = analytics::day_start(today + Duration::days(1), tz);
        Filter::period(to - Duration::days(n), to)
    };
    let (last_7, last_30, last_90) = (days(7), days(30), days(90));
    let campaign = last_30.clone().with_links(LinkSelection {
        campaign: Some(CampaignRef::Name("demo-instagram-spring".into())),
        ..LinkSelection::default()
    });
    let creator = last_30.clone().with_links(LinkSelection::created_by(1));
    println!("| call | runs | p50 ms | p95 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    time("summary, 7 days", budget, || {
        analytics::summary(&db, &last_7, now)
    })
    .await;
    time("summary, 30 days", budget, || {
        analytics::summary(&db, &last_30, now)
    })
    .await;
    time("summary, 30 days, one campaign", budget, || {
        analytics::summary(&db, &campaign, now)
    })
    .await;
    time("series, 90 days by day", budget, || {
        analytics::series(&db, &last_90, Bucket::Day, tz, now)
    })
    .await;
    time("series, 7 days by hour", budget, || {
        analytics::series(&db, &last_7, Bucket::Hour, tz, now)
    })
    .await;
    time("series, 30 days by day, one campaign", budget, || {
        analytics::series(&db, &campaign, Bucket::Day, tz, now)
    })
    .await;
    for by in [
        Dimension::Campaign,
        Dimension::Outcome,
        Dimension::UtmSource,
        Dimension::Creator,
    ] {
        let name = format!("breakdown by {}, 30 days", by.as_str());
        time(&name, budget, || {
            analytics::breakdown(&db, &last_30, by, now)
        })
        .await;
    }
    time("breakdown by campaign, 30 days, creator 1", budget, || {
        analytics::breakdown(&db, &creator, Dimension::Campaign, now)
    })
    .await;
    time("funnel, 30 days", budget, || {
        analytics::funnel(&db, &last_30, now)
    })
    .await;
    time("funnel by campaign, 30 days", budget, || {
        analytics::funnel_by(&db, &last_30, FunnelGroup::Campaign, 20, now)
    })
    .await;
    time("top links, 30 days", budget, || {
        analytics::top_links(&db, &last_30, 20, now)
    })
    .await;
    time("top campaigns, 30 days", budget, || {
        analytics::top_campaigns(&db, &last_30, 20, now)
    })
    .await;
    time("referral leaderboard, 30 days, top 20", budget, || {
        analytics::referral_leaderboard(&db, &last_30, 20, now)
    })
    .await;
    println!();
    db.close().await.unwrap();
}

async fn time<F, Fut, T, E>(name: &str, budget: &Budget, call: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    call().await.unwrap(); // warm the cache
    let mut took: Vec<StdDuration> = Vec::with_capacity(budget.reps);
    let started = Instant::now();
    while took.len() < budget.reps && started.elapsed().as_secs_f64() < budget.seconds {
        let one = Instant::now();
        call().await.unwrap();
        took.push(one.elapsed());
    }
    took.sort();
    let at = |q: f64| took[((took.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    let ms = |d: StdDuration| d.as_secs_f64() * 1e3;
    println!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} |",
        took.len(),
        ms(at(0.5)),
        ms(at(0.95)),
        ms(*took.last().unwrap())
    );
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let query = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(Alias::new(table))
        .to_owned();
    db.query_one(&query)
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap()
}
