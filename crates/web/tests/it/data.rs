//! Events, users and statistics after real opens.

use chrono::Duration;
use serde_json::{Value, json};
use startlink_core::links;
use startlink_core::time;
use startlink_core::users::{TgProfile, TgUserId};

use crate::helpers::{TestApp, json, user};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    events_filter_by_link_user_outcome_and_time,
    users_are_listed_with_the_link_that_brought_them,
    the_summary_and_the_time_series_count_the_same_opens,
    breakdown_funnel_and_referrals_match_the_opens,
    analytics_routes_refuse_bad_parameters_with_400,
}

/// A one-time link opened by users 1, 2, then 1 again; and a campaign opened by 3.
async fn some_opens(app: &TestApp, admin: &str) -> (String, String) {
    let order = app.create_link(admin, json!({"product_id": 5})).await;
    let campaign = app
        .create_link(admin, json!({"kind": "campaign", "campaign": "spring"}))
        .await;
    let order_key = order["key"].as_str().unwrap().to_owned();
    let campaign_key = campaign["key"].as_str().unwrap().to_owned();
    let now = time::now();
    for (key, id) in [
        (&order_key, 1),
        (&order_key, 2),
        (&order_key, 1),
        (&campaign_key, 3),
    ] {
        let mut profile = user(id);
        if id == 3 {
            profile = TgProfile {
                username: Some("<b>bek</b>".into()),
                first_name: Some("Бек \"&\"".into()),
                language_code: Some("ru".into()),
                ..TgProfile::new(TgUserId::new(3).unwrap())
            };
        }
        links::open(&app.db, key, &profile, now).await.unwrap();
    }
    links::open(&app.db, "NoSuchKey123", &user(4), now)
        .await
        .unwrap();
    (order_key, campaign_key)
}

async fn events_filter_by_link_user_outcome_and_time(app: TestApp) {
    let admin = app.admin().await;
    let (order_key, campaign_key) = some_opens(&app, &admin).await;
    let all = json(app.get("/api/v1/events", &admin).await, 200).await;
    assert_eq!(all["events"].as_array().unwrap().len(), 5);
    let outcomes = |body: &Value| -> Vec<String> {
        body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["outcome"].as_str().unwrap().to_owned())
            .collect()
    };
    let order = json(
        app.get(&format!("/api/v1/events?link={order_key}"), &admin)
            .await,
        200,
    )
    .await;
    assert_eq!(
        outcomes(&order),
        ["already_yours", "already_used", "redeemed"],
        "newest first"
    );
    assert!(
        order["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["link_key"] == order_key.as_str())
    );
    let by_user = json(app.get("/api/v1/events?user=1", &admin).await, 200).await;
    assert_eq!(by_user["events"].as_array().unwrap().len(), 2);
    let accepted = json(
        app.get("/api/v1/events?outcome=accepted", &admin).await,
        200,
    )
    .await;
    assert_eq!(accepted["events"][0]["link_key"], campaign_key.as_str());
    assert_eq!(accepted["events"][0]["new_user"], true);
    let missing = json(
        app.get("/api/v1/events?outcome=not_found", &admin).await,
        200,
    )
    .await;
    assert_eq!(missing["events"][0]["link_key"], Value::Null);
    assert_eq!(missing["events"][0]["payload"], "NoSuchKey123");
    let future = (time::now() + Duration::hours(1)).to_rfc3339();
    let none = json(
        app.get(
            &format!("/api/v1/events?from={}", future.replace('+', "%2B")),
            &admin,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(none["events"].as_array().unwrap().len(), 0);
    let limited = json(app.get("/api/v1/events?limit=2", &admin).await, 200).await;
    assert_eq!(limited["events"].as_array().unwrap().len(), 2);
    json(app.get("/api/v1/events?outcome=won", &admin).await, 400).await;
    for bad in ["user=-1", "from=yesterday", "limit=0", "limit=5000"] {
        assert_eq!(
            app.get(&format!("/api/v1/events?{bad}"), &admin)
                .await
                .status(),
            400,
            "{bad}"
        );
    }
    assert_eq!(
        app.get("/api/v1/events?link=NoSuchKey123", &admin)
            .await
            .status(),
        404
    );
}

async fn users_are_listed_with_the_link_that_brought_them(app: TestApp) {
    let admin = app.admin().await;
    let (order_key, campaign_key) = some_opens(&app, &admin).await;
    let page = json(app.get("/api/v1/users?per_page=10", &admin).await, 200).await;
    assert_eq!(page["total"], 4);
    let bek = json(app.get("/api/v1/users?search=%3Cb%3E", &admin).await, 200).await;
    assert_eq!(bek["total"], 1);
    let bek = &bek["users"][0];
    assert_eq!(
        bek["username"], "<b>bek</b>",
        "stored and returned byte-exact"
    );
    assert_eq!(bek["first_name"], "Бек \"&\"");
    assert_eq!(bek["first_link"], campaign_key.as_str());
    let ali = json(app.get("/api/v1/users?search=1", &admin).await, 200).await;
    assert_eq!(ali["users"][0]["first_link"], order_key.as_str());
    let paged = json(
        app.get("/api/v1/users?per_page=3&page=2", &admin).await,
        200,
    )
    .await;
    assert_eq!(paged["users"].as_array().unwrap().len(), 1);
}

async fn the_summary_and_the_time_series_count_the_same_opens(app: TestApp) {
    let admin = app.admin().await;
    some_opens(&app, &admin).await;
    let summary = json(app.get("/api/v1/stats/summary", &admin).await, 200).await;
    assert_eq!(summary["links_total"], 2);
    assert_eq!(summary["links_used"], 1);
    assert_eq!(summary["links_active"], 1);
    assert_eq!(
        summary["opens"], 4,
        "opens of links; the unknown payload is no link's"
    );
    assert_eq!(summary["opens_7d"], 4);
    assert_eq!(summary["users_total"], 4);
    assert_eq!(summary["new_users_7d"], 4);

    let days = json(app.get("/api/v1/stats/timeseries", &admin).await, 200).await;
    assert_eq!(days["bucket"], "day");
    assert_eq!(days["timezone"], "Asia/Tashkent");
    let points = days["points"].as_array().unwrap();
    assert!((7..=8).contains(&points.len()), "{}", points.len());
    assert_eq!(
        points
            .iter()
            .map(|p| p["opens"].as_i64().unwrap())
            .sum::<i64>(),
        5,
        "the summary's 4 opens of links and the open of an unknown payload"
    );
    assert_eq!(points.last().unwrap()["opens"], 5);

    let from = (time::now() - Duration::hours(5))
        .to_rfc3339()
        .replace('+', "%2B");
    let hours = json(
        app.get(
            &format!("/api/v1/stats/timeseries?bucket=hour&from={from}"),
            &admin,
        )
        .await,
        200,
    )
    .await;
    let points = hours["points"].as_array().unwrap();
    assert_eq!(points.len(), 6);
    assert_eq!(
        points
            .iter()
            .map(|p| p["opens"].as_i64().unwrap())
            .sum::<i64>(),
        5,
        "the summary's 4 opens of links and the open of an unknown payload"
    );
    json(
        app.get("/api/v1/stats/timeseries?bucket=month", &admin)
            .await,
        400,
    )
    .await;
    for bad in [
        "from=2026-01-02&to=2026-01-01",
        "bucket=hour&from=2020-01-01",
    ] {
        assert_eq!(
            app.get(&format!("/api/v1/stats/timeseries?{bad}"), &admin)
                .await
                .status(),
            400,
            "{bad}"
        );
    }
}

async fn breakdown_funnel_and_referrals_match_the_opens(app: TestApp) {
    let admin = app.admin().await;
    let (order_key, _) = some_opens(&app, &admin).await;
    let viewer = app
        .token_for("viewer1", startlink_core::admins::Role::Viewer)
        .await;

    let by_kind = json(
        app.get("/api/v1/stats/breakdown?by=kind", &viewer).await,
        200,
    )
    .await;
    assert_eq!(by_kind["by"], "kind");
    let rows = by_kind["rows"].as_array().unwrap();
    let row = |key: &str| rows.iter().find(|r| r["key"] == key).cloned().unwrap();
    assert_eq!(row("order")["opens"], 3, "{by_kind}");
    assert_eq!(row("order")["uses"], 1, "{by_kind}");
    assert_eq!(row("order")["links"], 1, "{by_kind}");
    assert_eq!(row("campaign")["opens"], 1, "{by_kind}");
    assert_eq!(row("campaign")["uses"], 1, "{by_kind}");

    let by_outcome = json(
        app.get("/api/v1/stats/breakdown?by=outcome", &admin).await,
        200,
    )
    .await;
    let opens: i64 = by_outcome["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["opens"].as_i64().unwrap())
        .sum();
    assert_eq!(opens, 5, "every open, the unknown key's too: {by_outcome}");

    let by_campaign = json(
        app.get(
            "/api/v1/stats/breakdown?by=campaign&campaign=spring",
            &admin,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        by_campaign["rows"].as_array().unwrap().len(),
        1,
        "{by_campaign}"
    );
    assert_eq!(by_campaign["rows"][0]["key"], "spring");

    let funnel = json(app.get("/api/v1/stats/funnel", &admin).await, 200).await;
    assert_eq!(funnel["total"]["opens"], 4, "opens of links: {funnel}");
    assert_eq!(funnel["total"]["uses"], 2, "{funnel}");
    assert_eq!(funnel["total"]["new_users"], 3, "users 1, 2, 3: {funnel}");
    assert_eq!(funnel["links"][0]["key"], order_key.as_str(), "{funnel}");
    assert_eq!(funnel["campaigns"][0]["key"], "spring", "{funnel}");

    // Everything lies before tomorrow: an empty period counts nothing.
    // Tomorrow in the app's time zone (Tashkent), not UTC's: from 19:00 UTC
    // UTC's tomorrow has begun there.
    let tomorrow = (time::now().with_timezone(&chrono_tz::Asia::Tashkent) + Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let empty = json(
        app.get(&format!("/api/v1/stats/funnel?from={tomorrow}"), &admin)
            .await,
        200,
    )
    .await;
    assert_eq!(empty["total"]["opens"], 0, "{empty}");

    let referrals = json(
        app.get("/api/v1/stats/referrals?limit=5", &admin).await,
        200,
    )
    .await;
    assert_eq!(
        referrals["rows"],
        json!([]),
        "no referral links: {referrals}"
    );
}

async fn analytics_routes_refuse_bad_parameters_with_400(app: TestApp) {
    let admin = app.admin().await;
    for path in [
        "/api/v1/stats/breakdown?by=planet",
        "/api/v1/stats/breakdown",
        "/api/v1/stats/breakdown?by=kind&from=yesterday",
        "/api/v1/stats/breakdown?by=kind&from=2026-02-01&to=2026-01-01",
        "/api/v1/stats/funnel?to=2026-13-01",
        "/api/v1/stats/funnel?kind=poster",
        "/api/v1/stats/funnel?status=lost",
        "/api/v1/stats/funnel?campaign=no-such-campaign",
        "/api/v1/stats/referrals?limit=0",
        "/api/v1/stats/referrals?limit=many",
    ] {
        let body = json(app.get(path, &admin).await, 400).await;
        assert_eq!(body["error"], "bad_request", "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap().len() > 5,
            "{path}: {body}"
        );
    }
}
