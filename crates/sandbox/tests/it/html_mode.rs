//! parse_mode HTML over HTTP: what Telegram accepts is accepted with the same
//! text and entities; what it rejects is rejected with its reason.

use serde_json::json;

use crate::helpers::{TestSandbox, spawn_sandbox, user};

async fn chat() -> TestSandbox {
    let app = spawn_sandbox().await;
    app.user_says(&user(10, "Ali"), "hi").await;
    app
}

#[tokio::test]
async fn good_html_is_accepted_as_telegram_accepts_it() {
    let app = chat().await;
    let cases = [
        (
            "<b>Buyurtma</b> #9876",
            "Buyurtma #9876",
            json!([{"type": "bold", "offset": 0, "length": 8}]),
        ),
        ("&lt;b&gt;&amp;&quot;'", "<b>&\"'", json!([])),
        ("Tom & Jerry", "Tom & Jerry", json!([])),
        (
            "<a href=\"https://t.me/shop_test_bot?start=AbC_12-x\">link</a>",
            "link",
            json!([{"type": "text_link", "offset": 0, "length": 4, "url": "https://t.me/shop_test_bot?start=AbC_12-x"}]),
        ),
        (
            "<code>KEY</code> <i>oʻ</i>",
            "KEY oʻ",
            json!([{"type": "code", "offset": 0, "length": 3}, {"type": "italic", "offset": 4, "length": 2}]),
        ),
        (
            "🎉 <u>x</u>",
            "🎉 x",
            json!([{"type": "underline", "offset": 3, "length": 1}]),
        ),
    ];
    for (html, text, entities) in cases {
        let message = app
            .ok(
                "sendMessage",
                json!({"chat_id": 10, "text": html, "parse_mode": "HTML"}),
            )
            .await;
        assert_eq!(message["text"], text, "text of {html:?}");
        let got = message.get("entities").cloned().unwrap_or(json!([]));
        assert_eq!(got, entities, "entities of {html:?}");
    }
}

#[tokio::test]
async fn bad_html_is_rejected_with_telegrams_description() {
    let app = chat().await;
    let cases = [
        (
            "<b>&\"'",
            "Can't find end tag corresponding to start tag \"b\"",
        ),
        (
            "<b>Ali</i>",
            "Unmatched end tag at byte offset 6, expected \"</b>\", found \"</i>\"",
        ),
        ("1 < 2", "Unsupported start tag \"\" at byte offset 2"),
        (
            "line<br>break",
            "Unsupported start tag \"br\" at byte offset 4",
        ),
        (
            "<div>x</div>",
            "Unsupported start tag \"div\" at byte offset 0",
        ),
        (
            "usage: /generate <product_id> <order_log_id>",
            "Unsupported start tag \"product_id\" at byte offset 17",
        ),
        ("trailing <", "Unclosed start tag at byte offset 9"),
    ];
    for (html, reason) in cases {
        let description = app
            .fails(
                "sendMessage",
                json!({"chat_id": 10, "text": html, "parse_mode": "HTML"}),
                400,
            )
            .await;
        assert_eq!(
            description,
            format!("Bad Request: can't parse entities: {reason}"),
            "for {html:?}"
        );
    }
    assert!(
        app.sandbox().messages(10).is_empty(),
        "a rejected message is not stored"
    );
}

#[tokio::test]
async fn without_parse_mode_markup_is_plain_text() {
    let app = chat().await;
    let message = app
        .ok("sendMessage", json!({"chat_id": 10, "text": "<b>&\"'"}))
        .await;
    assert_eq!(message["text"], "<b>&\"'");
    assert!(message.get("entities").is_none());
}

#[tokio::test]
async fn captions_are_parsed_too() {
    let app = chat().await;
    let url = "https://example.com/qr.png";
    let description = app
        .fails(
            "sendPhoto",
            json!({"chat_id": 10, "photo": url, "caption": "<i>x", "parse_mode": "HTML"}),
            400,
        )
        .await;
    assert_eq!(
        description,
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"i\""
    );
    let message = app
        .ok(
            "sendPhoto",
            json!({"chat_id": 10, "photo": url, "caption": "<i>x</i>", "parse_mode": "HTML"}),
        )
        .await;
    assert_eq!(
        message["caption_entities"],
        json!([{"type": "italic", "offset": 0, "length": 1}])
    );
}
