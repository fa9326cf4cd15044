//! The bot under a burst: N users (default 5,000) each send `/start` with their
//! own one-time link at once. The real `startlink bot` binary runs as its own
//! process against the Bot API sandbox hosted here, so its CPU time and peak
//! memory are its own. Reports updates per second, latency from push to reply
//! (p50/p99), bot CPU per update, peak RSS, and replies lost.
//!
//! `cargo bench -p startlink --bench burst` (env `BENCH_USERS`, `BENCH_DATABASE_URL`
//! for PostgreSQL instead of a SQLite file).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use startlink_core::config::DatabaseUrl;
use startlink_core::events::{EventFilter, Outcome};
use startlink_core::links::{self, NewLink};
use startlink_core::{events, time};
use startlink_sandbox::{Sandbox, SandboxConfig, User};
use tokio::net::TcpListener;

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let users: usize = std::env::var("BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("burst.db").display()
        )
    });
    let (parsed, _) = DatabaseUrl::parse(&url).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    let now = time::now();
    let mut keys = Vec::with_capacity(users);
    for i in 0..users {
        let new = NewLink {
            product_id: Some(i as i64),
            order_log_id: Some(i as i64),
            ..Default::default()
        };
        keys.push(links::create(&db, new, now).await.unwrap().key);
    }

    let config = SandboxConfig::default();
    let sandbox = Sandbox::new(config.clone())
        .spawn(TcpListener::bind("127.0.0.1:0").await.unwrap())
        .unwrap();
    let mut bot = Command::new(env!("CARGO_BIN_EXE_startlink"))
        .arg("bot")
        .env("DATABASE_URL", &url)
        .env("BOT_TOKEN", &config.token)
        .env("TELEGRAM_API_URL", sandbox.base_url())
        .env("TG_MAX_RPS", "100000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = bot.id();
    let ready = Instant::now();
    while sandbox
        .counters()
        .requests_by_method
        .get("getUpdates")
        .copied()
        .unwrap_or(0)
        == 0
    {
        assert!(
            ready.elapsed() < Duration::from_secs(60),
            "the bot did not start polling"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cpu_before = cpu_seconds(pid);

    let mut replies = sandbox.subscribe_sent();
    let mut pushed: HashMap<i64, Instant> = HashMap::with_capacity(users);
    let start = Instant::now();
    for (i, key) in keys.iter().enumerate() {
        let user = User::new(10_000 + i as i64, "Burst");
        pushed.insert(user.id, Instant::now());
        sandbox.send_text(&user, &format!("/start {key}")).unwrap();
    }
    let pushing = start.elapsed();
    let mut latencies = Vec::with_capacity(users);
    let mut last = start;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    while !pushed.is_empty() {
        match tokio::time::timeout_at(deadline, replies.recv()).await {
            Ok(Ok(reply)) => {
                if let Some(at) = pushed.remove(&reply.chat_id) {
                    latencies.push(reply.at - at);
                    last = reply.at;
                }
            }
            Ok(Err(error)) => panic!("lost track of replies: {error}"),
            Err(_) => break,
        }
    }
    let elapsed = (last - start).as_secs_f64();
    let cpu = cpu_seconds(pid) - cpu_before;
    let peak_rss_mb = peak_rss_kb(pid) as f64 / 1024.0;
    let redeemed = events::list(
        &db,
        &EventFilter {
            outcome: Some(Outcome::Redeemed),
            limit: users as u64 + 1,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .len();
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
    let _ = bot.wait();

    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
    };
    let ms = |d: Option<&Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
    println!(
        "| engine | users | pushed in | all replied in | updates/s | p50 | p99 | bot CPU / update | bot peak RSS | redeemed | lost |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {} | {users} | {:.2} s | {elapsed:.2} s | {:.0} | {:.0} ms | {:.0} ms | {:.3} ms | {peak_rss_mb:.0} MB | {redeemed} | {} |",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        pushing.as_secs_f64(),
        latencies.len() as f64 / elapsed,
        ms(pct(0.5)),
        ms(pct(0.99)),
        cpu * 1000.0 / users as f64,
        pushed.len(),
    );
    sandbox.shutdown().await.unwrap();
}

/// User + system CPU seconds of a process, from /proc.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields
        .get(11)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        + fields
            .get(12)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
    ticks / clock_ticks()
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
