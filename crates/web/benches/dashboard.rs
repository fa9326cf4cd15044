//! The dashboard page (`GET /?range=…`) over real HTTP with a logged-in
//! session, on a database filled by `startlink_core::demo::seed` (what
//! `startlink demo-data` writes): 100,000 links and 1,000,000 opens by
//! default, on SQLite and (with `BENCH_DATABASE_URL` or `TEST_DATABASE_URL`)
//! PostgreSQL. Prints p50/p95/p99 and pages per second, one client at a time
//! and four at once.
//!
//! `cargo bench -p startlink-web --bench dashboard`
//! (`BENCH_LINKS`, `BENCH_EVENTS` change the size; `BENCH_SQLITE_FILE` keeps
//! the seeded SQLite file there and reuses it on the next run; `BENCH_PG_URL`
//! names a PostgreSQL database to use as it is — e.g. one filled by
//! `startlink demo-data --links 1000000 --events 10000000` — instead of a
//! throw-away one; either is seeded first when it holds no links.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use startlink_core::admins::{self, Password, Role, Username};
use startlink_core::config::DatabaseUrl;
use startlink_core::demo::{self, DemoSpec};
use startlink_core::links::{BotUsername, LinkKey};
use startlink_web::{AppState, RawWebSettings, WebServer};

const ROUNDS: usize = 60;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

async fn seed_if_empty(db: &sea_orm::DatabaseConnection, spec: &DemoSpec) {
    let existing = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM links",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    if existing > 0 {
        println!("  reusing {existing} links already in the database");
        return;
    }
    let started = Instant::now();
    let report = demo::seed(db, spec, &mut |_, _| {}).await.unwrap();
    println!(
        "  seeded {} links, {} opens, {} users in {:.0} s",
        report.links,
        report.events,
        report.users,
        started.elapsed().as_secs_f64()
    );
}

async fn run(label: &str, url: &str, spec: &DemoSpec) {
    println!("{label}");
    let (url, _) = DatabaseUrl::parse(url).unwrap();
    let db = startlink_core::db::open(&url).await.unwrap();
    seed_if_empty(&db, spec).await;
    let config = RawWebSettings {
        jwt_secret: Some("WWc-2CapPZemQeAKVTZ7Y71Xkhb-NEpNiE9RM6sM_6kQSKHu".into()),
        ..Default::default()
    }
    .parse(false)
    .unwrap();
    let state = AppState::new(
        db.clone(),
        config,
        chrono_tz::Asia::Tashkent,
        Some(BotUsername::parse("shop_bot").unwrap()),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = WebServer::new(listener, startlink_web::router(state));
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run(std::future::pending()));

    let name = format!(
        "bench{}",
        LinkKey::generate()
            .as_str()
            .to_lowercase()
            .replace('-', "_")
    );
    let username = Username::parse(&name).unwrap();
    let password = Password::parse(
        "quartz meadow signal 1234",
        &Username::parse("bench").unwrap(),
    )
    .unwrap();
    admins::create_admin(
        &db,
        &username,
        &password,
        Role::Admin,
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": name, "password": "bench password 1234"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cookie = format!(
        "startlink_session={}",
        answer["access_token"].as_str().unwrap()
    );
    let client = reqwest::Client::new();

    for range in ["7d", "30d", "90d"] {
        for concurrency in [1_usize, 4] {
            let url = format!("{base}/?range={range}");
            let mut latencies = Vec::new();
            let mut started = Instant::now();
            for phase in [4, ROUNDS] {
                let per_task = (phase / concurrency).max(1);
                let tasks: Vec<_> = (0..concurrency)
                    .map(|_| {
                        let (client, url, cookie) = (client.clone(), url.clone(), cookie.clone());
                        tokio::spawn(async move {
                            let mut times = Vec::with_capacity(per_task);
                            for _ in 0..per_task {
                                let at = Instant::now();
                                let response = client
                                    .get(&url)
                                    .header("cookie", &cookie)
                                    .send()
                                    .await
                                    .unwrap();
                                assert_eq!(response.status(), 200);
                                let body = response.text().await.unwrap();
                                assert!(body.contains("<svg"), "the dashboard has its chart");
                                times.push(at.elapsed());
                            }
                            times
                        })
                    })
                    .collect();
                if phase == ROUNDS {
                    started = Instant::now();
                }
                latencies.clear();
                for task in tasks {
                    latencies.extend(task.await.unwrap());
                }
            }
            let elapsed = started.elapsed();
            latencies.sort_unstable();
            let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize];
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "  range {range:<4} {concurrency} client(s): p50 {:>7.1} ms  p95 {:>7.1} ms  p99 {:>7.1} ms  {:>6.1} pages/s",
                ms(pct(0.50)),
                ms(pct(0.95)),
                ms(pct(0.99)),
                latencies.len() as f64 / elapsed.as_secs_f64(),
            );
        }
    }
}

async fn postgres_database(admin_url: &str) -> (String, String) {
    let name = format!(
        "startlink_bench_{}",
        LinkKey::generate()
            .as_str()
            .to_lowercase()
            .replace('-', "_")
    );
    let admin = Database::connect(admin_url).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (url, _) = DatabaseUrl::parse(admin_url).unwrap();
    (url.with_database(&name).expose().to_owned(), name)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let spec = DemoSpec {
        links: env_number("BENCH_LINKS", 100_000),
        events: env_number("BENCH_EVENTS", 1_000_000),
        days: 90,
        seed: 1,
    };
    println!(
        "GET / (dashboard), {} links / {} opens, {ROUNDS} pages per row after 4 warm-up",
        spec.links, spec.events
    );
    let dir = tempfile::tempdir().unwrap();
    let file = std::env::var("BENCH_SQLITE_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("dashboard.db"));
    run(
        "SQLite",
        &format!("sqlite://{}?mode=rwc", file.display()),
        &spec,
    )
    .await;
    if let Ok(url) = std::env::var("BENCH_PG_URL") {
        run("PostgreSQL", &url, &spec).await;
        return;
    }
    let admin_url =
        std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL"));
    let Ok(admin_url) = admin_url else {
        println!("PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL");
        return;
    };
    let (url, name) = postgres_database(&admin_url).await;
    run("PostgreSQL", &url, &spec).await;
    let admin = Database::connect(&admin_url).await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
}
