//! The [`Sandbox`] handle: configuration, the state behind its mutex, and the
//! watch channels that wake long polls, webhook workers and test waiters
//! instead of letting them sleep in loops.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use tokio::sync::{broadcast, watch};

use crate::config::SandboxConfig;
use crate::state::State;
use crate::types::User;
use crate::view::ChatMessage;

const SENT_CHANNEL_CAPACITY: usize = 65_536;

/// A message the bot sent, announced by [`Sandbox::subscribe_sent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentByBot {
    pub chat_id: i64,
    pub message_id: i32,
    pub at: std::time::Instant,
}

/// A Telegram Bot API emulator. Cheap to clone; every clone is the same sandbox.
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub config: SandboxConfig,
    state: Mutex<State>,
    /// Bumped when an update is queued or the webhook or poller changes.
    updates_changed: watch::Sender<u64>,
    /// Bumped when the bot sends, edits or deletes something, or answers a button.
    bot_changed: watch::Sender<u64>,
    /// Every message the bot sends, as it arrives (for latency measurements).
    sent: broadcast::Sender<SentByBot>,
    shutdown: watch::Sender<bool>,
    pub http: reqwest::Client,
    public_url: RwLock<Option<String>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.webhook_timeout)
            .build()
            .unwrap_or_default();
        let public_url = config
            .public_url
            .clone()
            .map(|url| url.trim_end_matches('/').to_owned());
        let inner = Inner {
            state: Mutex::new(State::new(&config)),
            config,
            updates_changed: watch::channel(0).0,
            bot_changed: watch::channel(0).0,
            sent: broadcast::channel(SENT_CHANNEL_CAPACITY).0,
            shutdown: watch::channel(false).0,
            http,
            public_url: RwLock::new(public_url),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// The bot as getMe describes it.
    pub fn bot(&self) -> User {
        self.state().bot.clone()
    }

    /// The base URL download links start with, once known.
    pub fn public_url(&self) -> Option<String> {
        self.inner
            .public_url
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sets the base URL for download links unless the configuration fixed one.
    pub(crate) fn learn_public_url(&self, url: String) {
        let mut current = self
            .inner
            .public_url
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if current.is_none() {
            *current = Some(url);
        }
    }

    /// Ends every long poll and webhook delivery. [`Sandbox::serve`] does this
    /// when its shutdown signal fires; a server that mounts
    /// [`Sandbox::router`] itself calls it before its graceful shutdown.
    pub fn shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        *self.inner.shutdown.borrow()
    }

    /// A poisoned lock is taken over: every mutation keeps the state valid
    /// between statements, so a panic elsewhere cannot leave it half-written.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn notify_updates(&self) {
        self.inner
            .updates_changed
            .send_modify(|version| *version = version.wrapping_add(1));
    }

    pub(crate) fn notify_bot(&self) {
        self.inner
            .bot_changed
            .send_modify(|version| *version = version.wrapping_add(1));
    }

    /// Every message the bot sends from now on, with the instant it arrived.
    /// A receiver that falls more than 65,536 messages behind loses the oldest.
    pub fn subscribe_sent(&self) -> broadcast::Receiver<SentByBot> {
        self.inner.sent.subscribe()
    }

    pub(crate) fn announce_sent(&self, chat_id: i64, message_id: i32) {
        // No subscriber is the normal case; nothing to do then.
        let _ = self.inner.sent.send(SentByBot {
            chat_id,
            message_id,
            at: std::time::Instant::now(),
        });
    }

    pub(crate) fn watch_updates(&self) -> watch::Receiver<u64> {
        self.inner.updates_changed.subscribe()
    }

    pub(crate) fn watch_bot(&self) -> watch::Receiver<u64> {
        self.inner.bot_changed.subscribe()
    }

    pub(crate) fn watch_shutdown(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Path (or URL, once the address is known) serving a file's bytes
    /// through the control API.
    pub fn file_download_url(&self, file_id: &str) -> String {
        let base = self.public_url().unwrap_or_default();
        format!("{base}/sandbox/files/{file_id}")
    }

    /// Fills the download links of a message's files for showing it.
    pub(crate) fn presented(&self, mut message: ChatMessage) -> ChatMessage {
        for file in [&mut message.photo, &mut message.document]
            .into_iter()
            .flatten()
        {
            if !file.external {
                file.url = Some(self.file_download_url(&file.file_id));
            }
        }
        message
    }
}
