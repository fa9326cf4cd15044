//! Flood mode: 429 with retry_after, a chat blocked until it has passed.

use reqwest::StatusCode;
use serde_json::json;
use startlink_sandbox::FloodConfig;

use crate::helpers::{spawn_sandbox, user};

#[tokio::test]
async fn every_nth_send_answers_429_with_retry_after() {
    let app = spawn_sandbox().await;
    app.user_says(&user(10, "Ali"), "hi").await;
    let post = app
        .http
        .post(app.url("/sandbox/flood"))
        .json(&json!({"every_nth": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        post.status(),
        StatusCode::METHOD_NOT_ALLOWED,
        "flood is set with PUT"
    );
    let response = app
        .http
        .put(app.url("/sandbox/flood"))
        .json(&json!({"every_nth": 2, "retry_after": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    app.ok("sendMessage", json!({"chat_id": 10, "text": "1"}))
        .await;
    let (status, body) = app
        .api("sendMessage", json!({"chat_id": 10, "text": "2"}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}})
    );
    // Retrying at once is too early: still 429.
    let (status, _) = app
        .api("sendMessage", json!({"chat_id": 10, "text": "2"}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let counters = app.sandbox().counters();
    assert_eq!(
        (counters.flood_rejections, counters.flood_early_retries),
        (2, 1)
    );

    let response = app
        .http
        .delete(app.url("/sandbox/flood"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    app.ok("sendMessage", json!({"chat_id": 10, "text": "2"}))
        .await;
    assert_eq!(
        app.sandbox().messages(10).len(),
        2,
        "refused sends are not stored"
    );
}

#[tokio::test]
async fn a_bot_that_waits_retry_after_gets_through() {
    let app = spawn_sandbox().await;
    app.user_says(&user(10, "Ali"), "hi").await;
    app.sandbox()
        .set_flood(Some(FloodConfig::every_nth(1, 0)))
        .unwrap();
    let description = app
        .fails("sendMessage", json!({"chat_id": 10, "text": "x"}), 429)
        .await;
    assert_eq!(description, "Too Many Requests: retry after 0");
    app.sandbox()
        .set_flood(Some(FloodConfig::fraction(0.5, 0, 42)))
        .unwrap();
    let mut delivered = 0;
    for attempt in 0..200 {
        let (status, _) = app
            .api(
                "sendMessage",
                json!({"chat_id": 10, "text": format!("m{attempt}")}),
            )
            .await;
        if status == StatusCode::OK {
            delivered += 1;
        }
    }
    assert!(
        (60..140).contains(&delivered),
        "about half of 200 delivered, got {delivered}"
    );
    assert_eq!(
        app.sandbox().counters().flood_early_retries,
        0,
        "retry_after 0 never blocks"
    );
}

#[tokio::test]
async fn nonsense_flood_settings_are_refused() {
    let app = spawn_sandbox().await;
    for body in [
        json!({"every_nth": 0}),
        json!({"fraction": 2.0}),
        json!({}),
        json!({"every_nth": "x"}),
    ] {
        let response = app
            .http
            .put(app.url("/sandbox/flood"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    assert!(app.sandbox().flood().is_none());
}
