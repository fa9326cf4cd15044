//! One vocabulary across the surfaces, run as a user would: a link shows the
//! same fields in the CLI's JSON, the API's JSON and the links export's
//! header, and a bad filter value reads the same from the CLI, the API and
//! the panel.

use std::collections::BTreeSet;
use std::process::Output;

use reqwest::StatusCode;
use serde_json::Value;

use crate::server::{ADMIN, Panel, Server};

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn keys(object: &Value) -> BTreeSet<String> {
    object
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {object}"))
        .keys()
        .cloned()
        .collect()
}

fn without(set: &BTreeSet<String>, extra: &[&str]) -> BTreeSet<String> {
    let mut rest = set.clone();
    for name in extra {
        assert!(rest.remove(*name), "{name} is missing from {set:?}");
    }
    rest
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_has_the_same_fields_in_the_clis_json_the_apis_json_and_the_export() {
    let server = Server::start().await;
    let token = server.api_token().await;
    let created = json_of(&server.run(&[
        "link",
        "create",
        "--kind",
        "campaign",
        "--campaign",
        "bahor",
        "--json",
    ]));
    let key = created["key"].as_str().unwrap().to_owned();
    let api = server
        .api_get(&token, &format!("/api/v1/links/{key}"))
        .await;
    let fields = keys(&api);
    assert!(fields.contains("referrer_id"), "{api}");

    assert_eq!(keys(&created), fields, "link create --json");
    let listed = json_of(&server.run(&["link", "list", "--json"]));
    assert_eq!(keys(&listed["links"][0]), fields, "link list --json");
    // `link show` adds the link's opens to the link; nothing else differs.
    let shown = json_of(&server.run(&["link", "show", &key, "--json"]));
    assert_eq!(
        without(&keys(&shown), &["events"]),
        fields,
        "link show --json"
    );
    let stats = json_of(&server.run(&["stats", "--json"]));
    assert_eq!(keys(&stats["recent"][0]), fields, "stats --json");

    // The export's columns are the same names; it has no columns of its own.
    const EXPORT_ONLY: [&str; 0] = [];
    let out = server.run(&["export", "links", "--format", "csv", "-o", "-"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let header: BTreeSet<String> = csv
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    assert_eq!(without(&header, &EXPORT_ONLY), fields, "the CSV header");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_kind_reads_the_same_from_the_cli_the_api_and_the_panel() {
    let server = Server::start().await;
    let message = r#"kind: "foo" is not one of order, campaign, referral"#;

    for args in [
        &["link", "list", "--kind", "foo"][..],
        &[
            "export", "links", "--format", "csv", "--kind", "foo", "-o", "-",
        ],
    ] {
        let out = server.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end(), format!("error: {message}"), "{args:?}");
    }
    let out = server.run(&["report", "--lang", "de", "-o", "r.pdf"]);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap().trim_end(),
        r#"error: lang: "de" is not one of uz, ru, en"#
    );

    let token = server.api_token().await;
    let api = server.api_get(&token, "/api/v1/links?kind=foo").await;
    assert_eq!(api["error"], "bad_request", "{api}");
    assert_eq!(api["message"], message, "{api}");

    let mut panel = Panel::login(&server, ADMIN).await;
    for path in ["/links?kind=foo", "/exports?kind=foo"] {
        let response = panel.get(path).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&message.replace('"', "&quot;")),
            "{path}: {html}"
        );
    }
}
