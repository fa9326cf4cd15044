//! One figure, one function: the dashboard's cards and `GET
//! /api/v1/stats/summary` show what `analytics::summary` computes for the
//! same data and period, and a bad filter value is an error on every surface.

use chrono::{DateTime, Duration, Utc};
use startlink_core::DatabaseConnection;
use startlink_core::admins::Role;
use startlink_core::analytics::{self, Filter, Summary};
use startlink_core::links::{self, LinkKind, NewLink, UseLimit};

use crate::helpers::{TestApp, json, user};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    the_dashboard_and_the_api_summary_show_the_analytics_summary,
    a_bad_filter_value_is_refused_naming_it_on_the_api_and_the_panel,
}

/// Links of every status made over ten days, opened now, three days ago and
/// ten days ago, and opens of no link.
async fn seed(db: &DatabaseConnection, now: DateTime<Utc>) {
    let ten_days_ago = now - Duration::days(10);
    let order = |created_by| NewLink {
        kind: Some(LinkKind::Order),
        created_by,
        ..Default::default()
    };
    let used = links::create(db, order(Some(1)), ten_days_ago)
        .await
        .unwrap();
    links::open(db, used.key.as_str(), &user(101), ten_days_ago)
        .await
        .unwrap();
    let expired = NewLink {
        expires_at: Some(ten_days_ago + Duration::hours(1)),
        ..order(Some(2))
    };
    links::create(db, expired, ten_days_ago).await.unwrap();
    let revoked = links::create(db, order(None), ten_days_ago).await.unwrap();
    links::revoke(db, &revoked.key, ten_days_ago).await.unwrap();
    let campaign = NewLink {
        kind: Some(LinkKind::Campaign),
        campaign: Some("bahor".into()),
        uses: UseLimit::Unlimited,
        ..Default::default()
    };
    let campaign = links::create(db, campaign, ten_days_ago).await.unwrap();
    for (id, at) in [
        (102, ten_days_ago),
        (103, now - Duration::days(3)),
        (101, now - Duration::days(3)),
        (104, now),
        (105, now),
    ] {
        links::open(db, campaign.key.as_str(), &user(id), at)
            .await
            .unwrap();
    }
    // An already-used order, then payloads that name no link.
    links::open(db, used.key.as_str(), &user(104), now)
        .await
        .unwrap();
    for payload in ["NoSuchKey123", "bad payload!"] {
        links::open(db, payload, &user(106), now).await.unwrap();
    }
    links::create(db, order(Some(1)), now).await.unwrap();
}

/// The number on the dashboard's card labelled `label`.
fn card(html: &str, label: &str) -> i64 {
    let end = html
        .find(&format!("</b><span>{label}</span>"))
        .unwrap_or_else(|| panic!("no card {label:?}"));
    let start = html[..end].rfind("<b>").unwrap() + 3;
    html[start..end].parse().unwrap()
}

async fn the_dashboard_and_the_api_summary_show_the_analytics_summary(app: TestApp) {
    let now = startlink_core::time::now();
    seed(&app.db, now).await;
    let tz = chrono_tz::Asia::Tashkent;
    let all: Summary = analytics::summary(&app.db, &Filter::default(), now)
        .await
        .unwrap();
    let week = analytics::summary(&app.db, &Filter::past_week(now), now)
        .await
        .unwrap();
    let today = analytics::summary(&app.db, &Filter::last_days(1, tz, now), now)
        .await
        .unwrap();
    // The data is what it was made to be, so the comparison is not vacuous.
    assert_eq!(
        (all.links_created, all.links_active, all.links_used),
        (5, 2, 1)
    );
    assert_eq!((all.links_expired, all.links_revoked), (1, 1));
    assert_eq!((all.opens_by_outcome.of_links(), all.opens), (7, 9));
    assert_eq!((week.opens_by_outcome.of_links(), week.new_users), (5, 4));
    assert_eq!(all.new_users, 6);

    let admin = app.token_for("owner", Role::Admin).await;
    let api = json(app.get("/api/v1/stats/summary", &admin).await, 200).await;
    let field = |name: &str| {
        api[name]
            .as_i64()
            .unwrap_or_else(|| panic!("{name}: {api}"))
    };
    assert_eq!(field("links_total"), all.links_created);
    assert_eq!(field("links_active"), all.links_active);
    assert_eq!(field("links_used"), all.links_used);
    assert_eq!(field("links_expired"), all.links_expired);
    assert_eq!(field("links_revoked"), all.links_revoked);
    assert_eq!(field("opens"), all.opens_by_outcome.of_links());
    assert_eq!(field("opens_7d"), week.opens_by_outcome.of_links());
    assert_eq!(field("users_total"), all.new_users);
    assert_eq!(field("new_users_7d"), week.new_users);

    let (cookies, _) = app.panel_owner().await;
    let html = app.panel_get(&cookies, "/").await.text().await.unwrap();
    assert_eq!(card(&html, "links"), all.links_created);
    assert_eq!(card(&html, "active"), all.links_active);
    assert_eq!(card(&html, "used"), all.links_used);
    assert_eq!(card(&html, "expired"), all.links_expired);
    assert_eq!(card(&html, "revoked"), all.links_revoked);
    assert_eq!(card(&html, "opens today"), today.opens);
    assert_eq!(
        card(&html, "opens, 7 days"),
        week.opens_by_outcome.of_links()
    );
    assert_eq!(card(&html, "users"), all.new_users);
    assert_eq!(card(&html, "new users, 7 days"), week.new_users);
}

async fn a_bad_filter_value_is_refused_naming_it_on_the_api_and_the_panel(app: TestApp) {
    let admin = app.token_for("owner", Role::Admin).await;
    let (cookies, _) = app.panel_owner().await;
    let cases = [
        (
            "/api/v1/links?status=dead",
            "status: \"dead\" is not one of active, used, expired, revoked",
        ),
        (
            "/api/v1/links?created_by=ali",
            "created_by: \"ali\" is not a Telegram user id",
        ),
        (
            "/api/v1/stats/breakdown?by=kind&kind=poster",
            "kind: \"poster\" is not one of order, campaign, referral",
        ),
        (
            "/api/v1/stats/funnel?creator=-5",
            "creator: \"-5\" is not a Telegram user id",
        ),
        (
            "/api/v1/exports/links.csv?status=gone",
            "status: \"gone\" is not one of active, used, expired, revoked",
        ),
    ];
    for (path, message) in cases {
        let body = json(app.get(path, &admin).await, 400).await;
        let text = body.to_string();
        assert!(
            text.contains(&message.replace('"', "\\\"")),
            "{path}: {text}"
        );
    }
    for (path, message) in [
        (
            "/links?status=dead",
            "status: &quot;dead&quot; is not one of",
        ),
        (
            "/links?kind=poster",
            "kind: &quot;poster&quot; is not one of",
        ),
        (
            "/links?creator=ali",
            "creator: &quot;ali&quot; is not a Telegram user id",
        ),
    ] {
        let page = app.panel_get(&cookies, path).await;
        assert_eq!(page.status(), 400, "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains(message), "{path}: {html}");
    }
    // Good values still list.
    let page = app
        .panel_get(&cookies, "/links?status=active&kind=order&search=x")
        .await;
    assert_eq!(page.status(), 200);
}
