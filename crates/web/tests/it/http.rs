//! What every response carries: security headers, closed CORS, body limits,
//! JSON errors; and the API's own documentation.

use serde_json::{Value, json};

use crate::helpers::{Backend, Options, json, spawn_app, spawn_app_with};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let admin = app.admin().await;
    let responses = [
        app.client
            .get(app.url("/api/v1/links"))
            .send()
            .await
            .unwrap(),
        app.get("/api/v1/links", &admin).await,
        app.client.get(app.url("/docs/")).send().await.unwrap(),
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
        app.client
            .get(app.url("/no/such/page"))
            .send()
            .await
            .unwrap(),
    ];
    for response in responses {
        let url = response.url().to_string();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe"),
            "{url}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{url}");
        assert_eq!(headers["x-frame-options"], "DENY", "{url}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{url}");
    }
}

#[tokio::test]
async fn cors_is_closed_unless_origins_are_listed() {
    let closed = spawn_app(Backend::Sqlite).await.unwrap();
    let open = spawn_app_with(
        Backend::Sqlite,
        Options {
            cors_origins: Some("https://shop.example".into()),
        },
    )
    .await
    .unwrap();
    let preflight = |app: &crate::helpers::TestApp, origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/links"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let answer = preflight(&closed, "https://shop.example").await.unwrap();
    assert!(
        answer
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let answer = preflight(&open, "https://shop.example").await.unwrap();
    assert_eq!(
        answer.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let answer = preflight(&open, "https://evil.example").await.unwrap();
    assert!(
        answer
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_json_errors() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let admin = app.admin().await;
    let huge = json!({"title": "x".repeat(100 * 1024)});
    let body = json(app.post("/api/v1/links", &admin, &huge).await, 413).await;
    assert_eq!(body["error"], "payload_too_large");
    let broken = app
        .client
        .post(app.url("/api/v1/links"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(json(broken, 400).await["error"], "bad_request");
    let no_type = app
        .client
        .post(app.url("/api/v1/links"))
        .bearer_auth(&admin)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(no_type.status(), 400);
}

#[tokio::test]
async fn the_openapi_document_and_swagger_ui_are_served_offline() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let document: Value = json(
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for path in [
        "/api/v1/links",
        "/api/v1/links/{key}/qr.png",
        "/api/v1/stats/timeseries",
        "/api/v1/events",
        "/api/v1/users",
    ] {
        assert!(
            document["paths"].get(path).is_some(),
            "{path} is not documented"
        );
    }
    let create = &document["paths"]["/api/v1/links"]["post"];
    let schema = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap();
    let fields =
        &document["components"]["schemas"][schema.rsplit('/').next().unwrap()]["properties"];
    assert!(
        fields.get("ttl").is_some() && fields.get("welcome_text").is_some(),
        "{fields}"
    );
    assert_eq!(
        document,
        serde_json::to_value(startlink_web::openapi()).unwrap()
    );

    let page = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap();
        assert!(
            tag.contains("src="),
            "inline script in the docs page: <script{tag}>"
        );
    }
    let initializer = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(initializer.status(), 200);
    assert!(
        initializer
            .text()
            .await
            .unwrap()
            .contains("/api/openapi.json")
    );
    let bundle = app
        .client
        .get(app.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bundle.status(),
        200,
        "Swagger UI is embedded, not fetched from a CDN"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_opens_by_outcome() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let admin = app.admin().await;
    let link = app.create_link(&admin, json!({"product_id": 1})).await;
    let key = link["key"].as_str().unwrap();
    for user in [1, 2] {
        startlink_core::links::open(
            &app.db,
            key,
            &crate::helpers::user(user),
            startlink_core::time::now(),
        )
        .await
        .unwrap();
    }
    app.get(&format!("/api/v1/links/{key}"), &admin).await;
    app.get("/api/v1/links/NoSuchKey123", &admin).await;
    let reader = app
        .api_token(&[startlink_core::admins::Scope::StatsRead])
        .await;
    let response = app.get("/metrics", &reader).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    for line in [
        "startlink_http_requests_total{method=\"POST\",route=\"/api/v1/links\",status=\"201\"} 1",
        "startlink_http_requests_total{method=\"GET\",route=\"/api/v1/links/{key}\",status=\"200\"} 1",
        "startlink_http_requests_total{method=\"GET\",route=\"/api/v1/links/{key}\",status=\"404\"} 1",
        "startlink_http_request_duration_seconds_count{route=\"/api/v1/links/{key}\"} 2",
        "startlink_link_opens_total{outcome=\"redeemed\"} 1",
        "startlink_link_opens_total{outcome=\"already_used\"} 1",
        "startlink_db_pool_connections{state=\"idle\"}",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert!(
        !text.contains("NoSuchKey123"),
        "raw paths never become labels"
    );
    let links_only = app
        .api_token(&[startlink_core::admins::Scope::LinksRead])
        .await;
    assert_eq!(app.get("/metrics", &links_only).await.status(), 403);
}
