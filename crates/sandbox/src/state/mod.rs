//! Everything the sandbox remembers, behind one mutex in [`crate::Sandbox`].
//! The lock is never held across an `.await`.

mod chats;
pub(crate) mod commands;
pub(crate) mod files;
mod updates;

use std::collections::{HashMap, VecDeque};

pub(crate) use chats::Chats;
pub(crate) use commands::CommandRegistry;
pub(crate) use files::FileStore;
pub(crate) use updates::UpdateQueue;

use crate::config::SandboxConfig;
use crate::flood::Flood;
use crate::types::User;
use crate::view::{ChatMessage, Counters};

#[derive(Debug)]
pub(crate) struct Webhook {
    pub url: String,
    pub secret_token: Option<String>,
    pub max_connections: u32,
    pub last_error: Option<(i64, String)>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub bot: User,
    pub updates: UpdateQueue,
    pub chats: Chats,
    pub files: FileStore,
    pub commands: CommandRegistry,
    pub webhook: Option<Webhook>,
    /// Bumped by every setWebhook/deleteWebhook; a delivery worker of an
    /// older generation stops.
    pub webhook_generation: u64,
    /// Bumped by every getUpdates; a long poll of an older generation ends
    /// with Telegram's "terminated by other getUpdates request".
    pub poll_generation: u64,
    pub callbacks: CallbackIndex,
    pub flood: Flood,
    pub counters: Counters,
}

impl State {
    pub fn new(config: &SandboxConfig) -> Self {
        let bot = User {
            id: config.bot_id,
            is_bot: true,
            first_name: config.bot_first_name.clone(),
            last_name: None,
            username: Some(config.bot_username.clone()),
            language_code: None,
        };
        Self {
            bot,
            updates: UpdateQueue::default(),
            chats: Chats::default(),
            files: FileStore::default(),
            commands: CommandRegistry::default(),
            webhook: None,
            webhook_generation: 0,
            poll_generation: 0,
            callbacks: CallbackIndex::default(),
            flood: Flood::default(),
            counters: Counters::default(),
        }
    }

    pub fn message(&self, chat_id: i64, message_id: i32) -> Option<&ChatMessage> {
        self.chats.get(chat_id)?.messages.get(&message_id)
    }

    pub fn message_mut(&mut self, chat_id: i64, message_id: i32) -> Option<&mut ChatMessage> {
        self.chats.get_mut(chat_id)?.messages.get_mut(&message_id)
    }
}

/// Where each remembered callback query lives: `(chat_id, message_id)`.
#[derive(Debug, Default)]
pub(crate) struct CallbackIndex {
    by_id: HashMap<String, (i64, i32)>,
    order: VecDeque<String>,
    next: u64,
}

impl CallbackIndex {
    pub fn new_id(&mut self, bot_id: i64, chat_id: i64, message_id: i32, max: usize) -> String {
        self.next += 1;
        // Telegram's ids are long decimal strings; this keeps that look.
        let id = format!("{}{:010}", bot_id.unsigned_abs(), self.next);
        while self.by_id.len() >= max.max(1) {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.by_id.remove(&oldest);
        }
        self.by_id.insert(id.clone(), (chat_id, message_id));
        self.order.push_back(id.clone());
        id
    }

    pub fn get(&self, id: &str) -> Option<(i64, i32)> {
        self.by_id.get(id).copied()
    }
}
