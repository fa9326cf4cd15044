//! The real teloxide 0.17 client against the sandbox: proof that teloxide
//! deserialises every shape the sandbox produces.

use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{
    ChatId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MediaKind, MessageKind,
    ParseMode, UpdateKind,
};

use crate::helpers::{BOT_USERNAME, PNG_1X1, TOKEN, spawn_sandbox, user};

#[tokio::test]
async fn teloxide_talks_to_the_sandbox() {
    let app = spawn_sandbox().await;
    let bot = Bot::new(TOKEN).set_api_url(reqwest::Url::parse(&app.running.base_url()).unwrap());

    let me = bot.get_me().await.unwrap();
    assert_eq!(me.username(), BOT_USERNAME);

    // A user writes first, as on Telegram; the bot reads it by long polling.
    let ali = user(1001, "Ali <b>&\"'");
    app.sandbox().send_text(&ali, "/start KEY_abc").unwrap();
    let updates = bot.get_updates().timeout(5).await.unwrap();
    assert_eq!(updates.len(), 1);
    let UpdateKind::Message(message) = &updates[0].kind else {
        panic!("not a message: {:?}", updates[0])
    };
    assert_eq!(message.text(), Some("/start KEY_abc"));
    assert_eq!(
        message.from.as_ref().map(|u| u.first_name.as_str()),
        Some("Ali <b>&\"'")
    );
    assert_eq!(message.chat.id, ChatId(1001));
    let next = updates[0].id.as_offset();

    let keyboard = InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback("Revoke", "rv:KEY_abc"),
        InlineKeyboardButton::url(
            "Share",
            reqwest::Url::parse("https://t.me/share/url?url=x").unwrap(),
        ),
    ]]);
    let sent = bot
        .send_message(ChatId(1001), "<b>Buyurtma</b> &lt;123&gt;")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard)
        .await
        .unwrap();
    assert_eq!(sent.text(), Some("Buyurtma <123>"));
    assert_eq!(sent.entities().map(<[_]>::len), Some(1));

    let photo = bot
        .send_photo(
            ChatId(1001),
            InputFile::memory(PNG_1X1.to_vec()).file_name("qr.png"),
        )
        .caption("<i>QR</i>")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    let MessageKind::Common(common) = &photo.kind else {
        panic!("not a common message: {photo:?}")
    };
    let MediaKind::Photo(media) = &common.media_kind else {
        panic!("not a photo: {photo:?}")
    };
    assert_eq!(media.caption.as_deref(), Some("QR"));
    let file = bot.get_file(media.photo[0].file.id.clone()).await.unwrap();
    assert_eq!(file.size, u32::try_from(PNG_1X1.len()).unwrap());

    let edited = bot
        .edit_message_text(ChatId(1001), sent.id, "edited")
        .await
        .unwrap();
    assert!(edited.edit_date().is_some());

    // A button press comes back as a callback query carrying the message.
    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Yes", "confirm")]]);
    let ask = bot
        .send_message(ChatId(1001), "Sure?")
        .reply_markup(keyboard)
        .await
        .unwrap();
    let pressed = app
        .sandbox()
        .press_button(&ali, 1001, ask.id.0, "confirm")
        .unwrap();
    let updates = bot.get_updates().offset(next).timeout(5).await.unwrap();
    let UpdateKind::CallbackQuery(query) = &updates[0].kind else {
        panic!("not a callback: {:?}", updates[0])
    };
    assert_eq!(query.data.as_deref(), Some("confirm"));
    assert_eq!(query.regular_message().map(|m| m.id), Some(ask.id));
    bot.answer_callback_query(query.id.clone())
        .text("Done")
        .await
        .unwrap();
    let answer = app
        .sandbox()
        .wait_for_callback_answer(&pressed.callback_query_id, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(answer.text.as_deref(), Some("Done"));

    bot.set_my_commands([teloxide::types::BotCommand::new("start", "Boshlash")])
        .await
        .unwrap();
    assert_eq!(bot.get_my_commands().await.unwrap()[0].command, "start");
    bot.delete_message(ChatId(1001), ask.id).await.unwrap();
    let info = bot.get_webhook_info().await.unwrap();
    assert!(info.url.is_none());

    // Telegram's errors reach teloxide as its typed errors.
    let error = bot
        .send_message(ChatId(1001), "<b>broken")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            teloxide::RequestError::Api(teloxide::ApiError::CantParseEntities(_))
        ),
        "{error:?}"
    );
    let error = bot.send_message(ChatId(5), "nobody").await.unwrap_err();
    assert!(
        matches!(
            error,
            teloxide::RequestError::Api(teloxide::ApiError::ChatNotFound)
        ),
        "{error:?}"
    );
    app.sandbox()
        .set_flood(Some(startlink_sandbox::FloodConfig::every_nth(1, 3)))
        .unwrap();
    let error = bot.send_message(ChatId(1001), "flood").await.unwrap_err();
    assert!(
        matches!(error, teloxide::RequestError::RetryAfter(seconds) if seconds.seconds() == 3),
        "{error:?}"
    );
}
