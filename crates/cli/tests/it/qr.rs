//! `startlink qr` and `startlink link qr`, run as a user would: the file is
//! written where asked, decodes to the text, and bad input is one line.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn startlink(dir: &Path, bot: Option<&str>, args: &[&str]) -> Output {
    let db = format!("sqlite://{}?mode=rwc", dir.join("qr.db").display());
    let mut command = Command::new(env!("CARGO_BIN_EXE_startlink"));
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("DATABASE_URL", db)
        .env("RUST_LOG", "warn");
    if let Some(bot) = bot {
        command.env("BOT_USERNAME", bot);
    }
    command.output().unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = startlink(dir, Some("shop_bot"), args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The one line a failing command prints.
fn fails(dir: &Path, bot: Option<&str>, args: &[&str]) -> String {
    let out = startlink(dir, bot, args);
    assert!(!out.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr
}

pub(crate) fn read_png(path: &Path) -> Vec<String> {
    let pixmap = tiny_skia::Pixmap::decode_png(&std::fs::read(path).unwrap()).unwrap();
    let w = pixmap.width() as usize;
    let data = pixmap.data();
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(w, pixmap.height() as usize, |x, y| {
            data[(y * w + x) * 4 + 1]
        });
    image
        .detect_grids()
        .into_iter()
        .map(|grid| grid.decode().unwrap().1)
        .collect()
}

/// Nothing but the database and what the test wrote: no temporary files.
fn stray_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp"))
        .collect()
}

#[test]
fn qr_writes_a_png_at_exactly_the_given_path_that_decodes_to_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = "https://t.me/shop_bot?start=9W_LFTJjfiIa";
    let name = "my code — oʻzbek.png";
    let stdout = ok(
        dir.path(),
        &["qr", text, "-o", name, "--modules", "rounded"],
    );
    assert!(
        stdout.starts_with("Wrote my code — oʻzbek.png: PNG 600x600 px"),
        "{stdout}"
    );
    assert_eq!(read_png(&dir.path().join(name)), vec![text.to_owned()]);
    assert!(stray_files(dir.path()).is_empty());
}

#[test]
fn qr_writes_svg_when_asked_or_when_the_file_ends_in_svg() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["qr", "hello", "-o", "a.svg"]);
    ok(
        dir.path(),
        &[
            "qr",
            "hello",
            "-o",
            "b.out",
            "--format",
            "svg",
            "--caption",
            "Scan me",
        ],
    );
    ok(
        dir.path(),
        &["qr", "hello", "-o", "c.out", "--preset", "print"],
    );
    for file in ["a.svg", "b.out", "c.out"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(text.starts_with("<svg"), "{file}: {}", &text[..40]);
    }
}

#[test]
fn json_output_says_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["qr", "hello", "-o", "h.png", "--json"]);
    let written: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(written["path"], "h.png");
    assert_eq!(written["format"], "png");
    assert_eq!(written["width_px"], 600);
    assert_eq!(written["ec"], "M");
    assert_eq!(written["variant"], "as_requested");
    assert!(written["degraded"].is_null());
    let size = std::fs::metadata(dir.path().join("h.png")).unwrap().len();
    assert_eq!(written["bytes"], size);
}

#[test]
fn an_existing_file_is_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("code.png");
    std::fs::write(&path, "old content").unwrap();
    ok(
        dir.path(),
        &["qr", "new text", "-o", "code.png", "--size", "300"],
    );
    assert_eq!(read_png(&path), vec!["new text".to_owned()]);
}

#[test]
fn link_qr_renders_the_stored_links_url_with_a_preset_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let created: Value = serde_json::from_str(&ok(
        dir.path(),
        &["link", "create", "--product", "7", "--json"],
    ))
    .unwrap();
    let (key, url) = (
        created["key"].as_str().unwrap(),
        created["url"].as_str().unwrap(),
    );
    assert!(url.starts_with("https://t.me/shop_bot?start="), "{url}");
    let logo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../qr/tests/fixtures/logo.jpg");
    let args = [
        "link",
        "qr",
        key,
        "-o",
        "link.png",
        "--preset",
        "brand",
        "--eyes",
        "square",
        "--fg",
        "#000",
        "--gradient",
        "linear",
        "--fg2",
        "#7c3aed",
        "--logo",
    ];
    let mut args = args.to_vec();
    let logo = logo.display().to_string();
    args.push(&logo);
    ok(dir.path(), &args);
    assert_eq!(read_png(&dir.path().join("link.png")), vec![url.to_owned()]);
}

#[test]
fn link_qr_without_a_bot_username_says_how_to_set_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = startlink(dir.path(), None, &["link", "create", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = created["key"].as_str().unwrap();
    let error = fails(dir.path(), None, &["link", "qr", key, "-o", "x.png"]);
    assert!(error.contains("BOT_USERNAME"), "{error}");
    assert!(!dir.path().join("x.png").exists());
}

#[test]
fn bad_input_is_one_line_naming_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let long = "z".repeat(4000);
    let cases: [(&[&str], &str); 7] = [
        (
            &["qr", "hi", "-o", "x.png", "--fg", "notacolour"],
            "--fg: invalid colour \"notacolour\"",
        ),
        (&["qr", "hi", "-o", "x.png", "--bg", "#12"], "--bg"),
        (
            &["qr", "hi", "-o", "x.png", "--fg", "#ddd"],
            "too close to the background",
        ),
        (
            &["qr", "hi", "-o", "x.png", "--logo", "no-such-logo.png"],
            "no-such-logo.png",
        ),
        (
            &["qr", "hi", "-o", "x.png", "--gradient", "radial"],
            "--gradient needs --fg2",
        ),
        (&["qr", &long, "-o", "x.png"], "too long"),
        (
            &["link", "qr", "NoSuchKey123", "-o", "x.png"],
            "no link with key",
        ),
    ];
    for (args, expected) in cases {
        let error = fails(dir.path(), Some("shop_bot"), args);
        assert!(error.contains(expected), "{args:?}: {error}");
        assert!(!dir.path().join("x.png").exists(), "{args:?} wrote a file");
    }
    std::fs::write(
        dir.path().join("broken.png"),
        b"\x89PNG\r\n\x1a\nnot really",
    )
    .unwrap();
    let error = fails(
        dir.path(),
        Some("shop_bot"),
        &["qr", "hi", "-o", "x.png", "--logo", "broken.png"],
    );
    assert!(error.contains("not a valid PNG"), "{error}");
    assert!(stray_files(dir.path()).is_empty());
}

#[test]
fn a_missing_output_directory_is_an_error_that_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let error = fails(
        dir.path(),
        Some("shop_bot"),
        &["qr", "hi", "-o", "no/such/dir/x.png"],
    );
    assert!(error.contains("cannot write no/such/dir/x.png"), "{error}");
}

#[test]
fn the_format_follows_the_file_name_and_unknown_endings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, extra, expected) in [
        ("q.gif", &[][..], "name it .png or .svg"),
        ("q.jpg", &["--format", "png"][..], "name it .png or .svg"),
        (
            "q.png",
            &["--format", "svg"][..],
            "ends in .png but --format is svg",
        ),
    ] {
        let mut args = vec!["qr", "https://t.me/shop_bot?start=abc", "-o", name];
        args.extend_from_slice(extra);
        let error = fails(d, None, &args);
        assert!(error.contains(expected), "{name} {extra:?}: {error}");
        assert!(!d.join(name).exists(), "{name} was not written");
    }
    ok(d, &["qr", "https://t.me/shop_bot?start=abc", "-o", "Q.SVG"]);
    let svg = std::fs::read_to_string(d.join("Q.SVG")).unwrap();
    assert!(svg.contains("<svg"), "an .SVG name gets SVG");
    ok(d, &["qr", "https://t.me/shop_bot?start=abc", "-o", "plain"]);
    let png = std::fs::read(d.join("plain")).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "no ending: the preset's PNG");
}
