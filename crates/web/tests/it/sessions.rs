//! Issue #12 over HTTP: logging out, a new password, disabling or deleting
//! an admin end sessions at once; CSRF tokens are bound to the session and
//! foreign origins refused; weak passwords and invisible characters in user
//! names are refused; every write leaves an audit row.

use reqwest::header::{COOKIE, LOCATION, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use startlink_core::admins::Role;

use crate::helpers::{PASSWORD, TestApp, json};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    logout_ends_the_access_token_at_once,
    the_panel_logout_ends_the_cookie_at_once,
    a_new_password_disable_or_delete_ends_every_session_of_that_admin,
    a_csrf_token_of_another_session_or_a_foreign_origin_is_refused,
    weak_passwords_and_invisible_characters_in_user_names_are_refused,
    api_writes_and_logins_leave_audit_rows,
    panel_writes_leave_audit_rows,
    only_the_admin_role_manages_admins_tokens_and_reads_the_audit_log,
    token_listing_shows_when_each_was_last_used,
}

async fn me(app: &TestApp, bearer: &str) -> StatusCode {
    app.get("/api/v1/auth/me", bearer).await.status()
}

async fn logout_ends_the_access_token_at_once(app: TestApp) {
    let first = app.admin().await;
    let second = app.login("owner", PASSWORD).await;
    let second: Value = json(second, 200).await;
    let second = second["access_token"].as_str().unwrap().to_owned();
    assert_eq!(me(&app, &first).await, 200);
    let out = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&first), None)
        .await;
    assert_eq!(out.status(), 204);
    assert_eq!(me(&app, &first).await, 401, "the old JWT no longer works");
    assert_eq!(
        me(&app, &second).await,
        200,
        "another login of the same admin lives on"
    );
    let again = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&first), None)
        .await;
    assert_eq!(again.status(), 401);
}

async fn the_panel_logout_ends_the_cookie_at_once(app: TestApp) {
    app.admin().await;
    let (cookies, csrf) = app.panel_owner().await;
    let logout = app
        .panel_post_form(&cookies, "/logout", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(logout.status(), 303);
    let old = app.panel_get(&cookies, "/").await;
    assert_eq!(old.status(), 303, "the old cookie opens nothing");
    assert_eq!(old.headers()[LOCATION], "/login");
}

async fn a_new_password_disable_or_delete_ends_every_session_of_that_admin(app: TestApp) {
    let owner = app.admin().await;
    for step in ["password", "disable", "delete"] {
        let bek = app.token_for(&format!("bek-{step}"), Role::Admin).await;
        let (cookies, _) = app.panel_login(&format!("bek-{step}"), PASSWORD).await;
        let path = format!("/api/v1/admins/bek-{step}");
        let response = match step {
            "password" => {
                app.request(
                    Method::PUT,
                    &format!("{path}/password"),
                    Some(&owner),
                    Some(&json!({ "password": "quartz meadow signal 904" })),
                )
                .await
            }
            "disable" => {
                app.post(&format!("{path}/disable"), &owner, &json!({}))
                    .await
            }
            _ => app.request(Method::DELETE, &path, Some(&owner), None).await,
        };
        assert!(
            response.status().is_success(),
            "{step}: {}",
            response.text().await.unwrap()
        );
        assert_eq!(me(&app, &bek).await, 401, "{step}: the JWT died");
        let panel = app.panel_get(&cookies, "/").await;
        assert_eq!(panel.status(), 303, "{step}: the panel cookie died");
        assert_eq!(
            me(&app, &owner).await,
            200,
            "{step}: other admins keep theirs"
        );
    }
    assert_eq!(
        app.login("bek-disable", PASSWORD).await.status(),
        401,
        "a disabled admin cannot log in"
    );
    assert_eq!(app.login("bek-delete", PASSWORD).await.status(), 401);
    assert_eq!(
        app.login("bek-password", "quartz meadow signal 904")
            .await
            .status(),
        200
    );
    let enabled = app
        .post("/api/v1/admins/bek-disable/enable", &owner, &json!({}))
        .await;
    assert_eq!(enabled.status(), 200);
    assert_eq!(app.login("bek-disable", PASSWORD).await.status(), 200);
}

async fn a_csrf_token_of_another_session_or_a_foreign_origin_is_refused(app: TestApp) {
    app.admin().await;
    let browser = &app.browser;
    let (_, csrf_a) = app.panel_owner().await;
    let (cookies_b, csrf_b) = app.panel_owner().await;
    assert_ne!(csrf_a, csrf_b, "each session has its own token");
    let create = |cookies: String, csrf: String, origin: Option<&'static str>| {
        let mut request = browser
            .post(app.url("/links"))
            .header(COOKIE, cookies)
            .form(&[
                ("csrf", csrf.as_str()),
                ("product_id", "5"),
                ("order_log_id", "6"),
            ]);
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        request.send()
    };
    let crossed = create(cookies_b.clone(), csrf_a.clone(), None)
        .await
        .unwrap();
    assert_eq!(crossed.status(), 403, "a token from another session");
    let short = create(cookies_b.clone(), csrf_b[..1].to_owned(), None)
        .await
        .unwrap();
    assert_eq!(short.status(), 403, "one character of the token");
    let foreign = create(
        cookies_b.clone(),
        csrf_b.clone(),
        Some("https://evil.example"),
    )
    .await
    .unwrap();
    assert_eq!(
        foreign.status(),
        403,
        "a foreign Origin, even with the right token"
    );
    let own_origin: &'static str = Box::leak(app.base.clone().into_boxed_str());
    let ok = create(cookies_b.clone(), csrf_b.clone(), Some(own_origin))
        .await
        .unwrap();
    assert_eq!(ok.status(), 303, "the panel's own origin");
    let no_origin = create(cookies_b, csrf_b, None).await.unwrap();
    assert_eq!(no_origin.status(), 303, "without Origin the token decides");

    let token = app.panel_csrf().await;
    let foreign_login = browser
        .post(app.url("/login"))
        .header(COOKIE, format!("startlink_csrf={token}"))
        .header(ORIGIN, "https://evil.example")
        .form(&[
            ("username", "owner"),
            ("password", PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_login.status(), 403, "login from a foreign page");
    let short_login = browser
        .post(app.url("/login"))
        .header(COOKIE, "startlink_csrf=x")
        .form(&[("username", "owner"), ("password", PASSWORD), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(short_login.status(), 403, "a one-character login token");
}

async fn weak_passwords_and_invisible_characters_in_user_names_are_refused(app: TestApp) {
    let owner = app.admin().await;
    let add = async |username: &str, password: &str| {
        let body = json!({ "username": username, "password": password, "role": "viewer" });
        app.post("/api/v1/admins", &owner, &body).await
    };
    for weak in [
        "qwertyuiop12",
        "P@ssw0rd1234",
        "abcdefghijkl",
        "dilnoza-karimova",
    ] {
        let body = json(add("dilnoza-karimova", weak).await, 400).await;
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("the password"),
            "{weak}: {body}"
        );
    }
    json(add("Spring", "vivid otter ledger 73").await, 201).await;
    for invisible in ["Spring\u{200B}", "Spring\u{200F}", "Spr\u{202E}ing"] {
        let body = json(add(invisible, "vivid otter ledger 73").await, 400).await;
        assert!(
            body["message"].as_str().unwrap().contains("invisible"),
            "{invisible:?}: {body}"
        );
    }
    json(add("Jose\u{0301}", "vivid otter ledger 73").await, 201).await;
    let again = add("Jos\u{00E9}", "vivid otter ledger 73").await;
    assert_eq!(again.status(), 409, "the NFC spelling is the same name");
}

async fn audit(app: &TestApp, bearer: &str, query: &str) -> Vec<Value> {
    let body = json(app.get(&format!("/api/v1/audit{query}"), bearer).await, 200).await;
    body["entries"].as_array().unwrap().clone()
}

fn actions(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

async fn api_writes_and_logins_leave_audit_rows(app: TestApp) {
    let owner = app.admin().await;
    assert_eq!(app.login("owner", "wrong password!").await.status(), 401);
    let link = app
        .create_link(&owner, json!({ "product_id": 1, "order_log_id": 2 }))
        .await;
    let key = link["key"].as_str().unwrap();
    app.patch(
        &format!("/api/v1/links/{key}"),
        &owner,
        &json!({ "title": "x" }),
    )
    .await;
    app.post(&format!("/api/v1/links/{key}/revoke"), &owner, &json!({}))
        .await;
    let export = app.get("/api/v1/exports/links.csv", &owner).await;
    assert_eq!(export.status(), 200);
    export.bytes().await.unwrap();
    let token = app
        .post(
            "/api/v1/tokens",
            &owner,
            &json!({ "name": "shop", "scopes": ["links:write"] }),
        )
        .await;
    let token: Value = json(token, 201).await;
    let secret = token["token_secret"].as_str().unwrap().to_owned();
    app.create_link(&secret, json!({ "product_id": 3, "order_log_id": 4 }))
        .await;
    app.request(
        Method::DELETE,
        &format!("/api/v1/tokens/{}", token["id"]),
        Some(&owner),
        None,
    )
    .await;
    app.post(
        "/api/v1/admins",
        &owner,
        &json!({ "username": "bek", "password": "vivid otter ledger 73" }),
    )
    .await;
    let entries = audit(&app, &owner, "?limit=50").await;
    assert_eq!(
        actions(&entries),
        [
            "admin.create",
            "token.revoke",
            "link.create",
            "token.create",
            "export.download",
            "link.revoke",
            "link.update",
            "link.create",
            "auth.login_failed",
            "auth.login",
        ]
    );
    let by_token = &entries[2];
    assert_eq!(
        (
            by_token["actor_kind"].as_str(),
            by_token["actor_name"].as_str()
        ),
        (Some("token"), Some("shop"))
    );
    assert_eq!(entries[7]["object_key"].as_str(), Some(key));
    assert_eq!(entries[7]["address"].as_str(), Some("127.0.0.1"));
    assert_eq!(entries[8]["actor_name"].as_str(), Some("owner"));
    let links_only = audit(&app, &owner, "?action=link&actor=owner").await;
    assert_eq!(
        actions(&links_only),
        ["link.revoke", "link.update", "link.create"]
    );
    let logout = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&owner), None)
        .await;
    assert_eq!(logout.status(), 204);
    let fresh = app.login("owner", PASSWORD).await;
    let fresh: Value = json(fresh, 200).await;
    let fresh = fresh["access_token"].as_str().unwrap();
    let last = audit(&app, fresh, "?limit=2").await;
    assert_eq!(actions(&last), ["auth.login", "auth.logout"]);
}

async fn panel_writes_leave_audit_rows(app: TestApp) {
    let owner = app.admin().await;
    let browser = &app.browser;
    let (cookies, csrf) = app.panel_owner().await;
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let mut form = fields;
        form.push(("csrf", csrf.clone()));
        browser
            .post(app.url(path))
            .header(COOKIE, &cookies)
            .form(&form)
            .send()
    };
    let created = post(
        "/links",
        vec![("product_id", "5".into()), ("order_log_id", "6".into())],
    )
    .await
    .unwrap();
    assert_eq!(created.status(), 303);
    let added = post(
        "/admins",
        vec![
            ("username", "bek".into()),
            ("role", "viewer".into()),
            ("password", "vivid otter ledger 73".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(added.status(), 303);
    let changed = post(
        "/admins/manage",
        vec![
            ("username", "bek".into()),
            ("action", "password".into()),
            ("password", "quartz meadow signal 904".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(changed.status(), 303);
    let disabled = post(
        "/admins/manage",
        vec![("username", "bek".into()), ("action", "disable".into())],
    )
    .await
    .unwrap();
    assert_eq!(disabled.status(), 303);
    let entries = audit(&app, &owner, "?actor=owner&limit=4").await;
    assert_eq!(
        actions(&entries),
        [
            "admin.disable",
            "admin.password",
            "admin.create",
            "link.create"
        ]
    );
    let page = app.panel_get(&cookies, "/audit?action=admin").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<td>admin.disable</td>") && !html.contains("<td>link.create</td>"),
        "{html}"
    );
}

async fn only_the_admin_role_manages_admins_tokens_and_reads_the_audit_log(app: TestApp) {
    let viewer = app.token_for("dilnoza", Role::Viewer).await;
    let token = app.api_token(&startlink_core::admins::Scope::ALL).await;
    for bearer in [&viewer, &token] {
        for path in ["/api/v1/audit", "/api/v1/admins", "/api/v1/tokens"] {
            assert_eq!(app.get(path, bearer).await.status(), 403, "{path}");
        }
        let add = app
            .post(
                "/api/v1/admins",
                bearer,
                &json!({ "username": "x", "password": "vivid otter ledger 73" }),
            )
            .await;
        assert_eq!(add.status(), 403);
    }
}

async fn token_listing_shows_when_each_was_last_used(app: TestApp) {
    let owner = app.admin().await;
    let secret = app
        .api_token(&[startlink_core::admins::Scope::LinksRead])
        .await;
    let before = json(app.get("/api/v1/tokens", &owner).await, 200).await;
    assert_eq!(before[0]["last_used_at"], Value::Null);
    assert_eq!(app.get("/api/v1/links", &secret).await.status(), 200);
    let after = json(app.get("/api/v1/tokens", &owner).await, 200).await;
    assert!(after[0]["last_used_at"].is_string(), "{after}");
    assert!(after[0].get("token_hash").is_none());
}
