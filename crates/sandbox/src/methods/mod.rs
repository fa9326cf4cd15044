//! The Bot API methods the sandbox implements, and the parameter readers
//! they share. Each method reads its parameters, changes the state under one
//! lock, and answers what Telegram answers.

mod callbacks;
mod commands;
mod media;
mod messages;
mod updates;
mod webhook;

use serde_json::{Value, json};

use crate::Sandbox;
use crate::params::Params;
use crate::protocol::{ApiError, ApiOk, ApiResult};
use crate::text;
use crate::types::{InlineButton, MessageEntity};

const METHODS: &[&str] = &[
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendChatAction",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "getFile",
];

/// Method names are case-insensitive on Telegram; this returns the canonical
/// spelling, or `None` for a method the sandbox does not have (404).
pub(crate) fn canonical_name(method: &str) -> Option<&'static str> {
    METHODS
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(method))
}

pub(crate) async fn dispatch(sandbox: &Sandbox, method: &'static str, params: Params) -> ApiResult {
    let p = &params;
    match method {
        "getMe" => Ok(ApiOk::new(get_me(sandbox))),
        "getUpdates" => updates::get_updates(sandbox, p).await,
        "setWebhook" => webhook::set_webhook(sandbox, p),
        "deleteWebhook" => webhook::delete_webhook(sandbox, p),
        "getWebhookInfo" => webhook::get_webhook_info(sandbox),
        "sendMessage" => messages::send_message(sandbox, p),
        "sendPhoto" => media::send_photo(sandbox, p),
        "sendDocument" => media::send_document(sandbox, p),
        "sendChatAction" => messages::send_chat_action(sandbox, p),
        "editMessageText" => messages::edit_message_text(sandbox, p),
        "editMessageCaption" => messages::edit_message_caption(sandbox, p),
        "editMessageReplyMarkup" => messages::edit_message_reply_markup(sandbox, p),
        "deleteMessage" => messages::delete_message(sandbox, p),
        "answerCallbackQuery" => callbacks::answer_callback_query(sandbox, p),
        "setMyCommands" => commands::set_my_commands(sandbox, p),
        "getMyCommands" => commands::get_my_commands(sandbox, p),
        "deleteMyCommands" => commands::delete_my_commands(sandbox, p),
        "getFile" => media::get_file(sandbox, p),
        _ => Err(ApiError::not_found()),
    }
}

fn get_me(sandbox: &Sandbox) -> Value {
    let bot = sandbox.bot();
    json!({
        "id": bot.id,
        "is_bot": true,
        "first_name": bot.first_name,
        "username": bot.username,
        "can_join_groups": true,
        "can_read_all_group_messages": false,
        "supports_inline_queries": false,
        "can_connect_to_business": false,
        "has_main_web_app": false,
    })
}

/// `chat_id`: a number, or `@username` of a public chat (the sandbox has
/// none, so that is "chat not found" as for any unknown chat).
fn chat_id(p: &Params) -> Result<i64, ApiError> {
    let raw = p.required_string("chat_id")?;
    raw.trim().parse().map_err(|_| ApiError::chat_not_found())
}

/// `message_id` of an edit or delete.
fn message_id(p: &Params) -> Result<i32, ApiError> {
    if p.contains("inline_message_id") && !p.contains("message_id") {
        // Inline mode is not emulated, so no inline message exists.
        return Err(ApiError::bad_request("MESSAGE_ID_INVALID"));
    }
    let id = p
        .int("message_id")?
        .ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?;
    i32::try_from(id).map_err(|_| ApiError::bad_request("MESSAGE_ID_INVALID"))
}

/// Text (or caption) with its parse mode applied; `None` when absent.
fn formatted(
    p: &Params,
    text_name: &str,
    entities_name: &str,
) -> Result<Option<(String, Vec<MessageEntity>)>, ApiError> {
    let Some(raw) = p.string(text_name) else {
        return Ok(None);
    };
    let explicit: Vec<MessageEntity> = p
        .json(entities_name, || {
            ApiError::bad_request("can't parse entities JSON object")
        })?
        .unwrap_or_default();
    let parse_mode = p.string("parse_mode");
    let (text, mut entities) = text::format(&raw, parse_mode.as_deref(), explicit)?;
    let len = crate::types::utf16_len(&text);
    entities
        .retain(|entity| entity.length > 0 && entity.offset.saturating_add(entity.length) <= len);
    Ok(Some((text, entities)))
}

/// `reply_markup`: an inline keyboard is validated and kept; a reply
/// keyboard, its removal or force_reply are accepted and not shown.
fn inline_keyboard(p: &Params) -> Result<Vec<Vec<InlineButton>>, ApiError> {
    let invalid = || ApiError::bad_request("can't parse reply keyboard markup JSON object");
    let Some(markup) = p.json::<Value>("reply_markup", invalid)? else {
        return Ok(Vec::new());
    };
    let Value::Object(markup) = markup else {
        return Err(invalid());
    };
    let Some(rows) = markup.get("inline_keyboard") else {
        let other_kind = ["keyboard", "remove_keyboard", "force_reply"]
            .iter()
            .any(|k| markup.contains_key(*k));
        return if other_kind {
            Ok(Vec::new())
        } else {
            Err(invalid())
        };
    };
    let rows: Vec<Vec<InlineButton>> = serde_json::from_value(rows.clone()).map_err(|_| {
        ApiError::bad_request(
            "can't parse inline keyboard button: field \"text\" must be of type String",
        )
    })?;
    for button in rows.iter().flatten() {
        check_button(button)?;
    }
    Ok(rows)
}

fn check_button(button: &InlineButton) -> Result<(), ApiError> {
    if let Some(data) = &button.callback_data
        && (data.is_empty() || data.len() > 64)
    {
        return Err(ApiError::bad_request("BUTTON_DATA_INVALID"));
    }
    if let Some(url) = &button.url {
        let valid =
            url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "tg"));
        if !valid {
            return Err(ApiError::bad_request("BUTTON_URL_INVALID"));
        }
    }
    if button.callback_data.is_none() && button.url.is_none() && button.other.is_empty() {
        return Err(ApiError::bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ));
    }
    Ok(())
}
