//! `TestBot`: a sandbox, a database and the bot running between them.

use std::sync::Arc;
use std::time::Duration;

use startlink_bot::i18n::{Lang, Texts};
use startlink_bot::settings::{BotMode, RawBotSettings};
use startlink_bot::{BotContext, RunningBot, TgBot};
use startlink_core::DatabaseConnection;
use startlink_core::config::DatabaseUrl;
use startlink_sandbox::{ChatMessage, RunningSandbox, Sandbox, SandboxConfig, User};
use tokio::net::TcpListener;

pub const OPERATOR: i64 = 100;
pub const OTHER_OPERATOR: i64 = 150;
pub const ADMIN: i64 = 200;
const WAIT: Duration = Duration::from_secs(20);

pub struct TestBot {
    pub sandbox: RunningSandbox,
    pub db: DatabaseConnection,
    /// Used by the `schedule` test binary, which drives the scheduler itself.
    #[allow(dead_code)]
    pub bot: TgBot,
    #[allow(dead_code)]
    pub ctx: Arc<BotContext>,
    running: Option<RunningBot>,
    _dir: tempfile::TempDir,
}

/// How to start the bot; the default is long polling.
#[derive(Default)]
pub struct Options {
    pub webhook: Option<(url::Url, String)>,
    pub max_rps: Option<u32>,
}

impl TestBot {
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await.0
    }

    /// Starts the bot; in webhook mode also returns the router to serve.
    pub async fn start_with(options: Options) -> (Self, Option<axum::Router>) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("bot.db").display());
        let (url, _) = DatabaseUrl::parse(&url).unwrap();
        let db = startlink_core::db::open(&url).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sandbox = Sandbox::new(SandboxConfig::default())
            .spawn(listener)
            .unwrap();
        let token = SandboxConfig::default().token;
        let api = url::Url::parse(&sandbox.base_url()).unwrap();
        let (mode, webhook_url, webhook_secret) = match &options.webhook {
            Some((url, secret)) => (
                Some("webhook".to_owned()),
                Some(url.to_string()),
                Some(secret.clone()),
            ),
            None => (None, None, None),
        };
        let raw = RawBotSettings {
            operator_ids: Some(format!("{OPERATOR},{OTHER_OPERATOR}")),
            admin_ids: Some(ADMIN.to_string()),
            mode,
            webhook_url,
            webhook_secret,
            max_rps: options.max_rps.map(|n| n.to_string()),
            ..Default::default()
        };
        let settings = raw.parse(Some((&token, &api))).unwrap();
        assert_eq!(
            matches!(settings.mode, BotMode::Webhook { .. }),
            options.webhook.is_some()
        );
        let (bot, ctx) = startlink_bot::prepare(settings, db.clone(), chrono_tz::Asia::Tashkent)
            .await
            .unwrap();
        let (running, router) = startlink_bot::start(bot.clone(), ctx.clone())
            .await
            .unwrap();
        let test = Self {
            sandbox,
            db,
            bot,
            ctx,
            running: Some(running),
            _dir: dir,
        };
        (test, router)
    }

    pub fn sandbox(&self) -> &Sandbox {
        self.sandbox.sandbox()
    }

    /// Sends `text` as `user` in his private chat and waits for the bot's next
    /// message there.
    pub async fn ask(&self, user: &User, text: &str) -> ChatMessage {
        let before = self.sandbox().messages(user.id).len();
        self.sandbox().send_text(user, text).unwrap();
        self.reply_number(user.id, before + 1).await
    }

    /// Waits until chat `chat` has `n` bot messages; returns the `n`th.
    pub async fn reply_number(&self, chat: i64, n: usize) -> ChatMessage {
        let messages = self
            .sandbox()
            .wait_for_messages(chat, n, WAIT)
            .await
            .unwrap();
        messages[n - 1].clone()
    }

    /// Presses the button with `data` on `message` and waits for the callback
    /// to be answered.
    pub async fn press(&self, user: &User, message: &ChatMessage, data: &str) {
        let pressed = self
            .sandbox()
            .press_button(user, message.chat_id, message.message_id, data)
            .unwrap();
        self.sandbox()
            .wait_for_callback_answer(&pressed.callback_query_id, WAIT)
            .await
            .unwrap();
    }

    /// The chat's bot messages as they are now (edits applied).
    pub fn messages(&self, chat: i64) -> Vec<ChatMessage> {
        self.sandbox().messages(chat)
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }
}

pub fn user(id: i64, name: &str) -> User {
    User::new(id, name)
}

pub fn user_in(id: i64, name: &str, lang: &str) -> User {
    let mut user = User::new(id, name);
    user.language_code = Some(lang.to_owned());
    user
}

pub fn uz() -> &'static Texts {
    Lang::Uz.texts()
}

/// Plain text of a message (Telegram strips the markup; the sandbox does too).
pub fn text(message: &ChatMessage) -> &str {
    message.text_or_caption().unwrap_or_default()
}

/// The first line of a template, for comparing against plain text.
pub fn head(template: &str) -> &str {
    template
        .split(['\n', '{', '<'])
        .next()
        .unwrap_or_default()
        .trim()
}

/// The bytes of the document in `message`, with its file name.
pub fn document(bot: &TestBot, message: &ChatMessage) -> (String, Vec<u8>) {
    let file = message
        .document
        .as_ref()
        .unwrap_or_else(|| panic!("a document, got {message:?}"));
    let bytes = bot
        .sandbox()
        .file_bytes(&file.file_id)
        .expect("the file's bytes");
    assert_eq!(file.file_size, bytes.len() as u64);
    (file.file_name.clone().unwrap_or_default(), bytes.to_vec())
}

pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}
