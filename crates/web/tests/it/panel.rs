//! The panel's pages over HTTP: sessions in cookies, CSRF on every form,
//! everything a user typed shown escaped.

use reqwest::header::{COOKIE, LOCATION};
use startlink_core::admins::Role;
use startlink_core::links::{self, NewLink};

use crate::helpers::{PASSWORD, TestApp, set_cookie};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    pages_need_a_session_and_forms_need_the_csrf_token,
    user_text_is_escaped_on_every_page,
    the_dashboard_ranks_links_campaigns_and_referrers,
    the_exports_page_downloads_what_the_form_says,
}

async fn pages_need_a_session_and_forms_need_the_csrf_token(app: TestApp) {
    app.token_for("owner", Role::Admin).await;
    let browser = &app.browser;
    for path in ["/", "/links", "/links?page=2"] {
        let response = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()[LOCATION], "/login", "{path}");
        let forged = browser
            .get(app.url(path))
            .header(
                COOKIE,
                "startlink_session=eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 303, "{path} with a forged session");
    }

    let token = app.panel_csrf().await;
    let without = browser
        .post(app.url("/login"))
        .form(&[
            ("username", "owner"),
            ("password", PASSWORD),
            ("csrf", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403, "no CSRF cookie");
    assert!(set_cookie(&without, "startlink_session").is_none());
    let mismatched = browser
        .post(app.url("/login"))
        .header(COOKIE, format!("startlink_csrf={token}"))
        .form(&[("username", "owner"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(mismatched.status(), 403, "no CSRF field");
    let wrong = app
        .panel_login_form(&token, "owner", "not the password")
        .await;
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("wrong user name or password")
    );

    let (cookies, token) = app.panel_owner().await;
    let dashboard = app.panel_get(&cookies, "/").await;
    assert_eq!(dashboard.status(), 200);
    let headers = dashboard.headers().clone();
    let html = dashboard.text().await.unwrap();
    assert!(
        html.contains("Dashboard") && html.contains("<svg"),
        "{html}"
    );
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert!(!html.contains("<script"), "the panel has no scripts at all");
    for (range, shown) in [("24h", "24h"), ("30d", "30d"), ("90d", "90d"), ("", "7d")] {
        let page = app.panel_get(&cookies, &format!("/?range={range}")).await;
        assert_eq!(page.status(), 200, "{range}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains(&format!("<strong>{shown}</strong>")),
            "{range}"
        );
        assert!(html.contains("<svg"), "{range}");
    }

    let logout = app
        .panel_post_form(&cookies, "/logout", &[("csrf", "wrong")])
        .await;
    assert_eq!(logout.status(), 403);
    let logout = app
        .panel_post_form(&cookies, "/logout", &[("csrf", token.as_str())])
        .await;
    assert_eq!(logout.status(), 303);
    assert!(
        set_cookie(&logout, "startlink_session")
            .unwrap()
            .contains("Max-Age=0")
    );
    let css = browser
        .get(app.url("/assets/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

async fn user_text_is_escaped_on_every_page(app: TestApp) {
    app.token_for("owner", Role::Admin).await;
    let (cookies, _) = app.panel_owner().await;
    let hostile = r#"<script>alert("x")</script> & <img src=x onerror=alert(1)>"#;
    links::create(
        &app.db,
        NewLink {
            title: Some(hostile.into()),
            product_id: Some(1),
            ..Default::default()
        },
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    let page = app.panel_get(&cookies, "/links").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2f;script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );

    let search = "\"><script>alert(1)</script>";
    let encoded: String = search.bytes().map(|b| format!("%{b:02X}")).collect();
    let page = app
        .panel_get(&cookies, &format!("/links?search={encoded}"))
        .await;
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"value="&quot;&gt;&lt;script&gt;"#),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
}

#[tokio::test]
async fn the_users_page_lists_searches_and_escapes() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    app.token_for("owner", Role::Viewer).await;
    let link = links::create(
        &app.db,
        NewLink {
            kind: Some(links::LinkKind::Campaign),
            ..Default::default()
        },
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    let profile = startlink_core::users::TgProfile {
        username: Some("<i>ali</i>".into()),
        first_name: Some("Алишер & co".into()),
        language_code: Some("uz".into()),
        ..crate::helpers::user(4242)
    };
    links::open(
        &app.db,
        link.key.as_str(),
        &profile,
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    links::open(
        &app.db,
        link.key.as_str(),
        &crate::helpers::user(7),
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    let browser = &app.browser;
    let (cookies, _) = app.panel_owner().await;
    let page = app.panel_get(&cookies, "/users").await;
    assert_eq!(page.status(), 200, "viewers read users");
    let html = page.text().await.unwrap();
    assert!(html.contains("(2)") && html.contains("4242"), "{html}");
    assert!(
        html.contains("@&lt;i&gt;ali&lt;&#x2f;i&gt;") && html.contains("Алишер &amp; co"),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"href="/links/{}""#, link.key)),
        "the first link is linked"
    );
    let found = app
        .panel_get(&cookies, "/users?search=4242")
        .await
        .text()
        .await
        .unwrap();
    assert!(found.contains("(1)"), "{found}");
    let anonymous = browser.get(app.url("/users")).send().await.unwrap();
    assert_eq!(anonymous.status(), 303);
}

async fn the_dashboard_ranks_links_campaigns_and_referrers(app: TestApp) {
    app.token_for("owner", Role::Admin).await;
    let now = startlink_core::time::now();
    let campaign = links::create(
        &app.db,
        NewLink {
            kind: Some(links::LinkKind::Campaign),
            campaign: Some("Bahor <b>".into()),
            title: Some("Poster <i>".into()),
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    for id in [1, 2, 3] {
        links::open(
            &app.db,
            campaign.key.as_str(),
            &crate::helpers::user(id),
            now,
        )
        .await
        .unwrap();
    }
    let referral = links::referral_for(
        &app.db,
        startlink_core::users::TgUserId::new(1).unwrap(),
        now,
    )
    .await
    .unwrap();
    for id in [11, 12] {
        links::open(
            &app.db,
            referral.key.as_str(),
            &crate::helpers::user(id),
            now,
        )
        .await
        .unwrap();
    }
    let browser = &app.browser;
    let (cookies, _) = app.panel_owner().await;
    let html = app.panel_get(&cookies, "/").await.text().await.unwrap();
    let tops = html.split("class=\"tops\"").nth(1).unwrap();
    assert!(
        tops.contains("Poster &lt;i&gt;") && tops.contains("<td>3</td>"),
        "{tops}"
    );
    assert!(tops.contains("Bahor &lt;b&gt;"), "{tops}");
    assert!(tops.contains("<td>1</td><td>2 joined</td>"), "{tops}");
    assert!(!tops.contains("<b>") && !tops.contains("<i>"), "{tops}");

    // A custom range of days: the chart and the campaign ranking follow it.
    let today = startlink_core::time::now()
        .with_timezone(&chrono_tz::Asia::Tashkent)
        .date_naive();
    let get = |path: String| browser.get(app.url(&path)).header(COOKIE, &cookies).send();
    let custom = get(format!(
        "/?from={}&to={today}",
        today - chrono::Days::new(2)
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(custom.contains("Top campaigns (opens, custom)"), "{custom}");
    assert!(
        custom.contains("Bahor &lt;b&gt;"),
        "today's opens count: {custom}"
    );
    let before = get("/?from=2020-01-01&to=2020-01-31".into())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let tops = before.split("class=\"tops\"").nth(1).unwrap();
    assert!(!tops.contains("Bahor"), "no opens in January 2020: {tops}");
    let backwards = get(format!("/?from={today}&to=2020-01-01")).await.unwrap();
    assert_eq!(backwards.status(), 400);

    // "PDF report" follows the range shown.
    let href = custom
        .split("summary.pdf?")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a PDF report link on the dashboard")
        .replace("&amp;", "&");
    let pdf = get(format!("/reports/summary.pdf?{href}")).await.unwrap();
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
}

#[tokio::test]
async fn the_settings_page_shows_the_bot_the_database_and_the_time_zone() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    app.token_for("owner", Role::Viewer).await;
    let (cookies, _) = app.panel_owner().await;
    let page = app.panel_get(&cookies, "/settings").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for shown in [
        "@shop_bot",
        "SQLite",
        "Asia&#x2f;Tashkent",
        "12 hours",
        "none (closed)",
        "production",
    ] {
        assert!(html.contains(shown), "{shown} in {html}");
    }
    assert!(
        !html.contains(crate::helpers::JWT_SECRET),
        "no secret on the page"
    );
}

async fn the_exports_page_downloads_what_the_form_says(app: TestApp) {
    app.token_for("owner", Role::Admin).await;
    links::create(
        &app.db,
        NewLink {
            title: Some("<b>Choy</b>, \"yashil\"".into()),
            ..NewLink::default()
        },
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    let browser = &app.browser;
    let anonymous = browser
        .get(app.url("/exports/download?dataset=links&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303, "a session is needed");
    let (cookies, _) = app.panel_owner().await;
    let get = |path: &str| {
        browser
            .get(app.url(path))
            .header(COOKIE, cookies.clone())
            .send()
    };
    let page = get("/exports?dataset=links&status=active").await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"<option value="active" selected>"#),
        "{html}"
    );
    assert!(html.contains(r#"action="/exports/download""#), "{html}");

    let csv = get("/exports/download?dataset=links&format=csv&status=active&from=&bom=on")
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(
        csv.headers()["content-disposition"],
        "attachment; filename=\"links.csv\""
    );
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM was asked for");
    assert!(text.contains("\"<b>Choy</b>, \"\"yashil\"\"\""), "{text}");

    let bad = get("/exports/download?dataset=all&format=csv")
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("only as XLSX"));
}
