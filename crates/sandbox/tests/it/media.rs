//! Photos and documents: multipart uploads, attach://, file_id re-sends, URLs
//! kept as sent, getFile and the bytes behind it.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{PNG_1X1, TOKEN, TestSandbox, spawn_sandbox, user};

async fn chat() -> TestSandbox {
    let app = spawn_sandbox().await;
    app.user_says(&user(10, "Ali"), "hi").await;
    app
}

async fn multipart(app: &TestSandbox, method: &str, form: Form) -> (StatusCode, Value) {
    let response = app
        .http
        .post(app.method_url(method))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn an_uploaded_photo_comes_back_byte_for_byte_through_get_file() {
    let app = chat().await;
    let form = Form::new()
        .text("chat_id", "10")
        .text("caption", "<b>QR</b>")
        .text("parse_mode", "HTML")
        .text(
            "reply_markup",
            json!({"inline_keyboard": [[{"text": "Revoke", "callback_data": "rv"}]]}).to_string(),
        )
        .part("photo", Part::bytes(PNG_1X1.to_vec()).file_name("qr.png"));
    let (status, body) = multipart(&app, "sendPhoto", form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let message = &body["result"];
    assert_eq!(message["caption"], "QR");
    assert_eq!(
        message["caption_entities"],
        json!([{"type": "bold", "offset": 0, "length": 2}])
    );
    let sizes = message["photo"].as_array().unwrap();
    assert_eq!(sizes.len(), 1);
    assert_eq!(
        (sizes[0]["width"].as_u64(), sizes[0]["height"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(sizes[0]["file_size"], PNG_1X1.len());
    let file_id = sizes[0]["file_id"].as_str().unwrap();

    let file = app.ok("getFile", json!({"file_id": file_id})).await;
    assert_eq!(file["file_id"], file_id);
    let path = file["file_path"].as_str().unwrap();
    let download = app
        .http
        .get(app.url(&format!("/file/bot{TOKEN}/{path}")))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.bytes().await.unwrap().as_ref(), PNG_1X1);

    // The control API links the same bytes.
    let shown = &app.sandbox().messages(10)[0];
    let url = shown.photo.as_ref().unwrap().url.clone().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(
        app.http
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref(),
        PNG_1X1
    );
    assert_eq!(shown.buttons[0][0].callback_data.as_deref(), Some("rv"));
}

#[tokio::test]
async fn an_attach_reference_names_the_uploaded_part() {
    let app = chat().await;
    // What teloxide sends: the parameter points at a part with a random name.
    let form = Form::new()
        .text("chat_id", "10")
        .text("photo", "attach://f3a9")
        .part("f3a9", Part::bytes(PNG_1X1.to_vec()).file_name(""));
    let (status, body) = multipart(&app, "sendPhoto", form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let file_id = body["result"]["photo"][0]["file_id"].as_str().unwrap();
    assert_eq!(app.sandbox().file_bytes(file_id).unwrap().as_ref(), PNG_1X1);
}

#[tokio::test]
async fn a_file_id_re_sends_the_same_file() {
    let app = chat().await;
    let form = Form::new()
        .text("chat_id", "10")
        .part("photo", Part::bytes(PNG_1X1.to_vec()).file_name("a.png"));
    let (_, body) = multipart(&app, "sendPhoto", form).await;
    let file_id = body["result"]["photo"][0]["file_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let again = app
        .ok("sendPhoto", json!({"chat_id": 10, "photo": file_id}))
        .await;
    assert_eq!(again["photo"][0]["file_id"], file_id);
    let as_document = app
        .fails(
            "sendDocument",
            json!({"chat_id": 10, "document": file_id}),
            400,
        )
        .await;
    assert_eq!(
        as_document,
        "Bad Request: can't use file of type Photo as Document"
    );
    let unknown = app
        .fails(
            "sendPhoto",
            json!({"chat_id": 10, "photo": "AgACnope"}),
            400,
        )
        .await;
    assert_eq!(
        unknown,
        "Bad Request: wrong file identifier/HTTP URL specified"
    );
}

#[tokio::test]
async fn a_photo_url_is_kept_as_sent_and_never_fetched() {
    let app = chat().await;
    let url = "https://cdn.example.com/qr/123.png";
    let message = app
        .ok("sendPhoto", json!({"chat_id": 10, "photo": url}))
        .await;
    let file_id = message["photo"][0]["file_id"].as_str().unwrap();
    let shown = app.sandbox().messages(10)[0].photo.clone().unwrap();
    assert_eq!(shown.url.as_deref(), Some(url));
    assert!(shown.external);
    let description = app.fails("getFile", json!({"file_id": file_id}), 400).await;
    assert_eq!(
        description,
        "Bad Request: wrong file_id or the file is temporarily unavailable"
    );
}

#[tokio::test]
async fn bytes_that_are_not_an_image_are_no_photo() {
    let app = chat().await;
    let form = Form::new().text("chat_id", "10").part(
        "photo",
        Part::bytes(b"%PDF-1.7 not a photo".to_vec()).file_name("x.png"),
    );
    let (status, body) = multipart(&app, "sendPhoto", form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["description"], "Bad Request: IMAGE_PROCESS_FAILED");
    let description = app.fails("sendPhoto", json!({"chat_id": 10}), 400).await;
    assert_eq!(description, "Bad Request: there is no photo in the request");
}

#[tokio::test]
async fn a_document_keeps_its_name_and_type() {
    let app = chat().await;
    let bytes = b"key,url\nAbC,https://t.me/x?start=AbC\n".to_vec();
    let form = Form::new()
        .text("chat_id", "10")
        .text("caption", "links")
        .part(
            "document",
            Part::bytes(bytes.clone()).file_name("links.csv"),
        );
    let (status, body) = multipart(&app, "sendDocument", form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let document = &body["result"]["document"];
    assert_eq!(document["file_name"], "links.csv");
    assert_eq!(document["mime_type"], "text/csv");
    assert_eq!(document["file_size"], bytes.len());
    let (status, chats) = app.control_get("/chats/10/messages").await;
    assert_eq!(status, StatusCode::OK);
    let url = chats[0]["document"]["url"].as_str().unwrap().to_owned();
    assert_eq!(
        app.http
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref(),
        bytes.as_slice()
    );
}

#[tokio::test]
async fn an_upload_over_the_size_cap_is_refused_without_a_crash() {
    let app = crate::helpers::spawn_with(startlink_sandbox::SandboxConfig {
        limits: startlink_sandbox::Limits {
            max_upload_bytes: 1024,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    app.user_says(&user(10, "Ali"), "hi").await;
    let form = Form::new().text("chat_id", "10").part(
        "document",
        Part::bytes(vec![7u8; 3 * 1024 * 1024]).file_name("big.bin"),
    );
    let (status, body) = multipart(&app, "sendDocument", form).await;
    assert_eq!(status.as_u16(), 413, "{body}");
    assert_eq!(body["description"], "Request Entity Too Large");
    let description = app
        .fails(
            "sendMessage",
            json!({"chat_id": 10, "text": "x".repeat(2 * 1024 * 1024)}),
            413,
        )
        .await;
    assert_eq!(description, "Request Entity Too Large");
    app.ok("getMe", json!({})).await;
}
