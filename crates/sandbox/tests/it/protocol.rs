//! The envelope, status codes, token and method checks, and the ways
//! parameters arrive.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{BOT_USERNAME, TOKEN, spawn_sandbox, user};

#[tokio::test]
async fn a_wrong_token_gets_401_in_telegrams_envelope() {
    let app = spawn_sandbox().await;
    let response = app
        .http
        .get(app.url("/bot4242:wrong/getMe"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 401, "description": "Unauthorized"})
    );
    // The token is checked before the method exists.
    let response = app
        .http
        .get(app.url("/bot4242:wrong/noSuchMethod"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unknown_method_gets_404_not_found() {
    let app = spawn_sandbox().await;
    assert_eq!(
        app.fails("sendCarrierPigeon", json!({}), 404).await,
        "Not Found"
    );
    let response = app.http.get(app.url("/notbot/getMe")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn get_me_answers_on_get_and_post_and_ignores_method_case() {
    let app = spawn_sandbox().await;
    let response = app.http.get(app.method_url("getMe")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(body["result"]["username"], BOT_USERNAME);
    assert_eq!(body["result"]["is_bot"], true);
    assert_eq!(body["result"]["id"], 4242);
    let lower = app.ok("getme", json!({})).await;
    assert_eq!(lower, body["result"]);
    assert_eq!(app.sandbox().counters().requests_by_method["getMe"], 2);
}

#[tokio::test]
async fn parameters_come_from_the_query_string_form_and_json_bodies() {
    let app = spawn_sandbox().await;
    let ali = user(10, "Ali");
    app.user_says(&ali, "hi").await;

    let query = app.http.get(format!(
        "{}?chat_id=10&text=from%20query",
        app.method_url("sendMessage")
    ));
    assert_eq!(query.send().await.unwrap().status(), StatusCode::OK);
    let form = app
        .http
        .post(app.method_url("sendMessage"))
        .form(&[("chat_id", "10"), ("text", "from form")]);
    assert_eq!(form.send().await.unwrap().status(), StatusCode::OK);
    app.ok("sendMessage", json!({"chat_id": "10", "text": "from json"}))
        .await;

    let texts: Vec<_> = app
        .sandbox()
        .messages(10)
        .into_iter()
        .filter_map(|m| m.text)
        .collect();
    assert_eq!(texts, ["from query", "from form", "from json"]);
}

#[tokio::test]
async fn garbage_bodies_get_bad_request_and_the_sandbox_keeps_serving() {
    let app = spawn_sandbox().await;
    let cases: &[(&str, &[u8])] = &[
        ("application/json", b"{not json"),
        ("application/json", b"[1,2,3]"),
        ("application/json", b"\xff\xfe\x00"),
        ("multipart/form-data; boundary=zzz", b"--zzz\r\nbroken"),
        ("multipart/form-data", b"no boundary at all"),
    ];
    for (content_type, body) in cases {
        let response = app
            .http
            .post(app.method_url("sendMessage"))
            .header("content-type", *content_type)
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "{content_type} {body:?}"
        );
        let envelope: Value = response.json().await.unwrap();
        assert_eq!(envelope["ok"], false, "{content_type} {body:?}");
        assert!(
            envelope["description"]
                .as_str()
                .unwrap()
                .starts_with("Bad Request: "),
            "{envelope}"
        );
    }
    app.ok("getMe", json!({})).await;
}

#[tokio::test]
async fn wrong_parameters_get_telegrams_reasons() {
    let app = spawn_sandbox().await;
    app.user_says(&user(10, "Ali"), "hi").await;
    let cases = [
        (json!({"text": "x"}), "Bad Request: chat_id is empty"),
        (
            json!({"chat_id": 999, "text": "x"}),
            "Bad Request: chat not found",
        ),
        (
            json!({"chat_id": "@nobody", "text": "x"}),
            "Bad Request: chat not found",
        ),
        (json!({"chat_id": 10}), "Bad Request: message text is empty"),
        (
            json!({"chat_id": 10, "text": "  \n "}),
            "Bad Request: message text is empty",
        ),
        (
            json!({"chat_id": 10, "text": "x", "parse_mode": "BBCode"}),
            "Bad Request: unsupported parse_mode",
        ),
        (
            json!({"chat_id": 10, "text": "x", "reply_markup": "{"}),
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            json!({"chat_id": 10, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "plain"}]]}}),
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ),
        (
            json!({"chat_id": 10, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "b", "callback_data": "x".repeat(65)}]]}}),
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            json!({"chat_id": 10, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "b", "url": "not a url"}]]}}),
            "Bad Request: BUTTON_URL_INVALID",
        ),
    ];
    for (params, reason) in cases {
        assert_eq!(
            app.fails("sendMessage", params.clone(), 400).await,
            reason,
            "for {params}"
        );
    }
}

#[tokio::test]
async fn the_file_route_checks_the_token_and_the_path() {
    let app = spawn_sandbox().await;
    let wrong = app
        .http
        .get(app.url("/file/botnope/photos/file_1.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let missing = app
        .http
        .get(app.url(&format!("/file/bot{TOKEN}/photos/none.png")))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let escape = app
        .http
        .get(app.url(&format!("/file/bot{TOKEN}/../../etc/passwd")))
        .send()
        .await
        .unwrap();
    assert_eq!(escape.status(), StatusCode::NOT_FOUND);
}
