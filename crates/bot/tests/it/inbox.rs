//! The inbox end to end (issue #12, findings 1–3): a Bot API that restarts
//! and numbers its updates anew, two bots on one database, and a stop while
//! the Bot API stalls. No answer crosses users, every open is counted once,
//! and what could not be answered before the stop is answered after it.

use std::time::Duration;

use startlink_core::events::{self, EventFilter};
use startlink_core::links::{self, Link, NewLink};
use startlink_core::time;
use startlink_sandbox::{FloodConfig, SandboxConfig};

use crate::helpers::{Options, TestBot, text, user};

async fn order_links(bot: &TestBot, orders: impl IntoIterator<Item = i64>) -> Vec<Link> {
    let mut created = Vec::new();
    for order in orders {
        let link = links::create(
            &bot.db,
            NewLink {
                product_id: Some(7),
                order_log_id: Some(order),
                ..Default::default()
            },
            time::now(),
        )
        .await
        .unwrap();
        created.push(link);
    }
    created
}

async fn events_total(bot: &TestBot) -> usize {
    events::list(
        &bot.db,
        &EventFilter {
            limit: 10_000,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .len()
}

async fn use_count(bot: &TestBot, link: &Link) -> i64 {
    links::find(&bot.db, &link.key)
        .await
        .unwrap()
        .unwrap()
        .use_count
}

/// Order ids far apart, so that one never appears inside another's text.
fn order_id(i: i64) -> i64 {
    700_000 + i * 1_013
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_bot_api_restarts_and_numbers_updates_anew_no_answer_crosses_users() {
    let mut bot = TestBot::start().await;
    const N: i64 = 15;
    let links = order_links(&bot, (0..2 * N).map(order_id)).await;
    for i in 0..N {
        let customer = user(5_000 + i, "Before");
        let reply = bot
            .ask(&customer, &format!("/start {}", links[i as usize].key))
            .await;
        assert!(text(&reply).contains(&order_id(i).to_string()));
    }
    bot.wait_until_handled().await;

    bot.restart_sandbox().await;
    for i in N..2 * N {
        let customer = user(5_000 + i, "After");
        let reply = bot
            .ask(&customer, &format!("/start {}", links[i as usize].key))
            .await;
        let reply = text(&reply);
        assert!(
            reply.contains(&order_id(i).to_string()),
            "user {i} sees his own order, not an earlier user's with the same update id: {reply}"
        );
        for other in (0..2 * N).filter(|o| *o != i) {
            assert!(!reply.contains(&order_id(other).to_string()), "{reply}");
        }
    }
    bot.wait_until_handled().await;
    for link in &links {
        assert_eq!(use_count(&bot, link).await, 1, "every open counted");
    }
    assert_eq!(events_total(&bot).await, 2 * N as usize, "and counted once");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bots_on_one_database_keep_their_update_ids_apart() {
    let first = TestBot::start().await;
    let other_config = SandboxConfig {
        token: "2000000002:second-sandbox-token".to_owned(),
        bot_id: 2_000_000_002,
        bot_username: "second_sandbox_bot".to_owned(),
        ..Default::default()
    };
    let (second, _) = TestBot::start_with(Options {
        db: Some(first.shared_db()),
        sandbox: Some(other_config),
        ..Default::default()
    })
    .await;
    let links = order_links(&first, [order_id(1), order_id(2)]).await;
    // Each Bot API numbers from 1: both updates are number 1.
    let a = user(6_001, "A");
    let b = user(6_002, "B");
    let reply_a = first.ask(&a, &format!("/start {}", links[0].key)).await;
    let reply_b = second.ask(&b, &format!("/start {}", links[1].key)).await;
    assert!(text(&reply_a).contains(&order_id(1).to_string()));
    assert!(
        text(&reply_b).contains(&order_id(2).to_string()),
        "B gets his own order: {}",
        text(&reply_b)
    );
    first.wait_until_handled().await;
    second.wait_until_handled().await;
    assert_eq!(use_count(&first, &links[1]).await, 1, "B's open counted");
    assert_eq!(events_total(&first).await, 2);
    second.stop().await;
    first.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_while_the_bot_api_stalls_ends_within_the_deadline_and_the_next_start_answers() {
    let mut bot = TestBot::start().await;
    const N: i64 = 30;
    let links = order_links(&bot, (0..N).map(order_id)).await;
    // Every send answers 429 "retry after 30 s": replies pile up.
    bot.sandbox()
        .set_flood(Some(FloodConfig::every_nth(1, 30)))
        .unwrap();
    let customers: Vec<_> = (0..N).map(|i| user(8_000 + i, "Patient")).collect();
    for (customer, link) in customers.iter().zip(&links) {
        bot.sandbox()
            .send_text(customer, &format!("/start {}", link.key))
            .unwrap();
    }
    // Wait until the bot took every update in (the opens are recorded).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while events_total(&bot).await < N as usize {
        assert!(tokio::time::Instant::now() < deadline, "opens recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = bot.stop_bot().await;
    assert!(
        took < Duration::from_secs(10),
        "stopping took {took:?} with replies stuck behind 429s"
    );
    let unanswered = startlink_core::inbox::unfinished(&bot.db, bot.ctx.bot_id())
        .await
        .unwrap();
    assert!(unanswered > 0, "replies cut off by the stop stay pending");

    bot.sandbox().set_flood(None).unwrap();
    bot.start_bot().await;
    for (i, customer) in customers.iter().enumerate() {
        let reply = bot.reply_number(customer.id, 1).await;
        assert!(
            text(&reply).contains(&order_id(i as i64).to_string()),
            "{}",
            text(&reply)
        );
    }
    bot.wait_until_handled().await;
    for (customer, link) in customers.iter().zip(&links) {
        assert_eq!(bot.messages(customer.id).len(), 1, "answered once");
        assert_eq!(use_count(&bot, link).await, 1);
    }
    assert_eq!(events_total(&bot).await, N as usize, "counted once");
    bot.stop().await;
}
