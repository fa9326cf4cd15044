//! Chats and their messages, both directions, bounded per chat and in count.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use crate::types::Chat;
use crate::view::{ChatMessage, ChatSummary};

#[derive(Debug)]
pub(crate) struct ChatLog {
    pub chat: Chat,
    pub messages: BTreeMap<i32, ChatMessage>,
    next_message_id: i32,
    /// Set by flood mode: sends before this instant answer 429.
    pub flood_blocked_until: Option<Instant>,
}

impl ChatLog {
    fn new(chat: Chat) -> Self {
        Self {
            chat,
            messages: BTreeMap::new(),
            next_message_id: 1,
            flood_blocked_until: None,
        }
    }

    /// Appends a message built for the next message id, forgetting the oldest
    /// beyond `max_messages`; returns the stored message.
    pub fn push(
        &mut self,
        max_messages: usize,
        build: impl FnOnce(i32) -> ChatMessage,
    ) -> &ChatMessage {
        let id = self.next_message_id;
        self.next_message_id = self.next_message_id.saturating_add(1);
        while self.messages.len() >= max_messages.max(1) {
            self.messages.pop_first();
        }
        self.messages.entry(id).or_insert_with(|| build(id))
    }

    pub fn summary(&self) -> ChatSummary {
        ChatSummary {
            chat: self.chat.clone(),
            message_count: self.messages.len(),
            bot_message_count: self.messages.values().filter(|m| m.from_bot).count(),
            last_message_date: self.messages.values().next_back().map(|m| m.date),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Chats {
    by_id: HashMap<i64, ChatLog>,
    created: VecDeque<i64>,
}

impl Chats {
    pub fn get(&self, id: i64) -> Option<&ChatLog> {
        self.by_id.get(&id)
    }

    pub fn get_mut(&mut self, id: i64) -> Option<&mut ChatLog> {
        self.by_id.get_mut(&id)
    }

    /// The chat's log, created on first contact; a known chat takes the new
    /// title or names (a user may rename himself between messages).
    pub fn ensure(&mut self, chat: Chat, max_chats: usize) -> &mut ChatLog {
        if !self.by_id.contains_key(&chat.id) {
            while self.by_id.len() >= max_chats.max(1) {
                let Some(oldest) = self.created.pop_front() else {
                    break;
                };
                self.by_id.remove(&oldest);
            }
            self.created.push_back(chat.id);
        }
        let id = chat.id;
        let log = self
            .by_id
            .entry(id)
            .or_insert_with(|| ChatLog::new(chat.clone()));
        log.chat = chat;
        log
    }

    /// Every chat, in the order they were created.
    pub fn summaries(&self) -> Vec<ChatSummary> {
        self.created
            .iter()
            .filter_map(|id| self.by_id.get(id))
            .map(ChatLog::summary)
            .collect()
    }

    pub fn clear_flood_blocks(&mut self) {
        for log in self.by_id.values_mut() {
            log.flood_blocked_until = None;
        }
    }
}
