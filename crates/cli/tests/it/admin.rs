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

/// Sends one HTTP/1.1 request and returns the status code and body.
fn http(addr: &str, method: &str, path: &str, headers: &[&str], body: &str) -> (u16, String) {
    use std::io::Read as _;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn web_in_sandbox_mode_prints_a_one_time_admin_password_that_logs_in() {
    use std::io::BufRead as _;
    let env = Env::new();
    let db = format!(
        "sqlite://{}?mode=rwc",
        env.dir.path().join("cli.db").display()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_startlink"))
        .args(["web", "--sandbox", "--http-addr", "127.0.0.1:0"])
        .current_dir(env.dir.path())
        .env_clear()
        .env("DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut password = None;
    let mut addr = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(p) = line.trim().strip_prefix("password: ") {
            password = Some(p.to_owned());
        }
        if let Some(url) = line.strip_prefix("Panel: http://") {
            addr = url.split('/').next().map(str::to_owned);
            break;
        }
    }
    let (password, addr) = (
        password.expect("a printed password"),
        addr.expect("the address"),
    );
    assert!(password.len() >= 20, "{password}");

    let login = format!(r#"{{"username":"admin","password":"{password}"}}"#);
    let json_type = "content-type: application/json";
    let (status, body) = http(&addr, "POST", "/api/v1/auth/login", &[json_type], &login);
    assert_eq!(status, 200, "{body}");
    let token: Value = serde_json::from_str(&body).unwrap();
    let bearer = format!(
        "authorization: Bearer {}",
        token["access_token"].as_str().unwrap()
    );
    let (status, body) = http(
        &addr,
        "POST",
        "/api/v1/links",
        &[json_type, &bearer],
        r#"{"product_id":7}"#,
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(http(&addr, "GET", "/healthz", &[], "").0, 200);
    assert_eq!(http(&addr, "GET", "/api/v1/links", &[], "").0, 401);
    let (status, _) = http(
        &addr,
        "POST",
        "/api/v1/auth/login",
        &[json_type],
        r#"{"username":"admin","password":"admin123"}"#,
    );
    assert_eq!(status, 401, "no default password");
    child.kill().unwrap();
    child.wait().unwrap();

    // A second start finds the admin and prints no new password.
    let listed: Value = serde_json::from_str(&env.ok(&["admin", "list", "--json"], "")).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[test]
fn web_refuses_to_start_without_a_strong_jwt_secret_or_with_a_weak_admin_password() {
    let env = Env::new();
    let error = env.fails(&["web", "--http-addr", "127.0.0.1:0"], "");
    assert!(error.contains("JWT_SECRET is not set"), "{error}");
    let db = format!(
        "sqlite://{}?mode=rwc",
        env.dir.path().join("cli.db").display()
    );
    for (vars, expected) in [
        (&[("JWT_SECRET", "short")][..], "JWT_SECRET is too weak"),
        (
            &[("JWT_SECRET", "your-256-bit-secret-change-me-please-now")][..],
            "looks like a placeholder",
        ),
        (
            &[
                ("JWT_SECRET", "k3J9pQ2vX8mL4nR7tY1wZ5bC6dF0gH2j"),
                ("ADMIN_USER", "admin"),
                ("ADMIN_PASS", "admin123"),
            ][..],
            "ADMIN_PASS is refused",
        ),
        (
            &[
                ("JWT_SECRET", "k3J9pQ2vX8mL4nR7tY1wZ5bC6dF0gH2j"),
                ("ADMIN_USER", "admin"),
            ][..],
            "set both or neither",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_startlink"))
            .args(["web", "--http-addr", "127.0.0.1:0"])
            .current_dir(env.dir.path())
            .env_clear()
            .env("DATABASE_URL", &db)
            .envs(vars.iter().copied())
            .output()
            .unwrap();
        let error = String::from_utf8(out.stderr).unwrap();
        assert!(
            !out.status.success() && error.contains(expected),
            "{vars:?}: {error}"
        );
        assert!(
            !error.contains("admin123") || expected != "ADMIN_PASS is refused",
            "the password is not echoed: {error}"
        );
    }
}

#[test]
fn a_webhook_path_on_a_panel_page_is_refused_before_anything_starts() {
    let env = Env::new();
    let db = format!(
        "sqlite://{}?mode=rwc",
        env.dir.path().join("cli.db").display()
    );
    for path in ["/links", "/login", "/logout"] {
        let out = Command::new(env!("CARGO_BIN_EXE_startlink"))
            .args(["serve", "--http-addr", "127.0.0.1:0"])
            .current_dir(env.dir.path())
            .env_clear()
            .env("DATABASE_URL", &db)
            .env("BOT_TOKEN", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0")
            .env("TELEGRAM_API_URL", "http://127.0.0.1:9")
            .env("BOT_MODE", "webhook")
            .env("WEBHOOK_URL", format!("https://shop.example{path}"))
            .env("WEBHOOK_SECRET", "s3cret-0123456789abcdef")
            .output()
            .unwrap();
        let error = String::from_utf8(out.stderr).unwrap();
        assert!(!out.status.success(), "{path}");
        assert!(
            error.contains("is a page of the panel or the API"),
            "{path}: {error}"
        );
    }
}

#[test]
fn passwd_disable_enable_delete_and_every_cli_write_are_in_the_audit_log() {
    let env = Env::new();
    env.ok(
        &["admin", "create", "owner", "--password-stdin"],
        "vivid otter ledger 73\n",
    );
    env.ok(
        &["admin", "create", "bek", "--password-stdin"],
        "vivid otter ledger 73\n",
    );
    let weak = env.fails(
        &["admin", "passwd", "bek", "--password-stdin"],
        "qwertyuiop12\n",
    );
    assert!(weak.contains("too easy to guess"), "{weak}");
    let out = env.ok(
        &["admin", "passwd", "bek", "--password-stdin"],
        "quartz meadow signal 904\n",
    );
    assert!(out.contains("sessions have ended"), "{out}");
    env.ok(&["admin", "disable", "bek"], "");
    let listed: Value = serde_json::from_str(&env.ok(&["admin", "list", "--json"], "")).unwrap();
    assert!(listed[0]["disabled_at"].is_string(), "{listed}");
    env.ok(&["admin", "enable", "bek"], "");
    env.ok(&["admin", "delete", "bek"], "");
    let last = env.fails(&["admin", "delete", "owner"], "");
    assert!(last.contains("last enabled admin"), "{last}");
    env.ok(
        &[
            "token",
            "create",
            "--name",
            "shop",
            "--scopes",
            "links:read",
        ],
        "",
    );
    env.ok(&["link", "create", "--product", "1", "--order", "2"], "");

    let audit: Value = serde_json::from_str(&env.ok(&["audit", "--json"], "")).unwrap();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "link.create",
            "token.create",
            "admin.delete",
            "admin.enable",
            "admin.disable",
            "admin.password",
            "admin.create",
            "admin.create",
        ]
    );
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_kind"] == "cli"),
        "{audit}"
    );
    let only_admins = env.ok(&["audit", "--action", "admin", "--since", "2000-01-01"], "");
    assert!(
        only_admins.contains("admin.delete") && !only_admins.contains("link.create"),
        "{only_admins}"
    );
}
