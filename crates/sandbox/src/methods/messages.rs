//! sendMessage, sendChatAction, editMessageText, editMessageCaption,
//! editMessageReplyMarkup, deleteMessage.

use std::time::Instant;

use serde_json::Value;

use super::{chat_id, formatted, inline_keyboard, message_id};
use crate::Sandbox;
use crate::params::Params;
use crate::protocol::{ApiError, ApiOk, ApiResult};
use crate::text::{MAX_CAPTION, MAX_TEXT};
use crate::types::{InlineButton, MessageEntity, unix_now, utf16_len};
use crate::view::{ChatMessage, FileView};

/// The content of a message the bot sends.
#[derive(Debug, Default)]
pub(super) struct Outgoing {
    pub text: Option<(String, Vec<MessageEntity>)>,
    pub caption: Option<(String, Vec<MessageEntity>)>,
    pub photo: Option<FileView>,
    pub document: Option<FileView>,
    pub buttons: Vec<Vec<InlineButton>>,
}

pub(super) fn send_message(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let chat_id = chat_id(p)?;
    let (text, entities) = formatted(p, "text", "entities")?
        .ok_or_else(|| ApiError::bad_request("message text is empty"))?;
    if text.is_empty() {
        return Err(ApiError::bad_request("message text is empty"));
    }
    if utf16_len(&text) > MAX_TEXT {
        return Err(ApiError::bad_request("message is too long"));
    }
    let buttons = inline_keyboard(p)?;
    post(
        sandbox,
        chat_id,
        Outgoing {
            text: Some((text, entities)),
            buttons,
            ..Outgoing::default()
        },
    )
}

/// A caption, checked against Telegram's 1024-unit limit; empty means none.
pub(super) fn caption(p: &Params) -> Result<Option<(String, Vec<MessageEntity>)>, ApiError> {
    match formatted(p, "caption", "caption_entities")? {
        Some((text, _)) if text.is_empty() => Ok(None),
        Some((text, _)) if utf16_len(&text) > MAX_CAPTION => {
            Err(ApiError::bad_request("message caption is too long"))
        }
        other => Ok(other),
    }
}

/// Stores a new bot message in an existing chat, subject to flood mode.
pub(super) fn post(sandbox: &Sandbox, chat_id: i64, outgoing: Outgoing) -> ApiResult {
    let max_messages = sandbox.config().limits.max_messages_per_chat;
    let mut guard = sandbox.state();
    let state = &mut *guard;
    let Some(log) = state.chats.get_mut(chat_id) else {
        return Err(ApiError::chat_not_found());
    };
    state.flood.check(
        &mut log.flood_blocked_until,
        Instant::now(),
        &mut state.counters,
    )?;
    let bot = state.bot.clone();
    let date = unix_now();
    let Outgoing {
        text,
        caption,
        photo,
        document,
        buttons,
    } = outgoing;
    let (text, entities) = text.map_or((None, Vec::new()), |(t, e)| (Some(t), e));
    let (caption, caption_entities) = caption.map_or((None, Vec::new()), |(t, e)| (Some(t), e));
    let message = log
        .push(max_messages, |message_id| ChatMessage {
            message_id,
            chat_id,
            from_bot: true,
            from: bot,
            date,
            edit_date: None,
            edit_count: 0,
            text,
            entities,
            caption,
            caption_entities,
            photo,
            document,
            buttons,
            deleted: false,
            callback_queries: Vec::new(),
        })
        .clone();
    let json = message.to_telegram(&log.chat);
    state.counters.messages_sent += 1;
    let (chat_id, message_id) = (message.chat_id, message.message_id);
    drop(guard);
    sandbox.announce_sent(chat_id, message_id);
    sandbox.notify_bot();
    Ok(ApiOk::new(json))
}

pub(super) fn send_chat_action(sandbox: &Sandbox, p: &Params) -> ApiResult {
    const ACTIONS: &[&str] = &[
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ];
    let chat_id = chat_id(p)?;
    let action = p.string("action").unwrap_or_default();
    if !ACTIONS.contains(&action.as_str()) {
        return Err(ApiError::bad_request("wrong parameter action in request"));
    }
    if sandbox.state().chats.get(chat_id).is_none() {
        return Err(ApiError::chat_not_found());
    }
    Ok(ApiOk::new(Value::Bool(true)))
}

pub(super) fn edit_message_text(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let (text, entities) = formatted(p, "text", "entities")?
        .ok_or_else(|| ApiError::bad_request("message text is empty"))?;
    if text.is_empty() {
        return Err(ApiError::bad_request("message text is empty"));
    }
    if utf16_len(&text) > MAX_TEXT {
        return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
    }
    // Like Telegram, an edit without reply_markup removes the keyboard.
    let buttons = inline_keyboard(p)?;
    edit(sandbox, p, move |message| {
        if message.text.is_none() {
            return Err(ApiError::bad_request(
                "there is no text in the message to edit",
            ));
        }
        message.text = Some(text);
        message.entities = entities;
        message.buttons = buttons;
        Ok(())
    })
}

pub(super) fn edit_message_caption(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let caption = caption(p)?;
    let buttons = inline_keyboard(p)?;
    edit(sandbox, p, move |message| {
        if message.photo.is_none() && message.document.is_none() {
            return Err(ApiError::bad_request(
                "there is no caption in the message to edit",
            ));
        }
        let (caption, caption_entities) = caption.map_or((None, Vec::new()), |(t, e)| (Some(t), e));
        message.caption = caption;
        message.caption_entities = caption_entities;
        message.buttons = buttons;
        Ok(())
    })
}

pub(super) fn edit_message_reply_markup(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let buttons = inline_keyboard(p)?;
    edit(sandbox, p, move |message| {
        message.buttons = buttons;
        Ok(())
    })
}

/// Applies `change` to a copy of a bot message and keeps it unless nothing
/// changed, which Telegram refuses as "message is not modified".
fn edit(
    sandbox: &Sandbox,
    p: &Params,
    change: impl FnOnce(&mut ChatMessage) -> Result<(), ApiError>,
) -> ApiResult {
    let chat_id = chat_id(p)?;
    let message_id = message_id(p)?;
    let mut guard = sandbox.state();
    let state = &mut *guard;
    let Some(log) = state.chats.get_mut(chat_id) else {
        return Err(ApiError::chat_not_found());
    };
    let Some(message) = log.messages.get_mut(&message_id).filter(|m| !m.deleted) else {
        return Err(ApiError::bad_request("message to edit not found"));
    };
    if !message.from_bot {
        return Err(ApiError::bad_request("message can't be edited"));
    }
    let mut edited = message.clone();
    change(&mut edited)?;
    let same = edited.text == message.text
        && edited.entities == message.entities
        && edited.caption == message.caption
        && edited.caption_entities == message.caption_entities
        && edited.buttons == message.buttons;
    if same {
        return Err(ApiError::bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        ));
    }
    state.flood.check(
        &mut log.flood_blocked_until,
        Instant::now(),
        &mut state.counters,
    )?;
    edited.edit_date = Some(unix_now());
    edited.edit_count += 1;
    *message = edited;
    let json = message.to_telegram(&log.chat);
    state.counters.messages_edited += 1;
    drop(guard);
    sandbox.notify_bot();
    Ok(ApiOk::new(json))
}

pub(super) fn delete_message(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let chat_id = chat_id(p)?;
    let message_id = message_id(p)?;
    let mut state = sandbox.state();
    let Some(log) = state.chats.get_mut(chat_id) else {
        return Err(ApiError::chat_not_found());
    };
    let Some(message) = log.messages.get_mut(&message_id).filter(|m| !m.deleted) else {
        return Err(ApiError::bad_request("message to delete not found"));
    };
    message.deleted = true;
    state.counters.messages_deleted += 1;
    drop(state);
    sandbox.notify_bot();
    Ok(ApiOk::new(Value::Bool(true)))
}
