//! setMyCommands per scope and language, and what users then see.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_sandbox, user};

#[tokio::test]
async fn commands_are_kept_per_language_and_scope() {
    let app = spawn_sandbox().await;
    let uz = json!([{"command": "start", "description": "Boshlash"}, {"command": "ref", "description": "Taklif havolasi"}]);
    let ru = json!([{"command": "start", "description": "Начать"}]);
    let admin = json!([{"command": "stats", "description": "Statistika"}]);
    app.ok("setMyCommands", json!({"commands": uz})).await;
    app.ok(
        "setMyCommands",
        json!({"commands": ru, "language_code": "ru"}),
    )
    .await;
    app.ok(
        "setMyCommands",
        json!({"commands": admin, "scope": {"type": "chat", "chat_id": 77}}),
    )
    .await;

    assert_eq!(app.ok("getMyCommands", json!({})).await, uz);
    assert_eq!(
        app.ok("getMyCommands", json!({"language_code": "ru"}))
            .await,
        ru
    );
    assert_eq!(
        app.ok("getMyCommands", json!({"language_code": "en"}))
            .await,
        json!([]),
        "exact scope and language only"
    );
    assert_eq!(
        app.ok(
            "getMyCommands",
            json!({"scope": "{\"type\":\"chat\",\"chat_id\":\"77\"}"})
        )
        .await,
        admin
    );

    let (status, sets) = app.control_get("/commands").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sets.as_array().unwrap().len(), 3);

    app.user_says(&user(5, "Olga"), "hi").await;
    let (_, visible) = app
        .control_get("/commands/visible?chat_id=5&language_code=ru")
        .await;
    assert_eq!(visible, ru);
    let (_, visible) = app
        .control_get("/commands/visible?chat_id=5&language_code=uz")
        .await;
    assert_eq!(visible, uz);
    assert_eq!(
        app.sandbox().visible_commands(77, 77, "ru")[0].command,
        "stats",
        "a chat scope wins"
    );

    app.ok("deleteMyCommands", json!({"language_code": "ru"}))
        .await;
    assert_eq!(
        app.ok("getMyCommands", json!({"language_code": "ru"}))
            .await,
        json!([])
    );
}

#[tokio::test]
async fn invalid_commands_are_refused() {
    let app = spawn_sandbox().await;
    let cases = [
        (json!({}), "Bad Request: commands is empty"),
        (
            json!({"commands": "not json"}),
            "Bad Request: can't parse commands JSON object",
        ),
        (
            json!({"commands": [{"command": "Start", "description": "x"}]}),
            "Bad Request: BOT_COMMAND_INVALID",
        ),
        (
            json!({"commands": [{"command": "with space", "description": "x"}]}),
            "Bad Request: BOT_COMMAND_INVALID",
        ),
        (
            json!({"commands": [{"command": "start", "description": " "}]}),
            "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
        ),
        (
            json!({"commands": [{"command": "start", "description": "x"}], "language_code": "uzb"}),
            "Bad Request: invalid language code specified",
        ),
        (
            json!({"commands": [{"command": "start", "description": "x"}], "scope": {"type": "galaxy"}}),
            "Bad Request: can't parse BotCommandScope JSON object",
        ),
    ];
    for (params, reason) in cases {
        assert_eq!(
            app.fails("setMyCommands", params.clone(), 400).await,
            reason,
            "{params}"
        );
    }
    assert!(app.sandbox().commands().is_empty());
}
