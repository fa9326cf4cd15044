//! Test databases and reading PDFs back with poppler-utils.

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Once;

use sea_orm::{ConnectionTrait, Database};
use startlink_core::DatabaseConnection;
use startlink_core::config::DatabaseUrl;
use startlink_core::links::LinkKey;

pub struct TestDb {
    pub db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
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
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            announce_postgres_skipped();
            return None;
        };
        let name = format!(
            "startlink_t_r{}",
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
        let db = startlink_core::db::open(&parsed.with_database(&name))
            .await
            .unwrap();
        Some(Self {
            db,
            _dir: None,
            drop_pg: Some((admin_url, name)),
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.drop_pg.take() else {
            return;
        };
        // Drop runs outside async context; a small runtime of its own does the work.
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
}

/// Says loudly, past the test harness's output capture, that PostgreSQL tests
/// did not run.
pub fn announce_postgres_skipped() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(
            std::io::stderr().lock(),
            "\n*** SKIPPED: PostgreSQL report tests did not run because TEST_DATABASE_URL is unset ***\n"
        );
    });
}

/// The PDF's text as `pdftotext -layout` extracts it.
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils) must be installed");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("pdftotext printed UTF-8")
}

/// The page count `pdfinfo` reads.
pub fn pdf_pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (Debian's poppler-utils) must be installed");
    assert!(
        out.status.success(),
        "pdfinfo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info = String::from_utf8_lossy(&out.stdout);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo reports the page count")
}

/// Keeps a copy of a rendered report under `target/report-samples/` to look at.
pub fn keep_sample(name: &str, pdf: &[u8]) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/report-samples");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    path
}
