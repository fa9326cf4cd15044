//! Reading what happened: the chats and messages the bot produced, button
//! answers, command lists, counters, the webhook; waiting for any of it
//! without polling; and switching flood mode.

use std::time::Duration;

use crate::error::SandboxError;
use crate::flood::FloodConfig;
use crate::types::{Chat, ChatType, User};
use crate::view::{
    CallbackAnswer, CallbackQueryView, ChatMessage, ChatSummary, CommandSet, Counters,
    WebhookStatus,
};
use crate::{BotCommand, Sandbox};

/// `timeout` from now; a timeout too large to add means "a year".
fn deadline_after(timeout: Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(timeout)
        .unwrap_or(now + Duration::from_secs(365 * 24 * 3600))
}

impl Sandbox {
    /// What the bot sent to a chat, oldest first: edits applied, deletions
    /// marked (`deleted`), download links filled in. Empty for an unknown chat.
    pub fn messages(&self, chat_id: i64) -> Vec<ChatMessage> {
        self.chat_messages(chat_id, true)
    }

    /// Every message of a chat, the users' and the bot's, oldest first.
    pub fn transcript(&self, chat_id: i64) -> Vec<ChatMessage> {
        self.chat_messages(chat_id, false)
    }

    fn chat_messages(&self, chat_id: i64, bot_only: bool) -> Vec<ChatMessage> {
        let messages: Vec<ChatMessage> = {
            let state = self.state();
            let Some(log) = state.chats.get(chat_id) else {
                return Vec::new();
            };
            log.messages
                .values()
                .filter(|m| !bot_only || m.from_bot)
                .cloned()
                .collect()
        };
        messages.into_iter().map(|m| self.presented(m)).collect()
    }

    /// The bytes of a file the bot uploaded and their media type (probed
    /// from the bytes for photos sent without one). `None` for an unknown
    /// file, a forgotten one, or a URL the bot sent instead of bytes.
    pub fn file_with_type(&self, file_id: &str) -> Option<(String, axum::body::Bytes)> {
        let state = self.state();
        let file = state.files.get(file_id)?;
        let bytes = file.bytes.clone()?;
        let mime = file
            .view
            .mime_type
            .clone()
            .or_else(|| {
                crate::image_size::probe(&bytes).map(|(kind, _, _)| match kind {
                    "jpg" => "image/jpeg".to_owned(),
                    other => format!("image/{other}"),
                })
            })
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        Some((mime, bytes))
    }

    /// The latest message the bot sent to a chat.
    pub fn last_message(&self, chat_id: i64) -> Option<ChatMessage> {
        self.messages(chat_id).pop()
    }

    /// Waits until the bot has sent at least `count` messages to the chat
    /// (deleted ones included) and returns them all; woken by each change
    /// the bot makes, never by polling.
    pub async fn wait_for_messages(
        &self,
        chat_id: i64,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<ChatMessage>, SandboxError> {
        let mut changes = self.watch_bot();
        let deadline = deadline_after(timeout);
        loop {
            changes.borrow_and_update();
            let messages = self.messages(chat_id);
            if messages.len() >= count {
                return Ok(messages);
            }
            let woke = tokio::time::timeout_at(deadline, changes.changed()).await;
            if !matches!(woke, Ok(Ok(()))) {
                let messages = self.messages(chat_id);
                if messages.len() >= count {
                    return Ok(messages);
                }
                let seen = messages
                    .iter()
                    .map(|m| format!("{:?}", m.text_or_caption().unwrap_or("<no text>")))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(SandboxError::Timeout {
                    chat_id,
                    expected: count,
                    got: messages.len(),
                    timeout,
                    seen,
                });
            }
        }
    }

    /// Waits until `condition` holds, re-checking it whenever the bot acts
    /// or the update queue changes (e.g. `|s| s.pending_updates() == 0` to
    /// wait until the bot took every update); false on time-out.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        condition: impl Fn(&Sandbox) -> bool,
    ) -> bool {
        let mut bot = self.watch_bot();
        let mut updates = self.watch_updates();
        let deadline = deadline_after(timeout);
        loop {
            bot.borrow_and_update();
            updates.borrow_and_update();
            if condition(self) {
                return true;
            }
            let woke = tokio::time::timeout_at(deadline, async {
                tokio::select! {
                    changed = bot.changed() => changed.is_ok(),
                    changed = updates.changed() => changed.is_ok(),
                }
            })
            .await;
            if woke != Ok(true) {
                return condition(self);
            }
        }
    }

    /// A button press and the bot's answer, if any.
    pub fn callback_query(&self, id: &str) -> Option<CallbackQueryView> {
        let state = self.state();
        let (chat_id, message_id) = state.callbacks.get(id)?;
        state
            .message(chat_id, message_id)?
            .callback_queries
            .iter()
            .find(|q| q.id == id)
            .cloned()
    }

    /// Waits for the bot's answerCallbackQuery to a press.
    pub async fn wait_for_callback_answer(
        &self,
        id: &str,
        timeout: Duration,
    ) -> Result<CallbackAnswer, SandboxError> {
        let mut changes = self.watch_bot();
        let deadline = deadline_after(timeout);
        loop {
            changes.borrow_and_update();
            match self.callback_query(id) {
                None => return Err(SandboxError::UnknownCallbackQuery(id.to_owned())),
                Some(CallbackQueryView {
                    answer: Some(answer),
                    ..
                }) => return Ok(answer),
                Some(_) => {}
            }
            if !matches!(
                tokio::time::timeout_at(deadline, changes.changed()).await,
                Ok(Ok(()))
            ) {
                return match self.callback_query(id).and_then(|q| q.answer) {
                    Some(answer) => Ok(answer),
                    None => Err(SandboxError::CallbackTimeout {
                        id: id.to_owned(),
                        timeout,
                    }),
                };
            }
        }
    }

    /// Every chat, oldest first.
    pub fn chats(&self) -> Vec<ChatSummary> {
        self.state().chats.summaries()
    }

    /// Every command list the bot registered, by scope and language.
    pub fn commands(&self) -> Vec<CommandSet> {
        self.state().commands.all()
    }

    /// The commands `user_id` sees in a chat's menu with `language_code`,
    /// resolved through the scopes as Telegram does.
    pub fn visible_commands(
        &self,
        chat_id: i64,
        user_id: i64,
        language_code: &str,
    ) -> Vec<BotCommand> {
        let state = self.state();
        let chat = state.chats.get(chat_id).map_or_else(
            || {
                if chat_id > 0 {
                    Chat::private(&User::new(chat_id, "?"))
                } else {
                    Chat::group(chat_id, "?", ChatType::Group)
                }
            },
            |log| log.chat.clone(),
        );
        state.commands.visible(&chat, user_id, language_code)
    }

    /// Turns flood mode on (`Some`) or off (`None`).
    pub fn set_flood(&self, flood: Option<FloodConfig>) -> Result<(), SandboxError> {
        if let Some(problem) = flood.as_ref().and_then(FloodConfig::problem) {
            return Err(SandboxError::InvalidFlood(problem));
        }
        let mut state = self.state();
        state.flood.set(flood);
        if state.flood.config().is_none() {
            state.chats.clear_flood_blocks();
        }
        Ok(())
    }

    pub fn flood(&self) -> Option<FloodConfig> {
        self.state().flood.config().cloned()
    }

    pub fn counters(&self) -> Counters {
        self.state().counters.clone()
    }

    /// Updates waiting for the bot.
    pub fn pending_updates(&self) -> usize {
        self.state().updates.len()
    }

    /// Delivers update `update_id` again, same id and content, as Telegram
    /// does after a webhook failure or a bot restart before confirming — to
    /// test that the bot counts it once. The webhook gets it at once; a poller
    /// gets it only while its `offset` has not passed the id.
    pub fn redeliver_update(&self, update_id: u32) -> Result<(), SandboxError> {
        let mut state = self.state();
        if !state.updates.redeliver(update_id) {
            return Err(SandboxError::UnknownUpdate(update_id));
        }
        state.counters.updates_pending = state.updates.len() as u64;
        drop(state);
        self.notify_updates();
        Ok(())
    }

    /// The webhook, when the bot set one.
    pub fn webhook(&self) -> Option<WebhookStatus> {
        let state = self.state();
        let webhook = state.webhook.as_ref()?;
        Some(WebhookStatus {
            url: webhook.url.clone(),
            has_secret_token: webhook.secret_token.is_some(),
            pending_update_count: state.updates.len() as u64,
            max_connections: webhook.max_connections,
            allowed_updates: state.updates.allowed().cloned(),
            last_error_date: webhook.last_error.as_ref().map(|(date, _)| *date),
            last_error_message: webhook
                .last_error
                .as_ref()
                .map(|(_, message)| message.clone()),
        })
    }
}
