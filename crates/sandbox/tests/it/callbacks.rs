//! Inline buttons: a press becomes a callback_query update carrying the
//! message; answerCallbackQuery is shown back on the message.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{WAIT, spawn_sandbox, user};

#[tokio::test]
async fn a_button_press_round_trips_through_the_bot() {
    let app = spawn_sandbox().await;
    let ali = user(10, "Ali");
    app.user_says(&ali, "/mylinks").await;
    app.drain_updates().await;
    let keyboard = json!({"inline_keyboard": [[{"text": "◀", "callback_data": "page:0"}, {"text": "▶", "callback_data": "page:2"}]]});
    let sent = app
        .ok(
            "sendMessage",
            json!({"chat_id": 10, "text": "page 1", "reply_markup": keyboard}),
        )
        .await;
    let message_id = sent["message_id"].as_i64().unwrap();

    let (status, pressed) = app
        .control_post(
            "/callbacks",
            json!({"from": ali, "message_id": message_id, "button_text": "▶"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pressed}");
    let query_id = pressed["callback_query_id"].as_str().unwrap().to_owned();

    let updates = app.ok("getUpdates", json!({"offset": 2})).await;
    let query = &updates[0]["callback_query"];
    assert_eq!(query["id"], query_id.as_str());
    assert_eq!(query["data"], "page:2");
    assert_eq!(query["from"]["id"], 10);
    assert_eq!(query["message"]["message_id"], message_id);
    assert_eq!(query["message"]["reply_markup"], keyboard);
    assert!(query["chat_instance"].is_string());

    app.ok(
        "answerCallbackQuery",
        json!({"callback_query_id": query_id, "text": "Page 2", "show_alert": true}),
    )
    .await;
    let answer = app
        .sandbox()
        .wait_for_callback_answer(&query_id, WAIT)
        .await
        .unwrap();
    assert_eq!(
        (answer.text.as_deref(), answer.show_alert),
        (Some("Page 2"), true)
    );
    let (_, messages) = app.control_get("/chats/10/messages").await;
    assert_eq!(
        messages[0]["callback_queries"][0]["answer"]["text"],
        "Page 2"
    );
    let (status, shown) = app.control_get(&format!("/callbacks/{query_id}")).await;
    assert_eq!(
        (status, shown["data"].as_str()),
        (StatusCode::OK, Some("page:2"))
    );

    let twice = app
        .fails(
            "answerCallbackQuery",
            json!({"callback_query_id": query_id}),
            400,
        )
        .await;
    assert_eq!(
        twice,
        "Bad Request: query is too old and response timeout expired or query id is invalid"
    );
    let unknown = app
        .fails(
            "answerCallbackQuery",
            json!({"callback_query_id": "123"}),
            400,
        )
        .await;
    assert_eq!(unknown, twice);
}

#[tokio::test]
async fn pressing_what_is_not_there_is_a_clear_control_error() {
    let app = spawn_sandbox().await;
    let ali = user(10, "Ali");
    app.user_says(&ali, "hi").await;
    let keyboard = json!({"inline_keyboard": [[{"text": "Revoke", "callback_data": "rv:1"}]]});
    let id = app
        .ok(
            "sendMessage",
            json!({"chat_id": 10, "text": "t", "reply_markup": keyboard}),
        )
        .await["message_id"]
        .clone();

    let (status, body) = app
        .control_post(
            "/callbacks",
            json!({"from": ali, "message_id": id, "callback_data": "nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("\"nope\"") && error.contains("\"Revoke\" (\"rv:1\")"),
        "{error}"
    );

    let (status, _) = app
        .control_post(
            "/callbacks",
            json!({"from": ali, "message_id": 99, "callback_data": "rv:1"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .control_post(
            "/callbacks",
            json!({"from": ali, "message_id": 1, "callback_data": "rv:1"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "message 1 is the user's own"
    );
    let eve = user(11, "Eve");
    let (status, _) = app
        .control_post(
            "/callbacks",
            json!({"from": eve, "chat_id": 10, "message_id": id, "callback_data": "rv:1"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another user's private chat");

    app.ok("deleteMessage", json!({"chat_id": 10, "message_id": id}))
        .await;
    let (status, _) = app
        .control_post(
            "/callbacks",
            json!({"from": ali, "message_id": id, "callback_data": "rv:1"}),
        )
        .await;
    assert_eq!(status, StatusCode::GONE);
}
