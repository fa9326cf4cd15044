//! Webhook mode: updates POSTed with the secret header, retried until the
//! bot accepts them; getUpdates refused meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::helpers::{WAIT, spawn_sandbox, user};

/// A bot-side webhook endpoint that refuses its first `failures` requests
/// and reports every request it gets.
async fn receiver(
    failures: usize,
) -> (
    String,
    mpsc::UnboundedReceiver<(Option<String>, Value, StatusCode)>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let seen = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route(
        "/hook",
        post(
            move |headers: HeaderMap, axum::Json(update): axum::Json<Value>| {
                let tx = tx.clone();
                let seen = seen.clone();
                async move {
                    let status = if seen.fetch_add(1, Ordering::SeqCst) < failures {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    };
                    let secret = headers
                        .get("x-telegram-bot-api-secret-token")
                        .and_then(|value| value.to_str().ok())
                        .map(str::to_owned);
                    let _ = tx.send((secret, update, status));
                    status
                }
            },
        ),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

#[tokio::test]
async fn updates_are_pushed_with_the_secret_and_retried_until_accepted() {
    let app = spawn_sandbox().await;
    let (url, mut received) = receiver(2).await;
    let set = app
        .api(
            "setWebhook",
            json!({"url": url, "secret_token": "s3cr3t_-X"}),
        )
        .await
        .1;
    assert_eq!(
        set,
        json!({"ok": true, "result": true, "description": "Webhook was set"})
    );

    app.user_says(&user(9, "Web"), "/start KEY").await;
    for attempt in 0..3 {
        let (secret, update, status) = tokio::time::timeout(WAIT, received.recv())
            .await
            .expect("delivery")
            .unwrap();
        assert_eq!(secret.as_deref(), Some("s3cr3t_-X"), "attempt {attempt}");
        assert_eq!(update["update_id"], 1);
        assert_eq!(update["message"]["text"], "/start KEY");
        assert_eq!(status == StatusCode::OK, attempt == 2);
    }
    let delivered = app
        .sandbox()
        .wait_until(WAIT, |s| s.counters().updates_delivered == 1)
        .await;
    assert!(delivered, "{:?}", app.sandbox().counters());
    assert_eq!(app.sandbox().counters().webhook_failures, 2);

    let info = app.ok("getWebhookInfo", json!({})).await;
    assert_eq!(info["url"], url);
    assert_eq!(info["pending_update_count"], 0);
    assert!(
        info["last_error_message"].as_str().unwrap().contains("500"),
        "{info}"
    );

    let conflict = app.fails("getUpdates", json!({}), 409).await;
    assert_eq!(
        conflict,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    );

    let deleted = app.api("deleteWebhook", json!({})).await.1;
    assert_eq!(deleted["description"], "Webhook was deleted");
    assert_eq!(app.ok("getWebhookInfo", json!({})).await["url"], "");
    app.user_says(&user(9, "Web"), "polling again").await;
    assert_eq!(
        app.ok("getUpdates", json!({})).await[0]["message"]["text"],
        "polling again"
    );
}

#[tokio::test]
async fn setting_a_webhook_ends_a_waiting_long_poll_with_409() {
    let app = spawn_sandbox().await;
    let http = app.http.clone();
    let poll_url = app.method_url("getUpdates");
    let poll = tokio::spawn(async move {
        http.post(poll_url)
            .json(&json!({"timeout": 20}))
            .send()
            .await
            .unwrap()
            .status()
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (url, _received) = receiver(0).await;
    app.ok("setWebhook", json!({"url": url})).await;
    let status = tokio::time::timeout(WAIT, poll).await.unwrap().unwrap();
    assert_eq!(status.as_u16(), 409);
}

#[tokio::test]
async fn bad_webhooks_are_refused() {
    let app = spawn_sandbox().await;
    let cases = [
        (
            json!({"url": "ftp://example.com/hook"}),
            "Bad Request: bad webhook: HTTPS url must be provided for webhook",
        ),
        (
            json!({"url": "https://example.com/hook", "secret_token": "has space"}),
            "Bad Request: bad webhook: secret token contains unallowed characters",
        ),
        (
            json!({"url": "https://example.com/hook", "secret_token": "x".repeat(257)}),
            "Bad Request: bad webhook: secret token contains unallowed characters",
        ),
    ];
    for (params, reason) in cases {
        assert_eq!(
            app.fails("setWebhook", params.clone(), 400).await,
            reason,
            "{params}"
        );
    }
    assert!(app.sandbox().webhook().is_none());
}

#[tokio::test]
async fn drop_pending_updates_forgets_the_queue() {
    let app = spawn_sandbox().await;
    app.user_says(&user(9, "Web"), "old").await;
    app.ok("deleteWebhook", json!({"drop_pending_updates": true}))
        .await;
    assert!(
        app.ok("getUpdates", json!({}))
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_update_can_be_delivered_twice_to_test_deduplication() {
    let app = spawn_sandbox().await;
    let (url, mut received) = receiver(0).await;
    app.ok("setWebhook", json!({"url": url})).await;
    app.user_says(&user(9, "Web"), "/start KEY").await;
    let (_, first, _) = tokio::time::timeout(WAIT, received.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(
        app.sandbox()
            .wait_until(WAIT, |s| s.pending_updates() == 0)
            .await
    );
    let (status, body) = app.control_post("/updates/1/redeliver", json!({})).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let (_, second, _) = tokio::time::timeout(WAIT, received.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first, second, "same update_id, same content");
    let (status, _) = app.control_post("/updates/77/redeliver", json!({})).await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
}
