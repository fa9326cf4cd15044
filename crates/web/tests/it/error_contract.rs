//! One error contract (issue #13, items 6 and 7): every input error is 400
//! `bad_request` with a message starting with the field, whichever layer
//! refuses it; and the API's two papercuts (the summary's period, `all.csv`).

use serde_json::json;

use crate::helpers::{TestApp, json};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    input_errors_are_400_bad_request_naming_the_field,
    the_summary_reads_its_period_and_refuses_from_after_to,
    all_as_csv_is_refused_in_the_apis_words,
}

/// Rejections of axum's extractors (query, JSON, path) and the handlers'
/// own checks answer alike: 400, `bad_request`, the message starting with
/// the field.
async fn input_errors_are_400_bad_request_naming_the_field(app: TestApp) {
    let admin = app.admin().await;
    let link = app.create_link(&admin, json!({"title": "Errors"})).await;
    let key = link["key"].as_str().unwrap();
    let cases: Vec<(&str, reqwest::RequestBuilder)> = vec![
        ("page", app.client.get(app.url("/api/v1/links?page=abc"))),
        ("page", app.client.get(app.url("/api/v1/users?page=0"))),
        (
            "per_page",
            app.client.get(app.url("/api/v1/users?per_page=-1")),
        ),
        ("by", app.client.get(app.url("/api/v1/stats/breakdown"))),
        ("limit", app.client.get(app.url("/api/v1/events?limit=0"))),
        (
            "bucket",
            app.client
                .get(app.url("/api/v1/stats/timeseries?bucket=year")),
        ),
        (
            "from",
            app.client
                .get(app.url("/api/v1/stats/timeseries?from=2026-02-01&to=2026-01-01")),
        ),
        ("id", app.client.delete(app.url("/api/v1/tokens/abc"))),
        (
            "max_uses",
            app.client
                .post(app.url("/api/v1/links"))
                .json(&json!({"max_uses": "many"})),
        ),
        (
            "max_uses",
            app.client
                .post(app.url("/api/v1/links"))
                .json(&json!({"max_uses": 0})),
        ),
        (
            "nope",
            app.client
                .post(app.url("/api/v1/links"))
                .json(&json!({"nope": 1})),
        ),
        (
            "password",
            app.client
                .post(app.url("/api/v1/admins"))
                .json(&json!({"username": "someone"})),
        ),
        (
            "max_uses",
            app.client
                .patch(app.url(&format!("/api/v1/links/{key}")))
                .json(&json!({"max_uses": 0})),
        ),
    ];
    for (field, request) in cases {
        let response = request.bearer_auth(&admin).send().await.unwrap();
        let body = json(response, 400).await;
        assert_eq!(body["error"], "bad_request", "{field}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{field}: {message}"
        );
    }
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header(reqwest::header::CONTENT_TYPE, "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    let body = json(response, 400).await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Content-Type:"),
        "{body}"
    );
}

/// `GET /api/v1/stats/summary?from=…&to=…` counts in that period; `from`
/// after `to` is a 400 (issue #13, item 7).
async fn the_summary_reads_its_period_and_refuses_from_after_to(app: TestApp) {
    let admin = app.admin().await;
    app.create_link(&admin, json!({"title": "Counted"})).await;
    let all = json(app.get("/api/v1/stats/summary", &admin).await, 200).await;
    assert_eq!(all["links_total"], 1, "{all}");
    let past = json(
        app.get(
            "/api/v1/stats/summary?from=2000-01-01&to=2000-02-01",
            &admin,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(past["links_total"], 0, "{past}");
    let backwards = json(
        app.get(
            "/api/v1/stats/summary?from=2026-02-01&to=2026-01-01",
            &admin,
        )
        .await,
        400,
    )
    .await;
    assert_eq!(backwards["error"], "bad_request");
    assert!(
        backwards["message"].as_str().unwrap().starts_with("from:"),
        "{backwards}"
    );
}

/// `all.csv` tells an API caller what to ask for, not a CLI flag (issue #13,
/// item 7).
async fn all_as_csv_is_refused_in_the_apis_words(app: TestApp) {
    let admin = app.admin().await;
    let body = json(app.get("/api/v1/exports/all.csv", &admin).await, 400).await;
    let message = body["message"].as_str().unwrap();
    assert!(message.starts_with("file:"), "{message}");
    assert!(message.contains("all.xlsx"), "{message}");
    assert!(!message.contains("--format"), "{message}");
}
