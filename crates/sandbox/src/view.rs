//! What the control API and the Rust API show of the sandbox: chats, the
//! messages in them (edits applied, deletions marked), files, callback
//! queries, command lists, counters. These shapes are the stable JSON the
//! chat-simulator page builds on; Telegram's own shapes live in `types`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::types::{BotCommand, Chat, InlineButton, MessageEntity, User};

/// A message in a chat, from the bot or from a played user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub message_id: i32,
    pub chat_id: i64,
    pub from_bot: bool,
    pub from: User,
    /// Unix seconds.
    pub date: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit_date: Option<i64>,
    /// How many edits were applied (text, caption or buttons).
    #[serde(default)]
    pub edit_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<MessageEntity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caption_entities: Vec<MessageEntity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<FileView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<FileView>,
    /// The inline keyboard, row by row; empty when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Vec<InlineButton>>,
    /// Deleted by the bot; the content is kept so tests can still see it.
    #[serde(default)]
    pub deleted: bool,
    /// Buttons pressed on this message, with the bot's answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub callback_queries: Vec<CallbackQueryView>,
}

impl ChatMessage {
    /// The callback data of every button, in keyboard order.
    pub fn callback_data(&self) -> Vec<&str> {
        self.buttons
            .iter()
            .flatten()
            .filter_map(|button| button.callback_data.as_deref())
            .collect()
    }

    /// The text, or else the caption.
    pub fn text_or_caption(&self) -> Option<&str> {
        self.text.as_deref().or(self.caption.as_deref())
    }

    /// The message as the Bot API serialises it (the `Message` object).
    pub fn to_telegram(&self, chat: &Chat) -> Value {
        let mut message = json!({
            "message_id": self.message_id,
            "from": self.from,
            "chat": chat,
            "date": self.date,
        });
        let fields = [
            ("edit_date", self.edit_date.map(Value::from)),
            ("text", self.text.clone().map(Value::from)),
            ("entities", non_empty(&self.entities)),
            (
                "photo",
                self.photo.as_ref().map(|photo| json!([photo.photo_size()])),
            ),
            ("document", self.document.as_ref().map(FileView::document)),
            ("caption", self.caption.clone().map(Value::from)),
            ("caption_entities", non_empty(&self.caption_entities)),
            (
                "reply_markup",
                (!self.buttons.is_empty()).then(|| json!({ "inline_keyboard": self.buttons })),
            ),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                message[name] = value;
            }
        }
        message
    }
}

fn non_empty(entities: &[MessageEntity]) -> Option<Value> {
    (!entities.is_empty()).then(|| json!(entities))
}

/// A photo or document the bot sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub file_id: String,
    pub file_unique_id: String,
    pub file_size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Where the bytes are: `/sandbox/files/<file_id>` (absolute once the
    /// sandbox knows its address), or the HTTP URL the bot sent, kept as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The bot sent an HTTP URL rather than bytes; the sandbox never fetches it.
    #[serde(default)]
    pub external: bool,
}

impl FileView {
    fn photo_size(&self) -> Value {
        json!({
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "width": self.width.unwrap_or(0),
            "height": self.height.unwrap_or(0),
        })
    }

    fn document(&self) -> Value {
        let mut document = json!({
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        });
        if let Some(name) = &self.file_name {
            document["file_name"] = json!(name);
        }
        if let Some(mime) = &self.mime_type {
            document["mime_type"] = json!(mime);
        }
        document
    }
}

/// A button press and, once the bot called answerCallbackQuery, its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackQueryView {
    pub id: String,
    pub from: User,
    pub chat_id: i64,
    pub message_id: i32,
    pub data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<CallbackAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default)]
    pub show_alert: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One chat the sandbox knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSummary {
    pub chat: Chat,
    pub message_count: usize,
    pub bot_message_count: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message_date: Option<i64>,
}

/// The commands registered for one scope and language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandSet {
    /// A `BotCommandScope` object, e.g. `{"type":"default"}`.
    pub scope: Value,
    /// Two-letter code, or `""` for all languages.
    pub language_code: String,
    pub commands: Vec<BotCommand>,
}

/// What the sandbox counted since it started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Bot API requests with the right token, any outcome.
    pub requests: u64,
    pub requests_by_method: BTreeMap<String, u64>,
    /// Updates created by played users.
    pub updates_created: u64,
    /// Updates confirmed by a getUpdates offset or accepted (2xx) by the webhook.
    pub updates_delivered: u64,
    pub updates_pending: u64,
    /// Messages the bot sent (sendMessage, sendPhoto, sendDocument).
    pub messages_sent: u64,
    pub messages_edited: u64,
    pub messages_deleted: u64,
    pub callback_answers: u64,
    /// Sends answered 429 by flood mode.
    pub flood_rejections: u64,
    /// Of those, sends that came back before their `retry_after` had passed.
    pub flood_early_retries: u64,
    /// Webhook deliveries that failed (connection error or non-2xx) and were retried.
    pub webhook_failures: u64,
}

/// The webhook as getWebhookInfo would describe it, plus whether a secret is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookStatus {
    pub url: String,
    pub has_secret_token: bool,
    pub pending_update_count: u64,
    pub max_connections: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_updates: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_date: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_message: Option<String>,
}
