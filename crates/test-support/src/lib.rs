//! Test databases for the workspace's integration tests: a temporary SQLite
//! file, or a throw-away database on the PostgreSQL server `TEST_DATABASE_URL`
//! points to (dropped afterwards). Without `TEST_DATABASE_URL` the PostgreSQL
//! side is skipped — and said so loudly on the terminal, once per test binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::sync::Once;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use startlink_core::config::DatabaseUrl;
use startlink_core::links::LinkKey;

/// A migrated database that goes away with the value.
#[derive(Debug)]
pub struct TestDb {
    pub db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh SQLite file in a temporary directory.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        let (url, _) = DatabaseUrl::parse(&url).unwrap();
        let db = startlink_core::db::open(&url).await.unwrap();
        Self {
            db,
            _dir: Some(dir),
            drop_pg: None,
        }
    }

    /// A fresh database on the server `TEST_DATABASE_URL` points to, or `None`
    /// (announced on the terminal) when it is unset.
    pub async fn postgres() -> Option<Self> {
        let (admin_url, url, name) = fresh_postgres_database().await?;
        let (parsed, _) = DatabaseUrl::parse(&url).unwrap();
        let db = startlink_core::db::open(&parsed).await.unwrap();
        Some(Self {
            db,
            _dir: None,
            drop_pg: Some((admin_url, name)),
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.drop_pg.take() {
            drop_postgres_database(admin_url, name);
        }
    }
}

/// Creates an empty database next to `TEST_DATABASE_URL`'s; returns the admin
/// URL, the new database's URL and its name (`startlink_t_…`, which `.ci/run`
/// clears if a run is interrupted). `None`, announced, when the variable is unset.
pub async fn fresh_postgres_database() -> Option<(String, String, String)> {
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        announce_postgres_skipped();
        return None;
    };
    let name = format!(
        "startlink_t_{}",
        LinkKey::generate()
            .as_str()
            .to_lowercase()
            .replace('-', "_")
    );
    let admin = Database::connect(&admin_url)
        .await
        .expect("cannot connect to TEST_DATABASE_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (parsed, _) =
        DatabaseUrl::parse(&admin_url).expect("TEST_DATABASE_URL is not a database URL");
    let url = parsed.with_database(&name).expose().to_owned();
    Some((admin_url, url, name))
}

/// Drops a database made by [`fresh_postgres_database`]; callable outside an
/// async context (from `Drop`): a small runtime of its own does the work.
pub fn drop_postgres_database(admin_url: String, name: String) {
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            if let Ok(admin) = Database::connect(&admin_url).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
                let _ = admin.close().await;
            }
        });
    })
    .join();
}

/// Says loudly, past the test harness's output capture, that PostgreSQL tests
/// did not run.
pub fn announce_postgres_skipped() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(
            std::io::stderr().lock(),
            "\n*** SKIPPED: PostgreSQL tests did not run because TEST_DATABASE_URL is unset ***\n"
        );
    });
}
