//! The README's promise, run as a user would: create a link, open it as three users.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let db = format!(
            "sqlite://{}?mode=rwc",
            self.dir.path().join("cli.db").display()
        );
        Command::new(env!("CARGO_BIN_EXE_startlink"))
            .args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("DATABASE_URL", db)
            .env("BOT_USERNAME", "shop_bot")
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

#[test]
fn the_readme_flow_redeems_once_then_already_used_then_already_yours() {
    let env = Env::new();
    let text = env.ok(&["link", "create", "--product", "123", "--order", "9876"]);
    let url = text.lines().next().unwrap();
    assert!(url.starts_with("https://t.me/shop_bot?start="), "{text}");
    let key = url.trim_start_matches("https://t.me/shop_bot?start=");

    let first = env.json(&["link", "open", key, "--user", "1"]);
    assert_eq!(first["outcome"], "redeemed");
    assert_eq!(first["product_id"], 123);
    assert_eq!(first["order_log_id"], 9876);
    assert_eq!(
        env.json(&["link", "open", key, "--user", "2"])["outcome"],
        "already_used"
    );
    let again = env.ok(&["link", "open", key, "--user", "1"]);
    assert!(again.starts_with("already_yours"), "{again}");

    let shown = env.json(&["link", "show", key]);
    assert_eq!(shown["use_count"], 1);
    assert_eq!(shown["status"], "used");
    assert_eq!(shown["events"].as_array().unwrap().len(), 3);
}

#[test]
fn json_output_uses_the_column_names() {
    let env = Env::new();
    let link = env.json(&[
        "link",
        "create",
        "--kind",
        "campaign",
        "--title",
        "Bahor <b>",
        "--welcome",
        "Xush kelibsiz",
        "--campaign",
        "spring",
        "--utm-source",
        "poster",
        "--utm-medium",
        "print",
        "--utm-campaign",
        "s26",
        "--uses",
        "5",
        "--ttl",
        "7d",
        "--attrs",
        r#"{"shelf":"A3"}"#,
    ]);
    for name in startlink_core::links::LinkView::FIELDS {
        assert!(link.get(name).is_some(), "missing {name}: {link}");
    }
    assert_eq!(link["kind"], "campaign");
    assert_eq!(link["title"], "Bahor <b>");
    assert_eq!(link["campaign"], "spring");
    assert_eq!(link["max_uses"], 5);
    assert_eq!(link["attrs"]["shelf"], "A3");
    let expires =
        chrono::DateTime::parse_from_rfc3339(link["expires_at"].as_str().unwrap()).unwrap();
    let created =
        chrono::DateTime::parse_from_rfc3339(link["created_at"].as_str().unwrap()).unwrap();
    assert_eq!((expires - created).num_days(), 7);

    let key = link["key"].as_str().unwrap();
    let opened = env.json(&[
        "link",
        "open",
        key,
        "--user",
        "42",
        "--username",
        "ali",
        "--lang",
        "uz",
    ]);
    assert_eq!(opened["outcome"], "accepted");
    assert_eq!(opened["new_user"], true);
    assert_eq!(opened["welcome_text"], "Xush kelibsiz");
}

#[test]
fn list_revoke_extend_and_stats_work_together() {
    let env = Env::new();
    let a = env.json(&["link", "create", "--product", "1", "--order", "1"])["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = env.json(&[
        "link",
        "create",
        "--product",
        "2",
        "--order",
        "2",
        "--title",
        "Second",
    ])["key"]
        .as_str()
        .unwrap()
        .to_owned();
    env.ok(&["link", "open", &a, "--user", "1"]);
    assert!(env.ok(&["link", "revoke", &b]).contains("Revoked"));
    assert!(env.ok(&["link", "revoke", &b]).contains("already revoked"));

    let used = env.json(&["link", "list", "--status", "used"]);
    assert_eq!(used["total"], 1);
    assert_eq!(used["links"][0]["key"], a.as_str());
    assert_eq!(
        env.json(&["link", "list", "--search", "second"])["total"],
        1
    );
    let table = env.ok(&["link", "list"]);
    assert!(
        table.contains("KEY") && table.contains(&a) && table.contains("2 of 2 link(s)"),
        "{table}"
    );

    let extended = env.json(&["link", "extend", &a, "--uses", "2", "--ttl", "24h"]);
    assert_eq!(extended["max_uses"], 3);
    assert_eq!(extended["status"], "active");
    assert!(
        env.fails(&["link", "extend", &b, "--uses", "1"])
            .contains("revoked")
    );

    let stats = env.json(&["stats"]);
    assert_eq!(
        (
            stats["total"].as_i64(),
            stats["revoked"].as_i64(),
            stats["opens"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(stats["recent"].as_array().unwrap().len(), 2);
    assert!(env.ok(&["stats"]).contains("2 total"));
    assert_eq!(
        env.json(&["stats", "--by-creator"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn errors_are_one_line_and_exit_non_zero() {
    let env = Env::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["link", "show", "NoSuchKey123"],
            "no link with key NoSuchKey123",
        ),
        (&["link", "show", "bad key!"], "is not a link key"),
        (
            &["link", "create", "--ttl", "soon"],
            "duration \"soon\" is not valid",
        ),
        (
            &["link", "create", "--expires", "yesterday"],
            "time \"yesterday\" is not valid",
        ),
        (
            &["link", "create", "--expires", "2020-01-01T00:00:00Z"],
            "expires_at: must be in the future",
        ),
        (
            &["link", "create", "--attrs", "[1"],
            "--attrs is not valid JSON",
        ),
        (
            &["link", "create", "--attrs", "[1]"],
            "attrs: must be a JSON object",
        ),
        (&["link", "extend", "NoSuchKey123"], "nothing to change"),
        (&["link", "revoke", "NoSuchKey123"], "no link with key"),
    ];
    for (args, expected) in cases {
        let stderr = env.fails(args);
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in {stderr:?}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr:?}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // Usage errors come from clap with exit code 2.
    let out = env.run(&["link", "open", "KEY", "--user", "-5"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn garbage_payloads_are_answered_not_crashed() {
    let env = Env::new();
    for payload in [
        "bad payload!",
        "'; DROP TABLE links; --",
        &"x".repeat(100),
        "ключ",
        "_tgr_abc",
    ] {
        let opened = env.json(&["link", "open", payload, "--user", "7"]);
        assert!(
            ["invalid", "not_found"].contains(&opened["outcome"].as_str().unwrap()),
            "{payload}: {opened}"
        );
    }
    let stats = env.json(&["stats"]);
    assert_eq!(stats["total"], 0);
}

#[test]
fn the_python_versions_database_url_is_understood() {
    let env = Env::new();
    let out = Command::new(env!("CARGO_BIN_EXE_startlink"))
        .args(["migrate"])
        .current_dir(env.path())
        .env_clear()
        .env("DATABASE_URL", "sqlite+aiosqlite:///bot_data.db")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(env.path().join("bot_data.db").exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SQLAlchemy"));
}

#[test]
fn without_a_bot_username_links_are_still_created_and_say_what_is_missing() {
    let env = Env::new();
    let out = Command::new(env!("CARGO_BIN_EXE_startlink"))
        .args(["link", "create", "--product", "1", "--order", "2"])
        .current_dir(env.path())
        .env_clear()
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("set BOT_USERNAME"));
    assert!(
        env.path().join("startlink.db").exists(),
        "the default database is startlink.db"
    );
}

#[test]
fn every_command_has_help() {
    let env = Env::new();
    for args in [
        vec!["--help"],
        vec!["migrate", "--help"],
        vec!["link", "--help"],
        vec!["link", "create", "--help"],
        vec!["link", "list", "--help"],
        vec!["link", "show", "--help"],
        vec!["link", "revoke", "--help"],
        vec!["link", "extend", "--help"],
        vec!["link", "open", "--help"],
        vec!["stats", "--help"],
    ] {
        let help = env.ok(&args);
        assert!(help.contains("Usage:"), "{args:?}: {help}");
    }
}

#[test]
fn the_database_password_never_shows_in_help_or_errors() {
    let env = Env::new();
    let out = Command::new(env!("CARGO_BIN_EXE_startlink"))
        .args(["--help"])
        .env("DATABASE_URL", "postgres://shop:hunter2@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2"));
    let out = Command::new(env!("CARGO_BIN_EXE_startlink"))
        .args(["stats"])
        .current_dir(env.path())
        .env_clear()
        .env("DATABASE_URL", "postgres://shop:hunter2@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(stderr.contains("shop:***@127.0.0.1:1/none"), "{stderr}");
}

#[test]
fn demo_data_fills_the_database_and_reports_what_it_wrote() {
    let env = Env::new();
    let out = env.ok(&[
        "demo-data",
        "--links",
        "60",
        "--events",
        "400",
        "--days",
        "10",
    ]);
    assert!(
        out.starts_with("wrote 60 links, 400 opens, 80 users,"),
        "{out}"
    );
    let stats = env.json(&["stats"]);
    assert_eq!(stats["total"], 60, "{stats}");
    assert!(stats["opens"].as_i64().unwrap() > 300, "{stats}");
    let error = env.fails(&["demo-data", "--days", "0"]);
    assert!(error.contains("--days"), "{error}");
    let error = env.fails(&["demo-data", "--links", "0", "--events", "5"]);
    assert!(error.contains("--events needs links"), "{error}");
    let out = env.ok(&["demo-data", "--links", "0", "--events", "0"]);
    assert!(
        out.starts_with("wrote 0 links, 0 opens, 0 users, 0 redemptions and 0 campaigns"),
        "{out}"
    );
    assert_eq!(env.json(&["stats"])["total"], 60, "nothing was added");
}

#[test]
fn an_export_to_a_closed_pipe_ends_quietly() {
    let env = Env::new();
    env.ok(&[
        "demo-data",
        "--links",
        "200",
        "--events",
        "2000",
        "--days",
        "5",
    ]);
    let db = format!("sqlite://{}?mode=rwc", env.path().join("cli.db").display());
    for dataset in ["users", "events"] {
        // `startlink export … -o - | head -0`: the reader is gone before the
        // first write.
        let mut child = Command::new(env!("CARGO_BIN_EXE_startlink"))
            .args(["export", dataset, "--format", "csv", "-o", "-"])
            .current_dir(env.path())
            .env_clear()
            .env("DATABASE_URL", &db)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{dataset}: {stderr}");
        assert!(!stderr.contains("error"), "{dataset}: {stderr}");
    }
}

#[test]
fn a_sqlite_url_without_a_mode_creates_the_file() {
    let env = Env::new();
    let file = env.path().join("fresh.db");
    let out = Command::new(env!("CARGO_BIN_EXE_startlink"))
        .args(["link", "create", "--product", "1", "--order", "2"])
        .current_dir(env.path())
        .env_clear()
        .env("DATABASE_URL", format!("sqlite://{}", file.display()))
        .env("BOT_USERNAME", "shop_bot")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(file.exists());
}
