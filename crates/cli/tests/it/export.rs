//! `startlink export`, run as a user would: files complete or absent, standard
//! output, and bad input as one line with nothing left behind.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn startlink(dir: &Path, args: &[&str]) -> Output {
    let db = format!("sqlite://{}?mode=rwc", dir.join("export.db").display());
    Command::new(env!("CARGO_BIN_EXE_startlink"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("DATABASE_URL", db)
        .env("BOT_USERNAME", "shop_bot")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> Output {
    let out = startlink(dir, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn files(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("export.db"))
        .collect()
}

fn seed(dir: &Path) -> String {
    let out = ok(
        dir,
        &[
            "link",
            "create",
            "--product",
            "123",
            "--order",
            "9876",
            "--title",
            "=1+2",
        ],
    );
    let url = String::from_utf8(out.stdout).unwrap();
    let key = url
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("https://t.me/shop_bot?start=")
        .to_owned();
    ok(
        dir,
        &[
            "link",
            "create",
            "--kind",
            "campaign",
            "--campaign",
            "spring",
            "--title",
            "Oʻzbek, \"Привет\"",
        ],
    );
    // Keys may start with '-'.
    ok(dir, &["link", "open", "--user", "1", "--", &key]);
    key
}

#[test]
fn exports_go_to_a_file_or_to_standard_output_with_a_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let key = seed(dir);
    fs::create_dir(dir.join("out")).unwrap();

    let out = ok(
        dir,
        &["export", "links", "--format", "csv", "-o", "out/links.csv"],
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("exported 2 rows (links 2) to out/links.csv in "),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\r'),
        "no progress when stderr is not a terminal: {stderr:?}"
    );
    assert!(out.stdout.is_empty());
    let csv = fs::read_to_string(dir.join("out/links.csv")).unwrap();
    let mut lines = csv.split("\r\n");
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("key,url,kind,status,product_id,order_log_id,title,")
    );
    let first = lines.next().unwrap();
    // A key that starts with '-' is text a spreadsheet would evaluate.
    let key_cell = match key.starts_with('-') {
        true => format!("'{key}"),
        false => key.clone(),
    };
    assert!(
        first.starts_with(&format!(
            "{key_cell},https://t.me/shop_bot?start={key},order,used,123,9876,'=1+2,"
        )),
        "{first}"
    );
    assert!(csv.contains(r#""Oʻzbek, ""Привет""""#), "{csv}");
    assert_eq!(
        files(&dir.join("out")),
        BTreeSet::from(["links.csv".to_owned()]),
        "no temporary file left"
    );

    let out = ok(
        dir,
        &["export", "events", "--format", "csv", "--bom", "-o", "-"],
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("\u{feff}id,link_key,tg_user_id,outcome,payload,new_user,at\r\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(",{key_cell},1,redeemed,,true,")),
        "{stdout}"
    );
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("to standard output")
    );

    let out = ok(
        dir,
        &[
            "export", "all", "--format", "xlsx", "--lang", "ru", "-o", "all.xlsx",
        ],
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("(links 2, events 1, users 1, campaigns 1) to all.xlsx"),
        "{stderr}"
    );
    assert!(
        fs::read(dir.join("all.xlsx"))
            .unwrap()
            .starts_with(b"PK\x03\x04")
    );

    let out = ok(dir, &["export", "users", "--format", "xlsx", "-o", "-"]);
    assert!(
        out.stdout.starts_with(b"PK\x03\x04"),
        "XLSX on standard output"
    );
}

#[test]
fn bad_input_is_one_line_and_leaves_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    seed(dir);
    fs::write(dir.join("a-file"), "not a directory").unwrap();
    fs::write(dir.join("kept.csv"), "old").unwrap();
    let before = files(dir);
    let cases: [(&[&str], &str); 7] = [
        (
            &[
                "links",
                "--format",
                "csv",
                "--from",
                "yesterday",
                "-o",
                "x.csv",
            ],
            "error: from: time \"yesterday\" is not valid",
        ),
        (
            &[
                "links",
                "--format",
                "csv",
                "--to",
                "2026-02-30",
                "-o",
                "x.csv",
            ],
            "error: to: time",
        ),
        (
            &[
                "events",
                "--format",
                "xlsx",
                "--from",
                "2026-12-01",
                "--to",
                "2026-11-01",
                "-o",
                "x.xlsx",
            ],
            "is after to",
        ),
        (
            &["all", "--format", "csv", "-o", "x.csv"],
            "`all` exists only as XLSX",
        ),
        (
            &["links", "--format", "csv", "-o", "a-file/x.csv"],
            "error: cannot write a-file/x.csv: not a directory",
        ),
        (
            &[
                "links",
                "--format",
                "csv",
                "--creator",
                "abc",
                "-o",
                "x.csv",
            ],
            "error: creator:",
        ),
        (
            &[
                "links",
                "--format",
                "xlsx",
                "--campaign",
                "nope",
                "-o",
                "kept.csv",
            ],
            "error: campaign: there is no campaign named \"nope\"",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["export"];
        all.extend_from_slice(args);
        let out = startlink(dir, &all);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        assert_eq!(
            stderr.lines().count(),
            1,
            "{args:?}: one line, got {stderr:?}"
        );
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?}, got {stderr:?}"
        );
        assert_eq!(files(dir), before, "{args:?} left a file behind");
    }
    assert_eq!(
        fs::read_to_string(dir.join("kept.csv")).unwrap(),
        "old",
        "a failed export keeps the old file"
    );
}
