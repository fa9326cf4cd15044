//! `startlink admin` and `startlink token` as a user runs them.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

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

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let db = format!(
            "sqlite://{}?mode=rwc",
            self.dir.path().join("cli.db").display()
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_startlink"))
            .args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("DATABASE_URL", db)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, stdin);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, stdin);
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }
}

#[test]
fn an_admin_and_a_viewer_are_created_from_stdin_and_listed() {
    let env = Env::new();
    let out = env.ok(
        &["admin", "create", "dilnoza", "--password-stdin"],
        "Samarqand 2026!\n",
    );
    assert_eq!(out.trim(), "created admin dilnoza");
    let viewer: Value = serde_json::from_str(&env.ok(
        &[
            "admin",
            "create",
            "bek",
            "--role",
            "viewer",
            "--password-stdin",
            "--json",
        ],
        "another long secret",
    ))
    .unwrap();
    assert_eq!(viewer["role"], "viewer");
    assert!(viewer.get("password_hash").is_none(), "{viewer}");

    let listed: Value = serde_json::from_str(&env.ok(&["admin", "list", "--json"], "")).unwrap();
    let names: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["username"].as_str().unwrap(), a["role"].as_str().unwrap()))
        .collect();
    assert_eq!(names, [("bek", "viewer"), ("dilnoza", "admin")]);
    let table = env.ok(&["admin", "list"], "");
    assert!(
        table.contains("dilnoza") && table.contains("never"),
        "{table}"
    );

    let again = env.fails(
        &["admin", "create", "dilnoza", "--password-stdin"],
        "Samarqand 2026!\n",
    );
    assert!(again.contains("exists already"), "{again}");
}

#[test]
fn weak_passwords_and_bad_names_are_refused_with_the_reason() {
    let env = Env::new();
    for (args, stdin, expected) in [
        (
            &["admin", "create", "ali", "--password-stdin"][..],
            "admin123\n",
            "too short",
        ),
        (
            &["admin", "create", "ali", "--password-stdin"][..],
            "Password123456\n",
            "well-known",
        ),
        (
            &["admin", "create", "ali", "--password-stdin"][..],
            "\n",
            "too short",
        ),
        (
            &["admin", "create", "a b", "--password-stdin"][..],
            "a long enough one\n",
            "not valid",
        ),
        (
            &[
                "admin",
                "create",
                "ali",
                "--role",
                "root",
                "--password-stdin",
            ][..],
            "a long enough one\n",
            "root",
        ),
    ] {
        let error = env.fails(args, stdin);
        assert!(error.contains(expected), "{args:?} {stdin:?}: {error}");
    }
    // Without a terminal and without --password-stdin there is no silent default.
    let error = env.fails(&["admin", "create", "ali"], "");
    assert!(error.contains("--password-stdin"), "{error}");
    let listed: Value = serde_json::from_str(&env.ok(&["admin", "list", "--json"], "")).unwrap();
    assert_eq!(listed, serde_json::json!([]));
}

#[test]
fn a_token_is_printed_once_listed_without_its_secret_and_revoked() {
    let env = Env::new();
    let out = env.run(
        &[
            "token",
            "create",
            "--name",
            "shop backend",
            "--scopes",
            "links:read,stats:read",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(secret.starts_with("slk_") && secret.len() > 40, "{secret}");
    let note = String::from_utf8(out.stderr).unwrap();
    assert!(note.contains("shown only now"), "{note}");

    let listed = env.ok(&["token", "list", "--json"], "");
    assert!(!listed.contains(&secret), "the secret must not be listed");
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["name"], "shop backend");
    assert_eq!(
        listed[0]["scopes"],
        serde_json::json!(["links:read", "stats:read"])
    );
    let id = listed[0]["id"].as_i64().unwrap().to_string();

    assert_eq!(
        env.ok(&["token", "revoke", &id], "").trim(),
        format!("revoked token {id}")
    );
    assert!(
        env.fails(&["token", "revoke", &id], "")
            .contains("no live token")
    );
    let listed: Value = serde_json::from_str(&env.ok(&["token", "list", "--json"], "")).unwrap();
    assert!(listed[0]["revoked_at"].is_string());

    let error = env.fails(
        &["token", "create", "--name", "x", "--scopes", "links:delete"],
        "",
    );
    assert!(error.contains("links:delete"), "{error}");
}
