//! Telegram pushing back (429 with retry_after) and group chats.

use startlink_core::links::{self, NewLink, UseLimit};
use startlink_core::time;
use startlink_sandbox::{Chat, ChatType, FloodConfig};

use crate::helpers::{TestBot, text, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_429s_injected_every_reply_is_still_delivered() {
    let bot = TestBot::start().await;
    let new = NewLink {
        uses: UseLimit::Unlimited,
        order_log_id: Some(3),
        ..Default::default()
    };
    let link = links::create(&bot.db, new, time::now()).await.unwrap();
    bot.sandbox()
        .set_flood(Some(FloodConfig::every_nth(2, 1)))
        .unwrap();
    let users: Vec<_> = (2_000..2_012).map(|id| user(id, "Flood")).collect();
    for u in &users {
        bot.sandbox()
            .send_text(u, &format!("/start {}", link.key))
            .unwrap();
    }
    for u in &users {
        let reply = bot.reply_number(u.id, 1).await;
        assert!(text(&reply).contains('3'), "{}", text(&reply));
    }
    let counters = bot.sandbox().counters();
    assert!(
        counters.flood_rejections > 0,
        "the sandbox did refuse some sends: {counters:?}"
    );
    bot.sandbox().set_flood(None).unwrap();
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_with_the_bot_mention_works_in_groups() {
    let bot = TestBot::start().await;
    let link = links::create(
        &bot.db,
        NewLink {
            order_log_id: Some(55),
            ..Default::default()
        },
        time::now(),
    )
    .await
    .unwrap();
    let member = user(2_100, "Member");
    let group = Chat::group(-1_001, "Shop group", ChatType::Supergroup);
    bot.sandbox()
        .send_text_in(
            &group,
            &member,
            &format!("/start@startlink_sandbox_bot {}", link.key),
        )
        .unwrap();
    let reply = bot.reply_number(group.id, 1).await;
    assert!(text(&reply).contains("55"), "{}", text(&reply));
    bot.stop().await;
}
