//! Webhook mode: Telegram (the sandbox) posts updates with the secret header;
//! anything without it is refused before it is read.

use startlink_core::events::{self, EventFilter};
use startlink_core::links::{self, NewLink};
use startlink_core::time;
use tokio::net::TcpListener;

use crate::helpers::{Options, TestBot, text, user};

const SECRET: &str = "s3cret_Token-1-abcdef";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_updates_need_the_secret_and_a_redelivery_counts_once() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/telegram/webhook")).unwrap();
    let options = Options {
        webhook: Some((url.clone(), SECRET.to_owned())),
        ..Default::default()
    };
    let (bot, router) = TestBot::start_with(options).await;
    tokio::spawn(async move { axum::serve(listener, router.unwrap()).await });

    // The sandbox delivers through the webhook, with the secret.
    let link = links::create(
        &bot.db,
        NewLink {
            order_log_id: Some(31),
            ..Default::default()
        },
        time::now(),
    )
    .await
    .unwrap();
    let customer = user(3_000, "Webhook");
    let reply = bot.ask(&customer, &format!("/start {}", link.key)).await;
    assert!(text(&reply).contains("31"), "{}", text(&reply));
    assert!(
        bot.sandbox().webhook().is_some(),
        "the bot registered its webhook"
    );

    let second = links::create(
        &bot.db,
        NewLink {
            order_log_id: Some(32),
            ..Default::default()
        },
        time::now(),
    )
    .await
    .unwrap();
    let update = serde_json::json!({
        "update_id": 900_001,
        "message": {
            "message_id": 9_001,
            "date": 1_790_000_000,
            "chat": {"id": customer.id, "type": "private", "first_name": "Webhook"},
            "from": {"id": customer.id, "is_bot": false, "first_name": "Webhook"},
            "text": format!("/start {}", second.key),
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}]
        }
    });
    let client = reqwest::Client::new();
    let post = |secret: Option<&'static str>| {
        let mut request = client.post(url.clone()).json(&update);
        if let Some(secret) = secret {
            request = request.header(startlink_bot::SECRET_HEADER, secret);
        }
        request.send()
    };
    for wrong in [None, Some("wrong"), Some("s3cret_Token-1-abcde")] {
        assert_eq!(post(wrong).await.unwrap().status(), 401, "secret {wrong:?}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let recorded = |link_id| {
        let db = bot.db.clone();
        async move {
            events::list(
                &db,
                &EventFilter {
                    link_id: Some(link_id),
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .len()
        }
    };
    assert_eq!(
        recorded(second.id).await,
        0,
        "refused updates are never processed"
    );

    let before = bot.messages(customer.id).len();
    for _ in 0..2 {
        assert_eq!(post(Some(SECRET)).await.unwrap().status(), 200);
    }
    let answer = bot.reply_number(customer.id, before + 1).await;
    assert!(text(&answer).contains("32"), "{}", text(&answer));
    // The redelivery was recognised: answered once, counted once.
    bot.wait_until_handled().await;
    assert_eq!(bot.messages(customer.id).len(), before + 1, "answered once");
    assert_eq!(recorded(second.id).await, 1, "and counted once");
    assert_eq!(
        links::find(&bot.db, &second.key)
            .await
            .unwrap()
            .unwrap()
            .use_count,
        1
    );
    bot.stop().await;
}
