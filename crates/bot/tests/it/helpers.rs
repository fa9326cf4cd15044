//! `TestBot`: a sandbox, a database and the bot running between them.

use std::sync::Arc;
use std::time::Duration;

use startlink_bot::i18n::{Lang, Texts, texts};
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
    dir: Arc<tempfile::TempDir>,
}

/// How to start the bot; the default is long polling.
#[derive(Default)]
pub struct Options {
    pub webhook: Option<(url::Url, String)>,
    pub max_rps: Option<u32>,
    /// Another bot's database to share (two bots on one database).
    pub db: Option<(DatabaseConnection, Arc<tempfile::TempDir>)>,
    /// The Bot API's idea of the bot (another token and id for a second bot).
    pub sandbox: Option<SandboxConfig>,
}

impl TestBot {
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await.0
    }

    /// Starts the bot; in webhook mode also returns the router to serve.
    pub async fn start_with(options: Options) -> (Self, Option<axum::Router>) {
        let (db, dir) = match options.db.clone() {
            Some(shared) => shared,
            None => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("bot.db").display());
                let (url, _) = DatabaseUrl::parse(&url).unwrap();
                (startlink_core::db::open(&url).await.unwrap(), Arc::new(dir))
            }
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = options.sandbox.clone().unwrap_or_default();
        let token = config.token.clone();
        let sandbox = Sandbox::new(config).spawn(listener).unwrap();
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
            dir,
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

    /// Waits until every update the bot stored is handled (answers sent).
    #[allow(dead_code)]
    pub async fn wait_until_handled(&self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = startlink_core::inbox::unfinished(&self.db, self.ctx.bot_id())
                .await
                .unwrap();
            if left == 0 {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{left} updates still unhandled after {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The database and its directory, for a second bot on the same database.
    #[allow(dead_code)]
    pub fn shared_db(&self) -> (DatabaseConnection, Arc<tempfile::TempDir>) {
        (self.db.clone(), self.dir.clone())
    }

    /// The Bot API restarts on the same address with nothing in memory: its
    /// update ids start again from 1.
    #[allow(dead_code)]
    pub async fn restart_sandbox(&mut self) {
        let addr = self.sandbox.addr();
        let config = self.sandbox().config().clone();
        let placeholder = Sandbox::new(config.clone())
            .spawn(TcpListener::bind("127.0.0.1:0").await.unwrap())
            .unwrap();
        let old = std::mem::replace(&mut self.sandbox, placeholder);
        old.shutdown().await.unwrap();
        let listener = TcpListener::bind(addr).await.unwrap();
        let fresh = Sandbox::new(config).spawn(listener).unwrap();
        let placeholder = std::mem::replace(&mut self.sandbox, fresh);
        placeholder.shutdown().await.unwrap();
    }

    /// Stops the bot (as SIGTERM does) and says how long that took.
    #[allow(dead_code)]
    pub async fn stop_bot(&mut self) -> Duration {
        let started = tokio::time::Instant::now();
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        started.elapsed()
    }

    /// Starts the bot again on the same database and Bot API.
    #[allow(dead_code)]
    pub async fn start_bot(&mut self) {
        let (running, _) = startlink_bot::start(self.bot.clone(), self.ctx.clone())
            .await
            .unwrap();
        self.running = Some(running);
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
    texts(Lang::Uz)
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
