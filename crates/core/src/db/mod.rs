//! Connecting to SQLite or PostgreSQL, and the one migration list both share.

mod m0002_admins;
mod m0003_analytics_indexes;
mod m0004_opens_hourly;
mod m0005_report_runs;
mod m0006_user_sets;
mod m0007_covering_indexes;
mod m0008_bot_updates;
mod m0009_admin_sessions;
mod m0010_audit_log;
mod migration;

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

pub use migration::Migrator;

use crate::config::{DatabaseUrl, DbKind};

/// How long SQLite waits for another writer before giving up with "database is locked".
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a connection pool. SQLite gets WAL, `busy_timeout`, `foreign_keys=ON` and
/// `synchronous=NORMAL` on every connection.
pub async fn connect(url: &DatabaseUrl) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.expose());
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10));
    match url.kind() {
        DbKind::Sqlite => {
            options
                .max_connections(8)
                .min_connections(1)
                .map_sqlx_sqlite_opts(|opts| {
                    opts.journal_mode(SqliteJournalMode::Wal)
                        .busy_timeout(SQLITE_BUSY_TIMEOUT)
                        .foreign_keys(true)
                        .synchronous(SqliteSynchronous::Normal)
                });
        }
        DbKind::Postgres => {
            options.max_connections(20).min_connections(1);
        }
    }
    Database::connect(options).await
}

/// Applies every pending migration; returns how many ran.
pub async fn migrate(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    if pending > 0 {
        Migrator::up(db, None).await?;
        tracing::info!(applied = pending, "database migrations applied");
    }
    Ok(pending)
}

/// Connects and migrates: what every command does first.
pub async fn open(url: &DatabaseUrl) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    migrate(&db).await?;
    Ok(db)
}

/// Whether the database answers (for health checks).
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait as _;
    db.execute_unprepared("SELECT 1").await.map(drop)
}

/// Connections in the pool: (open, idle).
pub fn pool_connections(db: &DatabaseConnection) -> (u32, usize) {
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        sea_orm::DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    }
}
