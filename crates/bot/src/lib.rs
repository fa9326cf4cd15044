//! startlink's Telegram bot. Handlers parse an update, call one domain function
//! in `startlink_core`, and answer in the user's language; all strings live in
//! `i18n`. The dispatcher tree is [`handler_tree`]; [`start`] runs it on updates
//! received by long polling or a webhook and stored in the inbox first.

mod commands;
mod context;
mod dispatch;
mod handlers;
pub mod html;
pub mod i18n;
mod intake;
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
pub use runner::{RunningBot, STOP_DEADLINE, WebhookState, prepare, start, webhook_state};
pub use webhook::SECRET_HEADER;
