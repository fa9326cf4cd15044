//! Starting the bot: `getMe`, command registration, pacing, and the dispatcher
//! fed by long polling or a webhook.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono_tz::Tz;
use startlink_core::DatabaseConnection;
use startlink_core::links::{BotUsername, LinkBuilder};
use startlink_core::{settings as stored, time};
use teloxide::dispatching::{Dispatcher, ShutdownToken};
use teloxide::error_handlers::{ErrorHandler, LoggingErrorHandler};
use teloxide::payloads::SetMyCommandsSetters;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, Recipient};
use teloxide::update_listeners::Polling;

use crate::context::BotContext;
use crate::handlers::handler_tree;
use crate::i18n::{Lang, Texts};
use crate::pacing::TgBot;
use crate::reports::ScheduledReports;
use crate::settings::{BotMode, BotSettings};

/// Asks Telegram who the bot is (storing its username for links everywhere),
/// loads the QR logo, and registers the commands.
pub async fn prepare(
    settings: BotSettings,
    db: DatabaseConnection,
    timezone: Tz,
) -> anyhow::Result<(TgBot, Arc<BotContext>)> {
    let raw = Bot::new(settings.token.expose()).set_api_url(settings.api_url.clone());
    let me = raw.get_me().await.with_context(|| {
        format!(
            "while asking the Bot API at {} who the bot is (getMe)",
            settings.api_url
        )
    })?;
    let username = me
        .username
        .clone()
        .context("the Bot API says the bot has no username")?;
    let bot_name =
        BotUsername::parse(&username).with_context(|| format!("bot username {username:?}"))?;
    stored::set(&db, stored::BOT_USERNAME, bot_name.as_str(), time::now())
        .await
        .context("while storing the bot's username")?;
    tracing::info!(bot = %bot_name, "connected to the Bot API");

    let mut qr_style = startlink_qr::QrStyle::preset(startlink_qr::Preset::Brand);
    if let Some(path) = &settings.qr_logo {
        let logo = startlink_qr::Logo::from_path(path)
            .with_context(|| format!("QR_LOGO {}", path.display()))?;
        qr_style.logo = Some(Arc::new(logo));
    }
    let bot = TgBot::new(raw, settings.max_rps);
    let ctx = Arc::new(BotContext {
        db,
        settings,
        timezone,
        links: LinkBuilder::new(bot_name),
        qr_style,
        metrics: crate::metrics::BotMetrics::default(),
    });
    register_commands(&bot, &ctx).await?;
    Ok((bot, ctx))
}

fn user_commands(t: &Texts) -> Vec<BotCommand> {
    vec![
        BotCommand::new("start", t.commands.start),
        BotCommand::new("help", t.commands.help),
        BotCommand::new("ref", t.commands.r#ref),
        BotCommand::new("lang", t.commands.lang),
    ]
}

fn operator_commands(t: &Texts) -> Vec<BotCommand> {
    vec![
        BotCommand::new("generate", t.commands.generate),
        BotCommand::new("link", t.commands.link),
        BotCommand::new("qr", t.commands.qr),
        BotCommand::new("stats", t.commands.stats),
        BotCommand::new("mylinks", t.commands.mylinks),
        BotCommand::new("revoke", t.commands.revoke),
        BotCommand::new("ref", t.commands.r#ref),
        BotCommand::new("lang", t.commands.lang),
        BotCommand::new("help", t.commands.help),
    ]
}

fn admin_commands(t: &Texts) -> Vec<BotCommand> {
    let mut commands = operator_commands(t);
    let help = commands.pop();
    commands.push(BotCommand::new("report", t.commands.report));
    commands.push(BotCommand::new("export", t.commands.export));
    commands.extend(help);
    commands
}

/// `setMyCommands` for every language: the user commands for everyone, the
/// operator commands in each operator's own chat (with the admin commands in
/// admins' chats).
async fn register_commands(bot: &TgBot, ctx: &BotContext) -> anyhow::Result<()> {
    let default = ctx.settings.default_lang.texts();
    bot.set_my_commands(user_commands(default))
        .await
        .context("setMyCommands")?;
    for lang in Lang::ALL {
        let t = lang.texts();
        bot.set_my_commands(user_commands(t))
            .language_code(lang.code())
            .await
            .context("setMyCommands")?;
        for operator in &ctx.settings.operators {
            let scope = BotCommandScope::Chat {
                chat_id: Recipient::Id(ChatId(*operator)),
            };
            let commands = if ctx.settings.admins.contains(operator) {
                admin_commands(t)
            } else {
                operator_commands(t)
            };
            bot.set_my_commands(commands.clone())
                .scope(scope.clone())
                .language_code(lang.code())
                .await
                .context("setMyCommands for an operator")?;
            if lang == ctx.settings.default_lang {
                bot.set_my_commands(commands)
                    .scope(scope)
                    .await
                    .context("setMyCommands")?;
            }
        }
    }
    Ok(())
}

/// A dispatcher running in the background.
pub struct RunningBot {
    shutdown: ShutdownToken,
    task: tokio::task::JoinHandle<()>,
    reports: Option<ScheduledReports>,
}

impl std::fmt::Debug for RunningBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningBot").finish_non_exhaustive()
    }
}

impl RunningBot {
    /// Lets updates in flight finish, then stops.
    pub async fn stop(self) {
        if let Some(reports) = self.reports {
            reports.stop().await;
        }
        // Ask the dispatcher to stop, then wait for its task to end. The
        // future `shutdown()` returns is not awaited: it only starts listening
        // for the dispatcher's "done" when first polled, so when the
        // dispatcher finishes in between (another thread, a loaded machine)
        // it waits forever — tests hung that way. The task's end cannot be
        // missed. A dispatcher not running yet is asked again until it runs.
        loop {
            match self.shutdown.shutdown() {
                Ok(_requested) => break,
                Err(_idle) if self.task.is_finished() => break,
                Err(_idle) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            }
        }
        if let Err(error) = self.task.await {
            tracing::warn!("the bot task ended abnormally: {error}");
        }
    }
}

/// Updates of one chat are handled in order by one of this many workers
/// (chats hashed onto them). teloxide's default, a worker per chat, costs about
/// 32 KB of queue per chat: 160 MB for a 5,000-user burst.
const WORKERS: i64 = 256;

fn worker_of(update: &Update) -> Option<i64> {
    let id = match update.chat() {
        Some(chat) => chat.id.0,
        None => i64::try_from(update.from()?.id.0).ok()?,
    };
    Some(id.rem_euclid(WORKERS))
}

/// Logs a failed handler and counts it in the bot's metrics.
struct CountingErrorHandler(Arc<BotContext>);

impl ErrorHandler<anyhow::Error> for CountingErrorHandler {
    fn handle_error(
        self: Arc<Self>,
        error: anyhow::Error,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        self.0.metrics.record_failure();
        tracing::error!("a bot handler failed: {error:#}");
        Box::pin(async {})
    }
}

fn dispatcher(bot: TgBot, ctx: Arc<BotContext>) -> Dispatcher<Bot, anyhow::Error, i64> {
    let counted = dptree::entry()
        .inspect(|update: Update, ctx: Arc<BotContext>| ctx.metrics.record_update(&update))
        .chain(handler_tree());
    Dispatcher::builder(Bot::clone(&bot), counted)
        .dependencies(dptree::deps![ctx.clone(), bot])
        .default_handler(|update| async move {
            tracing::debug!(update_id = update.id.0, "update of a kind the bot ignores");
        })
        .error_handler(Arc::new(CountingErrorHandler(ctx)))
        .distribution_function(worker_of)
        .build()
}

/// What Telegram says about the bot's webhook (`getWebhookInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookState {
    /// Empty when no webhook is set (long polling).
    pub url: String,
    pub pending_update_count: u32,
    pub last_error_message: Option<String>,
    pub last_error_date: Option<chrono::DateTime<chrono::Utc>>,
}

/// Asks the Bot API for the webhook's state, for the panel's settings page.
pub async fn webhook_state(bot: &TgBot) -> anyhow::Result<WebhookState> {
    let info = bot
        .get_webhook_info()
        .await
        .context("while asking the Bot API for the webhook (getWebhookInfo)")?;
    Ok(WebhookState {
        url: info.url.map(|u| u.to_string()).unwrap_or_default(),
        pending_update_count: info.pending_update_count,
        last_error_message: info.last_error_message,
        last_error_date: info.last_error_date,
    })
}

/// Starts receiving updates as `ctx.settings.mode` says. For a webhook, the
/// returned router serves `WEBHOOK_URL`'s path and must be mounted on the HTTP
/// server; requests without the right secret header get 401 and are dropped.
pub async fn start(
    bot: TgBot,
    ctx: Arc<BotContext>,
) -> anyhow::Result<(RunningBot, Option<axum::Router>)> {
    let mut dispatcher = dispatcher(bot.clone(), ctx.clone());
    let shutdown = dispatcher.shutdown_token();
    let reports = ScheduledReports::start(bot.clone(), ctx.clone());
    match &ctx.settings.mode {
        BotMode::Polling => {
            let listener = Polling::builder(Bot::clone(&bot))
                .timeout(Duration::from_secs(25))
                .delete_webhook()
                .await
                .build();
            let task = tokio::spawn(async move {
                dispatcher
                    .dispatch_with_listener(
                        listener,
                        LoggingErrorHandler::with_custom_text("polling failed"),
                    )
                    .await;
            });
            tracing::info!("bot is receiving updates by long polling");
            Ok((
                RunningBot {
                    shutdown,
                    task,
                    reports,
                },
                None,
            ))
        }
        BotMode::Webhook { url, secret } => {
            bot.set_webhook(url.clone())
                .secret_token(secret.expose().to_owned())
                .await
                .context("while registering the webhook with setWebhook")?;
            let (router, listener) = crate::webhook::route(url.path(), secret.clone());
            let task = tokio::spawn(async move {
                dispatcher
                    .dispatch_with_listener(
                        listener,
                        LoggingErrorHandler::with_custom_text("webhook failed"),
                    )
                    .await;
            });
            tracing::info!(url = %url, "bot is receiving updates by webhook");
            Ok((
                RunningBot {
                    shutdown,
                    task,
                    reports,
                },
                Some(router),
            ))
        }
    }
}
