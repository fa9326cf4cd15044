//! Export speed and memory: 100,000 links and 1,000,000 events (BENCH_LINKS,
//! BENCH_EVENTS) written to XLSX and CSV from a SQLite file, and from PostgreSQL
//! when BENCH_DATABASE_URL points to a server (a throw-away database is made
//! there). Each export runs in a fresh child process (this binary again), so its
//! peak RSS (VmHWM from /proc/self/status) is the export's own, as for the CLI.
//!
//! `cargo bench -p startlink-export --bench export` (BENCH_SQLITE_FILE=PATH keeps
//! the seeded SQLite file there and reuses it on the next run). The `read` rows
//! only read the pages (no file written): the database side's share.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufWriter, Write as _};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, TransactionTrait};
use startlink_core::config::DatabaseUrl;
use startlink_core::links::{BotUsername, LinkBuilder, LinkKey};
use startlink_export::{Dataset, ExportRequest, Format};

const CHILD: &str = "BENCH_EXPORT_CHILD";
const USERS: i64 = 50_000;
const CAMPAIGNS: i64 = 20;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        child(&spec).await;
        return;
    }
    let links: i64 = env_number("BENCH_LINKS", 100_000);
    let events: i64 = env_number("BENCH_EVENTS", 1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let (sqlite_file, reuse) = match std::env::var("BENCH_SQLITE_FILE") {
        Ok(path) => (Path::new(&path).to_path_buf(), Path::new(&path).exists()),
        Err(_) => (dir.path().join("bench.db"), false),
    };
    let sqlite = format!("sqlite://{}?mode=rwc", sqlite_file.display());
    let mut engines = vec![("SQLite", sqlite, None, reuse)];
    if let Ok(admin_url) = std::env::var("BENCH_DATABASE_URL") {
        let name = "startlink_bench_export";
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
        engines.push(("PostgreSQL", url, Some((admin_url, name)), false));
    }
    println!("| engine | dataset | format | rows | seconds | rows/s | CPU s | peak RSS | file |");
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|");
    for (engine, url, drop_after, reuse) in engines {
        let started = Instant::now();
        if !reuse {
            seed(&url, links, events).await;
        }
        eprintln!(
            "{engine}: seeded {links} links and {events} events in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        for (dataset, format) in [
            ("events", "read"),
            ("links", "xlsx"),
            ("links", "csv"),
            ("events", "xlsx"),
            ("events", "csv"),
            ("all", "xlsx"),
        ] {
            let out = dir.path().join(format!("{dataset}.{format}"));
            let report = Command::new(std::env::current_exe().unwrap())
                .env(CHILD, format!("{url}|{dataset}|{format}|{}", out.display()))
                .output()
                .unwrap();
            assert!(
                report.status.success(),
                "{}",
                String::from_utf8_lossy(&report.stderr)
            );
            let report = String::from_utf8(report.stdout).unwrap();
            let [rows, seconds, rss_kb, cpu]: [f64; 4] = report
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect::<Vec<_>>()
                .try_into()
                .unwrap();
            let size = std::fs::metadata(&out).map_or(0, |m| m.len());
            println!(
                "| {engine} | {dataset} | {format} | {rows} | {seconds:.2} | {:.0} | {cpu:.2} | {:.0} MB | {:.1} MB |",
                rows / seconds,
                rss_kb / 1024.0,
                size as f64 / 1e6
            );
            let _ = std::fs::remove_file(&out);
        }
        if let Some((admin_url, name)) = drop_after {
            let admin = Database::connect(&admin_url).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
        }
    }
}

fn env_number(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One export, as the CLI does it; prints rows, seconds and peak RSS in kB.
async fn child(spec: &str) {
    let [url, dataset, format, path]: [&str; 4] =
        spec.split('|').collect::<Vec<_>>().try_into().unwrap();
    let (url, _) = DatabaseUrl::parse(url).unwrap();
    let db = startlink_core::db::open(&url).await.unwrap();
    if format == "read" {
        let started = Instant::now();
        let rows = read_events(&db).await;
        let seconds = started.elapsed().as_secs_f64();
        println!("{rows} {seconds} {} {}", peak_rss_kb(), cpu_seconds());
        return;
    }
    let mut request = ExportRequest::new(
        Dataset::parse(dataset).unwrap(),
        Format::parse(format).unwrap(),
        chrono_tz::Asia::Tashkent,
        startlink_core::time::now(),
    );
    request.link_builder = Some(LinkBuilder::new(BotUsername::parse("shop_bot").unwrap()));
    let started = Instant::now();
    let mut file = BufWriter::new(std::fs::File::create(Path::new(path)).unwrap());
    let summary = startlink_export::export(&db, &request, &mut file, &mut |_| {})
        .await
        .unwrap();
    file.flush().unwrap();
    drop(file);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} {seconds} {} {}",
        summary.rows(),
        peak_rss_kb(),
        cpu_seconds()
    );
}

/// Every event through the same keyset pages the export reads, nothing written.
async fn read_events(db: &DatabaseConnection) -> u64 {
    let selection = startlink_core::links::ResolvedSelection::everything();
    let period = startlink_core::time::Period::ALL;
    let now = startlink_core::time::now();
    let (mut after, mut rows) = (None, 0u64);
    loop {
        let page = startlink_core::events::scan(db, &selection, period, now, after, 5_000)
            .await
            .unwrap();
        let Some(last) = page.last() else {
            return rows;
        };
        after = Some(last.event.id);
        rows += page.len() as u64;
    }
}

/// User and system CPU time of this process so far (all threads).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name, which is in parentheses: utime is the
    // 12th, stime the 13th, in clock ticks (100 a second on Linux).
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// xorshift64*: reproducible data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: i64) -> i64 {
        (self.next() % n.max(1) as u64) as i64
    }
}

/// Campaigns, users, links and events in multi-row INSERTs (parameterized),
/// a transaction per batch of batches: realistic text, kinds, outcomes and
/// times over 180 days.
async fn seed(url: &str, links: i64, events: i64) {
    let (parsed, _) = DatabaseUrl::parse(url).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let now = startlink_core::time::now();
    let ago = |rng: &mut Rng| now - Duration::seconds(rng.below(180 * 86_400));

    insert(
        &db,
        "campaigns",
        &["name", "utm_source", "created_at"],
        CAMPAIGNS,
        |i| {
            vec![
                format!("Bahor aksiyasi {i} — Navroʻz").into(),
                "telegram".into(),
                (now - Duration::days(200)).into(),
            ]
        },
    )
    .await;
    insert(
        &db,
        "tg_users",
        &[
            "id",
            "username",
            "first_name",
            "language_code",
            "first_seen_at",
            "last_seen_at",
        ],
        USERS,
        |i| {
            let seen: DateTime<Utc> = ago(&mut rng);
            vec![
                (1_000_000 + i).into(),
                format!("user_{i}").into(),
                ["Ali", "Гульнора", "Oʻktam", "Dilnoza 🌸"][(i % 4) as usize].into(),
                ["uz", "ru", "en"][(i % 3) as usize].into(),
                seen.into(),
                seen.into(),
            ]
        },
    )
    .await;
    let mut rng = Rng(0x1111_2222_3333_4444);
    insert(
        &db,
        "links",
        &[
            "key",
            "kind",
            "product_id",
            "order_log_id",
            "attrs",
            "title",
            "welcome_text",
            "campaign_id",
            "max_uses",
            "use_count",
            "expires_at",
            "created_by",
            "created_at",
        ],
        links,
        |i| {
            let campaign = i % 5 == 0;
            let created = ago(&mut rng);
            vec![
                LinkKey::generate().as_str().to_owned().into(),
                (if campaign { "campaign" } else { "order" }).into(),
                (if campaign { None } else { Some(100 + i % 900) }).into(),
                (if campaign { None } else { Some(i) }).into(),
                serde_json::json!({ "shelf": format!("A{}", i % 40) }).into(),
                format!("Buyurtma #{i} — oʻyinchoq mashina").into(),
                (if campaign {
                    Some("Xush kelibsiz! Добро пожаловать!".to_owned())
                } else {
                    None
                })
                .into(),
                (if campaign {
                    Some(1 + i % CAMPAIGNS)
                } else {
                    None
                })
                .into(),
                (if campaign { None } else { Some(1i64) }).into(),
                (i % 3).min(1).into(),
                (created + Duration::days(30)).into(),
                (7_000_000 + i % 12).into(),
                created.into(),
            ]
        },
    )
    .await;
    let mut rng = Rng(0x9999_8888_7777_6666);
    let outcomes = [
        "accepted",
        "accepted",
        "accepted",
        "redeemed",
        "already_yours",
        "already_used",
        "expired",
        "revoked",
        "not_found",
    ];
    insert(
        &db,
        "link_events",
        &[
            "link_id",
            "tg_user_id",
            "outcome",
            "payload",
            "new_user",
            "at",
        ],
        events,
        |i| {
            let outcome = outcomes[rng.below(outcomes.len() as i64) as usize];
            let found = outcome != "not_found";
            vec![
                (if found {
                    Some(1 + rng.below(links))
                } else {
                    None
                })
                .into(),
                (1_000_000 + rng.below(USERS)).into(),
                outcome.into(),
                (if found { None } else { Some(format!("bad{i}")) }).into(),
                (i % 10 == 0).into(),
                ago(&mut rng).into(),
            ]
        },
    )
    .await;
}

async fn insert(
    db: &DatabaseConnection,
    table: &str,
    columns: &[&str],
    count: i64,
    mut row: impl FnMut(i64) -> Vec<sea_orm::Value>,
) {
    const PER_STATEMENT: i64 = 500;
    const PER_TRANSACTION: i64 = 50_000;
    let mut done = 0;
    while done < count {
        let txn = db.begin().await.unwrap();
        let end = (done + PER_TRANSACTION).min(count);
        while done < end {
            let mut statement = Query::insert();
            statement
                .into_table(Alias::new(table))
                .columns(columns.iter().map(|c| Alias::new(*c)));
            for i in done..(done + PER_STATEMENT).min(end) {
                statement.values_panic(row(i).into_iter().map(Into::into));
            }
            txn.execute(&statement).await.unwrap();
            done = (done + PER_STATEMENT).min(end);
        }
        txn.commit().await.unwrap();
    }
}
