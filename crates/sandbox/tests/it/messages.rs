//! sendMessage limits and keyboards; edits and deletions as the control API
//! shows them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, spawn_sandbox, user};

async fn chat() -> TestSandbox {
    let app = spawn_sandbox().await;
    app.user_says(&user(10, "Ali"), "hi").await;
    app
}

fn keyboard(data: &str) -> Value {
    json!({"inline_keyboard": [[{"text": "Revoke", "callback_data": data}, {"text": "Share", "url": "https://t.me/share/url?url=x"}]]})
}

#[tokio::test]
async fn a_sent_message_has_telegrams_shape() {
    let app = chat().await;
    let message = app
        .ok(
            "sendMessage",
            json!({"chat_id": 10, "text": "salom", "reply_markup": keyboard("rv:1")}),
        )
        .await;
    assert_eq!(message["message_id"], 2, "the user's message was 1");
    assert_eq!(
        message["from"],
        json!({"id": 4242, "is_bot": true, "first_name": "Shop", "username": "shop_test_bot"})
    );
    assert_eq!(message["chat"]["id"], 10);
    assert_eq!(message["chat"]["type"], "private");
    assert_eq!(message["text"], "salom");
    assert_eq!(message["reply_markup"], keyboard("rv:1"));
    assert!(message.get("edit_date").is_none() && message.get("entities").is_none());
}

#[tokio::test]
async fn text_length_is_limited_to_4096_utf16_units_after_parsing() {
    let app = chat().await;
    let exactly = "a".repeat(4096);
    app.ok("sendMessage", json!({"chat_id": 10, "text": exactly}))
        .await;
    let over = "a".repeat(4097);
    assert_eq!(
        app.fails("sendMessage", json!({"chat_id": 10, "text": over}), 400)
            .await,
        "Bad Request: message is too long"
    );
    // Markup does not count, entities that decode do.
    let bold = format!("<b>{}</b>", "a".repeat(4096));
    app.ok(
        "sendMessage",
        json!({"chat_id": 10, "text": bold, "parse_mode": "HTML"}),
    )
    .await;
    // Each emoji is two UTF-16 units.
    let emoji = "🎉".repeat(2049);
    assert_eq!(
        app.fails("sendMessage", json!({"chat_id": 10, "text": emoji}), 400)
            .await,
        "Bad Request: message is too long"
    );
    let huge = "x".repeat(1_000_000);
    assert_eq!(
        app.fails("sendMessage", json!({"chat_id": 10, "text": huge}), 400)
            .await,
        "Bad Request: message is too long"
    );
}

#[tokio::test]
async fn caption_length_is_limited_to_1024() {
    let app = chat().await;
    let photo = "https://example.com/a.png";
    app.ok(
        "sendPhoto",
        json!({"chat_id": 10, "photo": photo, "caption": "c".repeat(1024)}),
    )
    .await;
    let description = app
        .fails(
            "sendPhoto",
            json!({"chat_id": 10, "photo": photo, "caption": "c".repeat(1025)}),
            400,
        )
        .await;
    assert_eq!(description, "Bad Request: message caption is too long");
}

#[tokio::test]
async fn edits_and_deletions_show_in_the_control_api() {
    let app = chat().await;
    let id = app
        .ok(
            "sendMessage",
            json!({"chat_id": 10, "text": "v1", "reply_markup": keyboard("rv:1")}),
        )
        .await["message_id"]
        .clone();
    let edited = app.ok("editMessageText", json!({"chat_id": 10, "message_id": id, "text": "<b>v2</b>", "parse_mode": "HTML", "reply_markup": keyboard("rv:2")})).await;
    assert_eq!(edited["text"], "v2");
    assert!(edited["edit_date"].as_i64().is_some());
    app.ok(
        "editMessageReplyMarkup",
        json!({"chat_id": 10, "message_id": id, "reply_markup": keyboard("rv:3")}),
    )
    .await;
    let other = app.bot_says(10, "to delete").await;
    assert_eq!(
        app.ok("deleteMessage", json!({"chat_id": 10, "message_id": other}))
            .await,
        true
    );

    let (status, messages) = app.control_get("/chats/10/messages").await;
    assert_eq!(status, StatusCode::OK);
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 2, "bot messages only: {messages:?}");
    assert_eq!(messages[0]["text"], "v2");
    assert_eq!(
        messages[0]["entities"],
        json!([{"type": "bold", "offset": 0, "length": 2}])
    );
    assert_eq!(messages[0]["edit_count"], 2);
    assert_eq!(messages[0]["buttons"][0][0]["callback_data"], "rv:3");
    assert_eq!(messages[0]["deleted"], false);
    assert_eq!(messages[1]["text"], "to delete");
    assert_eq!(messages[1]["deleted"], true);

    let counters = app.sandbox().counters();
    assert_eq!(
        (
            counters.messages_sent,
            counters.messages_edited,
            counters.messages_deleted
        ),
        (2, 2, 1)
    );
}

#[tokio::test]
async fn an_edit_without_reply_markup_removes_the_keyboard_as_on_telegram() {
    let app = chat().await;
    let id = app
        .ok(
            "sendMessage",
            json!({"chat_id": 10, "text": "v1", "reply_markup": keyboard("x")}),
        )
        .await["message_id"]
        .clone();
    let edited = app
        .ok(
            "editMessageText",
            json!({"chat_id": 10, "message_id": id, "text": "v2"}),
        )
        .await;
    assert!(edited.get("reply_markup").is_none(), "{edited}");
    assert!(app.sandbox().messages(10)[0].buttons.is_empty());
}

#[tokio::test]
async fn impossible_edits_and_deletions_are_refused() {
    let app = chat().await;
    let id = app.bot_says(10, "same").await;
    let cases = [
        (
            "editMessageText",
            json!({"chat_id": 10, "message_id": id, "text": "same"}),
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        ),
        (
            "editMessageText",
            json!({"chat_id": 10, "message_id": 99, "text": "x"}),
            "Bad Request: message to edit not found",
        ),
        (
            "editMessageText",
            json!({"chat_id": 10, "message_id": 1, "text": "x"}),
            "Bad Request: message can't be edited",
        ),
        (
            "editMessageText",
            json!({"chat_id": 10, "text": "x"}),
            "Bad Request: message identifier is not specified",
        ),
        (
            "editMessageText",
            json!({"chat_id": 10, "message_id": id, "text": "x".repeat(4097)}),
            "Bad Request: MESSAGE_TOO_LONG",
        ),
        (
            "editMessageCaption",
            json!({"chat_id": 10, "message_id": id, "caption": "x"}),
            "Bad Request: there is no caption in the message to edit",
        ),
        (
            "deleteMessage",
            json!({"chat_id": 10, "message_id": 99}),
            "Bad Request: message to delete not found",
        ),
        (
            "deleteMessage",
            json!({"chat_id": 11, "message_id": id}),
            "Bad Request: chat not found",
        ),
    ];
    for (method, params, reason) in cases {
        assert_eq!(
            app.fails(method, params.clone(), 400).await,
            reason,
            "{method} {params}"
        );
    }
    app.ok("deleteMessage", json!({"chat_id": 10, "message_id": id}))
        .await;
    let again = app
        .fails(
            "deleteMessage",
            json!({"chat_id": 10, "message_id": id}),
            400,
        )
        .await;
    assert_eq!(again, "Bad Request: message to delete not found");
    let edit_deleted = app
        .fails(
            "editMessageText",
            json!({"chat_id": 10, "message_id": id, "text": "new"}),
            400,
        )
        .await;
    assert_eq!(edit_deleted, "Bad Request: message to edit not found");
}

#[tokio::test]
async fn wait_for_messages_wakes_on_the_bots_reply() {
    let app = chat().await;
    let sandbox = app.sandbox().clone();
    let waiter = tokio::spawn(async move {
        sandbox
            .wait_for_messages(10, 2, std::time::Duration::from_secs(5))
            .await
    });
    app.bot_says(10, "one").await;
    app.bot_says(10, "two").await;
    let messages = waiter.await.unwrap().unwrap();
    assert_eq!(
        messages
            .iter()
            .filter_map(|m| m.text.as_deref())
            .collect::<Vec<_>>(),
        ["one", "two"]
    );

    let timeout = app
        .sandbox()
        .wait_for_messages(10, 3, std::time::Duration::from_millis(100))
        .await
        .unwrap_err();
    let message = timeout.to_string();
    assert!(
        message.contains("2 arrived") && message.contains("\"two\""),
        "{message}"
    );
}
