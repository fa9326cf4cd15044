//! Failed logins at once from many addresses: the server's memory (VmRSS
//! and VmHWM of its process, from /proc/PID/status, sampled every 20 ms)
//! before, at its peak and after, with the answers counted. Issue #12 B: 300
//! such logins once took the server from 22 MB to 5.8 GB, never given back.
//!
//! `cargo bench -p startlink-web --bench logins` (LOGINS=N, default 1000;
//! ROUNDS=N, default 3). The bench runs the server in a child process of
//! itself (so the figures are the server's alone) and its clients as raw
//! TCP connections bound to 127.1.x.y, all loopback on Linux.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use startlink_core::admins::{self, Password, Role, Username};
use startlink_core::config::DatabaseUrl;
use startlink_core::links::BotUsername;
use startlink_web::{AppState, RawWebSettings, WebServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

const ROLE: &str = "STARTLINK_LOGINS_BENCH_SERVER";
const PASSWORD: &str = "quartz meadow signal 1234";

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn mb(kib: u64) -> String {
    format!("{:.0} MB", kib as f64 / 1024.0)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The server: prints its port, serves until killed.
async fn serve() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let (url, _) = DatabaseUrl::parse(&url).unwrap();
    let db = startlink_core::db::open(&url).await.unwrap();
    admins::create_admin(
        &db,
        &Username::parse("owner").unwrap(),
        &Password::parse(PASSWORD, &Username::parse("owner").unwrap()).unwrap(),
        Role::Admin,
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    let config = RawWebSettings {
        jwt_secret: Some("WWc-2CapPZemQeAKVTZ7Y71Xkhb-NEpNiE9RM6sM_6kQSKHu".into()),
        ..Default::default()
    }
    .parse(false)
    .unwrap();
    let state = AppState::new(
        db,
        config,
        chrono_tz::Asia::Tashkent,
        Some(BotUsername::parse("shop_bot").unwrap()),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = WebServer::new(listener, startlink_web::router(state));
    println!("port {}", server.port());
    server.run(std::future::pending()).await.unwrap();
}

/// One login over a fresh connection from `from`; the answer's status.
async fn login(server: SocketAddr, from: IpAddr, password: &str) -> String {
    let attempt = async {
        let socket = TcpSocket::new_v4()?;
        socket.bind(SocketAddr::new(from, 0))?;
        let mut stream = socket.connect(server).await?;
        let body = format!(r#"{{"username":"owner","password":"{password}"}}"#);
        let request = format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        std::io::Result::Ok(
            String::from_utf8_lossy(&answer)
                .chars()
                .skip(9)
                .take(3)
                .collect(),
        )
    };
    attempt
        .await
        .unwrap_or_else(|error| format!("error: {error}"))
}

#[tokio::main]
async fn main() {
    if std::env::var_os(ROLE).is_some() {
        return serve().await;
    }
    let logins = env_usize("LOGINS", 1000);
    let rounds = env_usize("ROUNDS", 3);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().strip_prefix("port ").unwrap().parse().unwrap();
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    assert_eq!(login(server, [127, 0, 0, 1].into(), PASSWORD).await, "200");
    let baseline = status_kib(pid, "VmRSS:");
    println!("{logins} failed logins at once from {logins} addresses, {rounds} rounds");
    println!("server baseline (one login done): RSS {}", mb(baseline));
    for round in 1..=rounds {
        let peak = Arc::new(AtomicU64::new(baseline));
        let done = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (peak, done) = (peak.clone(), done.clone());
            tokio::spawn(async move {
                while !done.load(Ordering::Relaxed) {
                    peak.fetch_max(status_kib(pid, "VmRSS:"), Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };
        let started = Instant::now();
        let answers = join_all((0..logins).map(|i| {
            let [_, _, high, low] = u32::try_from(i + 256).unwrap().to_be_bytes();
            login(server, [127, 1, high, low].into(), "wrong password")
        }))
        .await;
        let took = started.elapsed();
        done.store(true, Ordering::Relaxed);
        sampler.await.unwrap();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for answer in answers {
            *counts.entry(answer).or_default() += 1;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        println!(
            "round {round}: answers {counts:?} in {:.1} s; server RSS peak {}, 2 s after {}",
            took.as_secs_f64(),
            mb(peak.load(Ordering::Relaxed)),
            mb(status_kib(pid, "VmRSS:")),
        );
    }
    println!(
        "server VmHWM (highest RSS of its life): {}",
        mb(status_kib(pid, "VmHWM:"))
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
