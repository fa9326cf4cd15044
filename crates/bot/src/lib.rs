//! startlink's Telegram bot. Handlers parse an update, call one domain function
//! in `startlink_core`, and answer in the user's language; all strings live in
//! `i18n`. The dispatcher tree is [`handler_tree`]; [`run`] starts it by long
//! polling or behind a webhook.

mod commands;
mod context;
mod handlers;
pub mod html;
pub mod i18n;
pub mod metrics;
mod pacing;
mod reply;
pub mod reports;
mod runner;
pub mod settings;
mod webhook;

pub use commands::Command;
pub use context::BotContext;
pub use handlers::handler_tree;
pub use metrics::BotMetrics;
pub use pacing::TgBot;
pub use runner::{RunningBot, WebhookState, prepare, start, webhook_state};
pub use webhook::SECRET_HEADER;
