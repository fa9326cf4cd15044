//! `GET /api/v1/exports/…` streams the same bytes as the CLI's export for the
//! same filters, refuses bad requests before the first byte, and needs the
//! `exports:read` scope.

use chrono_tz::Asia::Tashkent;
use serde_json::json;
use startlink_core::admins::{Role, Scope};
use startlink_core::analytics::{Filter, SelectionText};
use startlink_core::links::BotUsername;
use startlink_core::{links, time};
use startlink_export::{Dataset, ExportRequest, Format};

use crate::helpers::{TestApp, json, user};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    csv_exports_stream_the_same_bytes_as_the_cli,
    bad_export_requests_are_refused_before_the_first_byte,
    exports_need_their_scope_and_viewers_have_it,
    the_pdf_report_is_served_for_a_period_and_refuses_bad_ones,
}

async fn some_data(app: &TestApp, admin: &str) -> String {
    let order = app
        .create_link(
            admin,
            json!({"product_id": 7, "title": "=HYPERLINK(\"http://x\")", "campaign": "bahor"}),
        )
        .await;
    let key = order["key"].as_str().unwrap().to_owned();
    for id in [1, 2] {
        links::open(&app.db, &key, &user(id), time::now())
            .await
            .unwrap();
    }
    key
}

async fn cli_bytes(
    app: &TestApp,
    dataset: Dataset,
    from: Option<&str>,
    links: SelectionText,
) -> Vec<u8> {
    let mut request = ExportRequest::new(dataset, Format::Csv, Tashkent, time::now());
    request.filter = Filter::from_text(from, None, &links, Tashkent).unwrap();
    request.link_builder = Some(startlink_core::links::LinkBuilder::new(
        BotUsername::parse("shop_bot").unwrap(),
    ));
    let mut out = Vec::new();
    startlink_export::export(&app.db, &request, &mut out, &mut |_| {})
        .await
        .unwrap();
    out
}

async fn csv_exports_stream_the_same_bytes_as_the_cli(app: TestApp) {
    let admin = app.admin().await;
    let key = some_data(&app, &admin).await;
    let response = app
        .get(
            "/api/v1/exports/events.csv?campaign=bahor&from=2020-01-01",
            &admin,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"events.csv\""
    );
    let body = response.bytes().await.unwrap();
    let expected = cli_bytes(
        &app,
        Dataset::Events,
        Some("2020-01-01"),
        SelectionText {
            campaign: Some("bahor".into()),
            ..SelectionText::default()
        },
    )
    .await;
    assert_eq!(body.as_ref(), expected.as_slice());
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(text.lines().count(), 3, "header and two opens: {text}");
    assert!(text.contains(&key), "{text}");

    let links = app.get("/api/v1/exports/links.csv", &admin).await;
    let text = links.text().await.unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "a formula-looking title is neutralised: {text}"
    );

    let workbook = app.get("/api/v1/exports/all.xlsx?lang=ru", &admin).await;
    assert_eq!(workbook.status(), 200);
    assert_eq!(
        workbook.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = workbook.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "a ZIP container");
    assert!(bytes.len() > 4_000, "{} bytes", bytes.len());
}

async fn bad_export_requests_are_refused_before_the_first_byte(app: TestApp) {
    let admin = app.admin().await;
    for path in [
        "/api/v1/exports/all.csv",
        "/api/v1/exports/links.csv?from=yesterday",
        "/api/v1/exports/links.csv?from=2026-02-01&to=2026-01-01",
        "/api/v1/exports/events.xlsx?campaign=no-such-campaign",
        "/api/v1/exports/events.xlsx?kind=poster",
        "/api/v1/exports/events.xlsx?status=lost",
        "/api/v1/exports/users.xlsx?lang=de",
        "/api/v1/exports/users.xlsx?creator=abc",
    ] {
        let body = json(app.get(path, &admin).await, 400).await;
        assert_eq!(body["error"], "bad_request", "{path}: {body}");
    }
    for path in [
        "/api/v1/exports/planets.csv",
        "/api/v1/exports/links.pdf",
        "/api/v1/exports/links",
    ] {
        json(app.get(path, &admin).await, 404).await;
    }
}

async fn exports_need_their_scope_and_viewers_have_it(app: TestApp) {
    let admin = app.admin().await;
    some_data(&app, &admin).await;
    let viewer = app.token_for("viewer1", Role::Viewer).await;
    assert_eq!(
        app.get("/api/v1/exports/links.csv", &viewer).await.status(),
        200
    );
    let stats_only = app.api_token(&[Scope::StatsRead]).await;
    let body = json(app.get("/api/v1/exports/links.csv", &stats_only).await, 403).await;
    assert!(
        body["message"].as_str().unwrap().contains("exports:read"),
        "{body}"
    );
    let exporter = app.api_token(&[Scope::ExportsRead]).await;
    assert_eq!(
        app.get("/api/v1/exports/campaigns.csv", &exporter)
            .await
            .status(),
        200
    );
}

async fn the_pdf_report_is_served_for_a_period_and_refuses_bad_ones(app: TestApp) {
    let admin = app.admin().await;
    some_data(&app, &admin).await;
    let viewer = app.token_for("viewer2", Role::Viewer).await;
    let response = app
        .get(
            "/api/v1/reports/summary.pdf?from=2026-01-01&lang=ru",
            &viewer,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"report-2026-01-01-"),
        "{disposition}"
    );
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    for path in [
        "/api/v1/reports/summary.pdf?from=yesterday",
        "/api/v1/reports/summary.pdf?from=2026-02-01&to=2026-01-01",
        "/api/v1/reports/summary.pdf?lang=de",
    ] {
        let body = json(app.get(path, &admin).await, 400).await;
        assert_eq!(body["error"], "bad_request", "{path}: {body}");
    }
    let stats_only = app.api_token(&[Scope::StatsRead]).await;
    json(
        app.get("/api/v1/reports/summary.pdf", &stats_only).await,
        403,
    )
    .await;
}
