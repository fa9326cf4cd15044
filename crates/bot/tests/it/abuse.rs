//! Garbage payloads, hostile names and titles, and who may do what.

use startlink_core::links::{self, NewLink};
use startlink_core::time;

use crate::helpers::{ADMIN, OPERATOR, OTHER_OPERATOR, TestBot, head, text, user, uz};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_payloads_get_a_clear_answer_and_the_bot_keeps_running() {
    let bot = TestBot::start().await;
    let t = uz();
    let long = "a".repeat(65);
    let cases: &[(&str, &str)] = &[
        (&long, t.invalid),
        ("bad!chars", t.invalid),
        ("QTl4MkpLM3NkUXc", t.not_found),
        ("abc", t.invalid),
        ("_tgr_abc", t.not_found),
        ("';DROP", t.invalid),
        ("'; DROP TABLE links; --", t.invalid),
        ("<b>x</b>", t.invalid),
        ("ключ", t.invalid),
    ];
    for (i, (payload, expected)) in cases.iter().enumerate() {
        let reply = bot
            .ask(&user(500 + i as i64, "G"), &format!("/start {payload}"))
            .await;
        assert_eq!(text(&reply), *expected, "payload {payload:?}");
    }
    let empty = bot.ask(&user(600, "Empty"), "/start").await;
    assert!(
        text(&empty).contains("Empty"),
        "a bare /start is a welcome: {}",
        text(&empty)
    );

    let link = links::create(
        &bot.db,
        NewLink {
            order_log_id: Some(42),
            ..Default::default()
        },
        time::now(),
    )
    .await
    .unwrap();
    let works = bot
        .ask(&user(601, "Ok"), &format!("/start {}", link.key))
        .await;
    assert!(
        text(&works).contains("42"),
        "still answering after the garbage"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_and_huge_titles_make_messages_telegram_accepts() {
    let bot = TestBot::start().await;
    let hostile = user(700, "<b>&\"'</script>");
    let welcome = bot.ask(&hostile, "/start").await;
    assert!(
        text(&welcome).contains("<b>&\"'</script>"),
        "the name shows literally: {}",
        text(&welcome)
    );

    let title = "<i>&\"'".repeat(680);
    assert!(title.chars().count() >= 4000);
    let new = NewLink {
        title: Some(title),
        welcome_text: Some("<a href=\"x\">".repeat(300)),
        order_log_id: Some(1),
        ..Default::default()
    };
    let link = links::create(&bot.db, new, time::now()).await.unwrap();
    let reply = bot
        .ask(&user(701, "T"), &format!("/start {}", link.key))
        .await;
    assert!(
        text(&reply).starts_with(head(uz().redeemed)),
        "{}",
        text(&reply)
    );
    assert!(text(&reply).encode_utf16().count() <= 4096);
    assert!(
        text(&reply).contains("<i>&\"'"),
        "the title shows literally"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_operators_create_and_each_manages_only_their_own() {
    let bot = TestBot::start().await;
    let t = uz();
    let stranger = user(800, "Stranger");
    for command in [
        "/generate 1 2",
        "/link 1 2",
        "/qr https://example.com",
        "/stats",
        "/mylinks",
        "/revoke AAAAAAAAAAAA",
    ] {
        let reply = bot.ask(&stranger, command).await;
        assert_eq!(text(&reply), t.operators_only, "{command}");
    }
    assert_eq!(
        links::list(&bot.db, &Default::default(), time::now())
            .await
            .unwrap()
            .total,
        0
    );

    let operator = user(OPERATOR, "Op");
    let all = bot.ask(&operator, "/stats all").await;
    assert_eq!(text(&all), t.admins_only);

    let theirs = NewLink {
        order_log_id: Some(1),
        created_by: Some(OTHER_OPERATOR),
        ..Default::default()
    };
    let theirs = links::create(&bot.db, theirs, time::now()).await.unwrap();
    let refused = bot.ask(&operator, &format!("/revoke {}", theirs.key)).await;
    assert_eq!(text(&refused), t.not_your_link);
    assert!(
        links::find(&bot.db, &theirs.key)
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none()
    );

    let admin = user(ADMIN, "Admin");
    let done = bot.ask(&admin, &format!("/revoke {}", theirs.key)).await;
    assert!(text(&done).contains(theirs.key.as_str()) && text(&done).contains("bekor qilindi"));
    let everything = bot.ask(&admin, "/stats all").await;
    assert!(text(&everything).contains("Barcha havolalar"));

    let usage = bot.ask(&operator, "/generate 12x 3").await;
    assert!(
        text(&usage).contains("/generate"),
        "a usage message: {}",
        text(&usage)
    );
    let usage = bot.ask(&operator, "/generate").await;
    assert!(text(&usage).starts_with("Foydalanish"), "{}", text(&usage));
    let bad_ttl = bot.ask(&operator, "/link 1 2 soon").await;
    assert!(text(&bad_ttl).starts_with("Muddat"), "{}", text(&bad_ttl));
    bot.stop().await;
}
