//! The queue of updates waiting for the bot, with Telegram's confirmation
//! rule: an update is gone once getUpdates is called with a higher offset,
//! or once the webhook accepted it.

use std::collections::{BTreeMap, HashSet, VecDeque};

use serde_json::Value;

/// Kinds a bot receives when it names none in `allowed_updates` (Telegram
/// leaves out `chat_member`, `message_reaction` and `message_reaction_count`).
const NOT_BY_DEFAULT: &[&str] = &["chat_member", "message_reaction", "message_reaction_count"];

/// Updates remembered after delivery, for [`UpdateQueue::redeliver`].
const RECENT: usize = 1_000;

#[derive(Debug)]
pub(crate) struct UpdateQueue {
    next_id: u32,
    pending: BTreeMap<u32, Value>,
    recent: VecDeque<(u32, Value)>,
    in_flight: HashSet<u32>,
    allowed: Option<Vec<String>>,
}

impl Default for UpdateQueue {
    fn default() -> Self {
        Self {
            next_id: 1,
            pending: BTreeMap::new(),
            recent: VecDeque::new(),
            in_flight: HashSet::new(),
            allowed: None,
        }
    }
}

impl UpdateQueue {
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether an update of this kind (`"message"`, `"callback_query"`) would
    /// reach the bot under its current `allowed_updates`.
    pub fn accepts(&self, kind: &str) -> bool {
        match &self.allowed {
            Some(allowed) if !allowed.is_empty() => allowed.iter().any(|name| name == kind),
            _ => !NOT_BY_DEFAULT.contains(&kind),
        }
    }

    pub fn allowed(&self) -> Option<&Vec<String>> {
        self.allowed.as_ref()
    }

    pub fn set_allowed(&mut self, allowed: Vec<String>) {
        self.allowed = Some(allowed);
    }

    /// Adds `{"update_id": id, <kind>: payload}` and returns its id.
    pub fn push(&mut self, kind: &str, payload: Value) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        let mut update = serde_json::Map::new();
        update.insert("update_id".to_owned(), Value::from(id));
        update.insert(kind.to_owned(), payload);
        let update = Value::Object(update);
        if self.recent.len() >= RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back((id, update.clone()));
        self.pending.insert(id, update);
        id
    }

    /// Queues one of the last 1,000 updates again, with its own update_id,
    /// as Telegram does when a delivery is retried; false if it is unknown.
    pub fn redeliver(&mut self, id: u32) -> bool {
        let Some((_, update)) = self.recent.iter().find(|(recent, _)| *recent == id) else {
            return false;
        };
        let update = update.clone();
        self.pending.entry(id).or_insert(update);
        true
    }

    /// Applies a getUpdates `offset`: a positive one confirms every update
    /// below it; a negative one keeps only the last `-offset` updates.
    /// Returns how many updates it confirmed or forgot.
    pub fn apply_offset(&mut self, offset: i64) -> usize {
        let before = self.pending.len();
        if offset > 0 {
            let keep_from = u32::try_from(offset).unwrap_or(u32::MAX);
            self.pending = self.pending.split_off(&keep_from);
        } else if offset < 0 {
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            while self.pending.len() > keep {
                self.pending.pop_first();
            }
        }
        before - self.pending.len()
    }

    /// Up to `limit` pending updates, oldest first.
    pub fn batch(&self, limit: usize) -> Vec<Value> {
        self.pending.values().take(limit).cloned().collect()
    }

    pub fn clear(&mut self) {
        self.pending.clear();
        self.in_flight.clear();
    }

    /// The oldest update no webhook connection is delivering, now marked as
    /// being delivered.
    pub fn take_for_webhook(&mut self) -> Option<(u32, Value)> {
        let (&id, update) = self
            .pending
            .iter()
            .find(|(id, _)| !self.in_flight.contains(id))?;
        let update = update.clone();
        self.in_flight.insert(id);
        Some((id, update))
    }

    /// The webhook accepted update `id`; true when it was still pending.
    pub fn delivered(&mut self, id: u32) -> bool {
        self.in_flight.remove(&id);
        self.pending.remove(&id).is_some()
    }

    /// Update `id` goes back to the queue, for another connection or a retry.
    pub fn release(&mut self, id: u32) {
        self.in_flight.remove(&id);
    }

    /// Forget which updates were being delivered (the webhook changed).
    pub fn release_all(&mut self) {
        self.in_flight.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue_of(n: usize) -> UpdateQueue {
        let mut queue = UpdateQueue::default();
        for i in 0..n {
            queue.push("message", Value::from(i));
        }
        queue
    }

    fn ids(queue: &UpdateQueue) -> Vec<u64> {
        queue
            .batch(100)
            .iter()
            .filter_map(|update| update["update_id"].as_u64())
            .collect()
    }

    #[test]
    fn an_offset_confirms_every_update_below_it() {
        let mut queue = queue_of(5);
        assert_eq!(queue.apply_offset(3), 2);
        assert_eq!(ids(&queue), vec![3, 4, 5]);
        assert_eq!(queue.apply_offset(0), 0, "offset 0 confirms nothing");
        assert_eq!(queue.apply_offset(100), 3);
        assert!(queue.batch(100).is_empty());
    }

    #[test]
    fn a_negative_offset_keeps_only_the_last_updates() {
        let mut queue = queue_of(5);
        queue.apply_offset(-2);
        assert_eq!(ids(&queue), vec![4, 5]);
    }

    #[test]
    fn ids_keep_growing_after_confirmation() {
        let mut queue = queue_of(2);
        queue.apply_offset(3);
        assert_eq!(queue.push("message", Value::Null), 3);
    }

    #[test]
    fn the_webhook_takes_each_update_once_until_released() {
        let mut queue = queue_of(2);
        assert_eq!(queue.take_for_webhook().map(|(id, _)| id), Some(1));
        assert_eq!(queue.take_for_webhook().map(|(id, _)| id), Some(2));
        assert!(queue.take_for_webhook().is_none());
        queue.release(1);
        assert_eq!(queue.take_for_webhook().map(|(id, _)| id), Some(1));
        assert!(queue.delivered(1));
        assert_eq!(queue.len(), 1);
    }

    #[test]
    fn a_delivered_update_can_be_queued_again_with_its_id() {
        let mut queue = queue_of(2);
        queue.apply_offset(3);
        assert!(queue.redeliver(1));
        assert_eq!(ids(&queue), vec![1]);
        assert!(!queue.redeliver(99));
    }

    #[test]
    fn allowed_updates_filter_by_kind_and_default_to_the_usual_set() {
        let mut queue = UpdateQueue::default();
        assert!(queue.accepts("message") && queue.accepts("callback_query"));
        assert!(!queue.accepts("chat_member"));
        queue.set_allowed(vec!["callback_query".to_owned()]);
        assert!(!queue.accepts("message"));
        queue.set_allowed(Vec::new());
        assert!(queue.accepts("message"));
    }
}
