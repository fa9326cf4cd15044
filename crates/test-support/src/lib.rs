//! Test databases for the workspace's integration tests: a temporary SQLite
//! file, or a throw-away database on the PostgreSQL server `TEST_DATABASE_URL`
//! points to (dropped afterwards). Without `TEST_DATABASE_URL` the PostgreSQL
//! side is skipped — and said so loudly on the terminal, once per test binary.
//!
//! [`backend_suite!`] runs a list of async tests once per [`Backend`].
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::sync::Once;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use startlink_core::config::DatabaseUrl;
use startlink_core::links::LinkKey;

/// Which database a test runs on. A new backend is a variant here, a line in
/// [`backend_suite!`] and an arm in [`TestDb::on`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend's name, as in the test modules (`sqlite`, `postgres`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Runs each named async test once per [`Backend`], as `<module>::sqlite::<name>`
/// and `<module>::postgres::<name>`; a backend the machine lacks is skipped
/// (loudly: its fixture is `None`).
///
/// ```text
/// // Each `async fn a(db: &DatabaseConnection)` gets a fresh [`TestDb`]:
/// startlink_test_support::backend_suite! { worker_threads = 2; a, b }
///
/// // Or a fixture of the crate's own: `|backend| …` is a future of
/// // `Option<Fixture>`, `|fixture| (…)` the test's arguments.
/// startlink_test_support::backend_suite! {
///     worker_threads = 2;
///     fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
///     a, b
/// }
/// ```
#[macro_export]
macro_rules! backend_suite {
    (worker_threads = $threads:literal; $($name:ident),* $(,)?) => {
        $crate::backend_suite! {
            worker_threads = $threads;
            fixture = |backend| $crate::TestDb::on(backend) => |test| (&test.db);
            $($name),*
        }
    };
    (
        worker_threads = $threads:literal;
        fixture = |$backend:ident| $setup:expr => |$fixture:ident| $args:tt;
        $($name:ident),* $(,)?
    ) => {
        $crate::__backend_module! { sqlite Sqlite $threads |$backend| $setup => |$fixture| $args; $($name),* }
        $crate::__backend_module! { postgres Postgres $threads |$backend| $setup => |$fixture| $args; $($name),* }
    };
}

/// One backend's module of [`backend_suite!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __backend_module {
    (
        $module:ident $variant:ident $threads:literal
        |$backend:ident| $setup:expr => |$fixture:ident| $args:tt;
        $($name:ident),*
    ) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = $threads)]
                async fn $name() {
                    let $backend = $crate::Backend::$variant;
                    let Some($fixture) = $setup.await else { return };
                    super::$name $args.await;
                }
            )*
        }
    };
}

/// A migrated database that goes away with the value.
#[derive(Debug)]
pub struct TestDb {
    pub db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh database on `backend`, or `None` (announced) when the machine
    /// has no such server for tests.
    pub async fn on(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

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
