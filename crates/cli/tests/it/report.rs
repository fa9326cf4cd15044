//! `startlink report`: a PDF from demo data, and the failures that must leave
//! no file behind (bad dates, `--from` after `--to`, an unwritable path).

use std::path::Path;
use std::process::{Command, Output};

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
            .env("TIMEZONE", "Asia/Tashkent")
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    }

    /// Files in the directory other than the database.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with("cli.db"))
            .collect();
        names.sort();
        names
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

#[test]
fn a_report_of_demo_data_is_a_pdf_with_a_summary_line() {
    let env = Env::new();
    let out = env.run(&[
        "demo-data",
        "--links",
        "50",
        "--events",
        "400",
        "--days",
        "20",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = env.run(&["report", "--lang", "en", "-o", "week.pdf"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(env.path().join("week.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let line = stdout.trim_end();
    assert!(!line.contains('\n'), "one summary line: {stdout:?}");
    assert!(
        line.starts_with("wrote week.pdf: ") && line.contains(" pages, ") && line.ends_with(" s"),
        "{line}"
    );
    assert_eq!(env.files(), ["week.pdf"], "no temporary file is left");

    // To standard output: the PDF on stdout, the summary on stderr.
    let out = env.run(&[
        "report",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-01",
        "--lang",
        "ru",
        "-o",
        "-",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&out.stderr).contains(" pages, "));
}

#[test]
fn bad_dates_a_reversed_period_and_an_unwritable_path_fail_in_one_line_and_leave_nothing() {
    let env = Env::new();
    let missing_dir = env.path().join("no-such-dir").join("r.pdf");
    let missing_dir = missing_dir.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["report", "--from", "yesterday", "-o", "r.pdf"], "from: "),
        (&["report", "--to", "2026-02-30", "-o", "r.pdf"], "to: "),
        (
            &[
                "report",
                "--from",
                "2026-03-05",
                "--to",
                "2026-03-01",
                "-o",
                "r.pdf",
            ],
            "from: ",
        ),
        (&["report", "--lang", "de", "-o", "r.pdf"], "de"),
        (&["report", "-o", missing_dir], "cannot write"),
    ];
    for (args, says) in cases {
        let out = env.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        if !args.contains(&"--lang") {
            assert_eq!(
                stderr.trim_end().lines().count(),
                1,
                "{args:?}: one line: {stderr}"
            );
        }
        assert!(env.files().is_empty(), "{args:?} left {:?}", env.files());
    }
    assert!(!env.path().join("no-such-dir").exists());

    // A directory in the way: the rename fails and the temporary file goes.
    std::fs::create_dir(env.path().join("taken.pdf")).unwrap();
    std::fs::write(env.path().join("taken.pdf").join("keep"), b"x").unwrap();
    let out = env.run(&["report", "-o", "taken.pdf"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("cannot write taken.pdf")
    );
    assert_eq!(
        env.files(),
        ["taken.pdf"],
        "only the directory that was there"
    );
}
