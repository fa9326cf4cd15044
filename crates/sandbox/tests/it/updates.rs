//! getUpdates: offsets, limits, long polling, competing pollers, allowed_updates.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{spawn_sandbox, user};

#[tokio::test]
async fn a_message_becomes_an_update_in_telegrams_shape() {
    let app = spawn_sandbox().await;
    app.user_says(&user(77, "Dilnoza"), "/start KEY_123").await;
    let updates = app.ok("getUpdates", json!({})).await;
    let update = &updates[0];
    assert_eq!(update["update_id"], 1);
    let message = &update["message"];
    assert_eq!(message["message_id"], 1);
    assert_eq!(message["text"], "/start KEY_123");
    assert_eq!(
        message["from"],
        json!({"id": 77, "is_bot": false, "first_name": "Dilnoza", "username": "user77", "language_code": "uz"})
    );
    assert_eq!(
        message["chat"],
        json!({"id": 77, "type": "private", "first_name": "Dilnoza", "username": "user77"})
    );
    assert_eq!(
        message["entities"],
        json!([{"type": "bot_command", "offset": 0, "length": 6}])
    );
    assert!(message["date"].as_i64().unwrap() > 1_700_000_000);
}

#[tokio::test]
async fn an_offset_confirms_earlier_updates_and_a_limit_caps_the_batch() {
    let app = spawn_sandbox().await;
    for i in 0..5 {
        app.user_says(&user(1, "A"), &format!("m{i}")).await;
    }
    let first_two = app.ok("getUpdates", json!({"limit": 2})).await;
    assert_eq!(first_two.as_array().unwrap().len(), 2);
    assert_eq!(
        app.ok("getUpdates", json!({}))
            .await
            .as_array()
            .unwrap()
            .len(),
        5,
        "nothing confirmed yet"
    );
    let rest = app.ok("getUpdates", json!({"offset": 3})).await;
    let ids: Vec<_> = rest
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["update_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [3, 4, 5]);
    assert_eq!(app.sandbox().counters().updates_delivered, 2);
    let last = app.ok("getUpdates", json!({"offset": -1})).await;
    assert_eq!(
        last[0]["update_id"], 5,
        "a negative offset keeps the last updates only"
    );
    assert_eq!(
        app.ok("getUpdates", json!({"offset": 3}))
            .await
            .as_array()
            .unwrap()
            .len(),
        1,
        "3 and 4 are forgotten"
    );
    assert!(
        app.ok("getUpdates", json!({"offset": 6}))
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.sandbox().pending_updates(), 0);
}

#[tokio::test]
async fn a_waiting_long_poll_returns_as_soon_as_an_update_arrives() {
    let app = spawn_sandbox().await;
    let http = app.http.clone();
    let url = app.method_url("getUpdates");
    let started = Instant::now();
    let poll = tokio::spawn(async move {
        let body: serde_json::Value = http
            .post(url)
            .json(&json!({"timeout": 30}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (body, started.elapsed())
    });
    // Long enough for the poll to be waiting; the assertion below proves it was.
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.user_says(&user(5, "Eve"), "hello").await;
    let (body, elapsed) = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .expect("poll answered")
        .unwrap();
    assert_eq!(body["result"][0]["message"]["text"], "hello");
    assert!(
        elapsed >= Duration::from_millis(250),
        "the poll waited ({elapsed:?})"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "the poll did not wait for its timeout ({elapsed:?})"
    );
}

#[tokio::test]
async fn a_long_poll_with_nothing_to_say_ends_at_its_timeout_with_an_empty_list() {
    let app = spawn_sandbox().await;
    let started = Instant::now();
    let result = app.ok("getUpdates", json!({"timeout": 1})).await;
    assert_eq!(result, json!([]));
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_second_poller_terminates_the_first_with_409() {
    let app = spawn_sandbox().await;
    let http = app.http.clone();
    let url = app.method_url("getUpdates");
    let first = tokio::spawn(async move {
        let response = http
            .post(url)
            .json(&json!({"timeout": 20}))
            .send()
            .await
            .unwrap();
        (
            response.status(),
            response.json::<serde_json::Value>().await.unwrap(),
        )
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = app.ok("getUpdates", json!({"timeout": 0})).await;
    assert_eq!(second, json!([]));
    let (status, body) = tokio::time::timeout(Duration::from_secs(5), first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.as_u16(), 409);
    assert_eq!(
        body["description"],
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    );
}

#[tokio::test]
async fn allowed_updates_decide_which_updates_are_created() {
    let app = spawn_sandbox().await;
    app.ok("getUpdates", json!({"allowed_updates": ["callback_query"]}))
        .await;
    let sent = app.user_says(&user(3, "C"), "ignored").await;
    assert_eq!(sent["update_id"], serde_json::Value::Null, "{sent}");
    assert!(
        app.ok("getUpdates", json!({}))
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.ok("getUpdates", json!({"allowed_updates": "[]"})).await;
    app.user_says(&user(3, "C"), "seen").await;
    assert_eq!(
        app.ok("getUpdates", json!({})).await[0]["message"]["text"],
        "seen"
    );
}

#[tokio::test]
async fn shutting_down_ends_a_waiting_long_poll() {
    let app = spawn_sandbox().await;
    let http = app.http.clone();
    let url = app.method_url("getUpdates");
    let poll = tokio::spawn(async move {
        http.post(url)
            .json(&json!({"timeout": 40}))
            .send()
            .await
            .unwrap()
            .status()
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    app.running.shutdown().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "graceful shutdown did not wait for the poll's timeout"
    );
    assert_eq!(poll.await.unwrap().as_u16(), 200);
}

#[tokio::test]
async fn a_burst_of_concurrent_users_loses_no_update() {
    let app = spawn_sandbox().await;
    let users = 300;
    let mut senders = Vec::new();
    for id in 1..=users {
        let http = app.http.clone();
        let url = app.url("/sandbox/messages");
        senders.push(tokio::spawn(async move {
            let body = json!({"from": {"id": id, "first_name": format!("U{id}")}, "text": format!("/start K{id}")});
            http.post(url).json(&body).send().await.unwrap().status()
        }));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut offset = 0;
    let deadline = Instant::now() + Duration::from_secs(20);
    while seen.len() < users as usize && Instant::now() < deadline {
        let batch = app
            .ok("getUpdates", json!({"offset": offset, "timeout": 5}))
            .await;
        for update in batch.as_array().unwrap() {
            offset = update["update_id"].as_i64().unwrap() + 1;
            seen.insert(update["message"]["from"]["id"].as_i64().unwrap());
        }
    }
    for sender in senders {
        assert!(sender.await.unwrap().is_success());
    }
    assert_eq!(
        seen.len(),
        users as usize,
        "every user's /start reached the bot exactly once"
    );
    app.ok("getUpdates", json!({"offset": offset})).await;
    let counters = app.sandbox().counters();
    assert_eq!(
        (
            counters.updates_created,
            counters.updates_delivered,
            counters.updates_pending
        ),
        (300, 300, 0)
    );
}
