//! Languages, referrals and campaign welcomes.

use startlink_core::links::{self, LinkKind, NewLink};
use startlink_core::time;

use crate::helpers::{OPERATOR, TestBot, text, user, user_in};
use startlink_bot::i18n::{Lang, texts};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_language_is_followed_and_lang_switches_every_later_answer() {
    let bot = TestBot::start().await;
    let ivan = user_in(900, "Ivan", "ru");
    let help = bot.ask(&ivan, "/help").await;
    assert_eq!(
        text(&help),
        "Команды\n/ref — ваша реферальная ссылка\n/lang — выбрать язык\n/help — помощь"
    );
    let english = user_in(901, "John", "en-GB");
    assert!(text(&bot.ask(&english, "/help").await).starts_with("Commands"));
    let unknown = user_in(902, "Hans", "de");
    assert!(
        text(&bot.ask(&unknown, "/help").await).starts_with("Buyruqlar"),
        "Uzbek by default"
    );

    let prompt = bot.ask(&ivan, "/lang").await;
    assert_eq!(
        prompt.callback_data(),
        vec!["lang:uz", "lang:ru", "lang:en"]
    );
    bot.press(&ivan, &prompt, "lang:en").await;
    let switched = bot
        .messages(ivan.id)
        .into_iter()
        .find(|m| m.message_id == prompt.message_id)
        .unwrap();
    assert_eq!(text(&switched), "Language set: English");
    let missing = bot.ask(&ivan, "/start NoSuchKey12").await;
    assert_eq!(text(&missing), texts(Lang::En).not_found);

    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_registered_per_language_and_operators_see_theirs() {
    let bot = TestBot::start().await;
    let names = |commands: &[startlink_sandbox::BotCommand]| -> Vec<String> {
        commands.iter().map(|c| c.command.clone()).collect()
    };
    // A chat must exist for Telegram to resolve what its user sees.
    bot.ask(&user(1_300, "Customer"), "/help").await;
    bot.ask(&user(OPERATOR, "Operator"), "/help").await;
    let customer = bot.sandbox().visible_commands(1_300, 1_300, "ru");
    assert_eq!(names(&customer), ["start", "help", "ref", "lang"]);
    assert_eq!(customer[1].description, texts(Lang::Ru).commands.help);
    let operator = bot.sandbox().visible_commands(OPERATOR, OPERATOR, "en");
    assert!(
        names(&operator).contains(&"generate".to_owned()),
        "{operator:?}"
    );
    assert_eq!(operator[0].description, texts(Lang::En).commands.generate);
    let default = bot.sandbox().visible_commands(1_300, 1_300, "");
    assert_eq!(
        default[0].description,
        texts(Lang::Uz).commands.start,
        "the default list is in DEFAULT_LANG"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referral_links_count_who_joined() {
    let bot = TestBot::start().await;
    let referrer = user(1_100, "Referrer");
    let first = bot.ask(&referrer, "/ref").await;
    let url = text(&first)
        .lines()
        .find(|l| l.starts_with("https://t.me/"))
        .unwrap()
        .to_owned();
    assert!(text(&first).ends_with(": 0"), "{}", text(&first));
    let key = url.rsplit("start=").next().unwrap().to_owned();
    assert!(key.starts_with("r_"));
    for id in [1_101, 1_102] {
        bot.ask(&user(id, "Friend"), &format!("/start {key}")).await;
    }
    bot.ask(&referrer, &format!("/start {key}")).await;
    let after = bot.ask(&referrer, "/ref").await;
    assert!(text(&after).ends_with(": 2"), "{}", text(&after));
    assert!(text(&after).contains(&url), "the same link every time");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_link_answers_with_its_own_welcome() {
    let bot = TestBot::start().await;
    let new = NewLink {
        kind: Some(LinkKind::Campaign),
        campaign: Some("bahor".into()),
        welcome_text: Some("Bahor aksiyasi: <20% chegirma> & sovgʻa!".into()),
        ..Default::default()
    };
    let link = links::create(&bot.db, new, time::now()).await.unwrap();
    let reply = bot
        .ask(&user(1_200, "Guest"), &format!("/start {}", link.key))
        .await;
    assert_eq!(text(&reply), "Bahor aksiyasi: <20% chegirma> & sovgʻa!");
    let plain = links::create(
        &bot.db,
        NewLink {
            kind: Some(LinkKind::Campaign),
            ..Default::default()
        },
        time::now(),
    )
    .await
    .unwrap();
    let generic = bot
        .ask(&user(1_201, "Guest"), &format!("/start {}", plain.key))
        .await;
    assert_eq!(text(&generic), texts(Lang::Uz).accepted);
    bot.stop().await;
}
