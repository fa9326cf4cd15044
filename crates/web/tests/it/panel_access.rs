//! The admins and API tokens page: admins only, a token's secret shown once
//! and working with exactly its scopes, revocation, new admins.

use reqwest::header::COOKIE;
use startlink_core::admins::{self, Role};

use crate::helpers::TestApp;

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    tokens_and_admins_are_managed_from_the_panel_by_admins_only,
}

async fn tokens_and_admins_are_managed_from_the_panel_by_admins_only(app: TestApp) {
    app.token_for("owner", Role::Admin).await;
    let browser = &app.browser;
    let (cookies, csrf) = app.panel_owner().await;
    let page = app.panel_get(&cookies, "/admins").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("owner"));

    let hostile = "<b>shop</b> backend";
    let body = format!(
        "csrf={csrf}&name=%3Cb%3Eshop%3C%2Fb%3E+backend&scope=links%3Aread&scope=stats%3Aread"
    );
    let created = browser
        .post(app.url("/tokens"))
        .header(COOKIE, &cookies)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    assert_eq!(created.headers()["cache-control"], "no-store");
    let html = created.text().await.unwrap();
    let secret = html
        .split("<code class=\"secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(secret.starts_with("slk_"), "{secret}");
    assert!(
        html.contains("&lt;b&gt;shop&lt;&#x2f;b&gt; backend") && !html.contains("<b>shop"),
        "{html}"
    );
    let tokens = admins::list_tokens(&app.db).await.unwrap();
    assert_eq!(tokens[0].name, hostile);
    assert_eq!(tokens[0].scopes.len(), 2);

    assert_eq!(app.get("/api/v1/links", &secret).await.status(), 200);
    assert_eq!(
        app.get("/api/v1/stats/summary", &secret).await.status(),
        200
    );
    assert_eq!(
        app.post("/api/v1/links", &secret, &serde_json::json!({}))
            .await
            .status(),
        403
    );
    let listed = app
        .panel_get(&cookies, "/admins")
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(&secret), "the secret is shown once");

    let none = app
        .panel_post_form(
            &cookies,
            "/tokens",
            &[("csrf", csrf.as_str()), ("name", "no scopes")],
        )
        .await;
    assert_eq!(none.status(), 422);

    let id = tokens[0].id;
    let revoked = app
        .panel_post_form(
            &cookies,
            &format!("/tokens/{id}/revoke"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(revoked.status(), 303);
    assert_eq!(app.get("/api/v1/links", &secret).await.status(), 401);

    for (password, status) in [("admin123", 422), ("vivid otter ledger 73", 303)] {
        let response = app
            .panel_post_form(
                &cookies,
                "/admins",
                &[
                    ("csrf", csrf.as_str()),
                    ("username", "dilnoza"),
                    ("role", "viewer"),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(response.status(), status, "{password}");
    }
    let viewer = admins::find_admin(&app.db, "dilnoza")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(viewer.role, Role::Viewer);

    let (viewer_cookies, viewer_csrf) = app.panel_login("dilnoza", "vivid otter ledger 73").await;
    assert_eq!(
        app.panel_get(&viewer_cookies, "/admins").await.status(),
        403
    );
    let attempt = app
        .panel_post_form(
            &viewer_cookies,
            "/tokens",
            &[
                ("csrf", viewer_csrf.as_str()),
                ("name", "mine"),
                ("scope", "links:write"),
            ],
        )
        .await;
    assert_eq!(attempt.status(), 403);
    assert_eq!(admins::list_tokens(&app.db).await.unwrap().len(), 1);
    let nav = app
        .panel_get(&viewer_cookies, "/")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !nav.contains("href=\"/admins\""),
        "viewers are not offered the page"
    );
}
