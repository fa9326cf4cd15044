//! What every handler shares: the database, the settings, the login throttle
//! and password checkers.

use std::sync::Arc;

use chrono_tz::Tz;
use minijinja::Environment;
use startlink_core::DatabaseConnection;
use startlink_core::links::{BotUsername, LinkBuilder};

use crate::auth::{LoginThrottle, PasswordChecks};
use crate::config::WebConfig;

#[derive(Debug, Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<WebConfig>,
    pub throttle: Arc<LoginThrottle>,
    /// The threads that check password hashes, a few at a time.
    pub password_checks: Arc<PasswordChecks>,
    /// For reading local times in queries and for day buckets.
    pub timezone: Tz,
    /// `BOT_USERNAME`, used until the bot has stored the name `getMe` gave it.
    pub bot_username: Option<BotUsername>,
    /// HTTP request counts and latencies of this process.
    pub metrics: Arc<crate::metrics::HttpMetrics>,
    /// The panel's templates, parsed once.
    pub templates: Arc<Environment<'static>>,
    /// The bot, when it runs in this process (`startlink serve`).
    pub bot: Option<Arc<dyn crate::BotStatus>>,
    /// The Bot API sandbox the bot talks to, for the chat simulator page.
    pub sandbox: Option<startlink_sandbox::Sandbox>,
    /// Language of exports' headers when a request names none (`DEFAULT_LANG`).
    pub default_lang: startlink_core::lang::Lang,
    /// Users the chat simulator has played, newest last.
    pub simulator_users: Arc<std::sync::Mutex<Vec<startlink_sandbox::User>>>,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        config: WebConfig,
        timezone: Tz,
        bot_username: Option<BotUsername>,
    ) -> Result<Self, minijinja::Error> {
        Ok(Self {
            db,
            config: Arc::new(config),
            throttle: Arc::new(LoginThrottle::default()),
            password_checks: Arc::new(PasswordChecks::new()),
            timezone,
            bot_username,
            metrics: Arc::default(),
            templates: crate::panel::templates::environment()?,
            bot: None,
            sandbox: None,
            default_lang: startlink_core::lang::Lang::default(),
            simulator_users: Arc::default(),
        })
    }

    /// With the bot running in this process.
    pub fn with_bot(mut self, bot: Arc<dyn crate::BotStatus>) -> Self {
        self.bot = Some(bot);
        self
    }

    /// With `DEFAULT_LANG` for exports and reports.
    pub fn with_default_lang(mut self, lang: startlink_core::lang::Lang) -> Self {
        self.default_lang = lang;
        self
    }

    /// With the Bot API sandbox: the panel gets its chat simulator.
    pub fn with_sandbox(mut self, sandbox: startlink_sandbox::Sandbox) -> Self {
        self.sandbox = Some(sandbox);
        self
    }

    /// Builds `t.me` links, when the bot's name is known.
    pub async fn link_builder(&self) -> Result<Option<LinkBuilder>, sea_orm::DbErr> {
        startlink_core::settings::link_builder(&self.db, self.bot_username.as_ref()).await
    }
}
