//! Starting the bot: `getMe`, command registration, pacing, and the dispatcher
//! fed by long polling or a webhook.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono_tz::Tz;
use startlink_core::DatabaseConnection;
use startlink_core::links::{BotUsername, LinkBuilder};
use startlink_core::{settings as stored, time};
use teloxide::payloads::SetMyCommandsSetters;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, BotCommand, BotCommandScope, Recipient};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::context::BotContext;
use crate::dispatch::Workers;
use crate::i18n::{Lang, Texts, texts};
use crate::intake::Intake;
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
        me,
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
    let default = texts(ctx.settings.default_lang);
    bot.set_my_commands(user_commands(default))
        .await
        .context("setMyCommands")?;
    for lang in Lang::ALL {
        let t = texts(lang);
        bot.set_my_commands(user_commands(t))
            .language_code(lang.as_str())
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
                .language_code(lang.as_str())
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

/// How long stopping may take in all: updates still in hand then are left
/// in the inbox for the next start.
pub const STOP_DEADLINE: Duration = Duration::from_secs(8);

/// The bot running in the background: the intake (long polling or the
/// webhook's route), the workers, the inbox sweeper and the report scheduler.
#[derive(Debug)]
pub struct RunningBot {
    stop: watch::Sender<bool>,
    intake: Vec<tokio::task::JoinHandle<()>>,
    workers: Workers,
    reports: Option<ScheduledReports>,
}

impl RunningBot {
    /// Stops receiving at once, lets the updates in hand finish until
    /// [`STOP_DEADLINE`], then stops whatever the Bot API or the database do;
    /// what was not handled stays in the inbox for the next start.
    pub async fn stop(self) {
        let deadline = Instant::now() + STOP_DEADLINE;
        let _ = self.stop.send(true);
        for task in self.intake {
            let abort = task.abort_handle();
            if tokio::time::timeout_at(deadline, task).await.is_err() {
                abort.abort();
            }
        }
        let (workers, reports) = (self.workers, self.reports);
        let reports = async move {
            if let Some(reports) = reports {
                reports.stop_by(deadline).await;
            }
        };
        let workers = workers.stop(deadline.saturating_duration_since(Instant::now()));
        tokio::join!(workers, reports);
    }
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

/// Starts receiving updates as `ctx.settings.mode` says. Unfinished updates
/// of an earlier run are handled first. For a webhook, the returned router
/// serves `WEBHOOK_URL`'s path and must be mounted on the HTTP server;
/// requests without the right secret header get 401 and are dropped.
pub async fn start(
    bot: TgBot,
    ctx: Arc<BotContext>,
) -> anyhow::Result<(RunningBot, Option<axum::Router>)> {
    let (workers, feed) = Workers::start(bot.clone(), ctx.clone(), ctx.me.clone());
    let intake = Intake {
        ctx: ctx.clone(),
        feed,
    };
    let (stop, stopped) = watch::channel(false);
    let reports = ScheduledReports::start(bot.clone(), ctx.clone());
    let sweeper = tokio::spawn(crate::intake::sweep(intake.clone(), stopped.clone()));
    let (receiver, router) = match &ctx.settings.mode {
        BotMode::Polling => {
            bot.delete_webhook()
                .await
                .context("while removing any webhook before long polling (deleteWebhook)")?;
            let intake = intake.clone();
            let task = tokio::spawn(async move {
                // Telegram serves one poller per bot: whatever is unfinished
                // was this bot's, and nobody else is handling it.
                match intake.resume(None).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(updates = n, "resuming updates not handled before"),
                    Err(error) => tracing::error!("resuming unfinished updates: {error}"),
                }
                crate::intake::poll(bot, intake, stopped).await;
            });
            tracing::info!("bot is receiving updates by long polling");
            (task, None)
        }
        BotMode::Webhook { url, secret } => {
            bot.set_webhook(url.clone())
                .secret_token(secret.expose().to_owned())
                .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
                .await
                .context("while registering the webhook with setWebhook")?;
            let router = crate::webhook::route(url.path(), secret.clone(), intake.clone());
            // Another replica may be handling what is unfinished: only updates
            // whose claim lapsed are taken (now and by the sweeper).
            let task = tokio::spawn(async move {
                if let Err(error) = intake.resume(Some(crate::intake::LEASE)).await {
                    tracing::error!("resuming unfinished updates: {error}");
                }
            });
            tracing::info!(url = %url, "bot is receiving updates by webhook");
            (task, Some(router))
        }
    };
    Ok((
        RunningBot {
            stop,
            intake: vec![receiver, sweeper],
            workers,
            reports,
        },
        router,
    ))
}
