//! `/healthz` and the API when the database fails (issue #12, item 9): a
//! read-only SQLite file, a PostgreSQL server that stops answering or drops
//! its connections (through a proxy the test controls); and the headers of
//! `/healthz`, logins, exports and signed-in pages.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::header::{CACHE_CONTROL, COOKIE};
use serde_json::json;
use startlink_core::admins::{self, Password, Role, Username};
use startlink_core::config::DatabaseUrl;
use startlink_core::links::BotUsername;
use startlink_test_support::{drop_postgres_database, fresh_postgres_database};
use startlink_web::{AppState, RawWebSettings, WebServer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::helpers::{JWT_SECRET, PASSWORD, TestApp};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    healthz_and_every_private_answer_carry_the_headers,
}

/// The application as `startlink web` serves it: `/healthz` next to the rest.
async fn serve(db: startlink_core::DatabaseConnection) -> String {
    let config = RawWebSettings {
        jwt_secret: Some(JWT_SECRET.into()),
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
    let app = startlink_web::health::routes(db).merge(startlink_web::router(state));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = WebServer::new(listener, app);
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run(std::future::pending()));
    base
}

async fn connect(url: &str) -> startlink_core::DatabaseConnection {
    let (url, _) = DatabaseUrl::parse(url).unwrap();
    startlink_core::db::connect(&url).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_503_on_a_sqlite_file_that_takes_no_writes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("web.db");
    let writable = format!("sqlite://{}?mode=rwc", file.display());
    let (parsed, _) = DatabaseUrl::parse(&writable).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    let base = serve(db).await;
    let client = reqwest::Client::new();
    let healthy = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(healthy.status(), 200);

    let read_only = connect(&format!("sqlite://{}?mode=ro", file.display())).await;
    let base = serve(read_only).await;
    let started = Instant::now();
    let sick = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(sick.status(), 503, "{}", sick.text().await.unwrap());
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// Between the application and PostgreSQL: forwards, or stops answering
/// (connections held open, nothing forwarded), or drops every connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Up,
    Silent,
    Cut,
}

async fn proxy(upstream: SocketAddr) -> (SocketAddr, watch::Sender<Line>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (line, watching) = watch::channel(Line::Up);
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let mut watching = watching.clone();
            tokio::spawn(async move {
                let now = *watching.borrow_and_update();
                match now {
                    Line::Cut => return,
                    Line::Silent => {
                        let _ = watching.wait_for(|l| *l != Line::Silent).await;
                        return;
                    }
                    Line::Up => {}
                }
                let Ok(mut server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let mut changed = watching.clone();
                let left_up = async move {
                    let _ = changed.wait_for(|l| *l != Line::Up).await;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    () = left_up => {
                        let now = *watching.borrow();
                        if now == Line::Silent {
                            // Hold both ends open, forwarding nothing.
                            let _ = watching.wait_for(|l| *l == Line::Cut).await;
                        }
                    }
                }
            });
        }
    });
    (addr, line)
}

/// A throw-away PostgreSQL database reached through [`proxy`].
async fn postgres_behind_a_proxy() -> Option<(String, watch::Sender<Line>, (String, String))> {
    let (admin_url, url, name) = fresh_postgres_database().await?;
    let mut parsed = reqwest::Url::parse(&url).unwrap();
    let upstream = format!(
        "{}:{}",
        parsed.host_str().unwrap(),
        parsed.port_or_known_default().unwrap_or(5432)
    );
    let upstream = tokio::net::lookup_host(upstream)
        .await
        .unwrap()
        .next()
        .unwrap();
    let (addr, line) = proxy(upstream).await;
    parsed.set_host(Some("127.0.0.1")).unwrap();
    parsed.set_port(Some(addr.port())).unwrap();
    Some((parsed.to_string(), line, (admin_url, name)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_503_within_2_s_when_postgresql_stops_answering() {
    let Some((url, line, (admin_url, name))) = postgres_behind_a_proxy().await else {
        return;
    };
    let (parsed, _) = DatabaseUrl::parse(&url).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    let base = serve(db.clone()).await;
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    line.send(Line::Silent).unwrap();
    let started = Instant::now();
    let sick = client.get(format!("{base}/healthz")).send().await.unwrap();
    let took = started.elapsed();
    assert_eq!(sick.status(), 503);
    assert!(took < Duration::from_millis(2_500), "{took:?}");
    line.send(Line::Cut).unwrap();
    db.close().await.ok();
    drop_postgres_database(admin_url, name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_503_with_retry_after_while_postgresql_is_unreachable() {
    let Some((url, line, (admin_url, name))) = postgres_behind_a_proxy().await else {
        return;
    };
    let (parsed, _) = DatabaseUrl::parse(&url).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    admins::create_admin(
        &db,
        &Username::parse("owner").unwrap(),
        &Password::parse(PASSWORD, &Username::parse("owner").unwrap()).unwrap(),
        Role::Admin,
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    let base = serve(db.clone()).await;
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "owner", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    let links = || {
        client
            .get(format!("{base}/api/v1/links"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(links().await.unwrap().status(), 200);

    line.send(Line::Cut).unwrap();
    for attempt in 0..3 {
        let response = links().await.unwrap();
        assert_eq!(response.status(), 503, "attempt {attempt}");
        assert_eq!(response.headers()["retry-after"], "5");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "unavailable");
    }
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "owner", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 503);

    line.send(Line::Up).unwrap();
    let mut recovered = false;
    for _ in 0..20 {
        if links().await.unwrap().status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(recovered, "the API did not recover with the database");
    db.close().await.ok();
    drop_postgres_database(admin_url, name);
}

fn no_store(response: &reqwest::Response, what: &str) {
    assert_eq!(
        response
            .headers()
            .get(CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "{what}"
    );
}

async fn healthz_and_every_private_answer_carry_the_headers(app: TestApp) {
    let base = serve(app.db.clone()).await;
    let healthz = app
        .client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(healthz.status(), 200);
    for header in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
    ] {
        assert!(
            healthz.headers().contains_key(header),
            "/healthz lacks {header}"
        );
    }
    no_store(&healthz, "/healthz");

    let admin = app.admin().await;
    let login = app.login("owner", PASSWORD).await;
    assert_eq!(login.status(), 200);
    no_store(&login, "API login");
    let failed = app.login("owner", "not the password").await;
    no_store(&failed, "failed API login");
    for path in [
        "/api/v1/exports/links.csv",
        "/api/v1/reports/summary.pdf",
        "/api/v1/links",
    ] {
        let response = app.get(path, &admin).await;
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        no_store(&response, path);
    }
    let browser = &app.browser;
    let login_page = browser.get(app.url("/login")).send().await.unwrap();
    no_store(&login_page, "/login");
    let (cookie, _) = app.panel_owner().await;
    for path in ["/", "/links", "/users", "/exports", "/settings"] {
        let response = browser
            .get(app.url(path))
            .header(COOKIE, cookie.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        no_store(&response, path);
    }
    let stylesheet = browser
        .get(app.url("/assets/app.css"))
        .send()
        .await
        .unwrap();
    assert_ne!(
        stylesheet
            .headers()
            .get(CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "public assets may be cached"
    );
}
