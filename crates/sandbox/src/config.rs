//! How a sandbox is set up: the bot it pretends to be and the caps that keep
//! its memory bounded.

use std::fmt;
use std::time::Duration;

/// The bot the sandbox pretends to be, and its limits.
#[derive(Clone)]
pub struct SandboxConfig {
    /// The token the bot must use (`/bot<token>/<method>`); any other gets 401.
    pub token: String,
    pub bot_id: i64,
    /// Without `@`; getMe returns it and `/start@<username>` addresses it.
    pub bot_username: String,
    pub bot_first_name: String,
    /// Base URL put into file download links (e.g. `http://127.0.0.1:8081`).
    /// When `None`, [`crate::Sandbox::spawn`] fills it from the listener;
    /// a sandbox mounted into another router shows relative links.
    pub public_url: Option<String>,
    pub limits: Limits,
    /// First delay before re-delivering an update the webhook refused; it
    /// doubles per failure up to [`SandboxConfig::webhook_retry_max`].
    pub webhook_retry_initial: Duration,
    pub webhook_retry_max: Duration,
    /// Per-attempt timeout of a webhook POST.
    pub webhook_timeout: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            token: "1000000001:sandbox-token".to_owned(),
            bot_id: 1_000_000_001,
            bot_username: "startlink_sandbox_bot".to_owned(),
            bot_first_name: "startlink sandbox".to_owned(),
            public_url: None,
            limits: Limits::default(),
            webhook_retry_initial: Duration::from_millis(100),
            webhook_retry_max: Duration::from_secs(5),
            webhook_timeout: Duration::from_secs(10),
        }
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("token", &"<redacted>")
            .field("bot_id", &self.bot_id)
            .field("bot_username", &self.bot_username)
            .field("bot_first_name", &self.bot_first_name)
            .field("public_url", &self.public_url)
            .field("limits", &self.limits)
            .field("webhook_retry_initial", &self.webhook_retry_initial)
            .field("webhook_retry_max", &self.webhook_retry_max)
            .field("webhook_timeout", &self.webhook_timeout)
            .finish()
    }
}

/// Caps on what the sandbox keeps in memory. Defaults hold a 5,000-user burst
/// with room to spare and stay within a few hundred MB at worst.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Updates not yet confirmed by the bot; playing a user beyond this fails
    /// with [`crate::SandboxError::QueueFull`] rather than losing an update.
    pub max_pending_updates: usize,
    /// Chats kept; beyond it the least recently created chat is forgotten.
    pub max_chats: usize,
    /// Messages kept per chat; beyond it the oldest are forgotten.
    pub max_messages_per_chat: usize,
    /// Largest request body, and so the largest upload (Telegram: 10 MB for
    /// photos, 50 MB for documents).
    pub max_upload_bytes: usize,
    /// Bytes of uploaded files kept; beyond it the oldest files are forgotten
    /// (their file_id then answers "wrong file identifier").
    pub max_file_bytes: usize,
    pub max_files: usize,
    /// Button presses remembered for answerCallbackQuery.
    pub max_callback_queries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pending_updates: 50_000,
            max_chats: 50_000,
            max_messages_per_chat: 1_000,
            max_upload_bytes: 20 * 1024 * 1024,
            max_file_bytes: 256 * 1024 * 1024,
            max_files: 10_000,
            max_callback_queries: 50_000,
        }
    }
}
