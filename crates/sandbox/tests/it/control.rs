//! The control API: playing users in private and group chats, reading chats,
//! and refusing bad requests with a JSON reason.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{BOT_USERNAME, TOKEN, spawn_sandbox, user};

#[tokio::test]
async fn a_start_in_a_group_addresses_the_bot_by_name() {
    let app = spawn_sandbox().await;
    let text = format!("/start@{BOT_USERNAME} KEY_1");
    let group = json!({"id": -100_123, "type": "supergroup", "title": "Do'kon"});
    let (status, sent) = app
        .control_post(
            "/messages",
            json!({"from": user(5, "Aziz"), "text": text, "chat": group}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["chat_id"], -100_123);
    let message = &app.ok("getUpdates", json!({})).await[0]["message"];
    assert_eq!(
        message["chat"],
        json!({"id": -100_123, "type": "supergroup", "title": "Do'kon"})
    );
    assert_eq!(message["from"]["id"], 5);
    let command_length = "/start@".len() + BOT_USERNAME.len();
    assert_eq!(
        message["entities"],
        json!([{"type": "bot_command", "offset": 0, "length": command_length}])
    );
    app.ok(
        "sendMessage",
        json!({"chat_id": -100_123, "text": "hello group"}),
    )
    .await;
    assert_eq!(
        app.sandbox().messages(-100_123)[0].text.as_deref(),
        Some("hello group")
    );
}

#[tokio::test]
async fn chats_and_transcripts_are_listed() {
    let app = spawn_sandbox().await;
    app.user_says(&user(1, "A"), "/start").await;
    app.user_says(&user(2, "B"), "/help").await;
    app.bot_says(1, "welcome").await;
    let (_, chats) = app.control_get("/chats").await;
    let ids: Vec<_> = chats
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["chat"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2]);
    assert_eq!(chats[0]["bot_message_count"], 1);
    let (_, all) = app.control_get("/chats/1/messages?all=true").await;
    let texts: Vec<_> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["from_bot"].as_bool().unwrap(),
                m["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(texts, [(false, "/start"), (true, "welcome")]);
    let (status, none) = app.control_get("/chats/999/messages").await;
    assert_eq!((status, none), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn messages_can_be_awaited_over_http() {
    let app = spawn_sandbox().await;
    app.user_says(&user(1, "A"), "/start").await;
    let http = app.http.clone();
    let url = app.url("/sandbox/chats/1/messages?wait=1&timeout=10");
    let reader = tokio::spawn(async move {
        http.get(url)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    app.bot_says(1, "reply").await;
    let messages = tokio::time::timeout(std::time::Duration::from_secs(5), reader)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(messages[0]["text"], "reply");
}

#[tokio::test]
async fn bad_control_requests_get_a_json_reason() {
    let app = spawn_sandbox().await;
    let cases = [
        (
            json!({"from": {"id": 0, "first_name": "Zero"}, "text": "x"}),
            StatusCode::BAD_REQUEST,
            "invalid user",
        ),
        (
            json!({"from": {"id": 1, "first_name": ""}, "text": "x"}),
            StatusCode::BAD_REQUEST,
            "first_name",
        ),
        (
            json!({"from": {"id": 1, "first_name": "A"}, "text": "  "}),
            StatusCode::BAD_REQUEST,
            "empty",
        ),
        (
            json!({"from": {"id": 1, "first_name": "A"}, "text": "x".repeat(4097)}),
            StatusCode::BAD_REQUEST,
            "4097",
        ),
        (
            json!({"from": {"id": 1, "first_name": "A"}}),
            StatusCode::BAD_REQUEST,
            "missing field `text`",
        ),
        (
            json!({"from": {"id": 1, "first_name": "A"}, "text": "x", "chat": {"id": 5, "type": "group", "title": "g"}}),
            StatusCode::BAD_REQUEST,
            "negative",
        ),
        (
            json!({"from": {"id": 1, "first_name": "A"}, "text": "x", "chat": {"id": 2, "type": "private"}}),
            StatusCode::FORBIDDEN,
            "not in the private chat",
        ),
    ];
    for (body, status, needle) in cases {
        let (got, answer) = app.control_post("/messages", body.clone()).await;
        assert_eq!(got, status, "{body} → {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains(needle),
            "{body} → {answer}"
        );
    }
    let response = app
        .http
        .post(app.url("/sandbox/messages"))
        .body("{{{{")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (status, answer) = app.control_get("/chats/not-a-number/messages").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, _) = app.control_get("/files/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.control_get("/no-such-endpoint").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.sandbox().pending_updates(), 0, "nothing half-created");
}

#[tokio::test]
async fn status_tells_how_to_reach_the_bot_api() {
    let app = spawn_sandbox().await;
    let (status, body) = app.control_get("/status").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token"], TOKEN);
    assert_eq!(body["bot"]["username"], BOT_USERNAME);
    assert_eq!(
        body["bot_api_url"],
        format!("{}/bot{TOKEN}/", app.running.base_url())
    );
    assert_eq!(
        body["counters"]["requests"], 0,
        "control calls are not Bot API requests"
    );
}

#[tokio::test]
async fn a_full_queue_refuses_new_updates_instead_of_losing_them() {
    let app = crate::helpers::spawn_with(startlink_sandbox::SandboxConfig {
        limits: startlink_sandbox::Limits {
            max_pending_updates: 2,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    app.user_says(&user(1, "A"), "1").await;
    app.user_says(&user(1, "A"), "2").await;
    let (status, body) = app
        .control_post("/messages", json!({"from": user(1, "A"), "text": "3"}))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    app.drain_updates().await;
    app.user_says(&user(1, "A"), "3").await;
}
