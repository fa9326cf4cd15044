//! What the bot counts about itself while it runs: updates received by type
//! and handler failures. Kept in atomics per process; the web server renders
//! them on `/metrics` next to its own.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use teloxide::types::{Update, UpdateKind};

/// Update types counted separately; everything else is `other`.
const KINDS: [&str; 4] = ["message", "edited_message", "callback_query", "other"];

#[derive(Debug, Default)]
pub struct BotMetrics {
    updates: [AtomicU64; KINDS.len()],
    failures: AtomicU64,
}

fn kind_index(update: &Update) -> usize {
    match update.kind {
        UpdateKind::Message(_) => 0,
        UpdateKind::EditedMessage(_) => 1,
        UpdateKind::CallbackQuery(_) => 2,
        _ => 3,
    }
}

impl BotMetrics {
    /// Counts one update as it enters the dispatcher.
    pub fn record_update(&self, update: &Update) {
        self.updates[kind_index(update)].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one update whose handler returned an error.
    pub fn record_failure(&self) {
        self.failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Updates received of `kind` (`message`, `callback_query`, …).
    pub fn updates(&self, kind: &str) -> u64 {
        KINDS
            .iter()
            .position(|k| *k == kind)
            .map_or(0, |i| self.updates[i].load(Ordering::Relaxed))
    }

    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of the counters.
    pub fn render(&self, out: &mut String) {
        out.push_str(
            "# HELP startlink_bot_updates_total Telegram updates the bot received, by type.\n",
        );
        out.push_str("# TYPE startlink_bot_updates_total counter\n");
        for (kind, count) in KINDS.iter().zip(&self.updates) {
            let _ = writeln!(
                out,
                "startlink_bot_updates_total{{type=\"{kind}\"}} {}",
                count.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP startlink_bot_handler_failures_total Updates whose handler failed.\n");
        out.push_str("# TYPE startlink_bot_handler_failures_total counter\n");
        let _ = writeln!(
            out,
            "startlink_bot_handler_failures_total {}",
            self.failures()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(json: &str) -> Update {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn updates_are_counted_by_type_and_rendered() {
        let metrics = BotMetrics::default();
        let message = update(
            r#"{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private","first_name":"A"},"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"hi"}}"#,
        );
        let callback = update(
            r#"{"update_id":2,"callback_query":{"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"x"}}"#,
        );
        metrics.record_update(&message);
        metrics.record_update(&message);
        metrics.record_update(&callback);
        metrics.record_failure();
        assert_eq!(metrics.updates("message"), 2);
        assert_eq!(metrics.updates("callback_query"), 1);
        assert_eq!(metrics.updates("other"), 0);
        let mut out = String::new();
        metrics.render(&mut out);
        assert!(
            out.contains("startlink_bot_updates_total{type=\"message\"} 2\n"),
            "{out}"
        );
        assert!(
            out.contains("startlink_bot_updates_total{type=\"callback_query\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("startlink_bot_handler_failures_total 1\n"),
            "{out}"
        );
    }
}
