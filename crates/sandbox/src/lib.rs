//! A Telegram Bot API emulator, so the bot runs without a token and tests
//! drive it over real HTTP.
//!
//! The bot talks to it exactly as to `api.telegram.org` (`/bot<token>/<method>`,
//! JSON / form / multipart bodies, Telegram's envelopes, error texts and
//! object shapes); people and tests play users through the JSON control API
//! under `/sandbox/` or the same operations on [`Sandbox`].
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use startlink_sandbox::{Sandbox, SandboxConfig, User};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sandbox = Sandbox::new(SandboxConfig::default()).spawn(listener)?;
//! // point the bot at sandbox.base_url() with token SandboxConfig::default().token
//! sandbox.send_text(&User::new(42, "Ali"), "/start KEY").ok();
//! # Ok(()) }
//! ```
//!
//! Nothing here knows about links: the sandbox is Telegram, not startlink.

mod bot_api;
mod config;
mod control;
mod error;
mod flood;
mod html;
mod image_size;
mod inspect;
mod methods;
mod params;
mod protocol;
mod sandbox;
mod server;
mod state;
mod text;
mod types;
mod users;
mod view;
mod webhook;

pub use config::{Limits, SandboxConfig};
pub use error::SandboxError;
pub use flood::FloodConfig;
pub use sandbox::{Sandbox, SentByBot};
pub use server::RunningSandbox;
pub use types::{BotCommand, Chat, ChatType, InlineButton, MessageEntity, User};
pub use users::{ButtonRef, PressedButton, SentMessage};
pub use view::{
    CallbackAnswer, CallbackQueryView, ChatMessage, ChatSummary, CommandSet, Counters, FileView,
    WebhookStatus,
};

/// Telegram's HTML parse mode, exposed so other crates (the bot's tests) can
/// check that a text would be accepted: `Ok((plain_text, entities))` or the
/// reason Telegram would give after "can't parse entities: ".
pub fn parse_html(html: &str) -> Result<(String, Vec<MessageEntity>), String> {
    html::parse(html)
}
