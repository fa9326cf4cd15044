//! A value outside its vocabulary (kind, status, outcome, bucket, dimension,
//! language) reads the same on every route and on the panel: core's
//! `ParseError` as a 400, and the panel shows it instead of dropping it. The
//! API's link is core's `LinkView`, in its JSON and in its OpenAPI schema.

use std::collections::BTreeSet;

use reqwest::header::COOKIE;
use serde_json::{Value, json};
use startlink_core::admins::Role;
use startlink_core::links::LinkView;

use crate::helpers::{TestApp, json};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    every_route_refuses_a_value_outside_its_vocabulary_with_cores_message,
    the_panel_shows_a_bad_filter_value_as_an_error,
}

const KIND: &str = r#"kind: "foo" is not one of order, campaign, referral"#;
const STATUS: &str = r#"status: "gone" is not one of active, used, expired, revoked"#;
const LANG: &str = r#"lang: "de" is not one of uz, ru, en"#;

async fn every_route_refuses_a_value_outside_its_vocabulary_with_cores_message(app: TestApp) {
    let admin = app.admin().await;
    for (path, message) in [
        ("/api/v1/links?kind=foo", KIND),
        ("/api/v1/links?status=gone", STATUS),
        ("/api/v1/stats/funnel?status=gone", STATUS),
        ("/api/v1/stats/referrals?kind=foo", KIND),
        (
            "/api/v1/stats/breakdown?by=planet",
            r#"by: "planet" is not one of campaign, utm_source, utm_medium, utm_campaign, creator, kind, outcome"#,
        ),
        (
            "/api/v1/stats/timeseries?bucket=month",
            r#"bucket: "month" is not one of hour, day, week"#,
        ),
        (
            "/api/v1/events?outcome=won",
            r#"outcome: "won" is not one of redeemed, already_yours, accepted, already_used, expired, revoked, not_found, invalid"#,
        ),
        ("/api/v1/exports/links.csv?kind=foo", KIND),
        ("/api/v1/exports/events.xlsx?status=gone", STATUS),
        ("/api/v1/exports/users.xlsx?lang=de", LANG),
        ("/api/v1/reports/summary.pdf?lang=de", LANG),
    ] {
        let body = json(app.get(path, &admin).await, 400).await;
        assert_eq!(
            body,
            json!({ "error": "bad_request", "message": message }),
            "{path}"
        );
    }
    // The same names, any case and blanks around them, are accepted.
    json(
        app.get("/api/v1/links?kind=%20Campaign%20", &admin).await,
        200,
    )
    .await;
    json(
        app.get("/api/v1/events?outcome=already_used", &admin).await,
        200,
    )
    .await;
}

async fn the_panel_shows_a_bad_filter_value_as_an_error(app: TestApp) {
    app.token_for("owner", Role::Admin).await;
    let browser = &app.browser;
    let (cookies, _) = app.panel_owner().await;
    let page = |path: &'static str| {
        let request = browser.get(app.url(path)).header(COOKIE, &cookies);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let escaped = |message: &str| message.replace('"', "&quot;");
    for (path, message) in [
        ("/links?kind=foo", KIND),
        ("/links?status=gone", STATUS),
        (
            "/links?sort=random",
            r#"sort: "random" is not one of newest, oldest, most-used, expires-soonest"#,
        ),
        ("/exports?kind=foo", KIND),
        ("/exports?dataset=events&status=gone", STATUS),
        ("/exports?lang=de", LANG),
        ("/exports/download?dataset=links&format=csv&kind=foo", KIND),
        (
            "/?range=1y",
            r#"range: "1y" is not one of 24h, 7d, 30d, 90d"#,
        ),
    ] {
        let (status, html) = page(path).await;
        assert_eq!(status, 400, "{path}: {html}");
        assert!(html.contains(&escaped(message)), "{path}: {html}");
    }
    // "any" is the empty value, and the form's lists are the vocabularies.
    for path in [
        "/links?kind=&status=&sort=",
        "/exports?kind=&status=",
        "/?range=30d",
    ] {
        let (status, html) = page(path).await;
        assert_eq!(status, 200, "{path}: {html}");
    }
    let (_, html) = page("/exports").await;
    for name in ["referral", "revoked", "en"] {
        assert!(
            html.contains(&format!(r#"value="{name}""#)),
            "{name}: {html}"
        );
    }
}

fn keys(object: &Value) -> BTreeSet<String> {
    object
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {object}"))
        .keys()
        .cloned()
        .collect()
}

/// The API's link JSON, its OpenAPI schema and the links export's CSV header
/// are `LinkView`'s fields (the CLI's JSON is compared in the binary's tests).
#[tokio::test]
async fn the_apis_link_its_schema_and_the_csv_header_are_the_link_view() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let admin = app.admin().await;
    let fields: BTreeSet<String> = LinkView::FIELDS.iter().map(|f| f.to_string()).collect();
    let created = app
        .create_link(&admin, json!({ "kind": "campaign", "campaign": "bahor" }))
        .await;
    assert_eq!(keys(&created), fields, "POST /api/v1/links");
    let key = created["key"].as_str().unwrap();
    let shown = json(app.get(&format!("/api/v1/links/{key}"), &admin).await, 200).await;
    assert_eq!(keys(&shown), fields, "GET /api/v1/links/{{key}}");
    let listed = json(app.get("/api/v1/links", &admin).await, 200).await;
    assert_eq!(keys(&listed["links"][0]), fields, "GET /api/v1/links");

    let document = json(
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let schema = &document["components"]["schemas"]["Link"];
    assert_eq!(keys(&schema["properties"]), fields, "the schema: {schema}");
    let required: BTreeSet<String> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap().to_owned())
        .collect();
    let always = ["key", "kind", "status", "use_count", "created_at", "attrs"];
    assert_eq!(
        required,
        always.iter().map(|f| f.to_string()).collect(),
        "the rest may be null: {schema}"
    );
    for route in ["/api/v1/links/{key}", "/api/v1/links/{key}/revoke"] {
        let operation = &document["paths"][route];
        let text = operation.to_string();
        assert!(
            text.contains("#/components/schemas/Link\""),
            "{route}: {text}"
        );
    }

    let csv = app.get("/api/v1/exports/links.csv", &admin).await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header,
        LinkView::FIELDS,
        "the links export's columns, in order"
    );
}
