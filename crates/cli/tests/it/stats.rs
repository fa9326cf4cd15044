//! `startlink stats --json` shows what the analytics API computes for the
//! same data: the same functions as the dashboard's cards and `/stats`.

use std::process::Command;

use serde_json::Value;
use startlink_core::analytics::{self, Filter, LinkSelection};
use startlink_core::config::DatabaseUrl;

fn startlink(url: &str, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_startlink"))
        .args(args)
        .env_clear()
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

#[tokio::test]
async fn stats_json_equals_the_analytics_figures() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("stats.db").display()
    );
    let demo = [
        "demo-data",
        "--links",
        "80",
        "--events",
        "600",
        "--days",
        "30",
    ];
    startlink(&url, &demo);
    // Demo links have no creator: an operator's own links, one revoked.
    for kind in ["order", "campaign"] {
        let args = [
            "link",
            "create",
            "--kind",
            kind,
            "--created-by",
            "4242",
            "--json",
        ];
        startlink(&url, &args);
    }
    let key = startlink(&url, &["link", "create", "--created-by", "4242", "--json"]);
    startlink(&url, &["link", "revoke", key["key"].as_str().unwrap()]);
    let all = startlink(&url, &["stats", "--json", "--recent", "0"]);
    let per_creator = startlink(&url, &["stats", "--by-creator", "--json"]);
    let creator = per_creator
        .as_array()
        .unwrap()
        .iter()
        .find_map(|row| row["created_by"].as_i64())
        .expect("a link made by an operator");
    let mine = startlink(
        &url,
        &["stats", "--json", "--created-by", &creator.to_string()],
    );

    let (parsed, _) = DatabaseUrl::parse(&url).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    let now = startlink_core::time::now();
    for (shown, selection) in [
        (&all, LinkSelection::default()),
        (&mine, LinkSelection::created_by(creator)),
    ] {
        let everything = analytics::summary(&db, &Filter::of(selection.clone()), now)
            .await
            .unwrap();
        let week = Filter::past_week(now).with_links(selection.clone());
        let week = analytics::summary(&db, &week, now).await.unwrap();
        let field = |name: &str| shown[name].as_i64().unwrap();
        let context = format!("{selection:?}: {shown}");
        assert!(everything.links_created > 0, "{context}");
        assert_eq!(field("total"), everything.links_created, "{context}");
        assert_eq!(field("active"), everything.links_active, "{context}");
        assert_eq!(field("used"), everything.links_used, "{context}");
        assert_eq!(field("expired"), everything.links_expired, "{context}");
        assert_eq!(field("revoked"), everything.links_revoked, "{context}");
        assert_eq!(
            field("opens"),
            everything.opens_by_outcome.of_links(),
            "{context}"
        );
        assert_eq!(
            field("opens_7d"),
            week.opens_by_outcome.of_links(),
            "{context}"
        );
    }
    assert!(all["recent"].as_array().unwrap().is_empty(), "--recent 0");
    let rows = per_creator.as_array().unwrap();
    let sum = |name: &str| rows.iter().map(|r| r[name].as_i64().unwrap()).sum::<i64>();
    for name in [
        "total", "active", "used", "expired", "revoked", "opens", "opens_7d",
    ] {
        assert_eq!(sum(name), all[name].as_i64().unwrap(), "{name} per creator");
    }
    let row = rows.iter().find(|r| r["created_by"] == creator).unwrap();
    for name in ["total", "opens", "opens_7d"] {
        assert_eq!(row[name], mine[name], "{name} of creator {creator}");
    }
}
