//! Sending answers: HTML parse mode, no link previews, and a last check that a
//! text fits Telegram's limit.

use teloxide::payloads::{EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode};

use crate::html::{self, MAX_TEXT};
use crate::pacing::TgBot;

fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

/// Texts are bounded where they are built; this only guards against a bug there
/// turning into a message Telegram rejects (and the user seeing nothing).
fn bounded(text: String) -> String {
    let len = html::visible_len(&text);
    if len <= MAX_TEXT {
        return text;
    }
    tracing::error!(
        len,
        "an answer exceeded Telegram's 4096-character limit; cut to plain text"
    );
    let plain: String = text.replace(['<', '>'], " ");
    html::escape(&html::truncate(&plain, MAX_TEXT / 2)).into_owned()
}

pub async fn send(
    bot: &TgBot,
    chat: ChatId,
    text: String,
    keyboard: Option<InlineKeyboardMarkup>,
) -> ResponseResult<Message> {
    let text = bounded(text);
    bot.paced(chat, || {
        let mut request = bot
            .send_message(chat, text.clone())
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview());
        if let Some(keyboard) = keyboard.clone() {
            request = request.reply_markup(keyboard);
        }
        request.send()
    })
    .await
}

pub async fn edit(
    bot: &TgBot,
    chat: ChatId,
    message: MessageId,
    text: String,
    keyboard: Option<InlineKeyboardMarkup>,
) -> ResponseResult<()> {
    let text = bounded(text);
    bot.paced(chat, || {
        let mut request = bot
            .edit_message_text(chat, message, text.clone())
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview());
        if let Some(keyboard) = keyboard.clone() {
            request = request.reply_markup(keyboard);
        }
        request.send()
    })
    .await
    .map(drop)
}
