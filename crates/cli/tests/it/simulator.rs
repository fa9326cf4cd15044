//! `startlink serve --sandbox` end to end over HTTP: the panel's chat
//! simulator plays a Telegram user against the real bot, the link is
//! redeemed once, and the bot's counters and mode reach `/metrics` and the
//! settings page.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::server::{Panel, Server};

async fn create_link(server: &Server, token: &str, title: &str) -> String {
    let link: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/links", server.base))
        .bearer_auth(token)
        .json(&json!({ "kind": "order", "product_id": 42, "title": title }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    link["key"].as_str().unwrap().to_owned()
}

async fn use_count(server: &Server, token: &str, key: &str) -> i64 {
    let link: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/links/{key}", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    link["use_count"].as_i64().unwrap()
}

#[tokio::test]
async fn the_simulator_redeems_a_link_presses_buttons_and_escapes_names() {
    let server = Server::start().await;
    let token = server.api_token().await;
    let key = create_link(&server, &token, "Simulated order").await;
    let mut panel = Panel::login(&server, crate::server::ADMIN).await;

    let page = panel.page("/simulator").await;
    assert!(page.contains("Create a user on the left"), "{page}");
    let to = panel
        .submit(
            "/simulator/users",
            &[
                ("first_name", "Ali <script>x</script>"),
                ("language", "uz"),
                ("id", ""),
            ],
        )
        .await;
    assert!(to.starts_with("/simulator?user="), "{to}");
    let user_id = to.trim_start_matches("/simulator?user=").to_owned();

    // The send waits for the bot's answer, so the next page shows it.
    let back = panel
        .submit(
            "/simulator/send",
            &[("user", &user_id), ("text", &format!("/start {key}"))],
        )
        .await;
    assert_eq!(back, to);
    let page = panel.page(&to).await;
    assert!(page.contains("Buyurtmangiz qabul qilindi"), "{page}");
    assert!(page.contains("Ali &lt;script&gt;x&lt;"), "{page}");
    assert!(!page.contains("<script>x"), "{page}");
    assert_eq!(use_count(&server, &token, &key).await, 1);

    // A second open by the same user is answered, not counted again.
    panel
        .submit(
            "/simulator/send",
            &[("user", &user_id), ("text", &format!("/start {key}"))],
        )
        .await;
    assert_eq!(use_count(&server, &token, &key).await, 1);

    // Buttons: /lang offers languages; pressing English switches the bot.
    panel
        .submit("/simulator/send", &[("user", &user_id), ("text", "/lang")])
        .await;
    let page = panel.page(&to).await;
    assert!(page.contains("Tilni tanlang"), "{page}");
    let message_id = page
        .split("name=\"message_id\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a button form on the page")
        .to_owned();
    panel
        .submit(
            "/simulator/press",
            &[
                ("user", &user_id),
                ("message_id", &message_id),
                ("data", "lang:en"),
            ],
        )
        .await;
    let page = panel.page(&to).await;
    assert!(page.contains("English"), "{page}");

    // The bot's counters are on /metrics, its mode on the settings page.
    let metrics = reqwest::Client::new()
        .get(format!("{}/metrics", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let messages: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("startlink_bot_updates_total{type=\"message\"} "))
        .expect("bot update counter on /metrics")
        .parse()
        .unwrap();
    assert!(messages >= 3, "{metrics}");
    assert!(
        metrics.contains("startlink_bot_updates_total{type=\"callback_query\"} 1\n"),
        "{metrics}"
    );
    let settings = panel.page("/settings").await;
    assert!(
        settings.contains("polling (against the built-in sandbox"),
        "{settings}"
    );
    assert!(
        settings.contains("none registered (long polling)"),
        "{settings}"
    );

    // A photo the bot sends is served to the page; unknown files are 404.
    let missing = panel.get("/simulator/files/nope").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn viewers_cannot_act_as_users_and_forms_need_the_csrf_token() {
    let server = Server::start().await;
    let mut viewer = Panel::login(&server, "watcher").await;
    let page = viewer.page("/simulator").await;
    assert!(page.contains("Chat simulator"), "{page}");
    let response = viewer
        .post("/simulator/users", &[("first_name", "Eve")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let mut admin = Panel::login(&server, crate::server::ADMIN).await;
    let to = admin
        .submit("/simulator/users", &[("first_name", "Bob")])
        .await;
    let user_id = to.trim_start_matches("/simulator?user=").to_owned();
    let forged = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/simulator/send", server.base))
        .form(&[
            ("user", user_id.as_str()),
            ("text", "/start"),
            ("csrf", "x"),
        ])
        .send()
        .await
        .unwrap();
    // No session cookie: sent to the login page, nothing reaches the bot.
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);
    let bad = admin
        .post("/simulator/users", &[("first_name", ""), ("id", "-5")])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
