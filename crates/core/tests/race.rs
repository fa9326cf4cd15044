//! Two OS processes race for the same links on one database: the atomic
//! redemption must hold across processes, not only across tasks.
//!
//! A test with its own `main` (harness = false): run without arguments it is the
//! parent, which prepares the links and re-runs this executable twice as children
//! (`STARTLINK_RACE_CHILD` set) that open the links concurrently. Runs on a SQLite
//! file always, and on PostgreSQL when `TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "it/helpers.rs"]
#[allow(dead_code, unused_imports)]
mod helpers;

use std::collections::HashMap;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use startlink_core::config::DatabaseUrl;
use startlink_core::events::Outcome;
use startlink_core::links::{self, NewLink, UseLimit};
use startlink_core::time;

const USERS_PER_CHILD: i64 = 50;
/// The capped link is opened by this many users of each child.
const CAPPED_OPENERS_PER_CHILD: i64 = 25;

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if std::env::var_os("STARTLINK_RACE_CHILD").is_some() {
        runtime.block_on(child());
        return ExitCode::SUCCESS;
    }
    let mut failed = false;
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("race.db").display());
        failed |= !race("sqlite", &sqlite).await;
        match startlink_test_support::fresh_postgres_database().await {
            Some((admin_url, url, name)) => {
                failed |= !race("postgres", &url).await;
                startlink_test_support::drop_postgres_database(admin_url, name);
            }
            None => startlink_test_support::announce_postgres_skipped(),
        }
    });
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

async fn race(backend: &str, url: &str) -> bool {
    let (parsed, _) = DatabaseUrl::parse(url).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    let now = time::now();
    let one_time = NewLink {
        product_id: Some(1),
        order_log_id: Some(1),
        ..Default::default()
    };
    let one_time = links::create(&db, one_time, now).await.unwrap();
    let capped = NewLink {
        uses: UseLimit::Max(10),
        ..Default::default()
    };
    let capped = links::create(&db, capped, now).await.unwrap();

    let start_at =
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_millis(1500);
    let children: Vec<_> = (0..2)
        .map(|i| {
            Command::new(std::env::current_exe().unwrap())
                .env("STARTLINK_RACE_CHILD", "1")
                .env("STARTLINK_RACE_URL", url)
                .env(
                    "STARTLINK_RACE_KEYS",
                    format!("{},{}", one_time.key, capped.key),
                )
                .env(
                    "STARTLINK_RACE_FIRST_USER",
                    (1 + i * USERS_PER_CHILD).to_string(),
                )
                .env("STARTLINK_RACE_START_MS", start_at.as_millis().to_string())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut tally: HashMap<(String, String), usize> = HashMap::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "a child process failed");
        for line in String::from_utf8(output.stdout).unwrap().lines() {
            let (key, outcome) = line.split_once(' ').unwrap();
            *tally
                .entry((key.to_owned(), outcome.to_owned()))
                .or_default() += 1;
        }
    }
    let count = |key: &links::LinkKey, outcome: Outcome| {
        tally
            .get(&(key.to_string(), outcome.as_str().to_owned()))
            .copied()
            .unwrap_or(0)
    };
    let stored_one_time = links::find(&db, &one_time.key).await.unwrap().unwrap();
    let stored_capped = links::find(&db, &capped.key).await.unwrap().unwrap();
    let checks = [
        (
            "one-time link: redeemed",
            count(&one_time.key, Outcome::Redeemed),
            1,
        ),
        (
            "one-time link: already_used",
            count(&one_time.key, Outcome::AlreadyUsed),
            99,
        ),
        (
            "one-time link: use_count",
            stored_one_time.use_count as usize,
            1,
        ),
        (
            "10-use link: redeemed",
            count(&capped.key, Outcome::Redeemed),
            10,
        ),
        (
            "10-use link: already_used",
            count(&capped.key, Outcome::AlreadyUsed),
            40,
        ),
        (
            "10-use link: use_count",
            stored_capped.use_count as usize,
            10,
        ),
    ];
    let mut ok = true;
    for (what, got, want) in checks {
        if got != want {
            ok = false;
            eprintln!("race on {backend} FAILED: {what} is {got}, expected {want}");
        }
    }
    println!(
        "test two_processes_race_for_the_same_links_on_{backend} ... {}",
        if ok { "ok" } else { "FAILED" }
    );
    db.close().await.unwrap();
    ok
}

async fn child() {
    let var = |name: &str| std::env::var(name).unwrap();
    let (url, _) = DatabaseUrl::parse(&var("STARTLINK_RACE_URL")).unwrap();
    let db = startlink_core::db::open(&url).await.unwrap();
    let keys: Vec<String> = var("STARTLINK_RACE_KEYS")
        .split(',')
        .map(str::to_owned)
        .collect();
    let first_user: i64 = var("STARTLINK_RACE_FIRST_USER").parse().unwrap();
    let start_ms: u128 = var("STARTLINK_RACE_START_MS").parse().unwrap();
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    tokio::time::sleep(Duration::from_millis(start_ms.saturating_sub(now_ms) as u64)).await;

    let mut tasks = Vec::new();
    for offset in 0..USERS_PER_CHILD {
        let id = first_user + offset;
        for (index, key) in keys.iter().enumerate() {
            if index == 1 && offset >= CAPPED_OPENERS_PER_CHILD {
                continue;
            }
            let db = db.clone();
            let key = key.clone();
            tasks.push(tokio::spawn(async move {
                let opened = links::open(&db, &key, &helpers::user(id), time::now())
                    .await
                    .unwrap();
                (key, opened.outcome)
            }));
        }
    }
    for task in tasks {
        let (key, outcome) = task.await.unwrap();
        println!("{key} {outcome}");
    }
}
