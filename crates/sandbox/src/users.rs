//! Playing users: what a person does in Telegram (types a message, presses a
//! button) becomes an update for the bot. Used by the control API and
//! directly by Rust tests; `inspect` reads back what the bot did.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Sandbox;
use crate::error::SandboxError;
use crate::text::{MAX_TEXT, command_entities};
use crate::types::{Chat, ChatType, User, unix_now, utf16_len};
use crate::view::{CallbackQueryView, ChatMessage};

/// Largest user id Telegram issues (ids fit in 52 bits).
const MAX_USER_ID: i64 = (1 << 52) - 1;
/// Presses remembered per message; older ones are dropped from its view.
const MAX_PRESSES_PER_MESSAGE: usize = 100;

/// A message a played user sent, and the update it became.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    /// `None` when the bot's `allowed_updates` excludes messages.
    pub update_id: Option<u32>,
    pub chat_id: i64,
    pub message_id: i32,
    pub message: ChatMessage,
}

/// A button press and the update it became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PressedButton {
    pub update_id: Option<u32>,
    pub callback_query_id: String,
}

/// Which button of a message to press.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonRef {
    /// The button whose `callback_data` is this.
    CallbackData(String),
    /// The first callback button whose label is this.
    Text(String),
}

fn check_user(user: &User) -> Result<(), SandboxError> {
    if !(1..=MAX_USER_ID).contains(&user.id) {
        return Err(SandboxError::InvalidUser(format!(
            "id {} is outside 1..2^52",
            user.id
        )));
    }
    if user.first_name.trim().is_empty() || user.first_name.chars().count() > 64 {
        return Err(SandboxError::InvalidUser(
            "first_name must have 1–64 characters".to_owned(),
        ));
    }
    Ok(())
}

impl Sandbox {
    /// `user` sends `text` (e.g. `/start KEY`) to the bot in their private chat.
    pub fn send_text(&self, user: &User, text: &str) -> Result<SentMessage, SandboxError> {
        self.send_text_in(&Chat::private(user), user, text)
    }

    /// `user` sends `text` in `chat`: their private chat, or a group made with
    /// [`Chat::group`] (e.g. to test `/start@bot payload`).
    pub fn send_text_in(
        &self,
        chat: &Chat,
        user: &User,
        text: &str,
    ) -> Result<SentMessage, SandboxError> {
        check_user(user)?;
        match chat.kind {
            ChatType::Private if chat.id != user.id => {
                return Err(SandboxError::NotInChat {
                    user_id: user.id,
                    chat_id: chat.id,
                });
            }
            ChatType::Group | ChatType::Supergroup if chat.id >= 0 => {
                return Err(SandboxError::InvalidChat(format!(
                    "group ids are negative, not {}",
                    chat.id
                )));
            }
            _ => {}
        }
        if text.trim().is_empty() {
            return Err(SandboxError::EmptyText);
        }
        let length = utf16_len(text);
        if length > MAX_TEXT {
            return Err(SandboxError::TextTooLong(length));
        }
        let user = User {
            is_bot: false,
            ..user.clone()
        };
        let limits = &self.config().limits;
        let mut guard = self.state();
        let state = &mut *guard;
        if state.updates.len() >= limits.max_pending_updates {
            return Err(SandboxError::QueueFull(state.updates.len()));
        }
        let log = state.chats.ensure(chat.clone(), limits.max_chats);
        let message = log
            .push(limits.max_messages_per_chat, |message_id| ChatMessage {
                message_id,
                chat_id: chat.id,
                from_bot: false,
                from: user,
                date: unix_now(),
                edit_date: None,
                edit_count: 0,
                text: Some(text.to_owned()),
                entities: command_entities(text),
                caption: None,
                caption_entities: Vec::new(),
                photo: None,
                document: None,
                buttons: Vec::new(),
                deleted: false,
                callback_queries: Vec::new(),
            })
            .clone();
        let update_id = state.updates.accepts("message").then(|| {
            state.counters.updates_created += 1;
            state
                .updates
                .push("message", message.to_telegram(&log.chat))
        });
        state.counters.updates_pending = state.updates.len() as u64;
        drop(guard);
        self.notify_updates();
        self.notify_bot();
        Ok(SentMessage {
            update_id,
            chat_id: chat.id,
            message_id: message.message_id,
            message,
        })
    }

    /// `user` presses the callback button with `callback_data` under a bot message.
    pub fn press_button(
        &self,
        user: &User,
        chat_id: i64,
        message_id: i32,
        callback_data: &str,
    ) -> Result<PressedButton, SandboxError> {
        self.press(
            user,
            chat_id,
            message_id,
            &ButtonRef::CallbackData(callback_data.to_owned()),
        )
    }

    /// `user` presses a button of a bot message, chosen by data or by label.
    pub fn press(
        &self,
        user: &User,
        chat_id: i64,
        message_id: i32,
        button: &ButtonRef,
    ) -> Result<PressedButton, SandboxError> {
        check_user(user)?;
        let limits = &self.config().limits;
        let mut guard = self.state();
        let state = &mut *guard;
        if state.updates.len() >= limits.max_pending_updates {
            return Err(SandboxError::QueueFull(state.updates.len()));
        }
        let log = state
            .chats
            .get_mut(chat_id)
            .ok_or(SandboxError::UnknownChat(chat_id))?;
        if log.chat.kind == ChatType::Private && chat_id != user.id {
            return Err(SandboxError::NotInChat {
                user_id: user.id,
                chat_id,
            });
        }
        let message = log
            .messages
            .get_mut(&message_id)
            .ok_or(SandboxError::UnknownMessage {
                chat_id,
                message_id,
            })?;
        if message.deleted {
            return Err(SandboxError::MessageDeleted {
                chat_id,
                message_id,
            });
        }
        if !message.from_bot {
            return Err(SandboxError::NotFromBot {
                chat_id,
                message_id,
            });
        }
        let data = message
            .buttons
            .iter()
            .flatten()
            .find(|b| match button {
                ButtonRef::CallbackData(data) => b.callback_data.as_ref() == Some(data),
                ButtonRef::Text(text) => b.callback_data.is_some() && &b.text == text,
            })
            .and_then(|b| b.callback_data.clone());
        let Some(data) = data else {
            let wanted = match button {
                ButtonRef::CallbackData(data) => format!("with data {data:?}"),
                ButtonRef::Text(text) => format!("labelled {text:?}"),
            };
            let available = message
                .buttons
                .iter()
                .flatten()
                .map(|b| {
                    format!(
                        "{:?} ({})",
                        b.text,
                        b.callback_data
                            .as_deref()
                            .map_or("no callback".to_owned(), |d| format!("{d:?}"))
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let available = if available.is_empty() {
                "none".to_owned()
            } else {
                available
            };
            return Err(SandboxError::NoSuchButton {
                chat_id,
                message_id,
                wanted,
                available,
            });
        };
        let id = state.callbacks.new_id(
            state.bot.id,
            chat_id,
            message_id,
            limits.max_callback_queries,
        );
        let user = User {
            is_bot: false,
            ..user.clone()
        };
        let payload = json!({
            "id": id,
            "from": user,
            "message": message.to_telegram(&log.chat),
            // Telegram's chat_instance is opaque and stable per chat.
            "chat_instance": format!("{}", chat_id.wrapping_mul(7_919).wrapping_add(104_729)),
            "data": data,
        });
        if message.callback_queries.len() >= MAX_PRESSES_PER_MESSAGE {
            message.callback_queries.remove(0);
        }
        message.callback_queries.push(CallbackQueryView {
            id: id.clone(),
            from: user,
            chat_id,
            message_id,
            data,
            answer: None,
        });
        let update_id = state.updates.accepts("callback_query").then(|| {
            state.counters.updates_created += 1;
            state.updates.push("callback_query", payload)
        });
        state.counters.updates_pending = state.updates.len() as u64;
        drop(guard);
        self.notify_updates();
        self.notify_bot();
        Ok(PressedButton {
            update_id,
            callback_query_id: id,
        })
    }
}
