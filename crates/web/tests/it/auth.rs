//! Who gets in: every documented route refuses anonymous callers, forged and
//! expired tokens, viewers' writes and tokens without the scope; logins are
//! throttled.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use reqwest::Method;
use serde_json::{Value, json};
use startlink_core::admins::{Role, Scope};

use crate::helpers::{Backend, JWT_SECRET, PASSWORD, TestApp, json, spawn_app};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    every_documented_route_but_login_refuses_anonymous_callers,
    a_viewer_reads_but_every_write_is_forbidden,
    api_tokens_do_what_their_scopes_say_until_revoked,
    login_takes_json_or_a_form_and_says_nothing_about_which_part_was_wrong,
}

/// Every operation of the served OpenAPI document, with `{key}` filled in.
async fn documented_operations(app: &TestApp, key: &str) -> Vec<(Method, String)> {
    let document: Value = json(
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            operations.push((method, path.replace("{key}", key)));
        }
    }
    operations
}

async fn a_key(app: &TestApp) -> String {
    let admin = app.token_for("keymaker", Role::Admin).await;
    let link = app.create_link(&admin, json!({"product_id": 1})).await;
    link["key"].as_str().unwrap().to_owned()
}

async fn every_documented_route_but_login_refuses_anonymous_callers(app: TestApp) {
    let key = a_key(&app).await;
    let operations = documented_operations(&app, &key).await;
    assert!(
        operations.len() >= 13,
        "the document lists too few routes: {operations:?}"
    );
    for (method, path) in operations {
        if path == "/api/v1/auth/login" {
            continue;
        }
        for bearer in [
            None,
            Some("garbage"),
            Some("slk_not-a-real-token-000000000000000000000"),
        ] {
            let response = app
                .request(method.clone(), &path, bearer, Some(&json!({})))
                .await;
            assert_eq!(response.status(), 401, "{method} {path} with {bearer:?}");
            assert_eq!(
                response.headers()["www-authenticate"],
                "Bearer",
                "{method} {path}"
            );
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"], "unauthorized", "{method} {path}");
        }
        let basic = app
            .client
            .request(method.clone(), app.url(&path))
            .basic_auth("owner", Some(PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(basic.status(), 401, "{method} {path} with Basic auth");
    }
}

async fn a_viewer_reads_but_every_write_is_forbidden(app: TestApp) {
    let key = a_key(&app).await;
    let viewer = app.token_for("viewer", Role::Viewer).await;
    let mut writes = 0;
    for (method, path) in documented_operations(&app, &key).await {
        // Logging out is no write; it would end the viewer's session here.
        if path == "/api/v1/auth/login" || path == "/api/v1/auth/logout" {
            continue;
        }
        // The one route with a required query parameter.
        let path = if path.ends_with("/stats/breakdown") {
            format!("{path}?by=kind")
        } else {
            path.replace("{file}", "links.csv")
        };
        let response = app
            .request(
                method.clone(),
                &path,
                Some(&viewer),
                Some(&json!({"title": "x"})),
            )
            .await;
        let admin_only = ["/api/v1/admins", "/api/v1/tokens", "/api/v1/audit"]
            .iter()
            .any(|prefix| path.starts_with(prefix));
        if admin_only {
            let body = json(response, 403).await;
            assert!(
                body["message"].as_str().unwrap().contains("viewer role"),
                "{method} {path}: {body}"
            );
        } else if method == Method::GET {
            assert_eq!(response.status(), 200, "{method} {path}");
        } else {
            writes += 1;
            let body = json(response, 403).await;
            assert_eq!(body["error"], "forbidden", "{method} {path}");
            assert!(
                body["message"].as_str().unwrap().contains("read-only"),
                "{body}"
            );
        }
    }
    assert!(writes >= 3, "create, edit and revoke are writes");
    let link = json(app.get(&format!("/api/v1/links/{key}"), &viewer).await, 200).await;
    assert_eq!(link["title"], Value::Null, "nothing was written");
    assert_eq!(link["status"], "active");
    let me = json(app.get("/api/v1/auth/me", &viewer).await, 200).await;
    assert_eq!(me["role"], "viewer");
    assert!(
        !me["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("links:write"))
    );
}

async fn api_tokens_do_what_their_scopes_say_until_revoked(app: TestApp) {
    let reader = app.api_token(&[Scope::LinksRead]).await;
    let writer = app.api_token(&[Scope::LinksWrite]).await;
    let stats = app
        .api_token(&[Scope::StatsRead, Scope::EventsRead, Scope::UsersRead])
        .await;

    let created = app.create_link(&writer, json!({"kind": "campaign"})).await;
    let key = created["key"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/links", &reader).await.status(), 200);
    assert_eq!(
        app.get(&format!("/api/v1/links/{key}/qr.svg"), &reader)
            .await
            .status(),
        200
    );
    assert_eq!(app.get("/api/v1/campaigns", &reader).await.status(), 200);
    for (token, method, path) in [
        (&reader, Method::POST, "/api/v1/links".to_owned()),
        (&reader, Method::POST, format!("/api/v1/links/{key}/revoke")),
        (&reader, Method::GET, "/api/v1/stats/summary".to_owned()),
        (&reader, Method::GET, "/api/v1/events".to_owned()),
        (&reader, Method::GET, "/api/v1/users".to_owned()),
        (&writer, Method::GET, "/api/v1/links".to_owned()),
        (&stats, Method::GET, format!("/api/v1/links/{key}")),
        (&stats, Method::PATCH, format!("/api/v1/links/{key}")),
    ] {
        let response = app
            .request(
                method.clone(),
                &path,
                Some(token),
                Some(&json!({"title": "x"})),
            )
            .await;
        let body = json(response, 403).await;
        assert!(
            body["message"].as_str().unwrap().contains("scope"),
            "{method} {path}: {body}"
        );
    }
    for path in [
        "/api/v1/stats/summary",
        "/api/v1/stats/timeseries",
        "/api/v1/events",
        "/api/v1/users",
    ] {
        assert_eq!(app.get(path, &stats).await.status(), 200, "{path}");
    }
    let me = json(app.get("/api/v1/auth/me", &reader).await, 200).await;
    assert_eq!(
        (me["kind"].as_str(), me["scopes"].clone()),
        (Some("token"), json!(["links:read"]))
    );

    let tokens = startlink_core::admins::list_tokens(&app.db).await.unwrap();
    startlink_core::admins::revoke_token(&app.db, tokens[0].id, startlink_core::time::now())
        .await
        .unwrap();
    assert_eq!(app.get("/api/v1/links", &reader).await.status(), 401);
}

async fn login_takes_json_or_a_form_and_says_nothing_about_which_part_was_wrong(app: TestApp) {
    app.token_for("owner", Role::Admin).await;
    let form = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .form(&[("username", "owner"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let body = json(form, 200).await;
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 12 * 3600);
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(
        json(app.get("/api/v1/auth/me", token).await, 200).await["name"],
        "owner"
    );

    let owner = startlink_core::admins::find_admin(&app.db, "owner")
        .await
        .unwrap()
        .unwrap();
    assert!(owner.last_login_at.is_some(), "the login is recorded");

    let wrong_password = json(app.login("owner", "not the password").await, 401).await;
    let wrong_user = json(app.login("nobody", PASSWORD).await, 401).await;
    assert_eq!(wrong_password, wrong_user);
    let malformed = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"username\": 1")
        .send()
        .await
        .unwrap();
    assert_eq!(json(malformed, 400).await["error"], "bad_request");
}

fn sign(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap()
}

#[tokio::test]
async fn forged_expired_and_tampered_jwts_are_refused() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let good = app.admin().await;
    app.token_for("second", Role::Viewer).await;
    assert_eq!(app.get("/api/v1/links", &good).await.status(), 200);
    let now = jsonwebtoken::get_current_timestamp();
    let parts: Vec<&str> = good.split('.').collect();
    let payload: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    let sid = payload["sid"].as_str().unwrap().to_owned();
    let claims = |sub: &str, exp: u64| json!({"sub": sub, "name": "owner", "sid": sid, "iat": now, "exp": exp});
    assert_eq!(payload["sub"], "1");
    let mut tampered = payload.clone();
    tampered["exp"] = json!(now + 10 * 365 * 86400);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        B64.encode(tampered.to_string()),
        parts[2]
    );
    let none_header = B64.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims("1", now + 3600),
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let cases = [
        (
            "alg none",
            format!(
                "{none_header}.{}.",
                B64.encode(claims("1", now + 3600).to_string())
            ),
        ),
        (
            "alg none with the old signature",
            format!("{none_header}.{}.{}", parts[1], parts[2]),
        ),
        (
            "wrong key",
            sign(
                &claims("1", now + 3600),
                b"another-secret-of-enough-length-1234",
            ),
        ),
        (
            "expired",
            sign(&claims("1", now - 120), JWT_SECRET.as_bytes()),
        ),
        (
            "no exp",
            sign(
                &json!({"sub": "1", "name": "owner", "iat": now}),
                JWT_SECRET.as_bytes(),
            ),
        ),
        ("tampered payload", tampered),
        (
            "unknown admin",
            sign(&claims("999", now + 3600), JWT_SECRET.as_bytes()),
        ),
        ("HS512 instead of HS256", hs512),
        (
            "another admin's session",
            sign(&claims("2", now + 3600), JWT_SECRET.as_bytes()),
        ),
        (
            "no session",
            sign(
                &json!({"sub": "1", "name": "owner", "iat": now, "exp": now + 3600}),
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "a session id nobody was given",
            sign(
                &json!({"sub": "1", "name": "owner", "sid": "x".repeat(26), "iat": now, "exp": now + 3600}),
                JWT_SECRET.as_bytes(),
            ),
        ),
        ("truncated", good[..good.len() - 3].to_owned()),
    ];
    for (what, token) in cases {
        let response = app.get("/api/v1/links", &token).await;
        assert_eq!(response.status(), 401, "{what}");
    }
    // The same forgery but properly signed, naming a live session of its
    // admin, proves the cases above fail for the stated reason.
    assert_eq!(
        app.get(
            "/api/v1/links",
            &sign(&claims("1", now + 3600), JWT_SECRET.as_bytes())
        )
        .await
        .status(),
        200
    );
}

fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .build()
        .unwrap()
}

async fn login_from(
    app: &TestApp,
    client: &reqwest::Client,
    user: &str,
    pass: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": user, "password": pass}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn five_failed_logins_a_minute_throttle_the_name_at_that_address_and_ten_the_address() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    app.token_for("owner", Role::Admin).await;
    app.token_for("other", Role::Admin).await;
    let attacker = client_from([127, 0, 0, 2]);
    for i in 0..5 {
        let response = login_from(&app, &attacker, "owner", &format!("guess {i}")).await;
        assert_eq!(response.status(), 401, "attempt {i}");
    }
    let blocked = login_from(&app, &attacker, "owner", PASSWORD).await;
    assert_eq!(blocked.status(), 429, "even the right password waits");
    let retry_after: u64 = blocked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(json(blocked, 429).await["error"], "too_many_requests");

    // The name is not locked for its owner at another address.
    let elsewhere = client_from([127, 0, 0, 3]);
    assert_eq!(
        login_from(&app, &elsewhere, "owner", PASSWORD)
            .await
            .status(),
        200
    );
    // The address may still try other names, up to ten failures in all.
    for i in 0..5 {
        let response = login_from(&app, &attacker, &format!("made-up-{i}"), "guess").await;
        assert_eq!(response.status(), 401, "name {i}");
    }
    assert_eq!(
        login_from(&app, &attacker, "other", PASSWORD)
            .await
            .status(),
        429
    );
    assert_eq!(
        login_from(&app, &elsewhere, "other", PASSWORD)
            .await
            .status(),
        200
    );
}
