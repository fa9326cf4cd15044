//! Redemptions per second through `open()`: distinct one-time links, distinct
//! users, 1 and 16 concurrent callers, on a SQLite file (WAL) and on PostgreSQL
//! (when `BENCH_DATABASE_URL` or `TEST_DATABASE_URL` points to a server). For
//! comparison, the same number of plain single-statement conditional UPDATEs
//! through sqlx, with no ORM and no transaction around them.
//!
//! `cargo bench -p startlink-core --bench redeem` (env `BENCH_OPENS` sets how many
//! opens per run; default 20000 on SQLite, 10000 on PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use startlink_core::config::DatabaseUrl;
use startlink_core::events::Outcome;
use startlink_core::links::{self, LinkKey, NewLink};
use startlink_core::time;
use startlink_core::users::{TgProfile, TgUserId};

const CALLERS: [usize; 2] = [1, 16];

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let opens_override: Option<usize> = std::env::var("BENCH_OPENS")
        .ok()
        .and_then(|v| v.parse().ok());
    println!("| engine | path | callers | opens | seconds | opens/s |");
    println!("|---|---|---:|---:|---:|---:|");
    let dir = tempfile::tempdir().unwrap();
    for callers in CALLERS {
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join(format!("bench{callers}.db")).display()
        );
        let n = opens_override.unwrap_or(20_000);
        run("SQLite (WAL)", &url, callers, n).await;
    }
    let pg = std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL"));
    match pg {
        Ok(admin_url) => {
            for callers in CALLERS {
                let name = format!("startlink_bench_{callers}");
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
                let url = parsed.with_database(&name).expose().to_owned();
                run(
                    "PostgreSQL",
                    &url,
                    callers,
                    opens_override.unwrap_or(10_000),
                )
                .await;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .unwrap();
            }
        }
        Err(_) => eprintln!("PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL"),
    }
}

async fn run(engine: &str, url: &str, callers: usize, n: usize) {
    let (parsed, _) = DatabaseUrl::parse(url).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    let keys = Arc::new(make_links(&db, n * 2).await);

    // Through open(): the whole /start path.
    let started = Instant::now();
    let redeemed = spawn_callers(callers, n, {
        let db = db.clone();
        let keys = Arc::clone(&keys);
        move |i| {
            let db = db.clone();
            let keys = Arc::clone(&keys);
            async move {
                let user = TgProfile::new(TgUserId::new(1_000_000 + i as i64).unwrap());
                let opened = links::open(&db, keys[i].as_str(), &user, time::now())
                    .await
                    .unwrap();
                opened.outcome == Outcome::Redeemed
            }
        }
    })
    .await;
    report(
        engine,
        "open()",
        callers,
        n,
        redeemed,
        started.elapsed().as_secs_f64(),
    );

    // The raw engine: one conditional UPDATE per link, on the second half of the links.
    let pool = raw_pool(&db);
    let started = Instant::now();
    let updated = spawn_callers(callers, n, move |i| {
        let pool = pool.clone();
        async move { pool.take_use(n as i64 + i as i64 + 1).await }
    })
    .await;
    report(
        engine,
        "raw UPDATE (sqlx, no ORM)",
        callers,
        n,
        updated,
        started.elapsed().as_secs_f64(),
    );
    db.close().await.unwrap();
}

fn report(engine: &str, path: &str, callers: usize, n: usize, succeeded: usize, seconds: f64) {
    assert_eq!(
        succeeded, n,
        "{engine} {path}: every open must take its link"
    );
    println!(
        "| {engine} | {path} | {callers} | {n} | {seconds:.2} | {:.0} |",
        n as f64 / seconds
    );
}

async fn make_links(db: &DatabaseConnection, count: usize) -> Vec<LinkKey> {
    let now = time::now();
    let mut keys = Vec::with_capacity(count);
    for i in 0..count {
        let new = NewLink {
            product_id: Some(i as i64),
            order_log_id: Some(i as i64),
            ..Default::default()
        };
        keys.push(links::create(db, new, now).await.unwrap().key);
    }
    keys
}

/// Runs `job(i)` for i in 0..n on `callers` concurrent tasks; counts `true`s.
async fn spawn_callers<F, Fut>(callers: usize, n: usize, job: F) -> usize
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let job = Arc::new(job);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let job = Arc::clone(&job);
            let next = Arc::clone(&next);
            tokio::spawn(async move {
                let mut ok = 0;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= n {
                        return ok;
                    }
                    if job(i).await {
                        ok += 1;
                    }
                }
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    total
}

#[derive(Clone)]
enum RawPool {
    Sqlite(sea_orm::sqlx::SqlitePool),
    Postgres(sea_orm::sqlx::PgPool),
}

const TAKE_USE_SQL: &str = "UPDATE links SET use_count = use_count + 1 WHERE id = $1 \
    AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) \
    AND (max_uses IS NULL OR use_count < max_uses)";

fn raw_pool(db: &DatabaseConnection) -> RawPool {
    match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => RawPool::Sqlite(db.get_sqlite_connection_pool().clone()),
        _ => RawPool::Postgres(db.get_postgres_connection_pool().clone()),
    }
}

impl RawPool {
    async fn take_use(&self, id: i64) -> bool {
        let now = time::now();
        let affected = match self {
            Self::Sqlite(pool) => sea_orm::sqlx::query(TAKE_USE_SQL)
                .bind(id)
                .bind(now)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected(),
            Self::Postgres(pool) => sea_orm::sqlx::query(TAKE_USE_SQL)
                .bind(id)
                .bind(now)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected(),
        };
        affected == 1
    }
}
