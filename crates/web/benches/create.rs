//! `POST /api/v1/links` over real HTTP: requests per second and latency
//! percentiles, on SQLite and (with `BENCH_DATABASE_URL` or
//! `TEST_DATABASE_URL`) PostgreSQL.
//!
//! `cargo bench -p startlink-web --bench create` — server and clients share this
//! process and the machine's cores, so the figures include the client's work.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use serde_json::json;
use startlink_core::admins::{self, Password, Role, Scope, Username};
use startlink_core::config::DatabaseUrl;
use startlink_core::links::{BotUsername, LinkKey};
use startlink_web::{AppState, RawWebSettings, WebServer};

const WARMUP: usize = 200;
const REQUESTS: usize = 5_000;
const CONCURRENCY: usize = 16;

#[derive(Clone, Copy)]
enum Credential {
    Jwt,
    ApiToken,
}

async fn run(label: &str, url: &str, credential: Credential) {
    let (url, _) = DatabaseUrl::parse(url).unwrap();
    let db = startlink_core::db::open(&url).await.unwrap();
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

    let now = startlink_core::time::now();
    let bearer = match credential {
        Credential::Jwt => {
            let password = Password::parse(
                "quartz meadow signal 1234",
                &Username::parse("bench").unwrap(),
            )
            .unwrap();
            admins::create_admin(
                &db,
                &Username::parse("bench").unwrap(),
                &password,
                Role::Admin,
                now,
            )
            .await
            .unwrap();
            let answer: serde_json::Value = reqwest::Client::new()
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": "bench", "password": "bench password 1234"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer["access_token"].as_str().unwrap().to_owned()
        }
        Credential::ApiToken => {
            let (_, secret) = admins::create_token(&db, "bench", &[Scope::LinksWrite], None, now)
                .await
                .unwrap();
            secret.expose().to_owned()
        }
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let url = format!("{base}/api/v1/links");
    let body = json!({"product_id": 123, "order_log_id": 9876, "ttl": "24h", "title": "Buyurtma"});

    let mut latencies = Vec::with_capacity(REQUESTS);
    let mut started = Instant::now();
    for phase in [WARMUP, REQUESTS] {
        let per_task = phase / CONCURRENCY;
        let tasks: Vec<_> = (0..CONCURRENCY)
            .map(|_| {
                let (client, url, bearer, body) =
                    (client.clone(), url.clone(), bearer.clone(), body.clone());
                tokio::spawn(async move {
                    let mut times = Vec::with_capacity(per_task);
                    for _ in 0..per_task {
                        let at = Instant::now();
                        let response = client
                            .post(&url)
                            .bearer_auth(&bearer)
                            .json(&body)
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(response.status(), 201);
                        response.bytes().await.unwrap();
                        times.push(at.elapsed());
                    }
                    times
                })
            })
            .collect();
        if phase == REQUESTS {
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
        "{label:<34} {:>7.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   ({} requests, {CONCURRENCY} concurrent)",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        latencies.len(),
    );
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
    println!(
        "POST /api/v1/links, {} requests after {} warm-up, {CONCURRENCY} connections",
        REQUESTS / CONCURRENCY * CONCURRENCY,
        WARMUP / CONCURRENCY * CONCURRENCY
    );
    for (label, credential) in [
        ("SQLite, JWT", Credential::Jwt),
        ("SQLite, API token", Credential::ApiToken),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        );
        run(label, &url, credential).await;
    }
    let admin_url =
        std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL"));
    let Ok(admin_url) = admin_url else {
        println!("PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL");
        return;
    };
    for (label, credential) in [
        ("PostgreSQL, JWT", Credential::Jwt),
        ("PostgreSQL, API token", Credential::ApiToken),
    ] {
        let (url, name) = postgres_database(&admin_url).await;
        run(label, &url, credential).await;
        let admin = Database::connect(&admin_url).await.unwrap();
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
    }
}
