//! The panel's link pages: create through the form, the detail with its QR
//! code and opens, edit, revoke; viewers and forged forms change nothing.

use reqwest::header::{COOKIE, LOCATION};
use startlink_core::admins::{self, Password, Role, Username};
use startlink_core::links;

use crate::helpers::{PASSWORD, TestApp, user};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    a_link_is_created_shown_edited_and_revoked_through_forms,
    viewers_and_forms_without_the_token_change_nothing,
    the_links_list_filters_by_kind_campaign_creator_and_sorts,
}

async fn a_link_is_created_shown_edited_and_revoked_through_forms(app: TestApp) {
    app.token_for("owner", Role::Admin).await;
    let browser = &app.browser;
    let (cookies, csrf) = app.panel_owner().await;
    let form = app.panel_get(&cookies, "/links/new").await;
    assert_eq!(form.status(), 200);
    assert!(form.text().await.unwrap().contains(r#"action="/links""#));

    let hostile = "<b>Bahor</b> & \"sale\"";
    let bad = app
        .panel_post_form(
            &cookies,
            "/links",
            &[
                ("csrf", csrf.as_str()),
                ("kind", "order"),
                ("product_id", "12x"),
                ("title", hostile),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("product_id") && html.contains("&lt;b&gt;Bahor"),
        "the form comes back filled and escaped"
    );

    let created = app
        .panel_post_form(
            &cookies,
            "/links",
            &[
                ("csrf", csrf.as_str()),
                ("kind", "order"),
                ("product_id", "123"),
                ("order_log_id", "9876"),
                ("title", hostile),
                ("welcome_text", "Xush kelibsiz!\n<i>2-qator</i>"),
                ("ttl", "7d"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let location = created.headers()[LOCATION].to_str().unwrap().to_owned();
    let key = location.trim_start_matches("/links/").to_owned();
    let stored = links::find(&app.db, &links::LinkKey::parse(&key).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.title.as_deref(), Some(hostile), "stored byte-exact");
    assert_eq!(stored.max_uses, Some(1));

    links::open(&app.db, &key, &user(77), startlink_core::time::now())
        .await
        .unwrap();
    let detail = app.panel_get(&cookies, &location).await;
    assert_eq!(detail.status(), 200);
    let html = detail.text().await.unwrap();
    assert!(
        html.contains("&lt;b&gt;Bahor&lt;&#x2f;b&gt; &amp; &quot;sale&quot;"),
        "{html}"
    );
    assert!(html.contains("&lt;i&gt;2-qator&lt;&#x2f;i&gt;"), "{html}");
    assert!(
        !html.contains("<b>Bahor") && !html.contains("<i>2-qator"),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"src="/links/{key}/qr.svg""#)),
        "{html}"
    );
    assert!(
        html.contains("redeemed") && html.contains("77"),
        "the open is listed: {html}"
    );

    let svg = app
        .panel_get(&cookies, &format!("/links/{key}/qr.svg"))
        .await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let png = app
        .panel_get(&cookies, &format!("/links/{key}/qr.png?size=300"))
        .await;
    assert_eq!(png.headers()["content-type"], "image/png");
    let anonymous = browser
        .get(app.url(&format!("/links/{key}/qr.png")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303, "no session, no QR");

    let edited = app
        .panel_post_form(
            &cookies,
            &format!("/links/{key}/edit"),
            &[
                ("csrf", csrf.as_str()),
                ("title", "Yangi"),
                ("welcome_text", ""),
                ("expires_at", ""),
                ("max_uses", "3"),
            ],
        )
        .await;
    assert_eq!(edited.status(), 303);
    let stored = links::find(&app.db, &stored.key).await.unwrap().unwrap();
    assert_eq!(
        (stored.title.as_deref(), stored.welcome_text.as_deref()),
        (Some("Yangi"), None)
    );
    assert_eq!((stored.expires_at, stored.max_uses), (None, Some(3)));
    let too_few = app
        .panel_post_form(
            &cookies,
            &format!("/links/{key}/edit"),
            &[
                ("csrf", csrf.as_str()),
                ("title", "Yangi"),
                ("max_uses", "0"),
            ],
        )
        .await;
    assert_eq!(too_few.status(), 422);
    assert!(too_few.text().await.unwrap().contains("max_uses"));

    let revoked = app
        .panel_post_form(
            &cookies,
            &format!("/links/{key}/revoke"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(revoked.status(), 303);
    let stored = links::find(&app.db, &stored.key).await.unwrap().unwrap();
    assert!(stored.revoked_at.is_some());
    let html = app
        .panel_get(&cookies, &location)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("/revoke\""),
        "no revoke button on a revoked link"
    );
}

async fn viewers_and_forms_without_the_token_change_nothing(app: TestApp) {
    admins::create_admin(
        &app.db,
        &Username::parse("owner").unwrap(),
        &Password::parse(PASSWORD, &Username::parse("owner").unwrap()).unwrap(),
        Role::Viewer,
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    let link = links::create(
        &app.db,
        links::NewLink {
            product_id: Some(1),
            ..Default::default()
        },
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    let key = link.key.as_str();
    let browser = &app.browser;
    let (cookies, csrf) = app.panel_owner().await;
    let detail = app.panel_get(&cookies, &format!("/links/{key}")).await;
    assert_eq!(detail.status(), 200, "a viewer reads");
    assert!(
        !detail.text().await.unwrap().contains("/revoke"),
        "and sees no write forms"
    );
    for (path, form) in [
        (
            "/links".to_owned(),
            vec![("csrf", csrf.as_str()), ("product_id", "5")],
        ),
        (
            format!("/links/{key}/edit"),
            vec![("csrf", csrf.as_str()), ("title", "x")],
        ),
        (
            format!("/links/{key}/revoke"),
            vec![("csrf", csrf.as_str())],
        ),
    ] {
        let response = app.panel_post_form(&cookies, &path, &form).await;
        assert_eq!(response.status(), 403, "viewer {path}");
        let forged = browser
            .post(app.url(&path))
            .header(
                COOKIE,
                cookies.replace(&csrf, "0123456789abcdef0123456789abcdef"),
            )
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403, "wrong CSRF {path}");
    }
    let stored = links::find(&app.db, &link.key).await.unwrap().unwrap();
    assert_eq!((stored.title, stored.revoked_at), (None, None));
    let denied = app
        .panel_post_form(
            &cookies,
            "/links",
            &[("csrf", csrf.as_str()), ("product_id", "5")],
        )
        .await;
    assert_eq!(denied.headers()["content-type"], "text/html; charset=utf-8");
    assert!(denied.text().await.unwrap().contains("read-only"));
    let missing = app.panel_get(&cookies, "/links/No_Such_Key<1>").await;
    assert_eq!(missing.status(), 404);
    let html = missing.text().await.unwrap();
    assert!(
        html.contains("no link with key No_Such_Key&lt;1&gt;"),
        "{html}"
    );
    let all = links::list(&app.db, &Default::default(), startlink_core::time::now())
        .await
        .unwrap();
    assert_eq!(all.total, 1);
}

async fn the_links_list_filters_by_kind_campaign_creator_and_sorts(app: TestApp) {
    use startlink_core::links::{LinkKind, NewLink};
    app.token_for("owner", Role::Admin).await;
    let now = startlink_core::time::now();
    for (title, kind, campaign, creator) in [
        ("Alpha order", LinkKind::Order, None, Some(11)),
        ("Beta poster", LinkKind::Campaign, Some("bahor"), Some(12)),
        ("Gamma poster", LinkKind::Campaign, Some("kuz"), Some(11)),
    ] {
        links::create(
            &app.db,
            NewLink {
                kind: Some(kind),
                title: Some(title.into()),
                campaign: campaign.map(str::to_owned),
                created_by: creator,
                ..NewLink::default()
            },
            now,
        )
        .await
        .unwrap();
    }
    let browser = &app.browser;
    let (cookies, _) = app.panel_owner().await;
    let page = |query: &'static str| {
        let request = browser
            .get(app.url(&format!("/links?{query}")))
            .header(COOKIE, &cookies);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, html) = page("kind=campaign").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Beta poster") && html.contains("Gamma poster"),
        "{html}"
    );
    assert!(!html.contains("Alpha order"), "{html}");
    let (_, html) = page("campaign=bahor").await;
    assert!(
        html.contains("Beta poster") && !html.contains("Gamma poster"),
        "{html}"
    );
    let (_, html) = page("creator=11&sort=oldest").await;
    let alpha = html.find("Alpha order").unwrap();
    let gamma = html.find("Gamma poster").unwrap();
    assert!(alpha < gamma, "oldest first");
    assert!(!html.contains("Beta poster"), "{html}");
    assert!(
        html.contains("creator=11"),
        "the export link keeps the filters: {html}"
    );
    let (status, _) = page("creator=abc").await;
    assert_eq!(status, 400);
}
