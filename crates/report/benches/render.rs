//! The PDF report at scale: seeds N links and M events with `demo::seed`
//! (180 days up to now) on a SQLite file and, when `BENCH_DATABASE_URL` is
//! set, on PostgreSQL; then times the 30-day report (uz) end to end, and the
//! same analytics calls one after another, and an empty period's report (the
//! fixed cost of layout, charts and PDF) for comparison.
//!
//! `cargo bench -p startlink-report --bench render`
//! Environment: `BENCH_LINKS` (default 100000), `BENCH_EVENTS` (default
//! 1000000), `BENCH_REPS` (timed runs, default 10), `BENCH_SQLITE_PATH` (keep
//! the SQLite file there; an already seeded file is reused),
//! `BENCH_SKIP_SQLITE=1`, `BENCH_DATABASE_URL` (a PostgreSQL server; a
//! database `startlink_bench_report` is made and dropped there), or
//! `BENCH_PG_URL` (a PostgreSQL database used as it is, e.g. one filled by
//! `startlink demo-data`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use sea_orm::{ConnectionTrait, Database};
use startlink_core::DatabaseConnection;
use startlink_core::analytics::{self, Bucket, Filter};
use startlink_core::config::DatabaseUrl;
use startlink_core::demo::{self, DemoSpec};
use startlink_core::lang::Lang;
use startlink_report::{ReportRequest, render_document};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let links = env("BENCH_LINKS", 100_000) as u64;
    let events = env("BENCH_EVENTS", 1_000_000) as u64;
    let reps = env("BENCH_REPS", 10).max(1);
    println!("{links} links, {events} events (demo::seed, 180 days), {reps} timed runs\n");
    if std::env::var("BENCH_SKIP_SQLITE").is_err() {
        let dir = tempfile::tempdir().unwrap();
        let path = std::env::var("BENCH_SQLITE_PATH")
            .unwrap_or_else(|_| dir.path().join("bench.db").display().to_string());
        run(
            "SQLite (WAL)",
            &format!("sqlite://{path}?mode=rwc"),
            links,
            events,
            reps,
        )
        .await;
    }
    if let Ok(url) = std::env::var("BENCH_PG_URL") {
        // A PostgreSQL database to use as it is (seeded first if it has fewer events).
        run("PostgreSQL", &url, links, events, reps).await;
    } else if let Ok(admin_url) = std::env::var("BENCH_DATABASE_URL") {
        let name = "startlink_bench_report";
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
        let url = parsed.with_database(name).expose().to_owned();
        run("PostgreSQL", &url, links, events, reps).await;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
    }
}

async fn run(engine: &str, url: &str, links: u64, events: u64, reps: usize) {
    let (parsed, _) = DatabaseUrl::parse(url).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    let stored: i64 = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM link_events",
        ))
        .await
        .unwrap()
        .map_or(0, |row| row.try_get("", "n").unwrap());
    if (stored as u64) < events {
        let started = Instant::now();
        let spec = DemoSpec {
            links,
            events,
            days: 180,
            seed: 42,
        };
        demo::seed(&db, &spec, &mut |_, _| {}).await.unwrap();
        db.execute_unprepared("ANALYZE").await.unwrap();
        println!(
            "{engine}: seeded in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("{engine}: reusing {stored} stored events");
    }

    let now = startlink_core::time::now();
    let tz = chrono_tz::Asia::Tashkent;
    let request = ReportRequest::for_period(now - Duration::days(30), now, Lang::Uz, tz, now);
    let first = render_document(&db, &request).await.unwrap();
    let mut whole = Vec::with_capacity(reps);
    for _ in 0..reps {
        let started = Instant::now();
        let report = render_document(&db, &request).await.unwrap();
        whole.push(started.elapsed());
        assert_eq!(report.pages, first.pages);
    }
    let mut sequential = Vec::with_capacity(reps);
    for _ in 0..reps {
        sequential.push(analytics_one_by_one(&db, &request).await);
    }
    // The fixed cost (layout, charts, PDF): a 30-day period with no data.
    let empty_to = now - Duration::days(400);
    let empty =
        ReportRequest::for_period(empty_to - Duration::days(30), empty_to, Lang::Uz, tz, now);
    let mut fixed = Vec::with_capacity(reps);
    for _ in 0..reps {
        let started = Instant::now();
        render_document(&db, &empty).await.unwrap();
        fixed.push(started.elapsed());
    }
    println!(
        "{engine}: 30-day report: {} pages, {} bytes; p50 {:.0} ms, max {:.0} ms; \
         the same analytics calls one after another: p50 {:.0} ms; \
         a 30-day report of an empty period: p50 {:.0} ms",
        first.pages,
        first.pdf.len(),
        ms(p50(&mut whole)),
        ms(*whole.iter().max().unwrap()),
        ms(p50(&mut sequential)),
        ms(p50(&mut fixed)),
    );
}

/// What the report asks of analytics, one call after another.
async fn analytics_one_by_one(db: &DatabaseConnection, request: &ReportRequest) -> StdDuration {
    let started = Instant::now();
    let now = request.generated_at;
    let filter: &Filter = &request.filter;
    let previous = filter.previous_period().unwrap();
    analytics::summary(db, filter, now).await.unwrap();
    analytics::summary(db, &previous, now).await.unwrap();
    analytics::series(db, filter, Bucket::Day, request.tz, now)
        .await
        .unwrap();
    analytics::top_links(db, filter, 20, now).await.unwrap();
    analytics::top_campaigns(db, filter, 20, now).await.unwrap();
    analytics::referral_leaderboard(db, filter, 20, now)
        .await
        .unwrap();
    started.elapsed()
}

fn p50(times: &mut [StdDuration]) -> StdDuration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1000.0
}
