//! What the web server may ask of a bot running in the same process: how it
//! receives updates, what Telegram says about its webhook, and its counters
//! for `/metrics`. `startlink serve` supplies it; `startlink web` runs
//! without a bot and the pages say so.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// `getWebhookInfo`'s answer, as the settings page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookView {
    /// Empty: no webhook is registered (long polling).
    pub url: String,
    pub pending_update_count: u32,
    pub last_error_message: Option<String>,
    pub last_error_date: Option<DateTime<Utc>>,
}

pub type WebhookFuture<'a> = Pin<Box<dyn Future<Output = Result<WebhookView, String>> + Send + 'a>>;

/// A running bot, seen from the web server.
pub trait BotStatus: Send + Sync + fmt::Debug {
    /// `polling` or `webhook`.
    fn mode(&self) -> &'static str;
    /// The webhook URL the bot registered, in webhook mode.
    fn webhook_url(&self) -> Option<String>;
    /// Whether the bot talks to the built-in sandbox instead of Telegram.
    fn sandbox(&self) -> bool;
    /// Asks the Bot API for the webhook's state (an error text when it cannot).
    fn webhook_info(&self) -> WebhookFuture<'_>;
    /// Appends the bot's counters in Prometheus text format.
    fn render_metrics(&self, out: &mut String);
}
